"""Turn the force-generation register, as of a date, into a planning instance.

Units are expanded from pledges (one per pledged unit, strength = the pledge's personnel on
that date divided by its units); demand comes from the statement of requirements, one demand
per requirement and month of the horizon in which it is needed; caveats, intended lines of
operation and sectors, and the parties' objections on that date become the solver's
restrictions. Everything is read through the user's visibility.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from stabforce.core.models import ISO3_CODE, LineOfOperation, Mission, Nation, Party, Sector
from stabforce.forcegen.choices import CaveatKind, PledgeStatus
from stabforce.forcegen.models import Caveat, Pledge, PledgeStatusChange, Requirement
from stabforce.forcegen.queries import _nation_groups, objections_on, pledges_as_of
from stabforce.planning import solver
from stabforce.planning.models import MAX_HORIZON_MONTHS, PlanningSettings

FORCE_WIDE = "force-wide"
DEFAULT_STATUSES = ("deployed", "committed", "offered")
ALL_PLANNABLE = ("deployed", "committed", "offered", "considering", "interest")
#: Pledges off the table that an ``add_pledge`` what-if may bring back (a nation reconsidering)
BRINGABLE_BACK = ("declined", "withdrawn")
#: Requirement priority (1 critical … 4 low) → the solver's coverage multiplier.
PRIORITY_WEIGHT = {1: 8.0, 2: 4.0, 3: 2.0, 4: 1.0}


class PlanningInputError(ValueError):
    """A planning question that cannot be asked as put; ``field`` names what to change."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SyntheticParts:
    """What in the register a question is built from is generated or assumed."""

    mission: str  # the mission's name if it is a synthetic mission, else ""
    requirements: int
    synthetic_requirements: int
    pledges: frozenset[str]
    assumed_strengths: frozenset[str]  # pledges whose personnel figure is an assumption

    def notes(self, counted_pledges: set[str]) -> list[str]:
        notes = []
        if self.mission:
            notes.append(f"{self.mission} is a synthetic mission: generated demo data throughout.")
        if self.synthetic_requirements:
            notes.append(
                f"Synthetic requirements: {self.synthetic_requirements} of the "
                f"{self.requirements} requirements planned for are planning assumptions "
                "(published totals spread over capabilities, lines of operation and sectors), "
                "not published requirements; coverage is measured against them."
            )
        pledges = sorted(self.pledges & counted_pledges)
        if pledges:
            notes.append(
                f"Synthetic pledges: {', '.join(pledges)} "
                f"({'is' if len(pledges) == 1 else 'are'} demo data, not a nation's offer)."
            )
        assumed = sorted(self.assumed_strengths & counted_pledges)
        if assumed:
            notes.append(
                f"Assumed strengths: {len(assumed)} counted pledge"
                f"{'s name' if len(assumed) != 1 else ' names'} no troop figure, so one typical "
                f"unit size is assumed ({', '.join(assumed)}); troop-months and the "
                "composition target rest on it."
            )
        return notes


@dataclass
class BuiltInstance:
    """A solver instance plus what the Django layer needs to present its results."""

    instance: solver.Instance
    potential_units: list[solver.Unit]
    as_of: dt.date
    statuses: tuple[str, ...]
    period_starts: list[dt.date]
    sector_names: dict[str, str]
    line_names: dict[str, str]
    capability_names: dict[str, str]
    nation_names: dict[str, str]
    pledge_labels: dict[str, str] = field(default_factory=dict)
    applied_what_ifs: list[str] = field(default_factory=list)
    # units the what-ifs took out of the question (withdrawn nations, removed pledges), in two
    # lists: those the plan counted, and those it did not (status outside the status set)
    withdrawn_units: list[solver.Unit] = field(default_factory=list)
    withdrawn_uncounted_units: list[solver.Unit] = field(default_factory=list)
    # (party, nation) vetoes the what-ifs added: lifting one means dropping its what-if
    added_vetoes: list[tuple[str, str]] = field(default_factory=list)
    # months each nation was slipped by the what-ifs so far (several slips add up)
    slips: dict[str, int] = field(default_factory=dict)
    # unit id -> (arrival month, last month or None) as pledged, before the horizon clips the
    # arrival to its first month: a slip shifts these, so slips add up exactly
    pledged_windows: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    # What an ``object=`` what-if needs to add an objection as the register would
    parties: list[PartyRef] = field(default_factory=list)
    objection_mode: str = "veto"
    objection_penalty: float = 0.0
    # What in the register behind the question is synthetic (see ``synthetic_notes``)
    synthetic: SyntheticParts | None = None
    # Units of pledges no longer on the table (declined, withdrawn...): only ``add_pledge``
    # brings one back, as a nation reconsidering
    dormant_units: list[solver.Unit] = field(default_factory=list)
    # Every pledge of the mission as of the date -> its status then (for messages)
    pledge_statuses: dict[str, str] = field(default_factory=dict)
    # Pledges the user may see with no status (visible to the user) on the date -> the date of
    # their first status the user may see, if any (for messages)
    later_pledges: dict[str, dt.date | None] = field(default_factory=dict)

    def synthetic_notes(self) -> list[str]:
        """What in this question — after its what-ifs — is not published fact, in words."""
        if self.synthetic is None:
            return []
        counted = {u.pledge_id for u in self.instance.units}
        return self.synthetic.notes(counted)

    def party(self, text: str) -> PartyRef | None:
        """The mission's party called ``text`` (name, key or nation code; any case)."""
        wanted = text.strip().casefold()
        if not wanted:
            return None
        for party in self.parties:
            names = {party.name.casefold(), party.key.casefold(), party.iso3.casefold()} - {""}
            if wanted in names:
                return party
        return None

    def nation_name(self, code: str) -> str:
        return self.nation_names.get(code, code)


@dataclass(frozen=True)
class PartyRef:
    name: str
    key: str
    iso3: str  # "" when the party is not a state
    consent_required: bool


def month_starts(first: dt.date, months: int) -> list[dt.date]:
    starts, year, month = [], first.year, first.month
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


def month_label(day: dt.date) -> str:
    """``2026-03``; years before 1000 padded too (``strftime`` writes year 1 as ``1``)."""
    return f"{day.year:04d}-{day.month:02d}"


def _month_offset(day: dt.date, first_month: dt.date) -> int:
    """Months from the horizon's first month to ``day``'s month; negative before the horizon
    and ``>= months`` after it, so a window that starts or ends outside the horizon keeps its
    true length instead of being clipped to the horizon's edge."""
    return (day.year - first_month.year) * 12 + day.month - first_month.month


def settings_for(mission: Mission) -> PlanningSettings:
    return PlanningSettings.objects.get_or_create(mission=mission)[0]


def _pledged_window(pledge: Pledge, first_month: dt.date) -> tuple[int, int | None]:
    """(arrival month, last month or None) of ``pledge``, counted from the horizon's first
    month and not clipped to it: a pledge on the ground before the horizon has a negative
    arrival, and its tour still ends ``duration_months`` after it."""
    arrival = 0
    if pledge.available_from is not None:
        arrival = _month_offset(pledge.available_from, first_month)
    last = arrival + pledge.duration_months - 1 if pledge.duration_months else None
    return arrival, last


def _units_of(
    pledge: Pledge,
    status: str,
    caveats: list[Caveat],
    window: tuple[int, int | None],
    offerable: tuple[set[str], set[str]],
) -> list[solver.Unit]:
    """The units of ``pledge`` (its personnel divided evenly), restricted by its caveats and by
    the line of operation or sector it was offered for. ``offerable``: every line and sector
    of the mission (force-wide included), which an offer for one of them excludes."""
    forbidden_lines = {
        c.line_of_operation.key
        for c in caveats
        if c.kind == CaveatKind.FORBIDDEN_TASK and c.line_of_operation_id
    }
    forbidden_sectors = {
        c.sector.key for c in caveats if c.kind == CaveatKind.FORBIDDEN_SECTOR and c.sector_id
    }
    max_months = [
        c.max_months for c in caveats if c.kind == CaveatKind.MAX_DEPLOYMENT and c.max_months
    ]
    all_lines, all_sectors = offerable
    offer_lines, offer_sectors = set(), set()
    if pledge.line_of_operation_id:  # offered for one line of operation only
        offer_lines = all_lines - {pledge.line_of_operation.key}
    if pledge.sector_id:
        offer_sectors = all_sectors - {pledge.sector.key}
    arrival, last = window
    count = max(1, pledge.units)
    return [
        solver.Unit(
            id=f"{pledge.key}#{number + 1}",
            nation=pledge.nation.iso3,
            capability=pledge.capability.key,
            strength=max(1, pledge.personnel_on // count),
            # a pledge on the ground before the horizon is available from its first month
            available_from=max(0, arrival),
            available_until=last,
            forbidden_lines=frozenset(forbidden_lines | offer_lines),
            forbidden_sectors=frozenset(forbidden_sectors | offer_sectors),
            max_deployment_periods=min(max_months) if max_months else None,
            pledge_id=pledge.key,
            status=status,
            offer_excludes_lines=frozenset(offer_lines),
            offer_excludes_sectors=frozenset(offer_sectors),
            caveat_also_excludes_lines=frozenset(forbidden_lines & offer_lines),
            caveat_also_excludes_sectors=frozenset(forbidden_sectors & offer_sectors),
        )
        for number in range(count)
    ]


def build_instance(
    user,
    mission: Mission,
    as_of: dt.date,
    *,
    statuses: tuple[str, ...] = DEFAULT_STATUSES,
    horizon_start: dt.date | None = None,
    months: int | None = None,
    objection_mode: str | None = None,
) -> BuiltInstance:
    """The planning instance for ``mission`` as the register stood on ``as_of``."""
    unknown = sorted(set(statuses) - set(ALL_PLANNABLE))
    if unknown:
        raise PlanningInputError(
            f"unknown pledge status {', '.join(unknown)}; choose from {', '.join(ALL_PLANNABLE)}",
            "statuses",
        )
    config = settings_for(mission)
    months = config.horizon_months if months is None else months
    if not 1 <= months <= MAX_HORIZON_MONTHS:
        raise PlanningInputError(f"the horizon must be 1 to {MAX_HORIZON_MONTHS} months", "months")
    try:
        starts = month_starts(horizon_start or as_of, months)
        horizon_end = month_starts(starts[-1], 2)[1]
    except ValueError:  # past the calendar's year 9999
        raise PlanningInputError(
            f"{(horizon_start or as_of).isoformat()} is too far in the future: a horizon of "
            f"{months} months from it would end after the year 9999",
            "as_of",
        ) from None

    sectors = dict(
        Sector.objects.visible_to(user).filter(mission=mission).values_list("key", "name")
    )
    lines = dict(
        LineOfOperation.objects.visible_to(user).filter(mission=mission).values_list("key", "name")
    )
    requirements = (
        Requirement.objects.visible_to(user)
        .filter(mission=mission, needed_from__lt=horizon_end)
        .exclude(needed_until__lte=starts[0])
        .select_related("capability", "line_of_operation", "sector")
    )
    demands, capability_names = [], {}
    used_requirements, synthetic_requirements = set(), set()
    for requirement in requirements:
        capability_names[requirement.capability.key] = requirement.capability.name
        for period, start in enumerate(starts):
            end = month_starts(start, 2)[1]
            if requirement.needed_from >= end:
                continue
            if requirement.needed_until and requirement.needed_until <= start:
                continue
            demands.append(
                solver.Demand(
                    id=f"{requirement.key}@{period}",
                    sector=requirement.sector.key if requirement.sector_id else FORCE_WIDE,
                    line=requirement.line_of_operation.key,
                    capability=requirement.capability.key,
                    period=period,
                    units_required=requirement.units,
                    priority=PRIORITY_WEIGHT.get(requirement.priority, 1.0),
                )
            )
            used_requirements.add(requirement.pk)
            if requirement.synthetic:
                synthetic_requirements.add(requirement.pk)

    if not demands:
        raise PlanningInputError(
            f"nothing to plan: no requirement of {mission.name} is needed between "
            f"{month_label(starts[0])} and {month_label(starts[-1])}; choose another as-of date "
            "(or, in the CLI and the API, another number of months)",
            "as_of",
        )

    pledges = list(pledges_as_of(user, mission, as_of))
    caveats = defaultdict(list)
    for caveat in (
        Caveat.objects.visible_to(user)
        .filter(mission=mission, effective_from__lte=as_of)
        .select_related("line_of_operation", "sector")
    ):
        caveats[caveat.pledge_id].append(caveat)
    units, potential, labels, nation_names, pledged_windows = [], [], {}, {}, {}
    synthetic_pledges, assumed_strengths, dormant, pledge_statuses = set(), set(), [], {}
    offerable = (set(lines), set(sectors) | {FORCE_WIDE})
    for pledge in pledges:
        pledge_statuses[pledge.key] = pledge.status_on
        status = "committed" if pledge.status_on == "deployed" else pledge.status_on
        if pledge.status_on not in ALL_PLANNABLE:
            if pledge.status_on not in BRINGABLE_BACK:
                continue  # rotated out: its units served and went home
            status = "considering"  # if a what-if brings it back: a nation reconsidering
        if pledge.synthetic:
            synthetic_pledges.add(pledge.key)
        if pledge.personnel_synthetic:
            assumed_strengths.add(pledge.key)
        capability_names[pledge.capability.key] = pledge.capability.name
        nation_names[pledge.nation.iso3] = pledge.nation.name
        labels[pledge.key] = f"{pledge.nation.name}: {pledge.capability.name}"
        window = _pledged_window(pledge, starts[0])
        for unit in _units_of(pledge, status, caveats[pledge.pk], window, offerable):
            pledged_windows[unit.id] = window
            if pledge.status_on not in ALL_PLANNABLE:
                dormant.append(unit)
            else:
                (units if pledge.status_on in statuses else potential).append(unit)

    mode = objection_mode or config.objection_mode
    objections = [
        solver.Objection(
            party=party,
            nations=frozenset(nations),
            mode=mode,
            weight=config.objection_penalty if mode == "penalty" else 0.0,
        )
        for party, nations in _objecting_parties(user, mission, as_of).items()
    ]
    groups = _nation_groups()
    involved = {unit.nation for unit in units + potential + dormant}
    nations = [
        solver.Nation(iso3=nation.iso3, groups=groups.get(nation.pk, frozenset()), name=nation.name)
        for nation in Nation.objects.filter(iso3__in=involved)
    ]
    parties = [
        PartyRef(name, key, iso3 or "", consent)
        for name, key, iso3, consent in Party.objects.visible_to(user)
        .filter(mission=mission)
        .values_list("name", "key", "nation__iso3", "consent_required")
    ]
    composition = ()
    if config.composition_group and config.composition_min_share > 0:
        composition = (
            solver.CompositionTarget(config.composition_group, config.composition_min_share),
        )
    weights = solver.Weights(
        coverage=config.coverage_weight,
        nation_in_sector=config.nation_in_sector_weight,
        lead_nation=config.lead_nation_weight,
        lead_min_share=config.lead_min_share,
        continuity=config.continuity_weight,
        composition_shortfall=config.composition_shortfall_weight,
    )
    instance = solver.Instance(
        units=tuple(units),
        demands=tuple(demands),
        nations=tuple(nations),
        objections=tuple(objections),
        composition=composition,
        weights=weights,
        periods=months,
        period_labels=tuple(month_label(start) for start in starts),
        name=f"{mission.slug} as of {as_of.isoformat()}",
        period_unit="month",
    )
    return BuiltInstance(
        instance=instance,
        potential_units=potential,
        as_of=as_of,
        statuses=tuple(statuses),
        period_starts=starts,
        sector_names={**sectors, FORCE_WIDE: "Force-wide"},
        line_names=lines,
        capability_names=capability_names,
        nation_names=nation_names,
        pledge_labels=labels,
        parties=parties,
        objection_mode=mode,
        objection_penalty=config.objection_penalty,
        synthetic=SyntheticParts(
            mission=mission.name if mission.synthetic else "",
            requirements=len(used_requirements),
            synthetic_requirements=len(synthetic_requirements),
            pledges=frozenset(synthetic_pledges),
            assumed_strengths=frozenset(assumed_strengths),
        ),
        dormant_units=dormant,
        pledge_statuses=pledge_statuses,
        pledged_windows=pledged_windows,
        later_pledges=dict(
            Pledge.objects.visible_to(user)
            .filter(mission=mission)
            .exclude(key__in=pledge_statuses)
            .annotate(
                first_status=Subquery(
                    PledgeStatusChange.objects.visible_to(user)
                    .filter(pledge=OuterRef("pk"))
                    .order_by("effective")
                    .values("effective")[:1]
                )
            )
            .values_list("key", "first_status")
        ),
    )


def _objecting_parties(user, mission: Mission, day: dt.date) -> dict[str, set[str]]:
    parties: dict[str, set[str]] = defaultdict(set)
    for iso3, names in objections_on(user, mission, day).items():
        for name in names:
            parties[name].add(iso3)
    return parties


# --- what-ifs -------------------------------------------------------------------------------

WHAT_IF_KINDS = {
    "withdraw": "a nation withdraws all its units (ISO alpha-3)",
    "remove_pledge": "one pledge is removed (pledge key)",
    "add_pledge": "one pledge is counted whatever its status (pledge key)",
    "lift_objection": "a party lifts its objections (party name) or PARTY:ISO3 for one nation",
    "object": "a party objects to a nation: PARTY:ISO3",
    "slip": "a nation's units arrive later: ISO3:MONTHS (negative = earlier)",
}


#: ``withdraw=KAZ, slip=ALB:2``: a second KIND= after a comma or semicolon (pages show a
#: scenario's what-ifs so, and users copy them)
SEVERAL_ON_ONE_LINE = re.compile(r"[,;]\s*(" + "|".join(WHAT_IF_KINDS) + r")\s*=", re.IGNORECASE)


def parse_what_if(text: str) -> tuple[str, str]:
    """``"withdraw=PAK"`` → ("withdraw", "PAK"), with a message naming the problem."""
    kind, sep, value = text.partition("=")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or not value:
        raise PlanningInputError(f"what-if {text!r}: expected KIND=VALUE", "what_if")
    if kind not in WHAT_IF_KINDS:
        raise PlanningInputError(
            f"what-if {text!r}: unknown kind {kind!r}; choose from {', '.join(WHAT_IF_KINDS)}",
            "what_if",
        )
    if SEVERAL_ON_ONE_LINE.search(value):
        raise PlanningInputError(
            f"what-if {text!r}: give each what-if on its own (a line each; in the CLI, a "
            "--what-if each)",
            "what_if",
        )
    return kind, value


def what_if_errors(
    built: BuiltInstance | None, lines: list[str]
) -> tuple[BuiltInstance | None, dict[int, str]]:
    """Every what-if line checked, not only up to the first bad one: its form (KIND=VALUE)
    and — given the question as built — its sense in the register, applying the good lines
    one by one as a run will. Returns the question with the good lines applied and the
    problems by line index (0-based), in order."""
    problems: dict[int, str] = {}
    parsed: dict[int, tuple[str, str]] = {}
    for index, line in enumerate(lines):
        try:
            parsed[index] = parse_what_if(line)
        except PlanningInputError as exc:
            problems[index] = exc.message
    if built is not None:
        for index, what_if in parsed.items():
            try:
                built = apply_what_ifs(built, [what_if])
            except PlanningInputError as exc:
                problems[index] = exc.message
    return built, dict(sorted(problems.items()))


class _WhatIfs:
    """The question as the what-ifs change it, one what-if at a time: one method per kind,
    each checking its what-if against the question as the earlier ones left it."""

    def __init__(self, built: BuiltInstance) -> None:
        self.built = built
        self.instance = built.instance
        self.potential = list(built.potential_units)
        self.dormant = list(built.dormant_units)
        self.applied: list[str] = []
        self.withdrawn: list[solver.Unit] = []
        self.uncounted: list[solver.Unit] = []
        self.vetoes: list[tuple[str, str]] = []
        self.slips = dict(built.slips)

    def apply(self, kind: str, value: str) -> None:
        if kind in {"remove_pledge", "add_pledge"}:
            self.count_or_remove_pledge(kind, value)
            return
        by_kind = {
            "withdraw": self.withdraw,
            "lift_objection": self.lift_objection,
            "object": self.add_objection,
            "slip": self.slip,
        }
        by_kind[kind](value)

    def withdraw(self, value: str) -> None:
        code = value.upper()
        units_of = [u for u in self.instance.units if u.nation == code]
        pending = [u for u in self.potential if u.nation == code]
        if not units_of and not pending:
            why = _why_no_pledges(self.built, self.withdrawn + self.uncounted, code, value)
            raise PlanningInputError(f"withdraw={value}: {why}", "what_if")
        self.instance = solver.withdraw_nation(self.instance, code)
        self.potential = [u for u in self.potential if u.nation != code]
        self.dormant = [u for u in self.dormant if u.nation != code]
        self.withdrawn += units_of
        self.uncounted += pending
        self.applied.append(
            f"{self.built.nation_name(code)} withdraws"
            + ("" if units_of else " (none of its pledges was counted: no effect on the plan)")
        )

    def count_or_remove_pledge(self, kind: str, value: str) -> None:
        # keys are matched in any case, as kinds, parties and nations are
        value = _pledge_key(self.built, value)
        counted = [u for u in self.instance.units if u.pledge_id == value]
        waiting = [u for u in self.potential if u.pledge_id == value]
        off_table = [u for u in self.dormant if u.pledge_id == value]
        status = self.built.pledge_statuses.get(value)
        if not (counted or waiting or off_table):
            raise PlanningInputError(
                f"{kind}={value}: "
                + (
                    f"pledge {value} is rotated out on {self.built.as_of.isoformat()}: its units "
                    "served and went home"
                    if status == PledgeStatus.ROTATED_OUT
                    else f"pledge {value} was already taken out by an earlier what-if"
                    if status is not None
                    else _not_yet_reported(value, self.built)
                    if value in self.built.later_pledges
                    else f"no pledge {value!r} in this mission"
                ),
                "what_if",
            )
        if kind == "remove_pledge":
            self.instance = self.instance.with_(
                units=tuple(u for u in self.instance.units if u.pledge_id != value)
            )
            self.potential = [u for u in self.potential if u.pledge_id != value]
            self.dormant = [u for u in self.dormant if u.pledge_id != value]
            self.withdrawn += counted
            self.uncounted += waiting
            label = _status_label(status)
            self.applied.append(
                f"pledge {value} removed"
                + ("" if counted else f" (it was not counted, being {label}: no effect)")
            )
        elif counted:
            raise PlanningInputError(
                f"add_pledge={value}: pledge {value} is already counted ({status})",
                "what_if",
            )
        else:
            self.instance = self.instance.with_(
                units=self.instance.units + tuple(waiting + off_table)
            )
            self.potential = [u for u in self.potential if u.pledge_id != value]
            self.dormant = [u for u in self.dormant if u.pledge_id != value]
            brought = waiting + off_table
            usable = any(u.available_from <= u.last_period(self.instance.periods) for u in brought)
            label = _status_label(status)
            self.applied.append(
                f"pledge {value} counted"
                + (
                    f" (it was {label}: counted as reconsidered, 'considering' in a sweep)"
                    if off_table
                    else ""
                )
                + ("" if usable else " (not available within the horizon: no effect)")
            )

    def lift_objection(self, value: str) -> None:
        name, _, nation = (part.strip() for part in value.partition(":"))
        if nation and not ISO3_CODE.fullmatch(nation):
            raise PlanningInputError(
                f"lift_objection={value}: expected PARTY or PARTY:ISO3, and "
                + _not_a_nation_code(nation),
                "what_if",
            )
        party = self.built.party(name)
        objecting = {o.party for o in self.instance.objections}
        if party is None or party.name not in objecting:
            known = ", ".join(sorted(objecting)) or "none"
            raise PlanningInputError(
                f"lift_objection={value}: no objection by a party {name!r} here "
                f"(parties objecting: {known})",
                "what_if",
            )
        code = nation.upper() or None
        if code and not any(
            o.party == party.name and code in o.nations for o in self.instance.objections
        ):
            raise PlanningInputError(
                f"lift_objection={value}: {party.name} does not object to "
                f"{self.built.nation_name(code)}",
                "what_if",
            )
        self.instance = solver.lift_objection(self.instance, party.name, code)
        self.applied.append(
            f"{party.name} lifts its objection"
            + (f" to {self.built.nation_name(code)}" if code else "s")
        )

    def add_objection(self, value: str) -> None:
        name, _, nation = (part.strip() for part in value.partition(":"))
        if not nation:
            raise PlanningInputError(f"object={value}: expected PARTY:ISO3", "what_if")
        if not ISO3_CODE.fullmatch(nation):
            raise PlanningInputError(
                f"object={value}: expected PARTY:ISO3, and " + _not_a_nation_code(nation),
                "what_if",
            )
        party = self.built.party(name)
        if party is None:
            known = ", ".join(sorted(p.name for p in self.built.parties)) or "none"
            raise PlanningInputError(
                f"object={value}: {name!r} is not a party of this mission (parties: {known})",
                "what_if",
            )
        if not party.consent_required:
            raise PlanningInputError(
                f"object={value}: {party.name}'s consent is not required for this mission, "
                "so the register does not count its objections and neither does the planner",
                "what_if",
            )
        code = nation.upper()
        if not any(u.nation == code for u in self.instance.units + tuple(self.potential)):
            raise PlanningInputError(
                f"object={value}: {self.built.nation_name(code)} has no pledges in this question",
                "what_if",
            )
        current = next((o for o in self.instance.objections if o.party == party.name), None)
        nations = set(current.nations) if current else set()
        # as the register's objections: a veto, or a penalty in the mission's penalty mode
        self.instance = solver.set_objection(
            self.instance,
            party.name,
            nations | {code},
            mode=self.built.objection_mode,
            weight=self.built.objection_penalty if self.built.objection_mode == "penalty" else 0.0,
        )
        if self.built.objection_mode != "penalty" and code not in nations:
            self.vetoes.append((party.name, code))  # new: not a veto the register has
        self.applied.append(
            f"{party.name} objects to {self.built.nation_name(code)}"
            + (
                " (it already does: no effect)"
                if code in nations
                else f" (a penalty of {self.built.objection_penalty:g} per unit-month)"
                if self.built.objection_mode == "penalty"
                else ""
            )
        )

    def slip(self, value: str) -> None:
        nation, _, months = value.partition(":")
        try:
            shift = int(months)
        except ValueError:
            raise PlanningInputError(f"slip={value}: expected ISO3:MONTHS", "what_if") from None
        code = nation.strip().upper()
        if shift == 0:
            raise PlanningInputError(
                f"slip={value}: a slip of 0 months changes nothing; give a number of months "
                "(negative = earlier)",
                "what_if",
            )
        if not any(u.nation == code for u in self.instance.units):
            raise PlanningInputError(
                f"slip={value}: "
                + (
                    f"{self.built.nation_name(code)} has no counted units to slip"
                    if Nation.objects.filter(iso3=code).exists()
                    else _not_a_nation_code(nation)
                ),
                "what_if",
            )
        if abs(shift) >= self.instance.periods:
            raise PlanningInputError(
                f"slip={value}: a slip of {shift} months is beyond the "
                f"{self.instance.periods}-month horizon",
                "what_if",
            )
        total = self.slips.get(code, 0) + shift
        if abs(total) >= self.instance.periods:
            raise PlanningInputError(
                f"slip={value}: with the earlier slips of {self.built.nation_name(code)} "
                f"({self.slips[code]:+d} months) it arrives {total:+d} months, beyond the "
                f"{self.instance.periods}-month horizon",
                "what_if",
            )
        self.slips[code] = total

        def windows(inst: solver.Instance, nation: str = code) -> list[tuple[int, int]]:
            return sorted(
                (u.available_from, u.last_period(inst.periods))
                for u in inst.units
                if u.nation == nation
            )

        before = windows(self.instance)
        self.instance = self.instance.with_(
            units=tuple(
                self._slipped(u, total) if u.nation == code else u for u in self.instance.units
            )
        )
        months = f"{abs(shift)} month{'s' if abs(shift) != 1 else ''}"
        later = "later" if shift > 0 else "earlier"
        unchanged = ""
        if windows(self.instance) == before:
            unchanged = (
                " (its units are available from the first month already: no effect on the plan)"
                if shift < 0 and all(start <= 0 for start, _last in before)
                else " (no effect on its units' months within the horizon)"
            )
        in_all = ""
        if total == 0:
            in_all = " (its own months again, the slips taken together)"
            unchanged = ""
        elif total != shift:
            in_all = (
                f" ({abs(total)} month{'s' if abs(total) != 1 else ''} "
                f"{'later' if total > 0 else 'earlier'} in all)"
            )
        self.applied.append(
            f"{self.built.nation_name(code)} arrives {months} {later}{in_all}{unchanged}"
        )

    def _slipped(self, unit: solver.Unit, total: int) -> solver.Unit:
        """``unit`` with its pledged window moved by ``total`` months: from the pledged
        arrival, not from the horizon-clipped one, so -2 then +2 is the pledged window again."""
        arrival, last = self.built.pledged_windows.get(
            unit.id, (unit.available_from, unit.available_until)
        )
        return dataclasses.replace(
            unit,
            available_from=max(0, arrival + total),
            available_until=None if last is None else last + total,
        )

    def result(self) -> BuiltInstance:
        built = self.built
        return BuiltInstance(
            **{
                **built.__dict__,
                "instance": self.instance,
                "potential_units": self.potential,
                "dormant_units": self.dormant,
                "applied_what_ifs": built.applied_what_ifs + self.applied,
                "withdrawn_units": built.withdrawn_units + self.withdrawn,
                "withdrawn_uncounted_units": built.withdrawn_uncounted_units + self.uncounted,
                "added_vetoes": built.added_vetoes + self.vetoes,
                "slips": self.slips,
            }
        )


def apply_what_ifs(built: BuiltInstance, what_ifs: list[tuple[str, str]]) -> BuiltInstance:
    """The same question with the world changed as the what-ifs say."""
    changes = _WhatIfs(built)
    for kind, value in what_ifs:
        changes.apply(kind, value)
    return changes.result()


def _pledge_key(built: BuiltInstance, written: str) -> str:
    """The pledge key ``written`` names in any case (``AZE-TROOPS`` → ``aze-troops``)."""
    if written in built.pledge_statuses or written in built.later_pledges:
        return written
    known = {key.lower(): key for key in [*built.pledge_statuses, *built.later_pledges]}
    return known.get(written.lower(), written)


def _not_yet_reported(key: str, built: BuiltInstance) -> str:
    first = built.later_pledges.get(key)
    when = (
        f"; its first status is of {first.isoformat()}: choose that date or a later one"
        if first
        else ": it has no status you may see"
    )
    return f"pledge {key} has no status in the register on {built.as_of.isoformat()}{when}"


def _status_label(status: str | None) -> str:
    """``rotated_out`` → ``rotated out``: a pledge status as a sentence says it."""
    return PledgeStatus(status).label.lower() if status else "unknown"


def _not_a_nation_code(text: str) -> str:
    """``'Kazakhstan' is not an ISO 3166 alpha-3 nation code; Kazakhstan is KAZ``: the
    code is suggested when the text is a nation's name."""
    message = f"{text!r} is not an ISO 3166 alpha-3 nation code"
    nation = Nation.objects.filter(name__iexact=text.strip()).first() if text.strip() else None
    return f"{message}; {nation.name} is {nation.iso3}" if nation else message


def _why_no_pledges(
    built: BuiltInstance, withdrawn: list[solver.Unit], code: str, written: str
) -> str:
    """Why a what-if naming nation ``code`` (``written`` so) finds none of its pledges."""
    taken_out = built.withdrawn_units + built.withdrawn_uncounted_units + withdrawn
    if any(u.nation == code for u in taken_out):
        return f"{built.nation_name(code)} is already withdrawn by an earlier what-if"
    nation = Nation.objects.filter(iso3=code).first()
    if nation is None:
        return _not_a_nation_code(written)
    return (
        f"{nation.name} has no pledge that could provide units to this mission as of "
        f"{built.as_of.isoformat()}"
    )


SCENARIO_NAME_LENGTH = 200  # PlanScenario.name


def default_scenario_name(built: BuiltInstance, as_of: dt.date) -> str:
    """A scenario's name when the planner gives none: its what-ifs in words, the pledge
    statuses it counts when they are not the default, and its date; shortened to fit the
    name field."""
    # the notes in brackets ("(no effect on the plan)", "(a penalty of …)") are for the page
    # ... and a what-if given twice is named once
    changes = "; ".join(
        dict.fromkeys(re.sub(r" \([^()]*\)$", "", what) for what in built.applied_what_ifs)
    )
    changes = changes or "Baseline"
    changes = changes[0].upper() + changes[1:]
    if set(built.statuses) != set(DEFAULT_STATUSES):
        counted = [status for status in ALL_PLANNABLE if status in built.statuses]
        changes += f", counting {', '.join(counted)}"
    date = f" — as of {as_of.isoformat()}"
    room = SCENARIO_NAME_LENGTH - len(date)
    if len(changes) > room:
        changes = changes[: room - 1].rstrip() + "…"
    return changes + date
