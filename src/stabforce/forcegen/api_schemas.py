"""Schemas and read helpers of the force-generation API (/api/v1/forcegen/...).

The helpers shape :mod:`stabforce.forcegen.queries` for JSON: every read goes through
``visible_to(user)``; a source the user may not see is shown as ``null`` even when the record
citing it is visible. "As of D" is valid time: a pledge read as of D shows its status, figure,
open conditions, caveats and objections as the evidence stood on D, and nothing dated later.

No ``from __future__ import annotations`` here: django-ninja reads these annotations at run
time to build the OpenAPI schema.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import StringConstraints

from stabforce.core import queries as core_queries
from stabforce.core.api import (
    MAX_ID,
    BodyDate,
    BodyInt,
    BodyText,
    EvidenceOut,
    InputSchema,
    NationRef,
)
from stabforce.core.models import ISO3_CODE, Mission, Source
from stabforce.forcegen import queries
from stabforce.forcegen.choices import (
    ConditionKind,
    ConditionStatus,
    PledgeStatus,
    Readiness,
    Stance,
)
from stabforce.forcegen.models import (
    Caveat,
    Engagement,
    Pledge,
    PledgeCondition,
    PledgeFigure,
    PledgeStatusChange,
    Requirement,
)

# --- Input types -----------------------------------------------------------------------------


#: A record's key in its mission (a slug).
Key = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")]
#: An ISO 3166 alpha-3 code (any case).
Iso3 = Annotated[str, StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")]
SourceId = Annotated[
    BodyInt, Field(..., ge=1, le=MAX_ID, description="Id of a source of the mission you may see")
]


def iso3_codes(values: Iterable[str] | None) -> list[str]:
    """``nation=PAK&nation=idn`` or ``nation=PAK,IDN`` → ["PAK", "IDN"]; ValueError names a
    malformed code."""
    codes: list[str] = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not ISO3_CODE.fullmatch(part):
                raise ValueError(f"{part[:20]!r} is not an ISO 3166 alpha-3 code such as PAK")
            codes.append(part.upper())
    return codes


# --- May write -------------------------------------------------------------------------------


# --- Output schemas --------------------------------------------------------------------------


class KeyName(Schema):
    key: str
    name: str


class SourceRef(Schema):
    """A source cited as evidence (``null`` where the source is not released to you)."""

    id: int
    key: str
    publisher: str
    title: str
    url: str
    published: dt.date | None
    confidence: str


class RequirementOut(Schema):
    """One line of the statement of requirements. ``in_force``: needed on ``as_of``."""

    id: int
    key: str
    capability: KeyName
    line_of_operation: KeyName
    sector: KeyName | None
    units: int
    personnel: int
    needed_from: dt.date
    needed_until: dt.date | None = Field(..., description="Exclusive; null = open-ended")
    priority: int
    priority_label: str
    notes: str
    synthetic: bool = Field(..., description="A planning assumption, not a published figure")
    releasability: str
    in_force: bool


class RequirementDetail(RequirementOut):
    evidence: list[EvidenceOut]


class ConditionOut(Schema):
    """A condition attached to a pledge; ``status`` is its status on ``as_of`` (valid time)."""

    id: int
    pledge_id: int
    kind: ConditionKind
    kind_label: str
    blocking: bool
    description: str
    status: ConditionStatus
    raised_on: dt.date
    resolved_on: dt.date | None
    source: SourceRef | None
    resolution_source: SourceRef | None


class CaveatOut(Schema):
    """A restriction the contingent works under (in force on ``as_of``)."""

    id: int
    kind: str
    kind_label: str
    description: str
    line_of_operation: str | None
    sector: str | None
    max_months: int | None
    effective_from: dt.date
    source: SourceRef | None


class PledgeOut(Schema):
    """A pledge as the evidence stood on ``as_of``: the figure and status on that day (and
    since when), the conditions open and caveats in force on it, the consent-giving parties
    objecting to the nation on it, and whether the evidence is older than the mission's
    renewal period (``stale``)."""

    id: int
    key: str
    mission: str
    as_of: dt.date
    nation: NationRef
    capability: KeyName
    personnel: int | None = Field(..., description="Personnel on as_of (null: not yet reported)")
    qualifier: str = Field(..., description="'' (exact), 'up_to', 'about' or 'estimate'")
    units: int
    status: PledgeStatus | None = Field(..., description="Status on as_of (null: not reported)")
    status_since: dt.date | None
    readiness: Readiness
    line_of_operation: str | None
    sector: str | None
    synthetic: bool
    releasability: str
    open_conditions: list[ConditionOut]
    caveats: list[CaveatOut]
    objected_by: list[str]
    stale: bool


class FigureOut(Schema):
    """One reported figure. ``chosen``: the register's chosen value; ``current``: the figure
    the pledge shows on ``as_of``."""

    id: int
    personnel: int
    qualifier: str
    reported_on: dt.date
    chosen: bool
    current: bool
    source: SourceRef | None
    note: str


class TimelineEntryOut(Schema):
    date: dt.date
    kind: Literal["status", "figure", "condition", "caveat", "evidence"]
    text: str
    source: SourceRef | None
    quote: str


class StatusHistoryOut(Schema):
    """A status change: ``effective`` is valid time (when it happened, per the source);
    ``recorded_at``/``recorded_by`` is record time (who entered it, from the audit history)."""

    id: int
    from_status: str
    to_status: PledgeStatus
    effective: dt.date
    source: SourceRef | None
    quote: str
    note: str
    recorded_at: dt.datetime | None
    recorded_by: str | None


class PledgeDetail(PledgeOut):
    """A pledge on ``as_of`` with everything known about it by then: all its conditions (and
    their status on the day), every figure reported by then, the evidence timeline and the
    history of its status changes. Nothing dated after ``as_of`` appears."""

    roles: str
    equipment_notes: str
    available_from: dt.date | None
    duration_months: int | None
    first_reported: dt.date
    conditions: list[ConditionOut]
    figures: list[FigureOut]
    timeline: list[TimelineEntryOut]
    history: list[StatusHistoryOut]


class AcceptabilityRow(Schema):
    """A party's latest stance on a nation on ``as_of`` (``unknown``: nothing said yet)."""

    nation: NationRef
    party: KeyName
    stance: Stance
    effective: dt.date | None
    source: SourceRef | None
    quote: str


class AcceptabilityMatrix(Schema):
    mission: str
    as_of: dt.date
    parties: list[KeyName]
    rows: list[AcceptabilityRow]


class PledgeRef(Schema):
    id: int
    key: str
    nation: str
    status: str | None = Field(..., description="Status on as_of")


class EngagementOut(Schema):
    id: int
    key: str
    occurred_on: dt.date
    date_note: str = Field(..., description="Disagreements between sources about the date")
    nations: list[NationRef]
    officials: str
    topic: str
    outcome: str
    pledges: list[PledgeRef]


class EngagementDetail(EngagementOut):
    evidence: list[EvidenceOut]


class GapCellOut(Schema):
    capability: str
    line_of_operation: str
    sector: str | None
    priority: int
    required_personnel: int
    required_units: int
    pledged: dict[str, int]
    committed: int
    deployed: int
    firm: int
    shortfall: int
    shortfall_if_all_convert: int
    coverage: float
    requirements: list[str]
    pledges: list[str]
    capability_name: str
    line_of_operation_name: str
    sector_name: str


class GapTotalsOut(Schema):
    required_troops: int
    required_police: int
    pledged_by_status: dict[str, int]
    firm_troops: int
    firm_police: int
    contributing_nations_firm: int
    contributing_nations_any: int
    oic_share_firm: float | None
    oic_share_any: float | None
    unobjected_firm: int
    unobjected_any: int
    unallocated_by_status: dict[str, int]


class GapReportOut(Schema):
    """Required vs pledged per capability × line of operation × sector on ``as_of`` and the
    force totals — the same figures as the gap dashboard and ``stabforce forcegen gaps
    --json``. ``shortfall`` counts committed and deployed force only."""

    mission: str
    as_of: str
    synthetic_requirements: bool
    cells: list[GapCellOut]
    totals: GapTotalsOut


class TotalsPoint(Schema):
    date: dt.date
    required: int
    pledged: dict[str, int]


class TotalsOverTime(Schema):
    mission: str
    points: list[TotalsPoint]


class ImportReportOut(Schema):
    """What an import did; importing an unchanged export reports only ``unchanged`` rows."""

    created: int
    updated: int
    unchanged: int


# --- Input schemas ---------------------------------------------------------------------------


class StatusChangeIn(InputSchema):
    """Move the pledge to ``to_status`` on ``effective`` (valid time), citing a source."""

    to_status: PledgeStatus
    effective: BodyDate = Field(..., examples=["2026-02-19"])
    source_id: SourceId
    quote: BodyText = ""
    note: BodyText = ""


class PledgeIn(InputSchema):
    """A new pledge with its first status and figure, both citing ``source_id``."""

    mission: Key = Field(..., examples=["gaza-isf"])
    key: Key = Field(..., examples=["bgd-infantry"])
    nation: Iso3 = Field(..., examples=["BGD"])
    capability: Key = Field(..., examples=["infantry-battalion"])
    personnel: BodyInt = Field(..., ge=1, le=1_000_000)
    qualifier: Literal["", "up_to", "about", "estimate"] = ""
    units: BodyInt = Field(1, ge=1, le=100_000)
    status: PledgeStatus = Field(..., examples=["interest"])
    effective: BodyDate = Field(..., examples=["2025-12-20"])
    source_id: SourceId
    quote: BodyText = ""
    note: BodyText = ""
    readiness: Readiness = Readiness.L1
    line_of_operation: Key | None = None
    sector: Key | None = None
    available_from: BodyDate | None = None
    duration_months: BodyInt | None = Field(None, ge=1, le=600)
    roles: BodyText = ""
    equipment_notes: BodyText = ""
    releasability: Literal["all", "hq"] = "all"


class ConditionIn(InputSchema):
    """A condition the nation attaches to its pledge, raised on ``effective``."""

    kind: ConditionKind
    effective: BodyDate
    source_id: SourceId
    blocking: bool = True
    description: BodyText = ""
    quote: BodyText = ""


class ResolveIn(InputSchema):
    """Mark the condition met or waived on ``effective``, citing a source."""

    status: Literal["met", "waived"]
    effective: BodyDate
    source_id: SourceId
    quote: BodyText = ""
    note: BodyText = ""


class AcceptabilityIn(InputSchema):
    """A party's stance on a nation's participation, from a dated statement."""

    party: Key = Field(..., examples=["israel"])
    nation: Iso3 = Field(..., examples=["TUR"])
    stance: Stance
    effective: BodyDate
    source_id: SourceId
    quote: BodyText = ""
    note: BodyText = ""


# --- Serialisation helpers -------------------------------------------------------------------


class SourceCache:
    """The user's visible sources of a mission, looked up once per request."""

    def __init__(self, user, mission: Mission):
        self.user = user
        self.mission = mission
        self._visible: set[int] | None = None

    def visible(self) -> set[int]:
        if self._visible is None:
            self._visible = set(
                Source.objects.visible_to(self.user)
                .filter(mission=self.mission)
                .values_list("pk", flat=True)
            )
        return self._visible

    def ref(self, source: Source | None) -> dict[str, Any] | None:
        if source is None or source.pk not in self.visible():
            return None
        return {
            "id": source.pk,
            "key": source.key,
            "publisher": source.publisher,
            "title": source.title,
            "url": source.url,
            "published": source.published,
            "confidence": source.confidence,
        }


def evidence_rows(user, record) -> list[dict[str, Any]]:
    """The visible sources supporting ``record``, with the passage quoted for it."""
    return [
        {
            "source_id": item.source_id,
            "publisher": item.source.publisher,
            "title": item.source.title,
            "url": item.source.url,
            "published": item.source.published,
            "confidence": item.source.confidence,
            "quote": item.quote or item.source.quote,
            "note": item.note,
        }
        for item in core_queries.evidence_for(user, record)
    ]


def _key_name(record) -> dict[str, str] | None:
    return {"key": record.key, "name": record.name} if record is not None else None


def requirement_in_force(requirement: Requirement, day: dt.date) -> bool:
    return requirement.needed_from <= day and (
        requirement.needed_until is None or day < requirement.needed_until
    )


def requirement_out(requirement: Requirement, day: dt.date) -> dict[str, Any]:
    return {
        "id": requirement.pk,
        "key": requirement.key,
        "capability": _key_name(requirement.capability),
        "line_of_operation": _key_name(requirement.line_of_operation),
        "sector": _key_name(requirement.sector) if requirement.sector_id else None,
        "units": requirement.units,
        "personnel": requirement.personnel,
        "needed_from": requirement.needed_from,
        "needed_until": requirement.needed_until,
        "priority": requirement.priority,
        "priority_label": requirement.get_priority_display(),
        "notes": requirement.notes,
        "synthetic": requirement.synthetic,
        "releasability": requirement.releasability,
        "in_force": requirement_in_force(requirement, day),
    }


def requirements_as_of(user, mission: Mission, day: dt.date) -> QuerySet[Requirement]:
    """The requirements the gap analysis counts on ``day``: not ended by then (a requirement
    needed later still counts — the force must be generated before it is needed)."""
    return (
        Requirement.objects.visible_to(user)
        .filter(mission=mission)
        .exclude(needed_until__lte=day)
        .select_related("capability", "line_of_operation", "sector")
    )


def condition_status_on(condition: PledgeCondition, day: dt.date) -> str:
    if condition.status != ConditionStatus.OPEN and condition.resolved_on <= day:
        return condition.status
    return ConditionStatus.OPEN


def condition_out(condition: PledgeCondition, day: dt.date, sources: SourceCache) -> dict:
    status = condition_status_on(condition, day)
    resolved = status != ConditionStatus.OPEN
    return {
        "id": condition.pk,
        "pledge_id": condition.pledge_id,
        "kind": condition.kind,
        "kind_label": condition.get_kind_display(),
        "blocking": condition.blocking,
        "description": condition.description,
        "status": status,
        "raised_on": condition.raised_on,
        "resolved_on": condition.resolved_on if resolved else None,
        "source": sources.ref(condition.source),
        "resolution_source": sources.ref(condition.resolution_source) if resolved else None,
    }


def caveat_out(caveat: Caveat, sources: SourceCache) -> dict:
    return {
        "id": caveat.pk,
        "kind": caveat.kind,
        "kind_label": caveat.get_kind_display(),
        "description": caveat.description,
        "line_of_operation": caveat.line_of_operation.key if caveat.line_of_operation_id else None,
        "sector": caveat.sector.key if caveat.sector_id else None,
        "max_months": caveat.max_months,
        "effective_from": caveat.effective_from,
        "source": sources.ref(caveat.source),
    }


class PledgeReader:
    """Serialises pledges as of one day for one user, in a handful of grouped queries per
    batch (never one per pledge)."""

    def __init__(self, user, mission: Mission, day: dt.date):
        self.user = user
        self.mission = mission
        self.day = day
        self.sources = SourceCache(user, mission)
        self._objections: dict[str, set[str]] | None = None
        self._stale: set[int] | None = None

    def objections(self) -> dict[str, set[str]]:
        if self._objections is None:
            self._objections = queries.objections_on(self.user, self.mission, self.day)
        return self._objections

    def stale(self) -> set[int]:
        if self._stale is None:
            self._stale = {
                pledge.pk for pledge in queries.stale_pledges(self.user, self.mission, self.day)
            }
        return self._stale

    def items(self, pledges: Iterable[Pledge]) -> list[dict[str, Any]]:
        """``pledges`` come from :func:`queries.pledges_as_of` (annotated for the day)."""
        pledges = list(pledges)
        ids = [pledge.pk for pledge in pledges]
        if not ids:
            return []
        day = self.day
        figures: dict[int, list[PledgeFigure]] = defaultdict(list)
        for figure in PledgeFigure.objects.filter(pledge_id__in=ids, reported_on__lte=day).order_by(
            "reported_on", "pk"
        ):
            figures[figure.pledge_id].append(figure)
        since: dict[int, dt.date] = {}
        for pledge_id, effective in (
            PledgeStatusChange.objects.filter(pledge_id__in=ids, effective__lte=day)
            .order_by("effective", "pk")
            .values_list("pledge_id", "effective")
        ):
            since[pledge_id] = effective
        open_conditions: dict[int, list[dict]] = defaultdict(list)
        for condition in (
            queries.conditions_open_on(self.user, self.mission, day)
            .filter(pledge_id__in=ids)
            .select_related("resolution_source")
            .order_by("pledge_id", "kind", "pk")
        ):
            open_conditions[condition.pledge_id].append(condition_out(condition, day, self.sources))
        caveats: dict[int, list[dict]] = defaultdict(list)
        for caveat in (
            Caveat.objects.visible_to(self.user)
            .filter(pledge_id__in=ids, effective_from__lte=day)
            .select_related("line_of_operation", "sector", "source")
            .order_by("pledge_id", "kind", "pk")
        ):
            caveats[caveat.pledge_id].append(caveat_out(caveat, self.sources))
        objections = self.objections()
        stale = self.stale()
        return [
            {
                "id": pledge.pk,
                "key": pledge.key,
                "mission": self.mission.slug,
                "as_of": day,
                "nation": pledge.nation,
                "capability": _key_name(pledge.capability),
                "personnel": pledge.personnel_on,
                "qualifier": self._qualifier(pledge, figures.get(pledge.pk, [])),
                "units": pledge.units,
                "status": pledge.status_on,
                "status_since": since.get(pledge.pk),
                "readiness": pledge.readiness,
                "line_of_operation": (
                    pledge.line_of_operation.key if pledge.line_of_operation_id else None
                ),
                "sector": pledge.sector.key if pledge.sector_id else None,
                "synthetic": pledge.synthetic,
                "releasability": pledge.releasability,
                "open_conditions": open_conditions.get(pledge.pk, []),
                "caveats": caveats.get(pledge.pk, []),
                "objected_by": sorted(objections.get(pledge.nation.iso3, ())),
                "stale": pledge.pk in stale,
            }
            for pledge in pledges
        ]

    @staticmethod
    def _qualifier(pledge: Pledge, known: list[PledgeFigure]) -> str:
        """The qualifier of the figure shown on the day: the chosen one if reported by then,
        otherwise the newest reported by then (the rule of ``queries.pledges_as_of``)."""
        current = current_figure(known)
        return current.qualifier if current else pledge.personnel_qualifier

    def detail(self, pledge: Pledge) -> dict[str, Any]:
        """One pledge (visible to the user) as of the day, with everything known by then."""
        day, user = self.day, self.user
        annotated = queries.pledges_as_of(user, self.mission, day).filter(pk=pledge.pk).first()
        if annotated is not None:
            data = self.items([annotated])[0]
        else:  # not yet reported on the day
            data = {
                "id": pledge.pk,
                "key": pledge.key,
                "mission": self.mission.slug,
                "as_of": day,
                "nation": pledge.nation,
                "capability": _key_name(pledge.capability),
                "personnel": None,
                "qualifier": "",
                "units": pledge.units,
                "status": None,
                "status_since": None,
                "readiness": pledge.readiness,
                "line_of_operation": (
                    pledge.line_of_operation.key if pledge.line_of_operation_id else None
                ),
                "sector": pledge.sector.key if pledge.sector_id else None,
                "synthetic": pledge.synthetic,
                "releasability": pledge.releasability,
                "open_conditions": [],
                "caveats": [],
                "objected_by": [],
                "stale": False,
            }
        conditions = (
            pledge.conditions.visible_to(user)
            .filter(raised_on__lte=day)
            .select_related("source", "resolution_source")
            .order_by("raised_on", "kind", "pk")
        )
        figures = list(
            pledge.figures.visible_to(user)
            .filter(reported_on__lte=day)
            .select_related("source")
            .order_by("reported_on", "pk")
        )
        current = current_figure(figures)
        changes = list(
            pledge.status_changes.visible_to(user)
            .filter(effective__lte=day)
            .select_related("source")
            .order_by("effective", "pk")
        )
        recorded = {
            row.id: row
            for row in PledgeStatusChange.history.model.objects.filter(
                id__in=[change.pk for change in changes], history_type="+"
            ).select_related("history_user")
        }
        timeline = [entry for entry in queries.pledge_timeline(user, pledge) if entry.day <= day]
        data.update(
            {
                "roles": pledge.roles,
                "equipment_notes": pledge.equipment_notes,
                "available_from": pledge.available_from,
                "duration_months": pledge.duration_months,
                "first_reported": pledge.first_reported,
                "conditions": [condition_out(c, day, self.sources) for c in conditions],
                "figures": [
                    {
                        "id": figure.pk,
                        "personnel": figure.personnel,
                        "qualifier": figure.qualifier,
                        "reported_on": figure.reported_on,
                        "chosen": figure.chosen,
                        "current": current is not None and figure.pk == current.pk,
                        "source": self.sources.ref(figure.source),
                        "note": figure.note,
                    }
                    for figure in figures
                ],
                "timeline": [
                    {
                        "date": entry.day,
                        "kind": entry.kind,
                        "text": entry.text,
                        "source": self.sources.ref(entry.source),
                        "quote": entry.quote,
                    }
                    for entry in timeline
                ],
                "history": [
                    {
                        "id": change.pk,
                        "from_status": change.from_status,
                        "to_status": change.to_status,
                        "effective": change.effective,
                        "source": self.sources.ref(change.source),
                        "quote": change.quote,
                        "note": change.note,
                        "recorded_at": _recorded_at(recorded.get(change.pk)),
                        "recorded_by": _recorded_by(recorded.get(change.pk)),
                    }
                    for change in changes
                ],
            }
        )
        return data


def current_figure(known: list[PledgeFigure]) -> PledgeFigure | None:
    """Of the figures reported by a day (in reported order): the chosen one, else the newest."""
    chosen = [figure for figure in known if figure.chosen]
    if chosen:
        return chosen[0]
    return known[-1] if known else None


def _recorded_at(historical) -> dt.datetime | None:
    return historical.history_date if historical is not None else None


def _recorded_by(historical) -> str | None:
    if historical is None:
        return None
    return historical.history_user.username if historical.history_user else "system"


def acceptability_matrix(user, mission: Mission, day: dt.date) -> dict[str, Any]:
    """:func:`queries.acceptability_matrix` flattened into rows, each with its source."""
    parties, rows = queries.acceptability_matrix(user, mission, day)
    sources = SourceCache(user, mission)
    statements: dict[tuple[int, str], Any] = {}
    from stabforce.forcegen.models import Acceptability

    for statement in (
        Acceptability.objects.visible_to(user)
        .filter(mission=mission, effective__lte=day)
        .select_related("source", "nation")
        .order_by("effective", "pk")
    ):
        statements[(statement.party_id, statement.nation.iso3)] = statement
    flat = []
    for nation, cells in rows:
        for party, cell in zip(parties, cells, strict=True):
            statement = statements.get((party.pk, nation.iso3))
            flat.append(
                {
                    "nation": nation,
                    "party": _key_name(party),
                    "stance": cell.stance,
                    "effective": cell.effective,
                    "source": sources.ref(statement.source) if statement else None,
                    "quote": cell.quote,
                }
            )
    return {
        "mission": mission.slug,
        "as_of": day,
        "parties": [_key_name(party) for party in parties],
        "rows": flat,
    }


def engagement_out(user, engagement: Engagement, day: dt.date) -> dict[str, Any]:
    visible = queries.pledges_as_of(user, engagement.mission, day)
    status_on = dict(visible.values_list("pk", "status_on"))
    pledges = (
        Pledge.objects.visible_to(user).filter(engagements=engagement).select_related("nation")
    )
    return {
        "id": engagement.pk,
        "key": engagement.key,
        "occurred_on": engagement.occurred_on,
        "date_note": engagement.date_note,
        "nations": sorted(engagement.nations.all(), key=lambda nation: nation.name),
        "officials": engagement.officials,
        "topic": engagement.topic,
        "outcome": engagement.outcome,
        "pledges": [
            {
                "id": pledge.pk,
                "key": pledge.key,
                "nation": pledge.nation.iso3,
                "status": status_on.get(pledge.pk),
            }
            for pledge in sorted(pledges, key=lambda pledge: pledge.key)
        ],
    }


def month_points(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first of every month from ``start``'s month up to ``end``, and ``end`` itself."""
    points = []
    day = start.replace(day=1)
    while day <= end:
        points.append(day)
        if (day.year, day.month) == (end.year, end.month):
            break  # (also never steps past 9999-12)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    if not points or points[-1] != end:
        points.append(end)
    return points


class LazyPage:
    """A queryset serialised page by page: the paginator slices it and only that page is
    built, in one batch."""

    def __init__(self, queryset: QuerySet, serialise_many):
        self.queryset = queryset
        self.serialise_many = serialise_many

    def __len__(self) -> int:
        return self.queryset.count()

    def count(self) -> int:
        return self.queryset.count()

    def all(self) -> "LazyPage":
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.serialise_many(list(self.queryset[index]))
        return self.serialise_many([self.queryset[index]])[0]  # pragma: no cover
