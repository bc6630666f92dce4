"""A what-if's plan is kept close to its base's plan when that costs nothing, so that a diff
shows what the question changed rather than which of several optima the solver returned."""

from collections import Counter

from stabforce.planning.solver import (
    Demand,
    Instance,
    Plan,
    Unit,
    Weights,
    check_plan,
    generate,
    solve,
)
from stabforce.planning.solver.reference import align_with_reference, distance, places_of

KAZAKHSTAN = (Unit("kaz-troops#1", "KAZ", "inf"), Unit("kaz-medical#1", "KAZ", "med"))


def two_sectors(units=KAZAKHSTAN, periods: int = 2, **priority) -> Instance:
    """Rafah and Khan Younis, each asking one infantry and one medical unit a month on
    Protection of civilians, all of equal priority unless ``priority`` says otherwise. No lead
    nation bonus: with it, one nation alone would gain by leading both sectors."""
    demands = tuple(
        Demand(f"{sector}-{cap}@{p}", sector, "civilians", cap, p, 1,
               priority.get(f"{sector}-{cap}", 3.0))
        for sector in ("rafah", "khan-younis")
        for cap in ("inf", "med")
        for p in range(periods)
    )  # fmt: skip
    return Instance(units=units, demands=demands, periods=periods, weights=Weights(lead_nation=0.0))


def in_sector(sector: str, periods: int = 2) -> Plan:
    return Plan.of(
        (unit.id, f"{sector}-{unit.capability}@{p}") for unit in KAZAKHSTAN for p in range(periods)
    )


def test_a_nation_moved_for_nothing_is_put_back_where_the_reference_had_it():
    inst = two_sectors()
    plan, reference = in_sector("khan-younis"), in_sector("rafah")
    ref = places_of(inst, reference)
    aligned = align_with_reference(inst, plan, ref)
    assert aligned == reference
    assert check_plan(inst, aligned).objective.total == check_plan(inst, plan).objective.total
    # One unit coming back alone would split Kazakhstan over two sectors (a second
    # sector-nation pair): only moving the nation's units together costs nothing.
    one_back = Plan(
        frozenset(a for a in plan.assignments if not a.unit_id.startswith("kaz-troops"))
        | frozenset(a for a in reference.assignments if a.unit_id.startswith("kaz-troops"))
    )
    assert check_plan(inst, one_back).objective.total < check_plan(inst, plan).objective.total


def test_what_the_question_changed_stays_changed():
    # Khan Younis's infantry now matters more: the troops stay there, whatever the reference
    inst = two_sectors(**{"khan-younis-inf": 5.0})
    best = solve(inst, solver="highs", time_limit=5)
    assert best.status == "optimal"
    ref = places_of(two_sectors(), in_sector("rafah"))
    aligned = align_with_reference(inst, best.plan, ref)
    assert check_plan(inst, aligned).objective.total == best.objective
    assert {("kaz-troops#1", f"khan-younis-inf@{p}") for p in range(2)} <= {
        (a.unit_id, a.demand_id) for a in aligned.assignments
    }
    # a unit that is not available where the reference had it stays put too
    late = (Unit("kaz-troops#1", "KAZ", "inf", available_from=1), KAZAKHSTAN[1])
    inst = two_sectors(units=late)
    plan = Plan.of(
        [("kaz-medical#1", "khan-younis-med@0"), ("kaz-medical#1", "khan-younis-med@1"),
         ("kaz-troops#1", "khan-younis-inf@1")]
    )  # fmt: skip
    aligned = align_with_reference(inst, plan, ref)
    assert check_plan(inst, aligned).objective.total >= check_plan(inst, plan).objective.total
    assert not check_plan(inst, aligned).violations


def test_two_units_in_each_others_places_trade_back():
    units = (Unit("A", "ALB", "inf"), Unit("B", "BGD", "inf"))
    demands = tuple(Demand(line, "rafah", line, "inf", 0, 1, 3.0) for line in ("border", "pc"))
    inst = Instance(units=units, demands=demands, periods=1)
    plan = Plan.of([("A", "pc"), ("B", "border")])
    reference = Plan.of([("A", "border"), ("B", "pc")])
    assert align_with_reference(inst, plan, places_of(inst, reference)) == reference


def test_the_planner_returns_a_plan_as_good_and_no_farther_from_the_reference():
    base_instance = generate.gaza(seed=3)
    base = solve(base_instance, solver="greedy")
    reference = places_of(base_instance, base.plan)
    # a what-if: the nation serving most unit-periods in the base plan withdraws
    serving = Counter(unit_id for unit_id, _period in reference)
    nation_of = {u.id: u.nation for u in base_instance.units}
    gone = Counter({nation_of[u]: n for u, n in serving.items()}).most_common(1)[0][0]
    what_if = base_instance.with_(units=tuple(u for u in base_instance.units if u.nation != gone))
    for solver, limit in (("greedy", 1.0), ("highs", 2.0)):
        plain = solve(what_if, solver=solver, time_limit=limit, seed=1)
        kept = solve(what_if, solver=solver, time_limit=limit, seed=1, reference=reference)
        assert not kept.violations
        assert kept.objective >= plain.objective - 1e-6
        assert distance(places_of(what_if, kept.plan), reference) <= distance(
            places_of(what_if, plain.plan), reference
        )
    # greedy is deterministic: here the reference really changes its plan
    plain = solve(what_if, solver="greedy")
    kept = solve(what_if, solver="greedy", reference=reference)
    assert distance(places_of(what_if, kept.plan), reference) < distance(
        places_of(what_if, plain.plan), reference
    )
    assert any("closer to the reference plan" in note for note in kept.notes)
