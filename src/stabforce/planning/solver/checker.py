"""Independent plan checker.

Validates any plan against every hard constraint and recomputes the objective from the plan
alone. It deliberately shares no code with the formulation, the greedy heuristic or the
backends (only the input dataclasses), so a modelling bug there shows up here as a violation or
an objective mismatch instead of being trusted.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from .model import Instance, Plan


@dataclass
class ObjectiveBreakdown:
    """The objective of a plan, term by term (all in objective units, maximised)."""

    coverage: float = 0.0
    nation_in_sector: float = 0.0  # subtracted
    lead_nation: float = 0.0  # added
    continuity: float = 0.0  # subtracted
    composition: float = 0.0  # subtracted
    objections: float = 0.0  # subtracted
    covered_units: int = 0
    required_units: int = 0
    distinct_sector_nations: int = 0
    sectors_with_lead: int = 0
    departures: int = 0
    composition_shortfall_troops: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return (
            self.coverage
            - self.nation_in_sector
            + self.lead_nation
            - self.continuity
            - self.composition
            - self.objections
        )


@dataclass
class CheckReport:
    """Hard-constraint violations (in words), soft-target misses and the objective."""

    violations: list[str]
    soft: list[str]
    objective: ObjectiveBreakdown

    @property
    def ok(self) -> bool:
        return not self.violations


def check_plan(instance: Instance, plan: Plan) -> CheckReport:
    """Validate ``plan`` against ``instance``; return violations and the recomputed objective."""
    units = {u.id: u for u in instance.units}
    demands = {d.id: d for d in instance.demands}
    periods = instance.periods
    violations: list[str] = []

    per_unit_period: dict[tuple[str, int], list[str]] = defaultdict(list)
    per_demand: dict[str, list[str]] = defaultdict(list)
    for a in sorted(plan.assignments, key=lambda a: (a.unit_id, a.demand_id)):
        u = units.get(a.unit_id)
        d = demands.get(a.demand_id)
        if u is None:
            violations.append(f"unknown unit {a.unit_id} is assigned to {a.demand_id}")
            continue
        if d is None:
            violations.append(f"unit {u.id} is assigned to unknown demand {a.demand_id}")
            continue
        per_unit_period[(u.id, d.period)].append(d.id)
        per_demand[d.id].append(u.id)
        if u.capability != d.capability:
            violations.append(
                f"unit {u.id} provides {u.capability} but demand {d.id} needs {d.capability}"
            )
        if not 0 <= d.period < periods:
            violations.append(f"demand {d.id} lies outside the planning horizon")
        last = periods - 1 if u.available_until is None else u.available_until
        if d.period < u.available_from or d.period > last:
            violations.append(
                f"unit {u.id} is assigned in {instance.label(d.period)} but is available only "
                f"from {instance.label(u.available_from)} "
                f"to {instance.label(min(last, periods - 1))}"
            )
        if d.line in u.forbidden_lines:
            violations.append(f"unit {u.id}'s caveat excludes line of operation {d.line}")
        if d.sector in u.forbidden_sectors:
            violations.append(f"unit {u.id}'s caveat excludes sector {d.sector}")
        for o in instance.objections:
            if o.is_veto and u.nation in o.nations and (not o.sectors or d.sector in o.sectors):
                violations.append(
                    f"unit {u.id} ({u.nation}) is vetoed by {o.party} but assigned to {d.id}"
                )
    for (uid, p), ds in sorted(per_unit_period.items()):
        if len(ds) > 1:
            violations.append(
                f"unit {uid} is assigned {len(ds)} times in {instance.label(p)}: {', '.join(ds)}"
            )
    for uid, u in units.items():
        if u.max_deployment_periods is None:
            continue
        used = sum(1 for p in range(periods) if (uid, p) in per_unit_period)
        if used > u.max_deployment_periods:
            violations.append(
                f"unit {uid} is deployed {used} periods but its caveat allows "
                f"{u.max_deployment_periods}"
            )
    for did, us in sorted(per_demand.items()):
        d = demands[did]
        if len(us) > d.units_required:
            violations.append(
                f"demand {did} has {len(us)} units but requires only {d.units_required}"
            )

    obj = _objective(instance, plan, units, demands)
    soft = [
        f"{instance.label(p)}: {troops} troops short of the {grp} composition target"
        for (grp, p), troops in sorted(obj.composition_shortfall_troops.items(), key=str)
        if troops > 0
    ]
    return CheckReport(violations=violations, soft=soft, objective=obj)


def evaluate(instance: Instance, plan: Plan) -> float:
    """Objective value of ``plan`` (no validation)."""
    return check_plan(instance, plan).objective.total


def _objective(instance: Instance, plan: Plan, units: dict, demands: dict) -> ObjectiveBreakdown:
    w = instance.weights
    periods = instance.periods
    b = ObjectiveBreakdown()
    count: dict[str, int] = defaultdict(int)
    where: dict[tuple[str, int], str] = {}  # (unit, period) -> sector
    pairs: set[tuple[str, str]] = set()
    sector_nation_periods: dict[tuple[str, str], int] = defaultdict(int)
    deployed: dict[int, list[str]] = defaultdict(list)
    for a in plan.assignments:
        u = units.get(a.unit_id)
        d = demands.get(a.demand_id)
        if u is None or d is None:
            continue
        count[d.id] += 1
        where[(u.id, d.period)] = d.sector
        pairs.add((d.sector, u.nation))
        sector_nation_periods[(d.sector, u.nation)] += 1
        deployed[d.period].append(u.id)
        for o in instance.objections:
            if not o.is_veto and o.applies(u.nation, d.sector):
                b.objections += o.weight
    for d in demands.values():
        c = min(count[d.id], d.units_required)
        b.covered_units += c
        b.required_units += d.units_required
        b.coverage += w.coverage * d.priority * c
    b.distinct_sector_nations = len(pairs)
    b.nation_in_sector = w.nation_in_sector * len(pairs)

    required_by_sector: dict[str, int] = defaultdict(int)
    for d in demands.values():
        required_by_sector[d.sector] += d.units_required
    for s, req in required_by_sector.items():
        need = max(1.0, w.lead_min_share * req)
        if any(v >= need - 1e-9 for (s2, _), v in sector_nation_periods.items() if s2 == s):
            b.sectors_with_lead += 1
    b.lead_nation = w.lead_nation * b.sectors_with_lead

    # continuity: reductions of a nation's presence of a capability in a sector between
    # consecutive periods, not counting units whose availability has just ended
    stay: dict[tuple[str, str, str, int], int] = defaultdict(int)
    here: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for (uid, p), s in where.items():
        u = units[uid]
        here[(u.nation, u.capability, s, p)] += 1
        last = periods - 1 if u.available_until is None else u.available_until
        if u.max_deployment_periods is None and p + 1 <= last and p + 1 < periods:
            stay[(u.nation, u.capability, s, p + 1)] += 1
    for key, n_stay in stay.items():
        b.departures += max(0, n_stay - here.get(key, 0))
    b.continuity = w.continuity * b.departures

    groups = instance.nation_groups()
    for t in instance.composition:
        for p in range(periods):
            total = 0
            in_group = 0
            for uid in deployed.get(p, []):
                u = units[uid]
                total += u.strength
                if t.group in groups.get(u.nation, frozenset()):
                    in_group += u.strength
            short = max(0.0, t.min_share * total - in_group)
            troops = math.ceil(short - 1e-9) if short > 1e-9 else 0
            if total:
                b.composition_shortfall_troops[(t.group, p)] = troops
            b.composition += w.composition_shortfall * troops
    return b
