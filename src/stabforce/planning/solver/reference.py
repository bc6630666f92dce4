"""Among plans of equal value, one close to a reference plan (a what-if's base).

A what-if is read as a diff against its base's plan. Both plans are optimal, or the best
found, but a deployment objective has many optima: the same coverage, presence and departures
with a company on Border security instead of Protection of civilians for four months, or two
companies in Khan Younis instead of Rafah. Which one a solver returns depends on its search,
so a diff between two independent solves shows moves the what-if did not cause ("24
unit-months moved" for a slip that costs two).

:func:`align_with_reference` undoes such moves. It puts units back where the reference had
them — all units of a nation together first (a nation's presence in a sector is what the
objective counts, so one unit coming back alone costs a sector-nation pair), then all units of
a pledge, then one unit at a time — and keeps a change
only when the independent checker finds the plan still valid, its objective no lower, and
the plan strictly closer to the reference. Whatever the what-if really changes stays changed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping

from .checker import check_plan
from .eligibility import is_eligible
from .model import Instance, Plan, Unit

#: (sector, line of operation) of a unit in a period.
Place = tuple[str, str]
#: Where each unit serves in each period: (unit id, period) -> place.
Places = Mapping[tuple[str, int], Place]


def places_of(instance: Instance, plan: Plan) -> dict[tuple[str, int], Place]:
    demands = instance.demand_map()
    out = {}
    for a in plan.assignments:
        d = demands[a.demand_id]
        out[(a.unit_id, d.period)] = (d.sector, d.line)
    return out


def distance(places: Places, reference: Places) -> int:
    """Unit-periods whose place differs (serving in one plan only counts too)."""
    return sum(places.get(key) != reference.get(key) for key in set(places) | set(reference))


def pledge_of(unit_id: str) -> str:
    """The pledge a unit id (``pledge#n``) belongs to. Units of one pledge are interchangeable
    (one nation, capability, strength, dates and caveats), so diffs compare pledges and
    alignment moves them together. An id without ``#`` (the generated instances) stands
    alone."""
    return unit_id.rsplit("#", 1)[0]


def align_with_reference(
    instance: Instance, plan: Plan, reference: Places, *, time_budget: float = 2.0
) -> Plan:
    """``plan``, or a plan of at least its objective that is closer to ``reference``.

    ``reference`` places units by id and period; units or periods the instance does not have
    are ignored. Stops after ``time_budget`` seconds with what it has reached.
    """
    deadline = time.perf_counter() + time_budget
    units = {u.id: u for u in instance.units}
    demands = instance.demand_map()
    reference = {key: place for key, place in reference.items() if key[0] in units}
    report = check_plan(instance, plan)
    if report.violations or not reference:
        return plan
    value = report.objective.total
    at = {(d.period, d.sector, d.line, d.capability): d for d in instance.demands}
    task = {(a.unit_id, demands[a.demand_id].period): a.demand_id for a in plan.assignments}
    reference_of: dict[str, list[tuple[int, Place]]] = defaultdict(list)
    for (uid, period), where in sorted(reference.items()):
        reference_of[uid].append((period, where))

    def place(tasks: dict[tuple[str, int], str], key: tuple[str, int]) -> Place | None:
        demand_id = tasks.get(key)
        return None if demand_id is None else (demands[demand_id].sector, demands[demand_id].line)

    def closeness(tasks: dict[tuple[str, int], str]) -> int:
        return distance({key: place(tasks, key) for key in tasks}, reference)

    def moved_back(tasks: dict[tuple[str, int], str], movers: list[Unit]) -> dict | None:
        """``tasks`` with ``movers`` in their reference places wherever a demand there takes
        them: into a free slot, or trading with a unit that is not in its own reference place
        either. None when nothing could move."""
        trial = dict(tasks)
        holders: dict[str, list[str]] = defaultdict(list)
        for (uid, _period), demand_id in trial.items():
            holders[demand_id].append(uid)
        moving = {u.id for u in movers}
        changed = False
        for unit in movers:
            uid = unit.id
            for period, (sector, line) in reference_of[uid]:
                if place(trial, (uid, period)) == (sector, line):
                    continue
                target = at.get((period, sector, line, unit.capability))
                if target is None or not is_eligible(unit, target, instance):
                    continue
                old = trial.get((uid, period))
                if len(holders[target.id]) < target.units_required:
                    trade = None
                else:
                    trade = next(
                        (
                            other
                            for other in sorted(holders[target.id])
                            if other not in moving
                            and old is not None
                            and place(trial, (other, period)) != reference.get((other, period))
                            and is_eligible(units[other], demands[old], instance)
                        ),
                        None,
                    )
                    if trade is None:
                        continue
                if old is not None:
                    holders[old].remove(uid)
                if trade is not None:
                    holders[target.id].remove(trade)
                    holders[old].append(trade)
                    trial[(trade, period)] = old
                holders[target.id].append(uid)
                trial[(uid, period)] = target.id
                changed = True
        return trial if changed else None

    # a nation's units together (presence is counted per nation and sector), then a
    # pledge's, then each unit alone
    nations: dict[str, list[Unit]] = defaultdict(list)
    pledges: dict[str, list[Unit]] = defaultdict(list)
    for unit in sorted(units.values(), key=lambda u: u.id):
        nations[unit.nation].append(unit)
        pledges[pledge_of(unit.id)].append(unit)
    candidates: list[list[Unit]] = []
    for group in [*nations.values(), *pledges.values()]:
        if len(group) > 1 and group not in candidates:
            candidates.append(group)
    candidates += [[unit] for unit in sorted(units.values(), key=lambda u: u.id)]

    best = closeness(task)
    improved = True
    while improved and best > 0:
        improved = False
        for movers in candidates:
            if time.perf_counter() > deadline:
                return _plan_of(task)
            trial = moved_back(task, movers)
            if trial is None:
                continue
            nearer = closeness(trial)
            if nearer >= best or time.perf_counter() > deadline:
                continue
            trial_report = check_plan(instance, _plan_of(trial))
            if trial_report.violations or trial_report.objective.total < value - 1e-6:
                continue
            task, best, value = trial, nearer, trial_report.objective.total
            improved = True
    return _plan_of(task)


def _plan_of(tasks: Mapping[tuple[str, int], str]) -> Plan:
    return Plan.of((uid, demand_id) for (uid, _period), demand_id in tasks.items())
