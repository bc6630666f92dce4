"""Force-generation API: /api/v1/forcegen/...

A thin layer over the register: reads go through :mod:`stabforce.forcegen.queries` (and so
through ``visible_to(user)``), writes only through :mod:`stabforce.forcegen.services`. Every
read takes ``as_of=YYYY-MM-DD`` — valid time, default today in the mission's time zone — and
answers with the register as the evidence stood on that day.

Writes: HQ planners and administrators; a national liaison officer for their own nation's
pledges; observers never (403). The cited source must be one the caller may see in the
pledge's mission (otherwise 422 on ``body.source_id``). A change the register refuses (e.g.
committing while a blocking condition is open) is a 409 whose ``detail`` is the register's
message and whose ``errors[0].field`` names the field to correct (``body.to_status``).

No ``from __future__ import annotations`` here: it breaks ninja's schema generation.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from stabforce.core.api import (
    LOOKUP_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    MissionSlug,
    Page,
    RecordId,
    SearchText,
    mission_or_404,
    record_or_404,
)
from stabforce.core.api_auth import auth_user
from stabforce.core.importing import ImportFailed
from stabforce.core.models import LineOfOperation, Mission, Nation, Party, Sector, Source
from stabforce.core.views import mission_today
from stabforce.forcegen import queries, services, tabular
from stabforce.forcegen.api_schemas import (
    AcceptabilityIn,
    AcceptabilityMatrix,
    AcceptabilityRow,
    ConditionIn,
    ConditionOut,
    EngagementDetail,
    EngagementOut,
    GapReportOut,
    ImportReportOut,
    LazyPage,
    PledgeDetail,
    PledgeIn,
    PledgeOut,
    PledgeReader,
    RequirementDetail,
    RequirementOut,
    ResolveIn,
    SourceCache,
    StatusChangeIn,
    TotalsOverTime,
    acceptability_matrix,
    condition_out,
    engagement_out,
    evidence_rows,
    iso3_codes,
    month_points,
    requirement_out,
    requirements_as_of,
)
from stabforce.forcegen.choices import ConditionKind, PledgeStatus, Priority, Stance
from stabforce.forcegen.models import (
    Capability,
    Engagement,
    Pledge,
    PledgeCondition,
    Requirement,
)

router = Router(tags=["forcegen"])

IMPORT_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: Most monthly points a totals-over-time request may ask for (20 years).
MAX_POINTS = 240

AsOf = Annotated[
    dt.date | None,
    Query(
        description="Valid-time date YYYY-MM-DD: the register as the evidence stood on that "
        "day (default today in the mission's time zone)",
        example="2025-12-20",
    ),
]
Nations = Annotated[
    list[SearchText] | None,
    Query(
        description="ISO 3166 alpha-3 codes: repeat the parameter or separate with commas",
        example="PAK",
    ),
]
TableName = Literal["requirements", "pledges"]

#: Service field → the request-body field to correct.
_BODY_FIELD = {"source": "source_id", "resolved_on": "effective", "raised_on": "effective"}


# --- Helpers ---------------------------------------------------------------------------------


def _field_error(field: str, message: str, where: str = "body") -> NinjaValidationError:
    return NinjaValidationError([{"loc": [where, field], "msg": message}])


def _refused(exc: services.ForcegenError) -> Status:
    """409: the register refused the change; ``errors`` names the body field to correct."""
    field = _BODY_FIELD.get(exc.field, exc.field)
    path = f"body.{field}" if field else "body"
    return Status(409, {"detail": exc.message, "errors": [{"field": path, "message": exc.message}]})


def _invalid(exc: DjangoValidationError) -> NinjaValidationError:
    """A model validation error raised by a service, as the standard 422."""
    errors = []
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            field = _BODY_FIELD.get(name, name)
            for message in messages:
                errors.append({"loc": ["body", field], "msg": message})
    else:
        errors = [{"loc": ["body"], "msg": message} for message in exc.messages]
    return NinjaValidationError(errors)


def _day(mission: Mission, as_of: dt.date | None) -> dt.date:
    return as_of if as_of is not None else mission_today(mission)


def _nations(codes: list[str] | None) -> list[str]:
    try:
        nations = iso3_codes(codes)
    except ValueError as exc:
        raise _field_error("nation", str(exc), "query") from None
    return nations


def _source(request: HttpRequest, mission: Mission, source_id: int) -> Source:
    """The cited source: one the caller may see, in the mission; otherwise a 422."""
    source = (
        Source.objects.visible_to(auth_user(request)).filter(mission=mission, pk=source_id).first()
    )
    if source is None:
        raise _field_error("source_id", "no source with this id that you may see in this mission")
    return source


def _writable_pledge(request: HttpRequest, pledge_id: int) -> Pledge:
    pledge = record_or_404(
        request, Pledge.objects.select_related("mission", "nation", "capability"), pk=pledge_id
    )
    if not services.may_write_pledge(auth_user(request), pledge):
        raise PermissionDenied(
            "Only HQ planners, administrators and the liaison officer of the pledge's nation "
            "may change it."
        )
    return pledge


def _require_hq(request: HttpRequest, what: str) -> None:
    if not auth_user(request).is_hq:
        raise PermissionDenied(f"Only HQ planners and administrators {what}.")


def _pledge_detail(request: HttpRequest, pledge: Pledge, day: dt.date) -> dict[str, Any]:
    return PledgeReader(auth_user(request), pledge.mission, day).detail(pledge)


# --- Requirements ----------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/requirements",
    response={200: list[RequirementOut], **LOOKUP_ERRORS},
    operation_id="listRequirements",
)
@paginate(Page)
def list_requirements(
    request: HttpRequest,
    slug: MissionSlug,
    as_of: AsOf = None,
    capability: Annotated[
        SearchText | None, Query(description="Capability key", example="infantry-battalion")
    ] = None,
    line_of_operation: Annotated[
        SearchText | None, Query(description="Line of operation key", example="border-security")
    ] = None,
    sector: Annotated[SearchText | None, Query(description="Sector key", example="rafah")] = None,
    priority: Priority | None = None,
):
    """The statement of requirements the gap analysis counts on ``as_of``: every line not
    ended by then (``in_force`` tells whether it is needed on the day itself), by priority."""
    mission = mission_or_404(request, slug)
    day = _day(mission, as_of)
    requirements = requirements_as_of(auth_user(request), mission, day)
    if capability:
        requirements = requirements.filter(capability__key=capability)
    if line_of_operation:
        requirements = requirements.filter(line_of_operation__key=line_of_operation)
    if sector:
        requirements = requirements.filter(sector__key=sector)
    if priority is not None:
        requirements = requirements.filter(priority=priority)
    requirements = requirements.order_by("priority", "capability__name", "key", "pk")
    return LazyPage(requirements, lambda rows: [requirement_out(row, day) for row in rows])


@router.get(
    "/requirements/{id}",
    response={200: RequirementDetail, **LOOKUP_ERRORS},
    operation_id="getRequirement",
)
def get_requirement(request: HttpRequest, id: RecordId, as_of: AsOf = None):
    """One requirement with the sources behind it; ``in_force`` on ``as_of``."""
    requirement = record_or_404(
        request,
        Requirement.objects.select_related("mission", "capability", "line_of_operation", "sector"),
        pk=id,
    )
    day = _day(requirement.mission, as_of)
    return {
        **requirement_out(requirement, day),
        "evidence": evidence_rows(auth_user(request), requirement),
    }


# --- Pledges ---------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/pledges",
    response={200: list[PledgeOut], **LOOKUP_ERRORS},
    operation_id="listPledges",
)
@paginate(Page)
def list_pledges(
    request: HttpRequest,
    slug: MissionSlug,
    as_of: AsOf = None,
    nation: Nations = None,
    status: Annotated[PledgeStatus | None, Query(description="Status on as_of")] = None,
    capability: Annotated[
        SearchText | None, Query(description="Capability key", example="infantry-battalion")
    ] = None,
    condition: Annotated[
        ConditionKind | None,
        Query(description="Only pledges with an open condition of this kind on as_of"),
    ] = None,
):
    """The pledge register on ``as_of``: pledges reported by then, each with its figure and
    status on the day, open conditions, caveats in force, objecting parties and the stale
    flag. Liaison officers see their own nation's pledges and others' only as released."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    day = _day(mission, as_of)
    codes = _nations(nation)
    pledges = queries.pledges_as_of(user, mission, day)
    if codes:
        pledges = pledges.filter(nation__iso3__in=codes)
    if status:
        pledges = pledges.filter(status_on=status)
    if capability:
        pledges = pledges.filter(capability__key=capability)
    if condition:
        open_ids = (
            queries.conditions_open_on(user, mission, day)
            .filter(kind=condition)
            .values("pledge_id")
        )
        pledges = pledges.filter(pk__in=open_ids)
    pledges = pledges.order_by("nation__name", "capability__name", "key", "pk")
    return LazyPage(pledges, PledgeReader(user, mission, day).items)


@router.get(
    "/pledges/{id}",
    response={200: PledgeDetail, **LOOKUP_ERRORS},
    operation_id="getPledge",
)
def get_pledge(request: HttpRequest, id: RecordId, as_of: AsOf = None):
    """One pledge as the evidence stood on ``as_of``: status and figure on the day, its
    conditions (status on the day), caveats, every figure reported by then (the chosen one
    marked, conflicting ones kept), the evidence timeline and the history of its status
    changes (effective date and who recorded it). Before it was first reported, ``status``
    and ``personnel`` are null."""
    pledge = record_or_404(
        request,
        Pledge.objects.select_related(
            "mission", "nation", "capability", "line_of_operation", "sector"
        ),
        pk=id,
    )
    return _pledge_detail(request, pledge, _day(pledge.mission, as_of))


@router.post(
    "/pledges",
    response={201: PledgeDetail, **WRITE_ERRORS},
    operation_id="createPledge",
)
def create_pledge(request: HttpRequest, body: PledgeIn):
    """Register a pledge (HQ planners and administrators): its first status and figure on
    ``effective``, citing ``source_id``. 409 when the key is taken or the register refuses
    the starting status."""
    mission = mission_or_404(request, body.mission)
    _require_hq(request, "register pledges")
    nation = Nation.objects.filter(iso3=body.nation.upper()).first()
    if nation is None:
        raise _field_error("nation", f"unknown ISO alpha-3 nation code {body.nation!r}")
    capability = Capability.objects.filter(mission=mission, key=body.capability).first()
    if capability is None:
        raise _field_error("capability", f"no capability with key {body.capability!r}")
    details: dict[str, Any] = {}
    for field, model in (("line_of_operation", LineOfOperation), ("sector", Sector)):
        key = getattr(body, field)
        if key:
            record = model.objects.filter(mission=mission, key=key).first()
            if record is None:
                raise _field_error(field, f"no {field.replace('_', ' ')} with key {key!r}")
            details[field] = record
    source = _source(request, mission, body.source_id)
    if Pledge.objects.filter(mission=mission, key=body.key).exists():
        return Status(
            409,
            {
                "detail": f"A pledge with key {body.key!r} already exists in this mission.",
                "errors": [{"field": "body.key", "message": "already in use"}],
            },
        )
    try:
        pledge = services.create_pledge(
            mission=mission,
            key=body.key,
            nation=nation,
            capability=capability,
            personnel=body.personnel,
            units=body.units,
            qualifier=body.qualifier,
            status=body.status,
            citation=services.Citation(source, body.effective, body.quote, body.note),
            readiness=body.readiness,
            available_from=body.available_from,
            duration_months=body.duration_months,
            roles=body.roles,
            equipment_notes=body.equipment_notes,
            releasability=body.releasability,
            **details,
        )
    except services.ForcegenError as exc:
        return _refused(exc)
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    pledge = Pledge.objects.select_related("mission", "nation", "capability").get(pk=pledge.pk)
    return Status(201, _pledge_detail(request, pledge, body.effective))


@router.post(
    "/pledges/{id}/status",
    response={200: PledgeDetail, **WRITE_ERRORS},
    operation_id="changePledgeStatus",
)
def change_pledge_status(request: HttpRequest, id: RecordId, body: StatusChangeIn):
    """Move a pledge through its lifecycle on ``effective``, citing a source. Refused (409,
    nothing changed) when the move is not allowed from the status on that date, when it is
    dated before the pledge's latest change, or — for ``committed`` — while a blocking
    condition is open; the message names the conditions. Answers the pledge as of
    ``effective``."""
    pledge = _writable_pledge(request, id)
    source = _source(request, pledge.mission, body.source_id)
    citation = services.Citation(source, body.effective, body.quote, body.note)
    try:
        services.change_status(pledge, body.to_status, citation)
    except services.ForcegenError as exc:
        return _refused(exc)
    pledge.refresh_from_db()
    return _pledge_detail(request, pledge, body.effective)


@router.post(
    "/pledges/{id}/conditions",
    response={201: ConditionOut, **WRITE_ERRORS},
    operation_id="addPledgeCondition",
)
def add_pledge_condition(request: HttpRequest, id: RecordId, body: ConditionIn):
    """Record a condition the nation attaches to its pledge, raised on ``effective``; a
    blocking one keeps the pledge from being committed until it is met or waived."""
    pledge = _writable_pledge(request, id)
    source = _source(request, pledge.mission, body.source_id)
    citation = services.Citation(source, body.effective, body.quote)
    try:
        condition = services.add_condition(
            pledge, body.kind, citation, blocking=body.blocking, description=body.description
        )
    except services.ForcegenError as exc:
        return _refused(exc)
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    sources = SourceCache(auth_user(request), pledge.mission)
    return Status(201, condition_out(condition, body.effective, sources))


@router.post(
    "/conditions/{id}/resolve",
    response={200: ConditionOut, **WRITE_ERRORS},
    operation_id="resolvePledgeCondition",
)
def resolve_pledge_condition(request: HttpRequest, id: RecordId, body: ResolveIn):
    """Mark a condition met or waived on ``effective``, citing a source. 409 when it is
    already resolved or the date is before it was raised."""
    condition = record_or_404(
        request,
        PledgeCondition.objects.select_related("pledge__mission", "pledge__nation", "source"),
        pk=id,
    )
    pledge = _writable_pledge(request, condition.pledge_id)
    source = _source(request, pledge.mission, body.source_id)
    citation = services.Citation(source, body.effective, body.quote, body.note)
    try:
        condition = services.resolve_condition(condition, body.status, citation)
    except services.ForcegenError as exc:
        return _refused(exc)
    sources = SourceCache(auth_user(request), pledge.mission)
    return condition_out(condition, body.effective, sources)


# --- Acceptability ---------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/acceptability",
    response={200: AcceptabilityMatrix, **LOOKUP_ERRORS},
    operation_id="getAcceptabilityMatrix",
)
def get_acceptability(
    request: HttpRequest,
    slug: MissionSlug,
    as_of: AsOf = None,
    nation: Nations = None,
    party: Annotated[SearchText | None, Query(description="Party key", example="israel")] = None,
    stance: Stance | None = None,
):
    """Each consent-giving party's latest stance on each nation with a pledge or a
    statement, on ``as_of`` (``unknown``: nothing said by then), with the source."""
    mission = mission_or_404(request, slug)
    codes = _nations(nation)
    matrix = acceptability_matrix(auth_user(request), mission, _day(mission, as_of))
    rows = matrix["rows"]
    if codes:
        rows = [row for row in rows if row["nation"].iso3 in codes]
    if party:
        rows = [row for row in rows if row["party"]["key"] == party]
    if stance:
        rows = [row for row in rows if row["stance"] == stance]
    matrix["rows"] = rows
    return matrix


@router.post(
    "/missions/{slug}/acceptability",
    response={201: AcceptabilityRow, **WRITE_ERRORS},
    operation_id="recordAcceptability",
)
def record_acceptability(request: HttpRequest, slug: MissionSlug, body: AcceptabilityIn):
    """Record a party's stance on a nation's participation from a dated statement (HQ
    planners and administrators). Earlier statements stay; the latest by a date wins."""
    mission = mission_or_404(request, slug)
    _require_hq(request, "record acceptability")
    user = auth_user(request)
    party = Party.objects.visible_to(user).filter(mission=mission, key=body.party).first()
    if party is None:
        raise _field_error("party", f"no party with key {body.party!r} in this mission")
    nation = Nation.objects.filter(iso3=body.nation.upper()).first()
    if nation is None:
        raise _field_error("nation", f"unknown ISO alpha-3 nation code {body.nation!r}")
    source = _source(request, mission, body.source_id)
    try:
        record = services.record_acceptability(
            mission=mission,
            party=party,
            nation=nation,
            stance=body.stance,
            citation=services.Citation(source, body.effective, body.quote, body.note),
        )
    except services.ForcegenError as exc:
        return _refused(exc)
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    sources = SourceCache(user, mission)
    return Status(
        201,
        {
            "nation": nation,
            "party": {"key": party.key, "name": party.name},
            "stance": record.stance,
            "effective": record.effective,
            "source": sources.ref(source),
            "quote": record.quote,
        },
    )


# --- Engagements -----------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/engagements",
    response={200: list[EngagementOut], **LOOKUP_ERRORS},
    operation_id="listEngagements",
)
@paginate(Page)
def list_engagements(
    request: HttpRequest,
    slug: MissionSlug,
    as_of: AsOf = None,
    nation: Nations = None,
    q: Annotated[
        SearchText | None, Query(description="Topic, officials or outcome contains")
    ] = None,
):
    """Diplomatic consultations about the force held on or before ``as_of``, newest first,
    with the pledges they concern (status on the day)."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    day = _day(mission, as_of)
    codes = _nations(nation)
    engagements = Engagement.objects.visible_to(user).filter(mission=mission, occurred_on__lte=day)
    if codes:
        engagements = engagements.filter(nations__iso3__in=codes).distinct()
    if q:
        engagements = engagements.filter(
            Q(topic__icontains=q) | Q(officials__icontains=q) | Q(outcome__icontains=q)
        )
    engagements = engagements.select_related("mission").order_by("-occurred_on", "key", "pk")
    return LazyPage(engagements, lambda rows: [engagement_out(user, row, day) for row in rows])


@router.get(
    "/engagements/{id}",
    response={200: EngagementDetail, **LOOKUP_ERRORS},
    operation_id="getEngagement",
)
def get_engagement(request: HttpRequest, id: RecordId, as_of: AsOf = None):
    """One consultation with its sources; linked pledges show their status on ``as_of``."""
    engagement = record_or_404(request, Engagement.objects.select_related("mission"), pk=id)
    user = auth_user(request)
    day = _day(engagement.mission, as_of)
    return {**engagement_out(user, engagement, day), "evidence": evidence_rows(user, engagement)}


# --- Gap analysis ----------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/gaps",
    response={200: GapReportOut, **LOOKUP_ERRORS},
    operation_id="getGapAnalysis",
)
def get_gaps(request: HttpRequest, slug: MissionSlug, as_of: AsOf = None):
    """Required vs pledged (by status) per capability × line of operation × sector on
    ``as_of``, shortfalls and force totals — exactly ``stabforce forcegen gaps --json``,
    counting only what the caller may see."""
    mission = mission_or_404(request, slug)
    return queries.gap_report(auth_user(request), mission, _day(mission, as_of)).as_dict()


@router.get(
    "/missions/{slug}/totals-over-time",
    response={200: TotalsOverTime, **LOOKUP_ERRORS},
    operation_id="getTotalsOverTime",
)
def get_totals_over_time(
    request: HttpRequest,
    slug: MissionSlug,
    from_: Annotated[
        dt.date | None,
        Query(
            alias="from",
            description="First month (YYYY-MM-DD); default the month of the first evidence",
            example="2025-10-01",
        ),
    ] = None,
    to: Annotated[
        dt.date | None,
        Query(description="Last day (YYYY-MM-DD); default today", example="2026-02-20"),
    ] = None,
):
    """Pledged personnel by status (and the total required) on the first of every month from
    ``from`` to ``to``, and on ``to`` itself — the gap dashboard's trend chart."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    end = _day(mission, to)
    start = from_
    if start is None:
        first = (
            Pledge.objects.visible_to(user)
            .filter(mission=mission)
            .order_by("first_reported")
            .values_list("first_reported", flat=True)
            .first()
        )
        start = min(first, end) if first else end
    if start > end:
        raise _field_error("from", "must not be after 'to'", "query")
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_POINTS:
        raise _field_error("from", f"at most {MAX_POINTS} months", "query")
    points = queries.totals_over_time(user, mission, month_points(start, end))
    return {"mission": mission.slug, "points": points}


# --- Import and export -----------------------------------------------------------------------

_FILE_TYPES = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


@router.get(
    "/missions/{slug}/export/{table}",
    response={**LOOKUP_ERRORS},
    operation_id="exportTable",
    openapi_extra={
        "responses": {200: {"description": "The table as a file", "content": _FILE_TYPES}}
    },
)
def export_table(
    request: HttpRequest,
    slug: MissionSlug,
    table: TableName,
    format: Annotated[
        Literal["csv", "xlsx"], Query(description="File format", example="csv")
    ] = "csv",
):
    """Requirements or pledges as a CSV or XLSX file in the import format — what the caller
    may see, today's values — so that importing it back changes nothing."""
    mission = mission_or_404(request, slug)
    content, filename, content_type = tabular.export_file(
        table, auth_user(request), mission, format
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post(
    "/missions/{slug}/import/{table}",
    response={200: ImportReportOut, **IMPORT_ERRORS},
    operation_id="importTable",
)
def import_table(
    request: HttpRequest,
    slug: MissionSlug,
    table: TableName,
    file: File[UploadedFile],
):
    """Create or update requirements or pledges from a CSV or XLSX file (multipart field
    ``file``; HQ planners and administrators). All rows or none: any problem is a 422 whose
    ``errors`` name the line and column, e.g. ``file.line12.personnel``. Re-importing an
    export is a no-op."""
    mission = mission_or_404(request, slug)
    _require_hq(request, "import tables")
    importer = {
        "requirements": tabular.import_requirements,
        "pledges": tabular.import_pledges,
    }[table]
    name = file.name or "upload.csv"
    try:
        report = importer(auth_user(request), mission, name, file.read())
    except ImportFailed as exc:
        errors = [
            {"field": _problem_path(problem.record, problem.field), "message": problem.message}
            for problem in exc.problems
        ]
        return Status(
            422,
            {
                "detail": f"{len(errors)} problem(s) in the file; nothing was written.",
                "errors": errors,
            },
        )
    except services.ForcegenError as exc:
        raise PermissionDenied(exc.message) from None
    except (DataError, OverflowError):
        # A number too large for the database column (the importer does not bound them yet);
        # the import's transaction was rolled back.
        message = "a number in the file is too large to store"
        return Status(
            422,
            {
                "detail": f"1 problem(s) in the file; nothing was written: {message}.",
                "errors": [{"field": "file", "message": message}],
            },
        )
    return report.as_dict()


def _problem_path(record: str, field: str) -> str:
    """("line 12", "personnel") → "file.line12.personnel"; ("header", "key") →
    "file.header.key"; a problem with the whole file → "file"."""
    parts = ["file"]
    if record:
        parts.append(record.replace(" ", ""))
    if field:
        parts.append(field)
    return ".".join(parts)
