"""Django admin for administrators: every record, with its history (simple-history)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from stabforce.core import models


@admin.register(models.User)
class StabforceUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "role", "nation", "is_active", "last_login")
    list_filter = ("role", "is_active", "nation")
    fieldsets = UserAdmin.fieldsets + (
        ("Mission access", {"fields": ("role", "nation", "missions")}),
    )
    filter_horizontal = ("missions", "groups", "user_permissions")


class MissionRecordAdmin(SimpleHistoryAdmin):
    list_filter = ("mission", "releasability")
    filter_horizontal = ("releasable_to",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(models.Mission)
class MissionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "authorised_from", "authorised_until", "synthetic")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Nation)
class NationAdmin(SimpleHistoryAdmin):
    list_display = ("iso3", "name", "official_name")
    search_fields = ("iso3", "iso2", "name")
    list_filter = ("groups",)


admin.site.register(models.NationGroup)


@admin.register(models.Source)
class SourceAdmin(MissionRecordAdmin):
    list_display = ("publisher", "title", "published", "confidence", "synthetic")
    search_fields = ("publisher", "title", "quote", "summary")


for model, columns in [
    (models.Party, ("name", "kind", "nation", "consent_required")),
    (models.Organisation, ("name", "acronym", "kind")),
    (models.LineOfOperation, ("name", "key", "order")),
    (models.Sector, ("name", "key", "area_km2")),
    (models.ControlLine, ("name", "kind", "valid_from", "valid_until", "schematic")),
    (models.Crossing, ("name", "kind", "status", "position_precision")),
    (models.Evidence, ("source", "content_type", "object_id")),
]:
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (MissionRecordAdmin,),
            {
                "list_display": columns,
            },
        ),
    )


@admin.register(models.ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")
