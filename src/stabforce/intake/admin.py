"""Django admin for the intake queue (administrators; reviewing happens in the queue UI)."""

from django.contrib import admin

from stabforce.core.admin import MissionRecordAdmin
from stabforce.intake.models import IntakeDocument, ProposedUpdate


@admin.register(IntakeDocument)
class IntakeDocumentAdmin(MissionRecordAdmin):
    list_display = ("source", "mission", "content_type", "size_bytes", "submitted_by", "created_at")
    readonly_fields = ("sha256", "size_bytes", "raw", "created_at", "updated_at")
    search_fields = ("source__title", "source__publisher", "sha256")


@admin.register(ProposedUpdate)
class ProposedUpdateAdmin(MissionRecordAdmin):
    list_display = ("pk", "kind", "nation", "status", "confidence", "rule", "document")
    list_filter = ("mission", "status", "kind")
    readonly_fields = ("applied", "created_at", "updated_at")
    search_fields = ("quote", "rule")
