"""Deployment-planning pages, for the plans officer: ask a question (as of a date, which
pledges count, what if…), watch the solver answer it, read the answer with its proof of quality,
its coverage and its explanations, compare two answers, and stress-test one with Monte Carlo.

Scenarios and runs are HQ-only mission records: every read goes through ``visible_to`` (a run
the user may not see is a 404, like one that does not exist) and only HQ planners and
administrators start runs. Runs happen on a background thread (:func:`services.start_run`);
the run page polls a small progress fragment with htmx until the answer is in.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from stabforce.core import queries as core_queries
from stabforce.core.models import Mission
from stabforce.core.views import MissionMenuMixin, mission_today
from stabforce.planning import presenters, services
from stabforce.planning.building import PlanningInputError
from stabforce.planning.forms import DEMO_AS_OF, RerunForm, ScenarioForm, SweepForm
from stabforce.planning.models import PlanRun, PlanRunStatus, PlanScenario


def visible_scenarios(user, mission: Mission | None = None):
    scenarios = PlanScenario.objects.visible_to(user).select_related("mission", "base")
    return scenarios.filter(mission=mission) if mission else scenarios


def visible_runs(user):
    return PlanRun.objects.visible_to(user).select_related("scenario", "mission", "requested_by")


class PlanningPageMixin(LoginRequiredMixin, MissionMenuMixin):
    """Context every planning page shares: the mission menu and whether the user may plan."""

    def planning_context(self, mission: Mission) -> dict[str, Any]:
        return {
            **self.mission_context(mission),
            "may_plan": services.may_plan(self.request.user),
            "hq_only_note": services.HQ_ONLY_NOTE,
            "scenario_list_url": reverse("planning:scenario_list", args=[mission.slug]),
        }


def _start(request: HttpRequest, scenario: PlanScenario, kind: str, **parameters) -> PlanRun:
    run = services.start_run(request.user, scenario, kind=kind, background=True, **parameters)
    messages.info(request, f"Run #{run.pk} queued: {scenario.name}.")
    return run


# --- Scenarios --------------------------------------------------------------------------------


class ScenarioListView(PlanningPageMixin, TemplateView):
    """The mission's saved planning questions with their latest answers, and the form to ask a
    new one (saving it starts the first run and opens its page)."""

    template_name = "planning/scenario_list.html"

    @cached_property
    def mission(self) -> Mission:
        return get_object_or_404(
            Mission.objects.visible_to(self.request.user), slug=self.kwargs["slug"]
        )

    def scenarios(self):
        return visible_scenarios(self.request.user, self.mission)

    def base_from_query(self) -> PlanScenario | None:
        """``?base=<id>`` ("New what-if based on this"): that scenario if the user may see it."""
        base = self.request.GET.get("base", "")
        if not (base.isascii() and base.isdigit() and len(base) <= 18):
            return None
        return self.scenarios().filter(pk=int(base)).first()

    def make_form(self, data=None) -> ScenarioForm:
        initial: dict[str, Any] = {"as_of": mission_today(self.mission)}
        base = self.base_from_query() if data is None else None
        if base is not None:
            # A what-if asks the base's question with a change: same date, same pledges, the
            # base's own what-ifs to add to.
            initial.update(
                base=base.pk,
                as_of=base.as_of,
                statuses=list(base.statuses),
                what_ifs="\n".join(base.what_ifs),
            )
        return ScenarioForm(
            data,
            initial=initial,
            user=self.request.user,
            mission=self.mission,
            scenarios=self.scenarios(),
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        # through the one gate, as every query: a run is shown only if it is visible itself
        visible_runs = PlanRun.objects.visible_to(self.request.user)
        scenarios = list(self.scenarios().prefetch_related(Prefetch("runs", visible_runs)))
        rows = []
        for scenario in scenarios:
            runs = [run for run in scenario.runs.all() if run.kind == "plan"]
            latest = runs[0] if runs else None
            summary = None
            if latest and latest.status == PlanRunStatus.DONE and latest.result:
                size = latest.result["size"]
                summary = {
                    "covered": size["covered_unit_months"],
                    "required": size["required_unit_months"],
                    "share": presenters.percent(
                        size["covered_unit_months"] / size["required_unit_months"]
                        if size["required_unit_months"]
                        else 1.0
                    ),
                    "quality": presenters.quality_of(latest.result),
                    "synthetic": bool(latest.result.get("synthetic")),
                    # plans of the same question differ when the mission's settings did
                    "penalty_mode": latest.result.get("settings", {}).get("objection_mode")
                    == "penalty",
                }
            rows.append({"scenario": scenario, "latest": latest, "summary": summary})
        return {
            **super().get_context_data(**kwargs),
            **self.planning_context(self.mission),
            "rows": rows,
            "form": kwargs.get("form") or self.make_form(),
            "demo_as_of": DEMO_AS_OF,
        }

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        services.require_planner(request.user)
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            scenario = services.save_scenario(
                request.user, self.mission, name=form.scenario_name(), as_of=data["as_of"],
                statuses=data["statuses"], what_ifs=data["what_ifs"], base=data["base"],
            )  # fmt: skip
        except PlanningInputError as exc:
            form.add_error("what_ifs" if exc.field == "what_if" else None, exc.message)
            return self.render_to_response(self.get_context_data(form=form))
        run = _start(
            request, scenario, "plan", time_limit=data["time_limit"], solver=data["solver"]
        )
        return HttpResponseRedirect(reverse("planning:run_detail", args=[run.pk]))


class ScenarioDetailView(PlanningPageMixin, TemplateView):
    """One saved question: what it asks, every answer it has had, and buttons to answer it
    again or to stress-test it with a Monte Carlo sweep."""

    template_name = "planning/scenario_detail.html"

    @cached_property
    def scenario(self) -> PlanScenario:
        return get_object_or_404(visible_scenarios(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        scenario = self.scenario
        return {
            **super().get_context_data(**kwargs),
            **self.planning_context(scenario.mission),
            "scenario": scenario,
            "runs": visible_runs(self.request.user).filter(scenario=scenario),
            "variants": visible_scenarios(self.request.user).filter(base=scenario),
            "rerun_form": kwargs.get("rerun_form") or RerunForm(),
            "sweep_form": kwargs.get("sweep_form") or SweepForm(),
        }


class StartRunView(LoginRequiredMixin, View):
    """POST: answer a saved scenario again (``kind=plan``) or sweep it (``kind=sweep``)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scenario = get_object_or_404(visible_scenarios(request.user), pk=pk)
        services.require_planner(request.user)
        kind = request.POST.get("kind", "plan")
        if kind in {"plan", "sweep"} and (
            problem := services.question_problem(request.user, scenario)
        ):
            messages.error(request, f"This question cannot be asked again as it stands: {problem}.")
            return HttpResponseRedirect(reverse("planning:scenario_detail", args=[scenario.pk]))
        if kind == "sweep":
            form = SweepForm(request.POST)
            if form.is_valid():
                run = _start(request, scenario, "sweep", **form.cleaned_data)
                return HttpResponseRedirect(reverse("planning:run_detail", args=[run.pk]))
            context = {"sweep_form": form}
        elif kind == "plan":
            form = RerunForm(request.POST)
            if form.is_valid():
                run = _start(request, scenario, "plan", **form.cleaned_data)
                return HttpResponseRedirect(reverse("planning:run_detail", args=[run.pk]))
            context = {"rerun_form": form}
        else:
            raise Http404
        view = ScenarioDetailView(request=request, kwargs={"pk": pk}, args=())
        return render(
            request,
            ScenarioDetailView.template_name,
            view.get_context_data(**context),
        )


# --- Runs -------------------------------------------------------------------------------------


#: Statuses after which a run changes no more.
ENDED = (PlanRunStatus.DONE, PlanRunStatus.FAILED, PlanRunStatus.CANCELLED)


def progress_of(run: PlanRun) -> dict[str, Any]:
    """The bar's value and its caption. A plan run reports little progress while the solver
    works, so the bar also moves with the time spent against the time limit."""
    value = run.progress
    elapsed = None
    if run.started_at:
        end = run.finished_at or timezone.now()
        elapsed = max(0.0, (end - run.started_at).total_seconds())
    if run.kind == "plan" and run.status == PlanRunStatus.RUNNING and elapsed is not None:
        limit = float(run.parameters.get("time_limit", 10) or 10)
        value = max(value, min(0.95, 0.05 + 0.9 * elapsed / limit))
    if run.status == PlanRunStatus.DONE:
        value = 1.0
    return {"value": round(value, 3), "percent": round(100 * value), "elapsed": elapsed}


def run_or_404(request: HttpRequest, pk: int) -> PlanRun:
    return get_object_or_404(visible_runs(request.user), pk=pk)


def plan_context(request: HttpRequest, run: PlanRun) -> dict[str, Any]:
    """Everything the plan page shows of a finished plan run."""
    answer = run.result
    sectors = core_queries.sector_collection(request.user, run.mission)
    groups = presenters.group_uncovered(answer)
    context = {
        "answer": answer,
        "question": answer["mission_question"],
        "quality": presenters.quality_of(answer),
        "size": answer["size"],
        "coverage_share": presenters.percent(
            answer["size"]["covered_unit_months"] / answer["size"]["required_unit_months"]
            if answer["size"]["required_unit_months"]
            else 1.0
        ),
        "matrix": presenters.coverage_matrix(answer),
        "deployment": presenters.deployment_rows(answer),
        "objection_mode": presenters.objection_mode_text(answer),
        "uncovered_groups": groups,
        "uncovered_requirements": len({group.requirement for group in groups}),
        "missing_unit_months": sum(i["required"] - i["covered"] for i in answer["uncovered"]),
        # runs stored before unused offers were reported have no such list
        "unused_reported": "unused_pledges" in answer,
        "plan_sectors": presenters.map_sectors(sectors, answer),
        "map_attribution": sectors.get("attribution", ""),
    }
    base_run = services.base_run_of(request.user, run)
    if base_run and base_run.pk != run.pk:
        context["base_run"] = base_run
        context["diff"] = services.diff_answers(base_run.result, answer)
        context["moves"] = presenters.move_stretches(context["diff"]["moved"])
    others = (
        visible_runs(request.user)
        .filter(mission=run.mission, kind="plan", status=PlanRunStatus.DONE)
        .exclude(pk=run.pk)
        .order_by("-finished_at", "-pk")[:50]
    )
    context["compare_runs"] = others
    return context


def sweep_context(request: HttpRequest, run: PlanRun) -> dict[str, Any]:
    answer = run.result
    return {
        "answer": answer,
        "sector_chart": presenters.bar_chart("Coverage by sector", answer["by_sector"]),
        "line_chart": presenters.bar_chart(
            "Coverage by line of operation", answer["by_line_of_operation"]
        ),
        **presenters.requirement_probabilities_split(
            answer, services.requirement_names(request.user, run.mission)
        ),
        "conversion": sorted(answer["probabilities"].items(), key=lambda item: -item[1]),
    }


class RunDetailView(PlanningPageMixin, TemplateView):
    """One answer: progress while it runs; then the plan (quality, coverage matrix, map,
    deployment, uncovered requirements with explanations, the diff against the base) or the
    Monte Carlo chart and the requirements' probabilities."""

    template_name = "planning/run_detail.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        run = run_or_404(self.request, self.kwargs["pk"])
        context = {
            **super().get_context_data(**kwargs),
            **self.planning_context(run.mission),
            "run": run,
            "scenario": run.scenario,
            "finished": run.status in ENDED,
            "progress": progress_of(run),
        }
        if run.status == PlanRunStatus.DONE and run.result:
            if run.kind == "sweep":
                context.update(sweep_context(self.request, run))
            else:
                context.update(plan_context(self.request, run))
        return context


class RunProgressView(LoginRequiredMixin, View):
    """The progress fragment the run page polls every second. When the run has finished the
    fragment tells htmx to reload the page (``HX-Refresh``), which then shows the answer and
    stops polling."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_or_404(request, pk)
        finished = run.status in ENDED
        response = render(
            request,
            "planning/_run_progress.html",
            {"run": run, "finished": finished, "progress": progress_of(run)},
        )
        if finished and request.headers.get("HX-Request") == "true":
            response["HX-Refresh"] = "true"
        return response


class DeleteScenarioView(LoginRequiredMixin, View):
    """POST: delete a saved scenario and its runs (HQ planners); refused while one runs."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        scenario = get_object_or_404(visible_scenarios(request.user), pk=pk)
        services.require_planner(request.user)
        variants = list(scenario.variants.values_list("name", flat=True))
        try:
            runs = services.delete_scenario(request.user, scenario)
        except ValueError as exc:
            messages.error(request, f"Not deleted: {exc}.")
            return HttpResponseRedirect(reverse("planning:scenario_detail", args=[pk]))
        orphans = ""
        if variants:
            names = "; ".join(f"“{name}”" for name in variants)
            orphans = (
                f" The what-if built on it ({names}) keeps its question, without a base."
                if len(variants) == 1
                else f" The what-ifs built on it ({names}) keep their questions, without a base."
            )
        messages.success(
            request,
            f"Scenario “{scenario.name}” deleted, with its {runs} run{'s' if runs != 1 else ''}."
            + orphans,
        )
        return HttpResponseRedirect(reverse("planning:scenario_list", args=[scenario.mission.slug]))


class CancelRunView(LoginRequiredMixin, View):
    """POST: stop a queued or running run (HQ planners)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_or_404(request, pk)
        services.require_planner(request.user)
        try:
            services.cancel_run(request.user, run)
        except ValueError as exc:
            messages.error(request, f"Nothing to cancel: {exc}.")
        else:
            messages.success(request, "The run was cancelled.")
        return HttpResponseRedirect(reverse("planning:run_detail", args=[run.pk]))


class CompareView(LoginRequiredMixin, View):
    """``?other=<run>`` from the run page's compare form → the diff page."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_or_404(request, pk)
        other = request.GET.get("other", "")
        if not (other.isascii() and other.isdigit() and len(other) <= 18):
            messages.error(request, "Choose a finished plan to compare with.")
            return HttpResponseRedirect(reverse("planning:run_detail", args=[run.pk]))
        return HttpResponseRedirect(reverse("planning:run_diff", args=[run.pk, int(other)]))


class RunDiffView(PlanningPageMixin, TemplateView):
    """Two finished plans side by side: what changed in coverage, who deploys, and how many
    assignments moved (the first run is the base)."""

    template_name = "planning/run_diff.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        base = run_or_404(self.request, self.kwargs["pk"])
        other = run_or_404(self.request, self.kwargs["other"])
        context = {
            **super().get_context_data(**kwargs),
            **self.planning_context(base.mission),
            "base": base,
            "other": other,
            "comparable": False,
        }
        problem = ""
        if base.mission_id != other.mission_id:
            raise Http404
        if base.kind != "plan" or other.kind != "plan":
            problem = "Only plan runs can be compared (not Monte Carlo sweeps)."
        elif base.status != PlanRunStatus.DONE or other.status != PlanRunStatus.DONE:
            problem = "Both runs must have finished before they can be compared."
        if problem:
            context["problem"] = problem
            return context
        diff = services.diff_answers(base.result, other.result)
        context.update(
            comparable=True,
            diff=diff,
            moves=presenters.move_stretches(diff["moved"]),
            base_quality=presenters.quality_of(base.result),
            other_quality=presenters.quality_of(other.result),
            base_size=base.result["size"],
            other_size=other.result["size"],
        )
        return context
