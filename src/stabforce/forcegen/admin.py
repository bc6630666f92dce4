"""Django admin for administrators: the force-generation register with its history. Changes
to pledges belong in the services (status changes cite evidence), so the register's lifecycle
fields are read-only here."""

from django.contrib import admin

from stabforce.core.admin import MissionRecordAdmin
from stabforce.forcegen import models, services


@admin.register(models.Pledge)
class PledgeAdmin(MissionRecordAdmin):
    list_display = ("key", "nation", "capability", "personnel", "status", "status_since")
    list_filter = ("mission", "status", "releasability", "synthetic")
    search_fields = ("key", "nation__name", "nation__iso3", "capability__name")
    readonly_fields = (
        "status", "status_since", "first_reported", "last_evidence", "created_at", "updated_at",
    )  # fmt: skip
    raw_id_fields = ("nation", "owner_nation")

    def save_related(self, request, form, formsets, change):
        # After the M2M list of nations is saved: release the pledge's children alike.
        super().save_related(request, form, formsets, change)
        services.sync_child_release(form.instance)


for model, columns in [
    (models.Capability, ("name", "key", "category", "typical_strength", "is_police")),
    (models.Requirement, ("key", "capability", "line_of_operation", "sector", "personnel")),
    (models.PledgeStatusChange, ("pledge", "from_status", "to_status", "effective", "source")),
    (models.PledgeFigure, ("pledge", "personnel", "qualifier", "reported_on", "chosen")),
    (models.PledgeCondition, ("pledge", "kind", "blocking", "status", "raised_on")),
    (models.Caveat, ("pledge", "kind", "effective_from")),
    (models.Acceptability, ("party", "nation", "stance", "effective")),
    (models.Engagement, ("occurred_on", "topic")),
]:
    admin.site.register(
        model,
        type(f"{model.__name__}Admin", (MissionRecordAdmin,), {"list_display": columns}),
    )
