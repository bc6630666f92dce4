"""Web pages of the core domain: missions, their geography, parties, sources, and nations.

Every page is for a signed-in user and reads through the one visibility gate
(``Model.objects.visible_to(user)``). A record the user may not see is a 404, the same answer
as a record that does not exist, so that a URL never confirms what is withheld.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from stabforce.core import filters, queries, tables
from stabforce.core.choices import Releasability
from stabforce.core.models import (
    ControlLine,
    Crossing,
    LineOfOperation,
    Mission,
    MissionRecord,
    Nation,
    Organisation,
    Party,
    Sector,
    Source,
)

#: The mission's record lists, in the order the mission menu shows them:
#: (URL segment, label, URL name).
MISSION_SECTIONS = [
    ("sectors", "Sectors", "core:sector_list"),
    ("crossings", "Crossings", "core:crossing_list"),
    ("parties", "Parties", "core:party_list"),
    ("organisations", "Organisations", "core:organisation_list"),
    ("lines-of-operation", "Lines of operation", "core:lineofoperation_list"),
    ("control-lines", "Control lines", "core:controlline_list"),
    ("sources", "Sources", "core:source_list"),
]


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """htmx asks for just the table when a filter changes or a column is sorted; a history
    restore asks for the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Target") == "record-table"
    )


def mission_today(mission: Mission) -> dt.date:
    """Today's date where the mission is, which is what "today" means to its staff."""
    try:
        zone = ZoneInfo(mission.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return timezone.localdate(timezone=zone)


class MissionMenuMixin:
    """Puts the mission and its section menu in the context of every mission page."""

    def mission_context(self, mission: Mission) -> dict[str, Any]:
        return {
            "mission": mission,
            "mission_sections": [
                (label, reverse(url_name, args=[mission.slug]), segment)
                for segment, label, url_name in MISSION_SECTIONS
            ],
        }


# --- Missions ---------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """For every signed-in user: the missions they belong to. Most users serve one mission, so
    they go straight to its dashboard (one round trip fewer on a bad link)."""
    missions = list(Mission.objects.visible_to(request.user))
    if len(missions) == 1:
        return redirect(missions[0])
    return render(request, "core/home.html", {"missions": missions})


class AsOfForm(forms.Form):
    """The valid-time date the map shows control lines for."""

    as_of = forms.DateField(
        required=False,
        label="Control lines as of",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD, e.g. 2025-12-20."},
    )


class MissionDashboardView(LoginRequiredMixin, MissionMenuMixin, TemplateView):
    """For every mission member: the mandate at a glance, what the mission holds, and the map
    of sectors, crossings and control lines as they stood on a chosen date."""

    template_name = "core/mission_detail.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        user = self.request.user
        mission = get_object_or_404(Mission.objects.visible_to(user), slug=self.kwargs["slug"])
        today = mission_today(mission)
        form = AsOfForm(self.request.GET or None)
        as_of = today
        if form.is_valid() and form.cleaned_data["as_of"]:
            as_of = form.cleaned_data["as_of"]

        def visible(model: type[MissionRecord]) -> models.QuerySet:
            return model.objects.visible_to(user).filter(mission=mission)

        counts = [
            (label, visible(model).count(), reverse(url_name, args=[mission.slug]))
            for (_segment, label, url_name), model in zip(
                MISSION_SECTIONS,
                [Sector, Crossing, Party, Organisation, LineOfOperation, ControlLine, Source],
                strict=True,
            )
        ]
        return {
            **super().get_context_data(**kwargs),
            **self.mission_context(mission),
            "counts": counts,
            "as_of": as_of,
            "today": today,
            "as_of_form": form,
            "sectors": queries.sector_collection(user, mission),
            "crossings": queries.crossing_collection(user, mission),
            "control_lines": queries.control_line_collection(user, mission, as_of),
            "area_of_operations": mission.area_of_operations,
        }


# --- Lists of mission records -----------------------------------------------------------------


class MissionRecordListView(LoginRequiredMixin, MissionMenuMixin, SingleTableMixin, FilterView):
    """A mission's records of one kind: sortable, filterable, only what the user may see.

    Subclasses state the model, table and filter set; the mission comes from the URL slug.
    """

    template_name = "core/record_list.html"
    fragment_template_name = "core/_record_table.html"
    #: One line under the heading: what this list is for.
    intro = ""
    #: Related records each row shows, fetched with the list rather than one query per row.
    related: tuple[str, ...] = ()

    @cached_property
    def mission(self) -> Mission:
        return get_object_or_404(
            Mission.objects.visible_to(self.request.user), slug=self.kwargs["slug"]
        )

    def get_queryset(self) -> models.QuerySet:
        records = self.model.objects.visible_to(self.request.user).filter(mission=self.mission)
        return records.select_related(*self.related) if self.related else records

    def get_template_names(self) -> list[str]:
        if is_htmx_fragment_request(self.request):
            return [self.fragment_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **self.mission_context(self.mission),
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "intro": self.intro,
        }


class SectorListView(MissionRecordListView):
    """For planners and commanders: the mission's areas of responsibility and their size."""

    model = Sector
    table_class = tables.SectorTable
    filterset_class = filters.SectorFilterSet
    intro = "Areas of responsibility, one brigade each in the current plan."


class CrossingListView(MissionRecordListView):
    """For humanitarian liaison officers: crossings, corridors and hubs and their status."""

    model = Crossing
    table_class = tables.CrossingTable
    filterset_class = filters.CrossingFilterSet
    intro = "Crossings, corridors and hubs. Approximate positions are marked as such."
    related = ("border_nation",)


class PartyListView(MissionRecordListView):
    """For planners: the actors whose consent the mission depends on."""

    model = Party
    table_class = tables.PartyTable
    filterset_class = filters.PartyFilterSet
    intro = "Actors whose consent matters to the mission."
    related = ("nation",)


class OrganisationListView(MissionRecordListView):
    """For humanitarian liaison officers: agencies, NGOs and coordination bodies."""

    model = Organisation
    table_class = tables.OrganisationTable
    filterset_class = filters.OrganisationFilterSet
    intro = "UN agencies, NGOs, coordination bodies and others the mission deals with."
    related = ("nation",)


class LineOfOperationListView(MissionRecordListView):
    """For planners: the mandate's tasks."""

    model = LineOfOperation
    table_class = tables.LineOfOperationTable
    filterset_class = filters.LineOfOperationFilterSet
    intro = "The mandate's tasks, with the paragraph each comes from."


class ControlLineListView(MissionRecordListView):
    """For planners and commanders: every version of every control line, with when it held."""

    model = ControlLine
    table_class = tables.ControlLineTable
    filterset_class = filters.ControlLineFilterSet
    intro = (
        "Each row is one version of a line or zone and the dates it was in force. "
        "Schematic geometry is illustrative, not a trace."
    )
    related = ("controlled_by",)


class SourceListView(MissionRecordListView):
    """For force generation officers: everything the mission's facts rest on."""

    model = Source
    table_class = tables.SourceTable
    filterset_class = filters.SourceFilterSet
    intro = "Statements, articles, notes verbales and datasets the mission's facts rest on."


# --- Details of mission records ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    """One labelled value on a detail page, with a link when the value is a record."""

    label: str
    value: Any
    url: str = ""


def field_rows(record: models.Model, fields: list[str | tuple[str, str]]) -> list[FieldRow]:
    """The record's fields as the page shows them: choice labels, linked records. A field is a
    name, or (name, label) where the model's verbose name would read badly."""
    rows = []
    for entry in fields:
        name, label = entry if isinstance(entry, tuple) else (entry, "")
        field = record._meta.get_field(name)
        label = label or str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        value = getattr(record, name)
        url = ""
        if field.choices:
            value = getattr(record, f"get_{name}_display")()
        elif isinstance(value, Nation):
            url = reverse("core:nation_detail", args=[value.iso3])
        elif isinstance(value, models.Model) and hasattr(value, "get_absolute_url"):
            url = value.get_absolute_url()
        rows.append(FieldRow(label, value, url))
    return rows


class MissionRecordDetailView(LoginRequiredMixin, MissionMenuMixin, DetailView):
    """One mission record: its fields, the evidence behind it, who may see it, its history.

    Subclasses state the model and the fields to show.
    """

    template_name = "core/record_detail.html"
    context_object_name = "record"
    #: Fields shown in the record's table, in order: names, or (name, label).
    fields: list[str | tuple[str, str]] = []

    def get_queryset(self) -> models.QuerySet:
        return (
            self.model.objects.visible_to(self.request.user)
            .select_related("mission", "owner_nation")
            .prefetch_related("releasable_to")
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        record = self.object
        return {
            **super().get_context_data(**kwargs),
            **self.mission_context(record.mission),
            "verbose_name": record._meta.verbose_name,
            "verbose_name_plural": record._meta.verbose_name_plural,
            "list_url": reverse(f"core:{record._meta.model_name}_list", args=[record.mission.slug]),
            "rows": field_rows(record, self.fields),
            "releasable_nations": (
                list(record.releasable_to.all())
                if record.releasability == Releasability.NATIONS
                else []
            ),
            "evidence": queries.evidence_for(self.request.user, record),
            "history": queries.record_history(record),
        }


class SectorDetailView(MissionRecordDetailView):
    """For commanders and planners: a sector's extent, size and boundary source, on a map."""

    model = Sector
    template_name = "core/sector_detail.html"
    fields = ["name", ("name_local", "Local name"), ("external_id", "Boundary ID")]

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sectors"] = queries.sector_collection(self.request.user, self.object.mission)
        return context


class CrossingDetailView(MissionRecordDetailView):
    """For humanitarian liaison officers: a crossing's status and how sure its position is."""

    model = Crossing
    template_name = "core/crossing_detail.html"
    fields = [
        "name",
        "kind",
        "status",
        "status_since",
        "border_nation",
        "position_precision",
        "position_note",
    ]


class PartyDetailView(MissionRecordDetailView):
    """For planners: one actor whose consent matters, and the sources on its position."""

    model = Party
    fields = ["name", "kind", "nation", "consent_required", "notes"]


class OrganisationDetailView(MissionRecordDetailView):
    """For humanitarian liaison officers: one organisation the mission deals with."""

    model = Organisation
    fields = ["name", "acronym", "kind", "nation", "url", "notes"]


class LineOfOperationDetailView(MissionRecordDetailView):
    """For planners: one of the mandate's tasks and where the mandate says so."""

    model = LineOfOperation
    fields = ["name", "description", "mandate_reference", "order"]


class ControlLineDetailView(MissionRecordDetailView):
    """For planners and commanders: one version of a control line and when it held."""

    model = ControlLine
    template_name = "core/controlline_detail.html"
    fields = [
        "name",
        "kind",
        "controlled_by",
        "valid_from",
        "valid_until",
        "schematic",
        "description",
    ]


class SourceDetailView(MissionRecordDetailView):
    """For force generation officers: who said what, when, where, and how far we trust it."""

    model = Source
    template_name = "core/source_detail.html"
    fields = ["publisher", "title", "speaker", "url", "confidence", "summary", "key"]


# --- Nations (reference data) -----------------------------------------------------------------


class NationListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """For every signed-in user: the states of the world and the groups they belong to
    (reference data, the same for everyone)."""

    model = Nation
    table_class = tables.NationTable
    filterset_class = filters.NationFilterSet
    template_name = "core/nation_list.html"

    def get_queryset(self) -> models.QuerySet:
        return Nation.objects.prefetch_related("groups")

    def get_template_names(self) -> list[str]:
        if is_htmx_fragment_request(self.request):
            return ["core/_record_table.html"]
        return [self.template_name]


class NationDetailView(LoginRequiredMixin, DetailView):
    """For every signed-in user: one state's codes and group memberships, with their source."""

    model = Nation
    template_name = "core/nation_detail.html"
    context_object_name = "nation"

    def get_object(self, queryset=None) -> Nation:
        return get_object_or_404(
            Nation.objects.prefetch_related("groups"), iso3__iexact=self.kwargs["iso3"]
        )


class DataSourcesView(LoginRequiredMixin, TemplateView):
    """For every signed-in user: where the map and reference data come from, and their
    licences — the credit the geoBoundaries CC BY 4.0 licence asks for."""

    template_name = "core/data_sources.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "geoboundaries_credit": queries.GEOBOUNDARIES_CREDIT,
            "missions": Mission.objects.visible_to(self.request.user),
        }
