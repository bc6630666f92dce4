"""Read models of force generation, as of any date (valid time). The web UI, the API and the
CLI all call these, so they show the same numbers; every read goes through the visibility
gate, so a user's aggregates only ever count what that user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from stabforce.core.models import Evidence, Mission, Nation, Party
from stabforce.forcegen import gaps
from stabforce.forcegen.choices import CaveatKind, ConditionStatus, Stance
from stabforce.forcegen.models import (
    Acceptability,
    Capability,
    Caveat,
    Pledge,
    PledgeCondition,
    PledgeFigure,
    PledgeStatusChange,
    Requirement,
)


def pledges_as_of(user, mission: Mission, day: dt.date) -> QuerySet[Pledge]:
    """Pledges known on ``day``, annotated with their status and figure on that day.

    ``status_on``: the latest status change effective on or before ``day``.
    ``personnel_on``: the chosen figure if it had been reported by then, otherwise the newest
    figure reported by then (so a later revision does not rewrite the past).
    """
    # Children are read through the gate too: the pledge's figure or status is shown only as
    # far as the user may see the evidence behind it.
    changes = PledgeStatusChange.objects.visible_to(user).filter(
        pledge=OuterRef("pk"), effective__lte=day
    )
    figures = PledgeFigure.objects.visible_to(user).filter(
        pledge=OuterRef("pk"), reported_on__lte=day
    )
    return (
        Pledge.objects.visible_to(user)
        .filter(mission=mission)
        .annotate(
            status_on=Subquery(changes.order_by("-effective", "-pk").values("to_status")[:1]),
            personnel_on=Coalesce(
                Subquery(figures.filter(chosen=True).values("personnel")[:1]),
                Subquery(figures.order_by("-reported_on", "-pk").values("personnel")[:1]),
                F("personnel"),
            ),
            # whether that figure rests on a synthetic source (an assumed unit size)
            personnel_synthetic=Coalesce(
                Subquery(figures.filter(chosen=True).values("source__synthetic")[:1]),
                Subquery(figures.order_by("-reported_on", "-pk").values("source__synthetic")[:1]),
                Value(False),
            ),
        )
        .filter(status_on__isnull=False)
        .select_related("nation", "capability", "line_of_operation", "sector")
    )


def objections_on(user, mission: Mission, day: dt.date) -> dict[str, set[str]]:
    """Nation ISO3 → names of consent-giving parties objecting to it on ``day``."""
    latest: dict[tuple[int, int], Acceptability] = {}
    statements = (
        Acceptability.objects.visible_to(user)
        .filter(mission=mission, effective__lte=day)
        .select_related("party", "nation")
        .order_by("effective", "pk")
    )
    for statement in statements:
        latest[(statement.party_id, statement.nation_id)] = statement
    objections: dict[str, set[str]] = defaultdict(set)
    for statement in latest.values():
        if statement.stance == Stance.OBJECTS and statement.party.consent_required:
            objections[statement.nation.iso3].add(statement.party.name)
    return objections


def _nation_groups() -> dict[int, frozenset[str]]:
    through = Nation.groups.through
    groups: dict[int, set[str]] = defaultdict(set)
    for nation_id, code in through.objects.values_list("nation_id", "nationgroup__code"):
        groups[nation_id].add(code)
    return {nation_id: frozenset(codes) for nation_id, codes in groups.items()}


@dataclass
class GapReport:
    """The gap analysis with the labels a reader needs."""

    mission: Mission
    as_of: dt.date
    analysis: gaps.GapAnalysis
    capability_names: dict[str, str]
    line_names: dict[str, str]
    sector_names: dict[str, str]
    synthetic_requirements: bool

    def as_dict(self) -> dict:
        cells = []
        for cell in self.analysis.cells:
            row = cell.as_dict()
            row["capability_name"] = self.capability_names.get(cell.capability, cell.capability)
            row["line_of_operation_name"] = self.line_names.get(
                cell.line_of_operation, cell.line_of_operation
            )
            row["sector_name"] = self.sector_names.get(cell.sector, "Force-wide")
            cells.append(row)
        return {
            "mission": self.mission.slug,
            "as_of": self.as_of.isoformat(),
            "synthetic_requirements": self.synthetic_requirements,
            "cells": cells,
            "totals": self.analysis.totals.as_dict(),
        }


def gap_report(user, mission: Mission, day: dt.date) -> GapReport:
    """Required vs pledged (by status) per capability × line of operation × sector on ``day``."""
    requirements = list(
        Requirement.objects.visible_to(user)
        .filter(mission=mission, needed_from__isnull=False)
        .exclude(needed_until__lte=day)
        .values(
            "key",
            "capability__key",
            "capability__is_police",
            "line_of_operation__key",
            "sector__key",
            "personnel",
            "units",
            "priority",
            "needed_from",
            "synthetic",
        )
    )
    lines = [
        gaps.RequirementLine(
            key=row["key"],
            capability=row["capability__key"],
            line_of_operation=row["line_of_operation__key"],
            sector=row["sector__key"],
            personnel=row["personnel"],
            units=row["units"],
            priority=row["priority"],
            needed_from=row["needed_from"].isoformat(),
            is_police=row["capability__is_police"],
        )
        for row in requirements
    ]
    pledge_rows = pledges_as_of(user, mission, day).values_list(
        "pk",
        "key",
        "nation_id",
        "nation__iso3",
        "capability__key",
        "capability__is_police",
        "personnel_on",
        "status_on",
        "line_of_operation__key",
        "sector__key",
    )
    forbidden_tasks: dict[int, set[str]] = defaultdict(set)
    forbidden_sectors: dict[int, set[str]] = defaultdict(set)
    caveats = (
        Caveat.objects.visible_to(user)
        .filter(mission=mission, effective_from__lte=day)
        .filter(kind__in=[CaveatKind.FORBIDDEN_TASK, CaveatKind.FORBIDDEN_SECTOR])
        .values_list("pledge_id", "kind", "line_of_operation__key", "sector__key")
    )
    for pledge_id, kind, task, sector in caveats:
        if kind == CaveatKind.FORBIDDEN_TASK:
            forbidden_tasks[pledge_id].add(task)
        else:
            forbidden_sectors[pledge_id].add(sector)
    objected = {
        iso3: frozenset(parties) for iso3, parties in objections_on(user, mission, day).items()
    }
    groups = _nation_groups()
    nothing: frozenset[str] = frozenset()
    pledges = [
        gaps.PledgeOnDate(
            key,
            iso3,
            capability,
            personnel,
            status,
            is_police,
            line_of_operation,
            sector,
            frozenset(forbidden_tasks[pk]) if pk in forbidden_tasks else nothing,
            frozenset(forbidden_sectors[pk]) if pk in forbidden_sectors else nothing,
            groups.get(nation_id, nothing),
            objected.get(iso3, nothing),
        )
        for (
            pk,
            key,
            nation_id,
            iso3,
            capability,
            is_police,
            personnel,
            status,
            line_of_operation,
            sector,
        ) in pledge_rows  # fmt: skip
    ]
    from stabforce.core.models import LineOfOperation, Sector

    return GapReport(
        mission=mission,
        as_of=day,
        analysis=gaps.analyse(lines, pledges),
        capability_names=dict(
            Capability.objects.filter(mission=mission).values_list("key", "name")
        ),
        line_names=dict(LineOfOperation.objects.filter(mission=mission).values_list("key", "name")),
        sector_names=dict(Sector.objects.filter(mission=mission).values_list("key", "name")),
        synthetic_requirements=any(row["synthetic"] for row in requirements),
    )


def totals_over_time(user, mission: Mission, days: list[dt.date]) -> list[dict]:
    """Pledged personnel by status on each of ``days`` (for the trend chart), plus required."""
    changes = (
        PledgeStatusChange.objects.filter(pledge__in=Pledge.objects.visible_to(user))
        .filter(mission=mission)
        .order_by("pledge_id", "effective", "pk")
        .values_list("pledge_id", "effective", "to_status")
    )
    figures = (
        PledgeFigure.objects.filter(pledge__in=Pledge.objects.visible_to(user))
        .filter(mission=mission)
        .order_by("pledge_id", "reported_on", "pk")
        .values_list("pledge_id", "reported_on", "personnel", "chosen")
    )
    timeline: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for pledge_id, effective, status in changes:
        timeline[pledge_id].append((effective, status))
    figure_rows: dict[int, list[tuple[dt.date, int, bool]]] = defaultdict(list)
    for pledge_id, reported_on, personnel, chosen in figures:
        figure_rows[pledge_id].append((reported_on, personnel, chosen))
    required = sum(
        Requirement.objects.visible_to(user)
        .filter(mission=mission)
        .values_list("personnel", flat=True)
    )
    series = []
    for day in days:
        by_status = dict.fromkeys(gaps.STATUS_ORDER, 0)
        for pledge_id, events in timeline.items():
            status = None
            for effective, to_status in events:
                if effective > day:
                    break
                status = to_status
            if status not in by_status:
                continue
            known = [row for row in figure_rows[pledge_id] if row[0] <= day]
            chosen = [row for row in known if row[2]]
            pick = chosen[0] if chosen else (known[-1] if known else None)
            by_status[status] += pick[1] if pick else 0
        series.append({"date": day.isoformat(), "required": required, "pledged": by_status})
    return series


@dataclass(frozen=True)
class StanceCell:
    stance: str
    effective: dt.date | None
    source_title: str
    quote: str


def acceptability_matrix(user, mission: Mission, day: dt.date):
    """Parties × nations with a pledge or a statement: each party's latest stance on ``day``."""
    parties = list(Party.objects.visible_to(user).filter(mission=mission, consent_required=True))
    statements = (
        Acceptability.objects.visible_to(user)
        .filter(mission=mission, effective__lte=day)
        .select_related("source", "nation")
        .order_by("effective", "pk")
    )
    cells: dict[tuple[int, str], StanceCell] = {}
    nations: dict[str, Nation] = {}
    for statement in statements:
        nations[statement.nation.iso3] = statement.nation
        cells[(statement.party_id, statement.nation.iso3)] = StanceCell(
            statement.stance, statement.effective, str(statement.source), statement.quote
        )
    for pledge in pledges_as_of(user, mission, day):
        nations.setdefault(pledge.nation.iso3, pledge.nation)
    unknown = StanceCell(Stance.UNKNOWN, None, "", "")
    rows = [
        (nation, [cells.get((party.pk, iso3), unknown) for party in parties])
        for iso3, nation in sorted(nations.items(), key=lambda item: item[1].name)
    ]
    return parties, rows


@dataclass(frozen=True)
class TimelineEntry:
    """One dated item on a pledge's evidence timeline."""

    day: dt.date
    kind: str
    text: str
    source: object | None
    quote: str = ""


def pledge_timeline(user, pledge: Pledge) -> list[TimelineEntry]:
    """Everything known about a pledge, in valid-time order: status changes, figures (all of
    them, the chosen one marked), conditions, caveats and reaffirming evidence."""
    entries: list[TimelineEntry] = []
    for change in pledge.status_changes.visible_to(user).select_related("source"):
        text = f"Status: {change.get_to_status_display()}"
        if change.from_status:
            text = f"Status: {change.from_status} → {change.to_status}"
        if change.note:
            text += f" — {change.note}"
        entries.append(TimelineEntry(change.effective, "status", text, change.source, change.quote))
    for figure in pledge.figures.visible_to(user).select_related("source"):
        marker = " (chosen value)" if figure.chosen else ""
        qualifier = {"up_to": "up to ", "about": "about ", "estimate": "≈ "}.get(
            figure.qualifier, ""
        )
        text = f"Figure: {qualifier}{figure.personnel:,}{marker}"
        if figure.note:
            text += f" — {figure.note}"
        entries.append(TimelineEntry(figure.reported_on, "figure", text, figure.source))
    for condition in pledge.conditions.visible_to(user).select_related(
        "source", "resolution_source"
    ):
        blocking = "blocking" if condition.blocking else "non-blocking"
        entries.append(
            TimelineEntry(
                condition.raised_on,
                "condition",
                f"Condition raised ({blocking}): {condition.get_kind_display()}"
                + (f" — {condition.description}" if condition.description else ""),
                condition.source,
            )
        )
        if condition.status != ConditionStatus.OPEN:
            entries.append(
                TimelineEntry(
                    condition.resolved_on,
                    "condition",
                    f"Condition {condition.status}: {condition.get_kind_display()}",
                    condition.resolution_source,
                )
            )
    for caveat in pledge.caveats.visible_to(user).select_related("source"):
        entries.append(
            TimelineEntry(caveat.effective_from, "caveat", f"Caveat: {caveat}", caveat.source)
        )
    linked = {entry.source.pk for entry in entries if entry.source is not None}
    evidence = Evidence.objects.visible_to(user).filter(
        content_type=ContentType.objects.get_for_model(Pledge), object_id=pledge.pk
    )
    for item in evidence.select_related("source").exclude(source_id__in=linked):
        day = item.source.published or pledge.first_reported
        entries.append(TimelineEntry(day, "evidence", "Evidence", item.source, item.quote))
    order = {"status": 0, "condition": 1, "caveat": 2, "figure": 3, "evidence": 4}
    return sorted(entries, key=lambda entry: (entry.day, order[entry.kind]))


def stale_pledges(user, mission: Mission, day: dt.date) -> list[Pledge]:
    """Open pledges with no evidence newer than the mission's renewal period on ``day``.

    Only evidence dated on or before ``day`` counts, so the answer for a past date does not
    change when newer statements arrive.
    """
    cutoff = day - dt.timedelta(days=mission.renewal_period_days)
    pledge = OuterRef("pk")
    newest = [
        PledgeStatusChange.objects.visible_to(user)
        .filter(pledge=pledge, effective__lte=day)
        .values("effective"),
        PledgeFigure.objects.visible_to(user)
        .filter(pledge=pledge, reported_on__lte=day)
        .values("reported_on"),
        PledgeCondition.objects.visible_to(user)
        .filter(pledge=pledge, raised_on__lte=day)
        .values("raised_on"),
        Caveat.objects.visible_to(user)
        .filter(pledge=pledge, effective_from__lte=day)
        .values("effective_from"),
    ]
    annotated = pledges_as_of(user, mission, day).exclude(
        status_on__in=["withdrawn", "declined", "rotated_out"]
    )
    for index, query in enumerate(newest):
        field = query.query.values_select[0]
        annotated = annotated.annotate(
            **{f"newest_{index}": Subquery(query.order_by(f"-{field}")[:1])}
        )
    stale = []
    for candidate in annotated:
        dates = [getattr(candidate, f"newest_{index}") for index in range(len(newest))]
        latest = max((day for day in dates if day is not None), default=None)
        if latest is None:
            continue
        if latest < cutoff:
            candidate.evidence_on = latest
            stale.append(candidate)
    return stale


def conditions_open_on(user, mission: Mission, day: dt.date) -> QuerySet[PledgeCondition]:
    return (
        PledgeCondition.objects.visible_to(user)
        .filter(mission=mission)
        .open_on(day)
        .select_related("pledge__nation", "source")
    )
