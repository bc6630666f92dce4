"""Web pages of force generation: the register, a pledge's evidence, the gap dashboard, the
acceptability matrix, the engagements log, the statement of requirements, import and export.

A thin layer over :mod:`~stabforce.forcegen.queries` (reads, as of a valid-time date) and
:mod:`~stabforce.forcegen.services` (the only writes). Every queryset goes through the one
visibility gate; a record the user may not see is a 404. Every page reads ``?as_of=`` and
keeps it in its links.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from stabforce.core import queries as core_queries
from stabforce.core.choices import Releasability
from stabforce.core.importing import ImportFailed
from stabforce.core.models import Mission, Sector, Source
from stabforce.core.views import (
    MissionMenuMixin,
    MissionRecordDetailView,
    field_rows,
    is_htmx_fragment_request,
    mission_today,
)
from stabforce.forcegen import filters, presenters, queries, services, tables, tabular
from stabforce.forcegen.forms import ImportForm, ResolveConditionForm, StatusChangeForm
from stabforce.forcegen.models import (
    Capability,
    Engagement,
    Pledge,
    PledgeCondition,
    Requirement,
)

#: The force-generation pages of a mission, in the order the sub-menu shows them.
FORCEGEN_SECTIONS = [
    ("Register", "forcegen:pledge_list"),
    ("Gap dashboard", "forcegen:gaps"),
    ("Acceptability", "forcegen:acceptability"),
    ("Engagements", "forcegen:engagement_list"),
    ("Requirements", "forcegen:requirement_list"),
]


def with_as_of(url: str, as_of: presenters.AsOf) -> str:
    return f"{url}?{as_of.query}" if as_of.query else url


class ForcegenPageMixin(LoginRequiredMixin, MissionMenuMixin):
    """The mission, the as-of date (``?as_of=YYYY-MM-DD``, default today in the mission's time
    zone) and the force-generation menu, for every force-generation page."""

    def get_mission(self) -> Mission:
        return get_object_or_404(
            Mission.objects.visible_to(self.request.user), slug=self.kwargs["slug"]
        )

    @cached_property
    def mission(self) -> Mission:
        return self.get_mission()

    @cached_property
    def as_of(self) -> presenters.AsOf:
        return presenters.read_as_of(self.request.GET, mission_today(self.mission))

    def forcegen_context(self) -> dict[str, Any]:
        mission, as_of = self.mission, self.as_of
        menu = []
        for label, name in FORCEGEN_SECTIONS:
            path = reverse(name, args=[mission.slug])
            menu.append((label, with_as_of(path, as_of), self.request.path == path))
        if self.request.user.is_hq:
            path = reverse("forcegen:import", args=[mission.slug])
            menu.append(("Import", path, self.request.path == path))
        # Other GET parameters (filters) ride along when only the date changes.
        keep = [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in {"as_of", "page"}
            for value in values
        ]
        return {
            **self.mission_context(mission),
            "as_of": as_of,
            "forcegen_menu": menu,
            "keep_params": keep,
        }


# --- The register -----------------------------------------------------------------------------


class AsOfListView(ForcegenPageMixin, SingleTableMixin, FilterView):
    """A filterable, sortable list as of a date; htmx swaps only the table on filter and sort."""

    fragment_template_name = "forcegen/_table.html"
    intro = ""

    def get_filterset_kwargs(self, filterset_class) -> dict[str, Any]:
        return {
            **super().get_filterset_kwargs(filterset_class),
            "mission": self.mission,
            "user": self.request.user,
            "as_of": self.as_of.day,
        }

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"as_of_query": self.as_of.query}

    def get_template_names(self) -> list[str]:
        if is_htmx_fragment_request(self.request):
            return [self.fragment_template_name]
        return [self.template_name]

    def page_extras(self, records: list) -> dict:
        return {}

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.extras = self.page_extras([row.record for row in table.paginated_rows])
        return table

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **self.forcegen_context(),
            "intro": self.intro,
        }


class PledgeListView(AsOfListView):
    """For force generation officers: who offers what, with which status, conditions and
    objections, on the chosen date — the register they brief from."""

    model = Pledge
    table_class = tables.PledgeTable
    filterset_class = filters.PledgeFilterSet
    template_name = "forcegen/pledge_list.html"

    def get_queryset(self) -> models.QuerySet:
        return presenters.register_queryset(self.request.user, self.mission, self.as_of.day)

    def get_table_data(self):
        return tables.PageFirstQuerysetData(super().get_table_data())

    def page_extras(self, records: list) -> dict:
        return presenters.register_extras(self.request.user, self.mission, self.as_of.day, records)


class RequirementListView(AsOfListView):
    """For planners: the force's statement of requirements in force on the date (the lines the
    gap dashboard counts)."""

    model = Requirement
    table_class = tables.RequirementTable
    filterset_class = filters.RequirementFilterSet
    template_name = "forcegen/requirement_list.html"

    def get_queryset(self) -> models.QuerySet:
        return (
            Requirement.objects.visible_to(self.request.user)
            .filter(mission=self.mission)
            .exclude(needed_until__lte=self.as_of.day)
            .select_related("capability", "line_of_operation", "sector")
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["synthetic"] = self.get_queryset().filter(synthetic=True).exists()
        return context


class EngagementListView(AsOfListView):
    """For force generation officers: diplomatic consultations up to the date, with the sources
    and any disagreement about when they happened."""

    model = Engagement
    table_class = tables.EngagementTable
    filterset_class = filters.EngagementFilterSet
    template_name = "forcegen/engagement_list.html"

    def get_queryset(self) -> models.QuerySet:
        return (
            Engagement.objects.visible_to(self.request.user)
            .filter(mission=self.mission, occurred_on__lte=self.as_of.day)
            .prefetch_related("nations")
            .order_by("-occurred_on", "pk")
        )

    def page_extras(self, records: list) -> dict:
        return presenters.sources_of(self.request.user, records)


class ExportView(ForcegenPageMixin, View):
    """Download the register or the requirements in the import format (CSV or XLSX): what the
    user may see, today's values, so that importing it back changes nothing."""

    kind = "pledges"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        content, filename, content_type = tabular.export_file(
            self.kind, request.user, self.mission, file_format
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- One pledge -------------------------------------------------------------------------------


class PledgeDetailView(LoginRequiredMixin, MissionMenuMixin, DetailView):
    """For force generation officers and the nation's liaison officer: everything known about
    one pledge on the chosen date, every figure and quote with its source, and (for those who
    may) the forms to record a status change or a condition met."""

    model = Pledge
    template_name = "forcegen/pledge_detail.html"
    context_object_name = "pledge"

    def get_queryset(self) -> models.QuerySet:
        return Pledge.objects.visible_to(self.request.user).select_related(
            "mission", "nation", "capability", "line_of_operation", "sector", "owner_nation"
        )

    @cached_property
    def mission(self) -> Mission:
        return self.object.mission

    @cached_property
    def as_of(self) -> presenters.AsOf:
        return presenters.read_as_of(self.request.GET, mission_today(self.mission))

    forcegen_context = ForcegenPageMixin.forcegen_context

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        user, pledge, day = self.request.user, self.object, self.as_of.day
        on_date = presenters.register_queryset(user, self.mission, day).filter(pk=pledge.pk).first()
        extras = presenters.register_extras(user, self.mission, day, [on_date] if on_date else [])
        conditions = [
            (condition, presenters.condition_status_on(condition, day))
            for condition in pledge.conditions.visible_to(user).select_related(
                "source", "resolution_source"
            )
        ]
        caveats = list(
            pledge.caveats.visible_to(user).select_related("source", "line_of_operation", "sector")
        )
        figures = list(pledge.figures.visible_to(user).select_related("source"))
        shown = on_date.personnel_on if on_date else None
        writable = services.may_write_pledge(user, pledge)
        context = {
            **super().get_context_data(**kwargs),
            **self.forcegen_context(),
            "on_date": on_date,
            "extra": extras.get(pledge.pk),
            "personnel_label": (
                presenters.personnel_label(shown, extras[pledge.pk].qualifier) if on_date else ""
            ),
            "timeline": queries.pledge_timeline(user, pledge),
            "figures": figures,
            "conflicting_figures": len({figure.personnel for figure in figures}) > 1,
            "conditions": conditions,
            "caveats": caveats,
            "stances": presenters.nation_stances(user, self.mission, pledge.nation, day),
            "engagements": pledge.engagements.visible_to(user).prefetch_related("nations"),
            "history": core_queries.record_history(pledge),
            "releasable_nations": (
                list(pledge.releasable_to.all())
                if pledge.releasability == Releasability.NATIONS
                else []
            ),
            "record": pledge,
            "may_write": writable,
        }
        if writable:
            sources = Source.objects.visible_to(user).filter(mission=self.mission)
            context.setdefault(
                "status_form",
                StatusChangeForm(
                    statuses=presenters.allowed_statuses(pledge),
                    sources=sources,
                    initial={"effective": self.as_of.today},
                ),
            )
            context.setdefault(
                "resolve_forms",
                {
                    condition.pk: ResolveConditionForm(
                        sources=sources,
                        initial={"effective": self.as_of.today},
                        prefix=f"condition-{condition.pk}",
                    )
                    for condition, _status in conditions
                    if condition.status == "open"
                },
            )
        return context


class PledgeWriteView(LoginRequiredMixin, View):
    """Base of the POST-only actions on a pledge: visibility first (404), then the right to
    write (403), then the form, then the service, whose refusal becomes a form error."""

    http_method_names = ["post"]

    def pledge_for(self, request: HttpRequest, pk: int) -> Pledge:
        pledge = get_object_or_404(Pledge.objects.visible_to(request.user), pk=pk)
        if not services.may_write_pledge(request.user, pledge):
            raise PermissionDenied("Only HQ planners and the nation's liaison officer may do this.")
        return pledge

    def back(self, pledge: Pledge) -> HttpResponseRedirect:
        url = reverse("forcegen:pledge_detail", args=[pledge.pk])
        as_of = self.request.POST.get("as_of", "")
        if as_of:
            url += "?" + urlencode({"as_of": as_of})
        return HttpResponseRedirect(url)

    def rerender(self, request: HttpRequest, pledge: Pledge, **forms) -> HttpResponse:
        """The pledge page again, with the refused form showing why (as of the date the form
        was sent from)."""
        view = PledgeDetailView()
        view.setup(request, pk=pledge.pk)
        view.object = pledge
        view.as_of = presenters.read_as_of(request.POST, mission_today(pledge.mission))
        return view.render_to_response(view.get_context_data(object=pledge, **forms))


class PledgeStatusChangeView(PledgeWriteView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pledge = self.pledge_for(request, pk)
        sources = Source.objects.visible_to(request.user).filter(mission=pledge.mission)
        form = StatusChangeForm(
            request.POST, statuses=presenters.allowed_statuses(pledge), sources=sources
        )
        if form.is_valid():
            try:
                change = services.change_status(
                    pledge, form.cleaned_data["to_status"], form.citation()
                )
            except services.ForcegenError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    f"Recorded: {pledge.nation.name}'s pledge is {change.get_to_status_display()} "
                    f"from {change.effective.isoformat()}.",
                )
                return self.back(pledge)
        return self.rerender(request, pledge, status_form=form)


class ConditionResolveView(PledgeWriteView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        condition = get_object_or_404(PledgeCondition.objects.visible_to(request.user), pk=pk)
        pledge = self.pledge_for(request, condition.pledge_id)
        sources = Source.objects.visible_to(request.user).filter(mission=pledge.mission)
        form = ResolveConditionForm(
            request.POST, sources=sources, prefix=f"condition-{condition.pk}"
        )
        if form.is_valid():
            try:
                services.resolve_condition(condition, form.cleaned_data["status"], form.citation())
            except services.ForcegenError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    f"Recorded: {condition.get_kind_display()} {condition.status} on "
                    f"{condition.resolved_on.isoformat()}.",
                )
                return self.back(pledge)
        resolve_forms = {
            other.pk: ResolveConditionForm(sources=sources, prefix=f"condition-{other.pk}")
            for other in pledge.conditions.visible_to(request.user).filter(status="open")
        }
        resolve_forms[condition.pk] = form
        return self.rerender(request, pledge, resolve_forms=resolve_forms)


# --- Dashboards -------------------------------------------------------------------------------


class GapDashboardView(ForcegenPageMixin, TemplateView):
    """For the force generation officer's weekly brief: pledged against required by capability,
    line of operation and sector on the date, the force totals, the trend since October 2025,
    who is stale and which conditions are still open."""

    template_name = "forcegen/gaps.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        user, mission, day = self.request.user, self.mission, self.as_of.day
        report = queries.gap_report(user, mission, day)
        sector_order = list(
            Sector.objects.visible_to(user)
            .filter(mission=mission)
            .order_by("name")
            .values_list("key", flat=True)
        )
        start = presenters.TREND_START if day >= presenters.TREND_START else day
        series = queries.totals_over_time(user, mission, presenters.month_points(start, day))
        totals = report.analysis.totals
        chart = presenters.trend_chart(series)
        open_conditions = list(
            queries.conditions_open_on(user, mission, day).order_by("pledge__nation__name", "kind")
        )
        # A condition of a pledge that is closed on the date (declined, withdrawn) is no longer
        # worth chasing: shown, but marked, so the brief does not lose it silently.
        status_on = dict(
            queries.pledges_as_of(user, mission, day)
            .filter(pk__in={condition.pledge_id for condition in open_conditions})
            .values_list("pk", "status_on")
        )
        for condition in open_conditions:
            condition.pledge_status_on = status_on.get(condition.pledge_id, "")
            condition.pledge_closed = condition.pledge_status_on in presenters.CLOSED
        return {
            **super().get_context_data(**kwargs),
            **self.forcegen_context(),
            "report": report,
            "totals": totals,
            "pledged_total": sum(totals.pledged_by_status.values()),
            "unallocated": sum(totals.unallocated_by_status.values()),
            "by_status": [
                (status, label, totals.pledged_by_status.get(status, 0))
                for status, label in chart.statuses
            ],
            "matrix": presenters.gap_matrix(report, sector_order),
            "chart": chart,
            "stale": queries.stale_pledges(user, mission, day),
            "open_conditions": open_conditions,
            "renewal_days": mission.renewal_period_days,
        }


class AcceptabilityView(ForcegenPageMixin, TemplateView):
    """For force generation officers: which consent-giving party accepts or objects to which
    nation on the date, each answer with its date and source."""

    template_name = "forcegen/acceptability.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        user, mission, day = self.request.user, self.mission, self.as_of.day
        parties, rows = queries.acceptability_matrix(user, mission, day)
        statements = presenters.latest_statements(user, mission, day)
        matrix = [
            (
                nation,
                [
                    (party, cell, statements.get((party.pk, nation.pk)))
                    for party, cell in zip(parties, cells, strict=True)
                ],
            )
            for nation, cells in rows
        ]
        return {
            **super().get_context_data(**kwargs),
            **self.forcegen_context(),
            "parties": parties,
            "matrix": matrix,
        }


# --- Import -----------------------------------------------------------------------------------


class ImportView(ForcegenPageMixin, TemplateView):
    """For HQ planners: load a CSV or XLSX of requirements or pledges — all rows or none, with
    every problem named by line and field."""

    template_name = "forcegen/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_hq:
            self.mission  # noqa: B018 — a mission the user cannot see stays a 404
            raise PermissionDenied("Only HQ planners and administrators import tables.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **self.forcegen_context(),
            "form": kwargs.get("form") or ImportForm(),
        }

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            upload = form.cleaned_data["file"]
            importer = {
                "pledges": tabular.import_pledges,
                "requirements": tabular.import_requirements,
            }[form.cleaned_data["kind"]]
            try:
                context["report"] = importer(request.user, self.mission, upload.name, upload.read())
                context["imported_kind"] = form.cleaned_data["kind"]
            except ImportFailed as exc:
                context["problems"] = exc.problems
            except services.ForcegenError as exc:
                form.add_error(None, exc.message)
        return self.render_to_response(self.get_context_data(**context))


# --- Details of other force-generation records ------------------------------------------------


class ForcegenRecordDetailView(MissionRecordDetailView):
    """Core's record page for force-generation records: fields, evidence, history."""

    #: URL name of the list this record belongs to.
    list_name = ""

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        record = self.object
        context = DetailView.get_context_data(self, **kwargs)
        as_of = presenters.read_as_of(self.request.GET, mission_today(record.mission))
        return {
            **context,
            **self.mission_context(record.mission),
            "verbose_name": record._meta.verbose_name,
            "verbose_name_plural": record._meta.verbose_name_plural,
            "list_url": with_as_of(reverse(self.list_name, args=[record.mission.slug]), as_of),
            "rows": field_rows(record, self.fields),
            "releasable_nations": (
                list(record.releasable_to.all())
                if record.releasability == Releasability.NATIONS
                else []
            ),
            "evidence": core_queries.evidence_for(self.request.user, record),
            "history": core_queries.record_history(record),
        }


class RequirementDetailView(ForcegenRecordDetailView):
    """For planners: one line of the statement of requirements."""

    model = Requirement
    list_name = "forcegen:requirement_list"
    template_name = "forcegen/requirement_detail.html"
    fields = [
        "capability", "line_of_operation", "sector", "units", "personnel", "needed_from",
        "needed_until", "priority", "notes", "synthetic", "key",
    ]  # fmt: skip


class EngagementDetailView(ForcegenRecordDetailView):
    """For force generation officers: one consultation, its participants and its sources."""

    model = Engagement
    list_name = "forcegen:engagement_list"
    template_name = "forcegen/engagement_detail.html"
    fields = ["occurred_on", "topic", "officials", "outcome", "key"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The engagement may be released more widely than the pledges it discussed.
        context["visible_pledges"] = Pledge.objects.visible_to(self.request.user).filter(
            engagements=self.object
        )
        return context


class CapabilityDetailView(ForcegenRecordDetailView):
    """For planners: one kind of unit the force asks for, and its typical strength."""

    model = Capability
    list_name = "forcegen:requirement_list"
    fields = ["name", "category", "unit_name", "typical_strength", "is_police", "description"]
