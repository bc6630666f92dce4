"""Why is a pledge (partly) unused? The other side of the gap question.

A force planner reads uncovered requirements *and* offered units the plan leaves at home
("every requirement for infantry battalions is closed to this pledge: its offer excludes
border security, ..."). For every pledge with idle unit-periods inside its availability
window, each idle unit-period is classified:

* ``not_required``  no demand of that period asks for the capability;
* ``excluded``      demands for it exist in that period but caveats (or the lines the pledge
                    was offered for) or vetoes bar the unit from every one; the blocking lines,
                    sectors and parties of such periods are named;
* ``spare``         every demand it may fill in that period is already fully covered;
* ``tour_used``     the unit has served its deployment-length limit;
* ``not_chosen``    an eligible demand is still short, yet the plan leaves the unit idle: in a
                    plan proved optimal, an objection penalty, a composition target or the tour
                    limit saved for other months outweighs the coverage; otherwise the search
                    may simply not have got there (:func:`describe_idle` words both).

Periods in which the mission requires nothing at all (e.g. the first month of a horizon that
starts before any requirement) are not counted: no unit is "left at home" then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .eligibility import Block, blocks
from .model import Demand, Instance, Plan, Unit
from .words import capability_words, plural

KINDS = ("not_required", "excluded", "spare", "tour_used", "not_chosen")


@dataclass
class IdleExplanation:
    """Unit-periods of one pledge that the plan does not use, and why."""

    pledge: str
    nation: str
    capability: str
    units: list[str]
    available_unit_periods: int
    idle_unit_periods: int
    periods_by_kind: dict[str, list[int]] = field(default_factory=dict)
    blocked_lines: set[str] = field(default_factory=set)
    blocked_sectors: set[str] = field(default_factory=set)
    vetoing_parties: set[str] = field(default_factory=set)

    @property
    def reason_kinds(self) -> set[str]:
        return set(self.periods_by_kind)


def _pledge_key(unit: Unit) -> str:
    return unit.pledge_id or unit.id


def explain_idle(instance: Instance, plan: Plan) -> list[IdleExplanation]:
    """One :class:`IdleExplanation` per pledge with idle unit-periods, most idle first."""
    demands = instance.demand_map()
    covered = plan.covered(demands)
    busy: set[tuple[str, int]] = set()
    periods_used: dict[str, int] = defaultdict(int)
    for a in plan.assignments:
        d = demands.get(a.demand_id)
        if d is not None:
            busy.add((a.unit_id, d.period))
            periods_used[a.unit_id] += 1
    by_cap_period: dict[tuple[str, int], list[Demand]] = defaultdict(list)
    for d in instance.demands:
        by_cap_period[(d.capability, d.period)].append(d)
    needed_periods = {d.period for d in instance.demands if d.units_required > 0}

    # a pledge normally holds units of one nation and capability; grouping by all three keeps
    # the sentences right for hand-built instances that mix them
    pledges: dict[tuple[str, str, str], list[Unit]] = defaultdict(list)
    for u in instance.units:
        pledges[(_pledge_key(u), u.nation, u.capability)].append(u)

    out = []
    for (key, _nation, _capability), units in sorted(pledges.items()):
        first = units[0]
        e = IdleExplanation(
            pledge=key,
            nation=first.nation,
            capability=first.capability,
            units=sorted(u.id for u in units),
            available_unit_periods=0,
            idle_unit_periods=0,
        )
        kind_periods: dict[str, set[int]] = defaultdict(set)
        for u in units:
            for p in range(u.available_from, u.last_period(instance.periods) + 1):
                if p not in needed_periods:
                    continue
                e.available_unit_periods += 1
                if (u.id, p) in busy:
                    continue
                e.idle_unit_periods += 1
                kind = _classify(instance, u, p, by_cap_period, covered, periods_used, e)
                kind_periods[kind].add(p)
        if e.idle_unit_periods:
            e.periods_by_kind = {k: sorted(kind_periods[k]) for k in KINDS if kind_periods.get(k)}
            out.append(e)
    out.sort(key=lambda e: (-e.idle_unit_periods, e.nation, e.pledge))
    return out


def _classify(
    instance: Instance,
    unit: Unit,
    period: int,
    by_cap_period: dict[tuple[str, int], list[Demand]],
    covered: dict[str, int],
    periods_used: dict[str, int],
    e: IdleExplanation,
) -> str:
    candidates = by_cap_period.get((unit.capability, period), [])
    if not candidates:
        return "not_required"
    eligible = []
    barred: list[Block] = []
    for d in candidates:
        bs = blocks(unit, d, instance)
        if bs:
            barred.extend(bs)
        else:
            eligible.append(d)
    if not eligible:
        # only the blocks of periods that are wholly barred explain an "excluded" month
        for b in barred:
            if b.kind in {"line_caveat", "line_offer"}:
                e.blocked_lines.add(b.detail)
            elif b.kind in {"sector_caveat", "sector_offer"}:
                e.blocked_sectors.add(b.detail)
            elif b.kind == "veto":
                e.vetoing_parties.add(b.detail)
        return "excluded"
    if all(covered.get(d.id, 0) >= d.units_required for d in eligible):
        return "spare"
    limit = unit.max_deployment_periods
    if limit is not None and periods_used.get(unit.id, 0) >= limit:
        return "tour_used"
    return "not_chosen"


def describe_idle(
    e: IdleExplanation,
    *,
    label=None,  # noqa: ANN001 - period index -> text
    name=None,  # noqa: ANN001 - key -> display name
    proven_optimal: bool = False,
    heuristic: bool = False,
    period_unit: str = "period",
) -> list[str]:
    """The reasons of ``e`` as sentences (``label``/``name`` translate periods and keys).

    ``proven_optimal`` says whether the plan is proved optimal: only then is a unit left idle
    beside a short requirement a deliberate trade-off rather than where the search stopped;
    ``heuristic`` that it is the greedy heuristic's plan (a longer run would not change it);
    ``period_unit`` what a period is called ("month").
    """
    label = label or (lambda p: f"period {p}")
    name = name or capability_words
    cap = plural(name(e.capability))
    out = []
    for kind, periods in e.periods_by_kind.items():
        when = _span(periods, label)
        n = len(periods)
        if kind == "not_required":
            out.append(f"no requirement asks for {cap} ({when})")
        elif kind == "excluded":
            what = []
            if e.blocked_lines:
                what.append(
                    "its caveats or offer exclude lines of operation "
                    + ", ".join(sorted(map(name, e.blocked_lines)))
                )
            if e.blocked_sectors:
                what.append(
                    "its caveats exclude sectors " + ", ".join(sorted(map(name, e.blocked_sectors)))
                )
            if e.vetoing_parties:
                what.append("vetoed by " + ", ".join(sorted(e.vetoing_parties)))
            out.append(
                f"every requirement for {cap} is closed to this pledge "
                f"({'; '.join(what) or 'caveats'}) in {n} {period_unit}{'s' if n != 1 else ''} "
                f"({when})"
            )
        elif kind == "spare":
            out.append(f"every requirement it may fill is already covered ({when})")
        elif kind == "tour_used":
            out.append(f"its deployment-length limit is used up ({when})")
        elif kind == "not_chosen" and proven_optimal:
            out.append(
                "kept idle although an eligible requirement is short: in the optimal plan an "
                "objection penalty, a composition target or its deployment-length limit "
                f"(saved for other months) outweighs the coverage ({when})"
            )
        elif kind == "not_chosen" and heuristic:
            out.append(
                "not placed although an eligible requirement is short: this is the greedy "
                f"heuristic's plan, which fills requirements in priority order; the planner may "
                f"use it ({when})"
            )
        elif kind == "not_chosen":
            out.append(
                "not placed although an eligible requirement is short: the plan is not proved "
                f"optimal, a longer run may use it ({when})"
            )
    return out


def _span(periods: list[int], label) -> str:  # noqa: ANN001
    """``2026-03 to 2026-06, 2026-09`` from sorted period indices."""
    runs: list[tuple[int, int]] = []
    for p in periods:
        if runs and p == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    parts = [label(a) if a == b else f"{label(a)} to {label(b)}" for a, b in runs]
    if len(parts) > 4:
        parts = parts[:3] + [f"and {len(runs) - 3} more spans"]
    return ", ".join(parts)
