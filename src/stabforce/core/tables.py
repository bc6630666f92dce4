"""Sortable tables of core records for the list pages (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from stabforce.core.models import (
    ControlLine,
    Crossing,
    LineOfOperation,
    Nation,
    Organisation,
    Party,
    Sector,
    Source,
)

PER_PAGE = 50
#: ISO dates: staff from many nations read 03/04 in opposite ways.
DATE_FORMAT = "Y-m-d"


class RecordTable(tables.Table):
    """Shared look of every list: our own wrapper template, compact rows."""

    class Meta:
        template_name = "core/_table.html"
        attrs = {"class": "records", "thead": {"hx-boost": "true"}}
        per_page = PER_PAGE


class ReleasabilityColumn(tables.Column):
    """Releasability is on every mission record; a short label keeps the column narrow."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", "Releasable to")
        super().__init__(accessor="releasability", **kwargs)

    def render(self, record):
        return record.get_releasability_display()


class SectorTable(RecordTable):
    name = tables.Column(linkify=True)
    area_km2 = tables.Column(verbose_name="Area (km²)")
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = Sector
        fields = ("name", "name_local", "area_km2", "external_id", "releasability")

    def render_area_km2(self, value):
        return f"{value:,.1f}"


class CrossingTable(RecordTable):
    name = tables.Column(linkify=True)
    status_since = tables.DateColumn(format=DATE_FORMAT)
    position_precision = tables.Column(verbose_name="Position")
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = Crossing
        fields = (
            "name",
            "kind",
            "status",
            "status_since",
            "border_nation",
            "position_precision",
            "releasability",
        )

    def render_status(self, record):
        return format_html(
            '<span class="status status-{}">{}</span>', record.status, record.get_status_display()
        )

    def render_position_precision(self, record):
        if record.is_approximate:
            return format_html(
                '<span class="badge badge-approximate">approximate position</span> {}',
                record.get_position_precision_display(),
            )
        return record.get_position_precision_display()

    def render_border_nation(self, value):
        return value.name


class PartyTable(RecordTable):
    name = tables.Column(linkify=True)
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = Party
        fields = ("name", "kind", "nation", "consent_required", "releasability")

    def render_nation(self, value):
        return value.name


class OrganisationTable(RecordTable):
    name = tables.Column(linkify=True)
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = Organisation
        fields = ("name", "acronym", "kind", "nation", "releasability")

    def render_nation(self, value):
        return value.name


class LineOfOperationTable(RecordTable):
    name = tables.Column(linkify=True)
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = LineOfOperation
        fields = ("order", "name", "mandate_reference", "releasability")


class ControlLineTable(RecordTable):
    name = tables.Column(linkify=True)
    valid_from = tables.DateColumn(format=DATE_FORMAT)
    valid_until = tables.DateColumn(format=DATE_FORMAT, default="in force")
    controlled_by = tables.Column(linkify=True)
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = ControlLine
        fields = (
            "name",
            "kind",
            "controlled_by",
            "valid_from",
            "valid_until",
            "schematic",
            "releasability",
        )

    def render_schematic(self, value):
        if value:
            return mark_safe('<span class="badge badge-schematic">schematic</span>')  # noqa: S308
        return "traced"


class SourceTable(RecordTable):
    title = tables.Column(linkify=True)
    published = tables.Column(verbose_name="Date")
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = Source
        fields = ("published", "publisher", "title", "confidence", "releasability")

    def render_published(self, record):
        return format_html(
            "{} <small>({})</small>",
            record.published.isoformat(),
            record.get_published_precision_display().lower(),
        )

    def render_title(self, record, value):
        if record.synthetic:
            return format_html('{} <span class="badge badge-synthetic">synthetic</span>', value)
        return value

    def render_confidence(self, record):
        return format_html(
            '<span class="confidence confidence-{}">{}</span>',
            record.confidence,
            record.confidence.capitalize(),
        )


class NationTable(RecordTable):
    name = tables.Column(linkify=lambda record: reverse("core:nation_detail", args=[record.iso3]))
    groups = tables.Column(verbose_name="Groups", orderable=False, accessor="pk")

    class Meta(RecordTable.Meta):
        model = Nation
        fields = ("name", "iso3", "iso2", "groups")
        per_page = 100

    def render_groups(self, record):
        return format_html_join(
            " ",
            '<span class="badge badge-group">{}</span>',
            ((g.code,) for g in record.groups.all()),
        )
