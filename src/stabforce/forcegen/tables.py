"""Sortable tables of the force-generation register (django-tables2), in core's look."""

from __future__ import annotations

from dataclasses import dataclass

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2.data import TableQuerysetData

from stabforce.core.tables import DATE_FORMAT, RecordTable, ReleasabilityColumn
from stabforce.forcegen.choices import PledgeStatus
from stabforce.forcegen.models import Engagement, Pledge, Requirement
from stabforce.forcegen.presenters import RegisterRow, personnel_label


class PageFirstQuerysetData(TableQuerysetData):
    """Filters, sorts and counts in the database, then loads the annotated rows of the shown
    page only: the as-of annotations (status and figure on the date) are subqueries, and a
    database would otherwise compute them for every pledge before sorting."""

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return super().__getitem__(key)
        pks = list(self.data.values_list("pk", flat=True)[key])
        rows = {record.pk: record for record in self.data.order_by().filter(pk__in=pks)}
        return [rows[pk] for pk in pks if pk in rows]


class AsOfTable(RecordTable):
    """A table whose record links keep the page's as-of date, with per-page extras that the
    view computes in grouped queries once the page is known."""

    def __init__(self, *args, as_of_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of_query = as_of_query
        self.extras: dict = {}

    def link(self, url: str) -> str:
        return f"{url}?{self.as_of_query}" if self.as_of_query else url


def status_badge(status: str | None, label: str = "") -> str:
    if not status:
        return mark_safe('<span class="muted">—</span>')  # noqa: S308
    return format_html(
        '<span class="pledge-status pledge-status-{}">{}</span>',
        status,
        label or status.replace("_", " "),
    )


@dataclass(frozen=True)
class RegisterLine:
    """One register row as the template writes it."""

    pledge: Pledge
    extra: RegisterRow
    url: str
    personnel: str
    status_label: str


class PledgeTable(AsOfTable):
    """The register as of a date: one row per pledge known on that date.

    The columns declare headers and sorting; the rows are written by
    ``forcegen/_register_table.html`` from :meth:`lines`, because per-cell rendering through
    django-tables2 costs more than the database work on a page of the register.
    """

    nation = tables.Column(order_by=("nation__name", "capability__name"))
    capability = tables.Column(order_by=("capability__name", "nation__name"))
    personnel_on = tables.Column(verbose_name="Personnel", attrs={"th": {"class": "number"}})
    status_on = tables.Column(verbose_name="Status", order_by=("status_on", "nation__name"))
    status_since_on = tables.Column(verbose_name="Since")
    readiness = tables.Column()
    open_conditions = tables.Column(
        verbose_name="Open conditions", accessor="pk", orderable=False,
        attrs={"th": {"class": "number"}},
    )  # fmt: skip
    caveats = tables.Column(
        verbose_name="Caveats", accessor="pk", orderable=False, attrs={"th": {"class": "number"}}
    )
    objected_by = tables.Column(verbose_name="Objected by", accessor="pk", orderable=False)
    flags = tables.Column(verbose_name="Flags", accessor="pk", orderable=False)

    class Meta(RecordTable.Meta):
        model = Pledge
        template_name = "forcegen/_register_table.html"
        fields = ()
        sequence = (
            "nation", "capability", "personnel_on", "status_on", "status_since_on", "readiness",
            "open_conditions", "caveats", "objected_by", "flags",
        )  # fmt: skip
        empty_text = "No pledge matches on this date."

    def lines(self) -> list[RegisterLine]:
        statuses = dict(PledgeStatus.choices)
        lines = []
        for row in self.paginated_rows:
            record = row.record
            extra = self.extras.get(record.pk) or RegisterRow(qualifier=record.personnel_qualifier)
            lines.append(
                RegisterLine(
                    record,
                    extra,
                    self.link(reverse("forcegen:pledge_detail", args=[record.pk])),
                    personnel_label(record.personnel_on, extra.qualifier),
                    statuses.get(record.status_on, record.status_on),
                )
            )
        return lines


class RequirementTable(AsOfTable):
    """The statement of requirements."""

    capability = tables.Column(order_by=("capability__name", "priority"))
    line_of_operation = tables.Column(verbose_name="Line of operation")
    sector = tables.Column(default="Force-wide", order_by=("sector__name", "capability__name"))
    units = tables.Column(attrs={"td": {"class": "number"}})
    personnel = tables.Column(attrs={"td": {"class": "number"}})
    needed_from = tables.DateColumn(format=DATE_FORMAT)
    needed_until = tables.DateColumn(format=DATE_FORMAT, default="open")
    releasability = ReleasabilityColumn()

    class Meta(RecordTable.Meta):
        model = Requirement
        fields = (
            "priority", "capability", "line_of_operation", "sector", "units", "personnel",
            "needed_from", "needed_until", "releasability",
        )  # fmt: skip

    def render_capability(self, record):
        badge = ""
        if record.synthetic:
            badge = mark_safe(' <span class="badge badge-synthetic">synthetic</span>')  # noqa: S308
        return format_html(
            '<a href="{}">{}</a>{}',
            self.link(reverse("forcegen:requirement_detail", args=[record.pk])),
            record.capability.name,
            badge,
        )

    def render_priority(self, record):
        return format_html(
            '<span class="priority priority-{}">{}</span>',
            record.priority,
            record.get_priority_display(),
        )

    def render_personnel(self, value):
        return f"{value:,}"


class EngagementTable(AsOfTable):
    """The log of diplomatic consultations; date disagreements between sources stay visible."""

    occurred_on = tables.DateColumn(format=DATE_FORMAT, verbose_name="Date")
    nations = tables.Column(accessor="pk", orderable=False, verbose_name="Nations")
    officials = tables.Column()
    topic = tables.Column()
    outcome = tables.Column()
    sources = tables.Column(accessor="pk", orderable=False, verbose_name="Sources")

    class Meta(RecordTable.Meta):
        model = Engagement
        fields = ("occurred_on", "nations", "officials", "topic", "outcome", "sources")

    def render_occurred_on(self, record):
        note = ""
        if record.date_note:
            note = format_html(
                '<p class="date-note" role="note"><span class="badge badge-date-note">date '
                "disputed</span> {}</p>",
                record.date_note,
            )
        return format_html("<strong>{}</strong>{}", record.occurred_on.isoformat(), note)

    def render_nations(self, record):
        return format_html_join(
            " ",
            '<a class="badge badge-group" href="{}" title="{}">{}</a>',
            (
                (reverse("core:nation_detail", args=[n.iso3]), n.name, n.iso3)
                for n in record.nations.all()
            ),
        )

    def render_topic(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            self.link(reverse("forcegen:engagement_detail", args=[record.pk])),
            record.topic,
        )

    def render_sources(self, record):
        sources = self.extras.get(record.pk, [])
        if not sources:
            return mark_safe('<span class="muted">—</span>')  # noqa: S308
        return format_html_join(
            "<br>",
            '<a href="{}">{}</a>',
            ((source.get_absolute_url(), source.publisher) for source in sources),
        )
