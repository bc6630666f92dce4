"""Django admin for administrators: planning settings (the solver's weights per mission), and
saved scenarios and runs with their history. A run's result is written by the planner only."""

from django.contrib import admin

from stabforce.core.admin import MissionRecordAdmin
from stabforce.planning import models


@admin.register(models.PlanningSettings)
class PlanningSettingsAdmin(admin.ModelAdmin):
    list_display = ("mission", "objection_mode", "composition_group", "composition_min_share")


@admin.register(models.PlanScenario)
class PlanScenarioAdmin(MissionRecordAdmin):
    list_display = ("name", "mission", "as_of", "base", "created_by", "created_at")
    search_fields = ("name",)
    raw_id_fields = ("base", "created_by", "owner_nation")


@admin.register(models.PlanRun)
class PlanRunAdmin(MissionRecordAdmin):
    list_display = ("pk", "scenario", "kind", "status", "progress", "finished_at")
    list_filter = ("mission", "kind", "status")
    raw_id_fields = ("scenario", "requested_by", "owner_nation")
    readonly_fields = (
        "status", "progress", "message", "result", "started_at", "finished_at", "created_at",
        "updated_at",
    )  # fmt: skip
