"""Deployment-planning API: /api/v1/planning/...

Save a planning question (a scenario: as of a date, which pledge statuses count, what-ifs),
run it — a plan or a Monte Carlo sweep, on a background thread — poll the run until it is
``done`` and read its result (the same JSON as ``stabforce plan --json``), and compare two
finished plans. Scenarios and runs are HQ-only records: other mission members get a 404 for
them, and only HQ planners and administrators may write (403 otherwise). A question that
cannot be asked as put is a 422 naming the field.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import AfterValidator, StringConstraints

from stabforce.core.api import (
    LOOKUP_ERRORS,
    MAX_ID,
    WRITE_ERRORS,
    BodyDate,
    BodyFloat,
    BodyInt,
    Conflict,
    ErrorOut,
    InputSchema,
    MissionSlug,
    Page,
    RecordId,
    SerialisedPage,
    mission_or_404,
    printable_line,
    record_or_404,
)
from stabforce.core.api_auth import auth_user
from stabforce.core.views import mission_today
from stabforce.planning import building, services
from stabforce.planning.forms import (
    DEFAULT_SAMPLE_TIME_LIMIT,
    DEFAULT_SAMPLES,
    DEFAULT_TIME_LIMIT,
    MAX_SAMPLE_TIME_LIMIT,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_TIME_LIMIT,
    MIN_SAMPLE_TIME_LIMIT,
    MIN_SAMPLES,
    MIN_TIME_LIMIT,
)
from stabforce.planning.models import PlanRun, PlanRunStatus, PlanScenario

router = Router(tags=["planning"])

PledgeStatus = Literal["deployed", "committed", "offered", "considering", "interest"]
SolverName = Literal["auto", "highs", "cpsat", "cbc", "greedy"]
WhatIf = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ScenarioName = printable_line(200)


def _each_once(values: list[str]) -> list[str]:
    twice = sorted({value for value in values if values.count(value) > 1})
    if twice:
        raise ValueError(f"lists {', '.join(twice)} more than once")
    return values


OtherId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="The other run's id.")]


# --- Schemas ---------------------------------------------------------------------------------


class ScenarioIn(InputSchema):
    """A planning question. ``what_ifs`` are ``KIND=VALUE`` strings: withdraw=PAK,
    remove_pledge=KEY, add_pledge=KEY, lift_objection=Israel or Israel:PAK,
    object=Israel:IDN, slip=IDN:2. ``base_id``: a scenario to compare the answers with."""

    name: ScenarioName = ""
    as_of: BodyDate | None = Field(
        None, examples=["2026-02-20"], description="Default: today in the mission's time zone."
    )
    statuses: Annotated[list[PledgeStatus], AfterValidator(_each_once)] = Field(
        default_factory=lambda: list(building.DEFAULT_STATUSES), min_length=1, max_length=5
    )
    what_ifs: list[WhatIf] = Field(default_factory=list, max_length=50)
    base_id: BodyInt | None = Field(None, ge=1, le=MAX_ID)


class RunIn(InputSchema):
    """How to answer: ``plan`` (solver, time limit in seconds) or ``sweep`` (samples, the
    planner of each sample and its time limit, the sampling seed). The bounds are the web
    form's (``planning.forms``); a value outside them, or a field of the other kind, is a
    422."""

    kind: Literal["plan", "sweep"] = "plan"
    time_limit: BodyFloat = Field(
        DEFAULT_TIME_LIMIT, ge=MIN_TIME_LIMIT, le=MAX_TIME_LIMIT, allow_inf_nan=False
    )
    solver: SolverName = Field("auto", description="The plan's solver; a sweep's per sample")
    samples: BodyInt = Field(DEFAULT_SAMPLES, ge=MIN_SAMPLES, le=MAX_SAMPLES)
    sample_time_limit: BodyFloat = Field(
        DEFAULT_SAMPLE_TIME_LIMIT,
        ge=MIN_SAMPLE_TIME_LIMIT,
        le=MAX_SAMPLE_TIME_LIMIT,
        allow_inf_nan=False,
        description="Seconds per sweep sample",
    )
    seed: BodyInt = Field(
        0, ge=0, le=MAX_SEED, description="A sweep's sampling seed: the same seed, the same samples"
    )


#: RunIn fields a plan run does not use
SWEEP_ONLY_FIELDS = ("samples", "sample_time_limit", "seed")


class RunSummary(Schema):
    id: int
    scenario_id: int
    mission: str
    kind: str
    status: str
    progress: float
    message: str
    attempts: int = Field(description="Times the run was started (a run cut off is resumed)")
    parameters: dict[str, Any]
    requested_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class RunOut(RunSummary):
    """A run; ``result`` is the answer once ``status`` is ``done`` (null before)."""

    result: dict[str, Any] | None


class ScenarioOut(Schema):
    id: int
    mission: str
    name: str
    as_of: dt.date
    statuses: list[str]
    what_ifs: list[str]
    base_id: int | None
    releasability: str
    created_by: str | None
    created_at: dt.datetime
    latest_run_id: int | None


class ScenarioDetail(ScenarioOut):
    runs: list[RunSummary]


class DiffCell(Schema):
    sector: str
    sector_name: str
    line_of_operation: str
    line_of_operation_name: str
    before: int
    after: int
    delta: int


class Place(Schema):
    sector: str
    line: str
    sector_name: str
    line_name: str


class Move(Schema):
    """A unit of a pledge serving in both plans in ``period``, but elsewhere: where ``before``
    and ``after``. Compared per pledge (its units are interchangeable): ``unit`` is the one
    that moved, or one of the pledge's units that arrived there."""

    unit: str
    nation_name: str | None = Field(None, description="The unit's nation (null: stored earlier)")
    period: str
    before: Place
    after: Place


class DiffOut(Schema):
    """How run ``other_id`` differs from run ``base_id``."""

    base_id: int
    other_id: int
    sentences: list[str]
    coverage: list[DiffCell]
    nations_removed: list[str]
    nations_added: list[str]
    nations_removed_names: list[str] = []
    nations_added_names: list[str] = []
    assignments_removed: int
    assignments_added: int
    moved: list[Move] = []
    settings_changes: list[str] = Field(
        [], description="Planning settings that differ between the two runs, in words"
    )
    synthetic: list[str] = Field([], description="What in either answer is not published fact")


# --- Helpers ---------------------------------------------------------------------------------


def _field_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message}])


def _run_summary(run: PlanRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "scenario_id": run.scenario_id,
        "mission": run.mission.slug,
        "kind": run.kind,
        "status": run.status,
        "progress": run.progress,
        "message": run.message,
        "attempts": run.attempts,
        "parameters": run.parameters,
        "requested_by": run.requested_by.username if run.requested_by else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


def _run_out(run: PlanRun) -> dict[str, Any]:
    return {**_run_summary(run), "result": run.result}


def _scenario_out(scenario: PlanScenario, runs: list[PlanRun]) -> dict[str, Any]:
    """``runs``: the scenario's runs the user may see, newest first."""
    latest = runs[0].pk if runs else None
    return {
        "id": scenario.pk,
        "mission": scenario.mission.slug,
        "name": scenario.name,
        "as_of": scenario.as_of,
        "statuses": scenario.statuses,
        "what_ifs": scenario.what_ifs,
        "base_id": scenario.base_id,
        "releasability": scenario.releasability,
        "created_by": scenario.created_by.username if scenario.created_by else None,
        "created_at": scenario.created_at,
        "latest_run_id": latest,
    }


def _check_question(
    user, mission, body: ScenarioIn, *, as_of_defaulted: bool = False
) -> building.BuiltInstance:
    """Every what-if must parse and make sense in the register on that date; returns the
    question as built. Every bad line is named, not only the first."""
    try:
        built = building.build_instance(user, mission, body.as_of, statuses=tuple(body.statuses))
    except building.PlanningInputError as exc:
        message = exc.message
        if as_of_defaulted and exc.field == "as_of":
            message += f" (as_of was not given: today in the mission, {body.as_of.isoformat()})"
        _, problems = building.what_if_errors(None, body.what_ifs)
        raise NinjaValidationError(
            [{"loc": ["body", exc.field or "body"], "msg": message}]
            + [{"loc": ["body", "what_ifs", i], "msg": text} for i, text in problems.items()]
        ) from None
    built, problems = building.what_if_errors(built, body.what_ifs)
    if problems:
        raise NinjaValidationError(
            [{"loc": ["body", "what_ifs", i], "msg": text} for i, text in problems.items()]
        )
    return built


# --- Operations ------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/scenarios",
    response={200: list[ScenarioOut], **LOOKUP_ERRORS},
    operation_id="listPlanScenarios",
)
@paginate(Page)
def list_scenarios(request: HttpRequest, slug: MissionSlug):
    """The mission's saved planning questions, newest first (HQ only: empty for others)."""
    user = auth_user(request)
    mission = mission_or_404(request, slug)
    newest_visible_runs = (
        PlanRun.objects.visible_to(user).only("pk", "scenario_id").order_by("-created_at", "-pk")
    )
    scenarios = (
        PlanScenario.objects.visible_to(user)
        .filter(mission=mission)
        .select_related("mission", "created_by")
        .prefetch_related(Prefetch("runs", newest_visible_runs, to_attr="visible_runs"))
        .order_by("-created_at", "-pk")
    )
    return SerialisedPage(scenarios, lambda each: _scenario_out(each, each.visible_runs))


@router.post(
    "/missions/{slug}/scenarios",
    response={201: ScenarioDetail, **WRITE_ERRORS},
    operation_id="createPlanScenario",
)
def create_scenario(request: HttpRequest, slug: MissionSlug, body: ScenarioIn):
    """Save a planning question (nothing runs yet: POST /scenarios/{id}/runs). 422 names the
    field that cannot be used: a what-if that does not parse or names no units (``what_ifs.N``),
    an unknown ``base_id``."""
    user = auth_user(request)
    mission = mission_or_404(request, slug)
    services.require_planner(user)
    as_of_defaulted = body.as_of is None
    if as_of_defaulted:
        body.as_of = mission_today(mission)
    base = None
    if body.base_id is not None:
        base = (
            PlanScenario.objects.visible_to(user).filter(mission=mission, pk=body.base_id).first()
        )
        if base is None:
            raise _field_error("base_id", "no such scenario in this mission")
    built = _check_question(user, mission, body, as_of_defaulted=as_of_defaulted)
    name = body.name.strip() or building.default_scenario_name(built, body.as_of)
    try:
        scenario = services.save_scenario(
            user, mission, name=name, as_of=body.as_of, statuses=body.statuses,
            what_ifs=body.what_ifs, base=base,
        )  # fmt: skip
    except building.PlanningInputError as exc:
        field = "what_ifs" if exc.field == "what_if" else exc.field
        raise _field_error(field, exc.message) from None
    return Status(201, {**_scenario_out(scenario, []), "runs": []})


@router.get(
    "/scenarios/{id}",
    response={200: ScenarioDetail, **LOOKUP_ERRORS},
    operation_id="getPlanScenario",
)
def get_scenario(request: HttpRequest, id: RecordId):
    """One saved question with all its runs (newest first; results via GET /runs/{id})."""
    scenario = record_or_404(
        request, PlanScenario.objects.select_related("mission", "created_by"), pk=id
    )
    runs = list(
        PlanRun.objects.visible_to(auth_user(request))
        .filter(scenario=scenario)
        .select_related("mission", "requested_by")
        .order_by("-created_at", "-pk")
    )
    return {**_scenario_out(scenario, runs), "runs": [_run_summary(run) for run in runs]}


@router.delete(
    "/scenarios/{id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="deletePlanScenario",
)
def delete_scenario(request: HttpRequest, id: RecordId):
    """Delete a saved question and its runs (HQ only; the audit history keeps them). 409
    while one of its runs is queued or running: cancel it first. Scenarios based on it keep
    their question and lose the base."""
    user = auth_user(request)
    scenario = record_or_404(request, PlanScenario.objects.all(), pk=id)
    services.require_planner(user)
    try:
        services.delete_scenario(user, scenario)
    except ValueError as exc:
        raise HttpError(409, f"Not deleted: {exc}.") from exc
    return Status(204, None)


@router.post(
    "/scenarios/{id}/runs",
    response={202: RunOut, **WRITE_ERRORS},
    operation_id="startPlanRun",
)
def start_run(request: HttpRequest, id: RecordId, body: RunIn | None = None):
    """Answer the scenario on a background thread: a plan (``time_limit``, ``solver``) or a
    Monte Carlo sweep (``samples``, ``seed``; ``solver`` and ``sample_time_limit`` per
    sample). Answers 202 with the run, ``status: queued``; poll GET /runs/{id} until
    ``done`` or ``failed``. ``time_limit``, ``samples`` and ``sample_time_limit`` have the
    web form's bounds (the schema's minimum and maximum); outside them is a 422 naming the
    field."""
    user = auth_user(request)
    scenario = record_or_404(request, PlanScenario.objects.select_related("mission"), pk=id)
    services.require_planner(user)
    body = body or RunIn()
    # a field of the other kind would be ignored without a word (as an unknown one would be)
    other_kind = {"time_limit"} if body.kind == "sweep" else set(SWEEP_ONLY_FIELDS)
    if misplaced := sorted(body.model_fields_set & other_kind):
        raise NinjaValidationError(
            [
                {
                    "loc": ["body", name],
                    "msg": "for a plan only; a sweep's limit per sample is sample_time_limit"
                    if body.kind == "sweep"
                    else 'for a sweep only (kind "sweep")',
                }
                for name in misplaced
            ]
        )
    if problem := services.question_problem(user, scenario):
        raise HttpError(
            409, f"The scenario's question cannot be asked again as it stands: {problem}."
        )
    if body.kind == "sweep":
        parameters = {
            "samples": body.samples,
            "solver": body.solver,
            "sample_time_limit": body.sample_time_limit,
            "seed": body.seed,
        }
    else:
        parameters = {"time_limit": body.time_limit, "solver": body.solver}
    run = services.start_run(user, scenario, kind=body.kind, background=True, **parameters)
    run = PlanRun.objects.select_related("mission", "requested_by").get(pk=run.pk)
    return Status(202, _run_out(run))


@router.post(
    "/runs/{id}/cancel", response={200: RunOut, **WRITE_ERRORS}, operation_id="cancelPlanRun"
)
def cancel_run(request: HttpRequest, id: RecordId):
    """Stop a queued or running run: a queued run never starts, a sweep stops within seconds
    (on local processes its running batches too), a plan's answer is discarded. 409 if the
    run has already ended."""
    user = auth_user(request)
    run = record_or_404(request, PlanRun.objects.select_related("mission", "requested_by"), pk=id)
    services.require_planner(user)
    try:
        run = services.cancel_run(user, run)
    except ValueError as exc:
        raise HttpError(409, f"Nothing to cancel: {exc}.") from exc
    return _run_out(run)


@router.get("/runs/{id}", response={200: RunOut, **LOOKUP_ERRORS}, operation_id="getPlanRun")
def get_run(request: HttpRequest, id: RecordId):
    """A run: status (queued, running, done, failed, cancelled), progress 0–1, message, and
    the result once done — a plan (quality with the proven gap and the independent check, coverage,
    deployment, assignments, uncovered requirements with explanations) or a sweep."""
    return _run_out(
        record_or_404(request, PlanRun.objects.select_related("mission", "requested_by"), pk=id)
    )


@router.get(
    "/runs/{id}/diff/{other}",
    response={200: DiffOut, 409: ErrorOut, **LOOKUP_ERRORS},
    operation_id="diffPlanRuns",
)
def diff_runs(request: HttpRequest, id: RecordId, other: OtherId):
    """How the plan of run ``other`` differs from the plan of run ``id``: coverage per sector ×
    line of operation, nations no longer (or newly) deploying, assignments moved, and the same
    in sentences. 409 unless both are finished plan runs."""
    base = record_or_404(request, PlanRun.objects.all(), pk=id)
    compared = record_or_404(request, PlanRun.objects.all(), pk=other)
    if base.mission_id != compared.mission_id:
        raise Conflict("path.other", "Both runs must belong to the same mission.")
    for field, run in (("path.id", base), ("path.other", compared)):
        if run.kind != "plan" or run.status != PlanRunStatus.DONE or not run.result:
            raise Conflict(field, f"Run {run.pk} is not a finished plan run.")
    diff = services.diff_answers(base.result, compared.result)
    return {"base_id": base.pk, "other_id": compared.pk, **diff}
