"""The only code that changes the force-generation register. Each function is one thing a
force-generation officer does, validated, in one transaction, citing its evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from simple_history.utils import update_change_reason

from stabforce.core.choices import Role
from stabforce.core.models import Mission, Nation, Source
from stabforce.core.services import cite_record
from stabforce.forcegen.choices import (
    ConditionStatus,
    PledgeStatus,
    allowed_transitions,
)
from stabforce.forcegen.models import (
    Acceptability,
    Capability,
    Caveat,
    Engagement,
    Pledge,
    PledgeCondition,
    PledgeFigure,
    PledgeStatusChange,
)


def may_write_for_nation(user, nation_id: int | None) -> bool:
    """Who may change the register about a nation: HQ planners and administrators; a national
    liaison officer for their own nation only; nobody else (observers never)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_hq:
        return True
    return (
        user.role == Role.NATIONAL_LIAISON and nation_id is not None and user.nation_id == nation_id
    )


def may_write_pledge(user, pledge: Pledge) -> bool:
    """The pledge's owning nation decides (see :func:`may_write_for_nation`)."""
    return may_write_for_nation(user, pledge.owner_nation_id or pledge.nation_id)


class ForcegenError(Exception):
    """A change the register refuses; ``field`` names what to correct."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Citation:
    """The evidence a change rests on: a source, the passage, and when it was true."""

    source: Source
    effective: dt.date
    quote: str = ""
    note: str = ""


def _check_source(mission: Mission, source: Source) -> None:
    if source.mission_id != mission.pk:
        raise ForcegenError("The source belongs to another mission.", "source")


def _link_evidence(record, source: Source, quote: str = "", note: str = "") -> None:
    cite_record(record, source, quote, note)


@transaction.atomic
def cite(record, citation: Citation) -> None:
    """Attach a source (with its passage) to any register record: an engagement, an
    acceptability statement, a requirement. Citing the same source twice changes nothing."""
    _check_source(record.mission, citation.source)
    _link_evidence(record, citation.source, citation.quote, citation.note)


def _released_like(pledge: Pledge) -> dict:
    """A pledge's status changes, figures, conditions and caveats belong to its mission and
    nation and are released exactly as the pledge is."""
    return {
        "mission_id": pledge.mission_id,
        "owner_nation_id": pledge.nation_id,
        "releasability": pledge.releasability,
    }


@transaction.atomic
def sync_child_release(pledge: Pledge) -> None:
    """Release a pledge's status changes, figures, conditions, caveats and evidence exactly as
    the pledge (after its releasability or list of nations changed)."""
    from stabforce.core.models import Evidence

    nations = list(pledge.releasable_to.values_list("pk", flat=True))
    children = [
        pledge.status_changes.all(),
        pledge.figures.all(),
        pledge.conditions.all(),
        pledge.caveats.all(),
        Evidence.objects.filter(
            content_type=ContentType.objects.get_for_model(Pledge), object_id=pledge.pk
        ),
    ]
    for queryset in children:
        queryset.update(releasability=pledge.releasability)
        for child in queryset:
            if set(child.releasable_to.values_list("pk", flat=True)) != set(nations):
                child.releasable_to.set(nations)


def _touch_evidence(pledge: Pledge, day: dt.date) -> None:
    if day > pledge.last_evidence:
        pledge.last_evidence = day
        pledge.save(update_fields=["last_evidence", "updated_at"])


@transaction.atomic
def create_pledge(
    *,
    mission: Mission,
    key: str,
    nation: Nation,
    capability: Capability,
    personnel: int,
    status: str,
    citation: Citation,
    units: int = 1,
    qualifier: str = "",
    figure_citation: Citation | None = None,
    **details,
) -> Pledge:
    """Register a pledge with its first status and the figure it was reported with
    (``figure_citation`` when the figure comes from another source than the status)."""
    _check_source(mission, citation.source)
    if status not in allowed_transitions(None):
        raise ForcegenError(f"A new pledge cannot start as '{status}'.", "status")
    if capability.mission_id != mission.pk:
        raise ForcegenError("The capability belongs to another mission.", "capability")
    pledge = Pledge(
        mission=mission,
        key=key,
        nation=nation,
        owner_nation=nation,
        capability=capability,
        personnel=personnel,
        units=units,
        personnel_qualifier=qualifier,
        status=status,
        status_since=citation.effective,
        first_reported=citation.effective,
        last_evidence=citation.effective,
        **details,
    )
    pledge.full_clean(validate_constraints=False)
    pledge.save()
    PledgeStatusChange.objects.create(
        **_released_like(pledge),
        pledge=pledge,
        from_status="",
        to_status=status,
        effective=citation.effective,
        source=citation.source,
        quote=citation.quote,
        note=citation.note,
    )
    figure_citation = figure_citation or citation
    _check_source(mission, figure_citation.source)
    PledgeFigure.objects.create(
        **_released_like(pledge),
        pledge=pledge,
        personnel=personnel,
        qualifier=qualifier,
        reported_on=figure_citation.effective,
        source=figure_citation.source,
        chosen=True,
        note=figure_citation.note,
    )
    _link_evidence(pledge, citation.source, citation.quote)
    _link_evidence(pledge, figure_citation.source, figure_citation.quote)
    _touch_evidence(pledge, figure_citation.effective)
    return pledge


def status_on(pledge: Pledge, day: dt.date) -> str | None:
    """The pledge's status on ``day`` (valid time), or None before it was first reported."""
    change = pledge.status_changes.filter(effective__lte=day).order_by("-effective", "-pk").first()
    return change.to_status if change else None


@transaction.atomic
def change_status(pledge: Pledge, to_status: str, citation: Citation) -> PledgeStatusChange:
    """Move a pledge through its lifecycle, citing evidence.

    Refused when the move is not allowed from the status the pledge had on the effective date,
    when the date is earlier than the pledge's latest recorded change (record changes in date
    order), or — for ``committed`` — while a blocking condition is open on that date.
    """
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    _check_source(pledge.mission, citation.source)
    latest = pledge.status_changes.order_by("-effective", "-pk").first()
    if latest and citation.effective < latest.effective:
        raise ForcegenError(
            f"The pledge already has a status change dated {latest.effective.isoformat()}; "
            f"a change on {citation.effective.isoformat()} would rewrite its timeline.",
            "effective",
        )
    current = latest.to_status if latest else None
    if to_status not in allowed_transitions(current):
        allowed = ", ".join(sorted(allowed_transitions(current))) or "none (closed)"
        raise ForcegenError(
            f"A pledge cannot move from '{current}' to '{to_status}'; allowed: {allowed}.",
            "to_status",
        )
    if to_status == PledgeStatus.COMMITTED:
        blocking = pledge.conditions.filter(blocking=True).open_on(citation.effective)
        if blocking.exists():
            names = ", ".join(condition.get_kind_display() for condition in blocking)
            raise ForcegenError(
                f"Cannot commit {pledge.nation.name}'s pledge: blocking conditions still open "
                f"on {citation.effective.isoformat()}: {names}. Mark them met or waived first.",
                "to_status",
            )
    change = PledgeStatusChange.objects.create(
        **_released_like(pledge),
        pledge=pledge,
        from_status=current or "",
        to_status=to_status,
        effective=citation.effective,
        source=citation.source,
        quote=citation.quote,
        note=citation.note,
    )
    pledge.status = to_status
    pledge.status_since = citation.effective
    pledge.last_evidence = max(pledge.last_evidence, citation.effective)
    pledge.save()
    update_change_reason(pledge, f"status → {to_status} ({citation.source.publisher})")
    _link_evidence(pledge, citation.source, citation.quote)
    return change


@transaction.atomic
def add_condition(
    pledge: Pledge, kind: str, citation: Citation, *, blocking: bool = True, description: str = ""
) -> PledgeCondition:
    """Record a condition a nation attaches to its pledge."""
    _check_source(pledge.mission, citation.source)
    condition = PledgeCondition(
        **_released_like(pledge),
        pledge=pledge,
        kind=kind,
        blocking=blocking,
        description=description or citation.quote,
        raised_on=citation.effective,
        source=citation.source,
    )
    condition.full_clean(validate_constraints=False)
    condition.save()
    _touch_evidence(pledge, citation.effective)
    return condition


@transaction.atomic
def resolve_condition(
    condition: PledgeCondition, status: str, citation: Citation
) -> PledgeCondition:
    """Mark a condition met or waived, with the evidence and the date."""
    if status not in {ConditionStatus.MET, ConditionStatus.WAIVED}:
        raise ForcegenError("A condition is resolved as 'met' or 'waived'.", "status")
    if condition.status != ConditionStatus.OPEN:
        raise ForcegenError(f"The condition is already {condition.status}.", "status")
    if citation.effective < condition.raised_on:
        raise ForcegenError("A condition cannot be resolved before it was raised.", "effective")
    condition.status = status
    condition.resolved_on = citation.effective
    condition.resolution_source = citation.source
    condition.save()
    _touch_evidence(condition.pledge, citation.effective)
    return condition


@transaction.atomic
def record_figure(
    pledge: Pledge, personnel: int, citation: Citation, *, qualifier: str = "", choose: bool
) -> PledgeFigure:
    """Keep another source's figure for a pledge; optionally make it the chosen value.

    Conflicting figures are never overwritten: both stay visible, one is marked chosen.
    """
    _check_source(pledge.mission, citation.source)
    if choose:
        pledge.figures.filter(chosen=True).update(chosen=False)
    figure = PledgeFigure.objects.create(
        **_released_like(pledge),
        pledge=pledge,
        personnel=personnel,
        qualifier=qualifier,
        reported_on=citation.effective,
        source=citation.source,
        chosen=choose,
        note=citation.note,
    )
    if choose:
        pledge.personnel = personnel
        pledge.personnel_qualifier = qualifier
        pledge.save()
    _touch_evidence(pledge, citation.effective)
    _link_evidence(pledge, citation.source, citation.quote)
    return figure


@transaction.atomic
def add_evidence(pledge: Pledge, citation: Citation) -> None:
    """Attach a source that reaffirms what is known (e.g. "no final decision yet") without
    changing the pledge; it refreshes the pledge so it is not flagged stale."""
    _check_source(pledge.mission, citation.source)
    _link_evidence(pledge, citation.source, citation.quote)
    _touch_evidence(pledge, citation.effective)


@transaction.atomic
def add_caveat(
    pledge: Pledge,
    kind: str,
    citation: Citation,
    *,
    description: str,
    line_of_operation=None,
    sector=None,
    max_months: int | None = None,
) -> Caveat:
    """Record a restriction the contingent works under (the planner obeys it)."""
    _check_source(pledge.mission, citation.source)
    caveat = Caveat(
        **_released_like(pledge),
        pledge=pledge,
        kind=kind,
        description=description,
        line_of_operation=line_of_operation,
        sector=sector,
        max_months=max_months,
        effective_from=citation.effective,
        source=citation.source,
    )
    caveat.full_clean(validate_constraints=False)
    caveat.save()
    _touch_evidence(pledge, citation.effective)
    return caveat


@transaction.atomic
def record_acceptability(
    *, mission: Mission, party, nation: Nation, stance: str, citation: Citation
) -> Acceptability:
    """Record a party's stance on a nation's participation, as of the statement's date."""
    _check_source(mission, citation.source)
    if party.mission_id != mission.pk:
        raise ForcegenError("The party belongs to another mission.", "party")
    record = Acceptability(
        mission=mission,
        party=party,
        nation=nation,
        stance=stance,
        effective=citation.effective,
        source=citation.source,
        quote=citation.quote,
        note=citation.note,
    )
    record.full_clean(validate_constraints=False)
    record.save()
    return record


@transaction.atomic
def record_engagement(
    *,
    mission: Mission,
    key: str,
    occurred_on: dt.date,
    topic: str,
    nations: list[Nation],
    citation: Citation,
    officials: str = "",
    outcome: str = "",
    date_note: str = "",
    pledges: list[Pledge] = (),
    releasability: str = "all",
) -> Engagement:
    """Record a diplomatic consultation about the force, citing its source. A key already
    used in the mission gets a numeric suffix, so two reports never overwrite each other."""
    _check_source(mission, citation.source)
    unique, suffix = key[:60], 2
    while Engagement.objects.filter(mission=mission, key=unique).exists():
        unique, suffix = f"{key[:57]}-{suffix}", suffix + 1
    engagement = Engagement(
        mission=mission,
        releasability=releasability,
        key=unique,
        occurred_on=occurred_on,
        date_note=date_note,
        officials=officials[:2000],
        topic=topic[:300],
        outcome=outcome,
    )
    engagement.full_clean(validate_constraints=False)
    engagement.save()
    engagement.nations.set(nations)
    engagement.pledges.set(pledges)
    _link_evidence(engagement, citation.source, citation.quote, citation.note)
    return engagement
