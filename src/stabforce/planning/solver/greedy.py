"""Fast constructive heuristic: the planner's warm start and its guaranteed floor.

Period by period, demands are filled in order of priority (ties: fewest candidates first).
For each slot the candidate unit is chosen by, in order: keeps a unit where it was last period
(continuity), nation already present in the sector (cohesion), does not worsen a composition
target that is short, is least flexible (can fill fewest other open demands this period), and
id. A unit is never given a slot whose net value is not positive (e.g. a heavily penalised
objection).
"""

from __future__ import annotations

from collections import defaultdict

from .eligibility import is_eligible, penalty
from .model import Demand, Instance, Plan, Unit


def greedy_plan(instance: Instance) -> Plan:
    """A feasible plan built in one pass (milliseconds for demo-sized instances)."""
    P = instance.periods
    w = instance.weights
    groups = instance.nation_groups()
    by_cap: dict[str, list[Unit]] = defaultdict(list)
    for u in sorted(instance.units, key=lambda u: u.id):
        by_cap[u.capability].append(u)
    demands_by_p: dict[int, list[Demand]] = defaultdict(list)
    for d in instance.demands:
        if 0 <= d.period < P and d.units_required > 0:
            demands_by_p[d.period].append(d)

    used: dict[str, int] = defaultdict(int)
    last_pos: dict[str, tuple[str, str]] = {}  # unit -> (sector, line) in previous period
    present: set[tuple[str, str]] = set()  # (sector, nation)
    pairs: list[tuple[str, str]] = []

    def budget_ok(u: Unit) -> bool:
        return u.max_deployment_periods is None or used[u.id] < u.max_deployment_periods

    for p in range(P):
        ds = demands_by_p.get(p, [])
        cands: dict[str, list[Unit]] = {
            d.id: [u for u in by_cap.get(d.capability, []) if is_eligible(u, d, instance)]
            for d in ds
        }
        flex: dict[str, int] = defaultdict(int)
        for d in ds:
            for u in cands[d.id]:
                flex[u.id] += 1
        ds = sorted(ds, key=lambda d: (-d.priority, len(cands[d.id]), d.id))
        busy: set[str] = set()
        pos: dict[str, tuple[str, str]] = {}
        troops = 0
        troops_in: dict[str, int] = defaultdict(int)
        for d in ds:
            for _ in range(d.units_required):
                best: tuple | None = None
                best_u: Unit | None = None
                for u in cands[d.id]:
                    if u.id in busy or not budget_ok(u):
                        continue
                    gain = w.coverage * d.priority - penalty(u, d, instance)
                    if (d.sector, u.nation) not in present:
                        gain -= w.nation_in_sector
                    if gain <= 0:
                        continue
                    prev = last_pos.get(u.id)
                    cont = (
                        0
                        if prev == (d.sector, d.line)
                        else 1
                        if prev and prev[0] == d.sector
                        else 2
                    )
                    # composition targets that are short and this unit (outside the target's
                    # group) would leave shorter still
                    hurts = 0
                    for t in instance.composition:
                        in_g = t.group in groups.get(u.nation, frozenset())
                        short = troops_in[t.group] < t.min_share * (troops + u.strength)
                        if short and not in_g:
                            hurts += 1
                    key = (
                        cont,
                        (d.sector, u.nation) not in present,
                        hurts,
                        penalty(u, d, instance),
                        flex[u.id],
                        u.id,
                    )
                    if best is None or key < best:
                        best, best_u = key, u
                if best_u is None:
                    break
                u = best_u
                busy.add(u.id)
                used[u.id] += 1
                pos[u.id] = (d.sector, d.line)
                present.add((d.sector, u.nation))
                pairs.append((u.id, d.id))
                troops += u.strength
                for g in groups.get(u.nation, frozenset()):
                    troops_in[g] += u.strength
        last_pos = pos
    return Plan.of(pairs)
