"""The MILP, its backends and the planner on tiny instances with a brute-forced optimum."""

import dataclasses
import itertools
import time

import pytest

from stabforce.planning.solver import (
    CompositionTarget,
    Demand,
    Instance,
    Nation,
    Objection,
    Plan,
    Unit,
    Weights,
    check_plan,
    evaluate,
    generate,
    greedy_plan,
    solve,
)
from stabforce.planning.solver.backends import objective_granularity
from stabforce.planning.solver.formulation import Formulation


def tiny() -> Instance:
    """Three units, two sectors, two periods: small enough to enumerate every plan."""
    units = (
        Unit("A1", "IDN", "inf", 150),
        Unit("A2", "IDN", "inf", 150, available_from=1),
        Unit("B1", "ITA", "inf", 150, forbidden_sectors=frozenset({"south"})),
        Unit("C1", "TUR", "eng", 140),
    )
    demands = (
        Demand("n-sec-0", "north", "security", "inf", 0, 1, 5.0),
        Demand("s-sec-0", "south", "security", "inf", 0, 1, 3.0),
        Demand("n-sec-1", "north", "security", "inf", 1, 2, 5.0),
        Demand("s-sec-1", "south", "security", "inf", 1, 1, 3.0),
        Demand("s-eng-1", "south", "reconstruction", "eng", 1, 1, 2.0),
    )
    return Instance(
        units=units,
        demands=demands,
        nations=(Nation("IDN", frozenset({"OIC"})), Nation("TUR", frozenset({"OIC"}))),
        objections=(Objection("ISR", frozenset({"TUR"})),),
        composition=(CompositionTarget("OIC", 0.5),),
        periods=2,
    )


def brute_force(inst: Instance) -> float:
    pairs = [(u.id, d.id) for u in inst.units for d in inst.demands]
    best = float("-inf")
    for r in range(len(pairs) + 1):
        for combo in itertools.combinations(pairs, r):
            if r > 6:
                return best
            plan = Plan.of(combo)
            rep = check_plan(inst, plan)
            if not rep.violations:
                best = max(best, rep.objective.total)
    return best


@pytest.fixture(scope="module")
def tiny_optimum() -> float:
    return brute_force(tiny())


@pytest.mark.parametrize("solver", ["highs", "cpsat", "cbc"])
def test_each_solver_reaches_the_brute_force_optimum(solver, tiny_optimum):
    res = solve(tiny(), solver=solver, time_limit=10, workers=1)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(tiny_optimum)
    assert res.bound == pytest.approx(tiny_optimum)
    assert res.gap == pytest.approx(0.0)
    assert not res.violations
    # vetoed TUR engineer never deployed, so the engineer demand stays open
    assert all(a.unit_id != "C1" for a in res.plan.assignments)


@pytest.mark.parametrize("solver", ["highs", "cpsat", "cbc"])
def test_a_seed_beyond_31_bits_still_runs_the_solver(solver, tiny_optimum):
    # a sweep's sample seeds are sampling seed × 1,000,003 + i: past 2^31 from seed 2,148 on
    res = solve(tiny(), solver=solver, time_limit=10, workers=1, seed=3 * 2**31 + 5)
    assert res.solver == solver and not res.used_greedy_fallback, res.notes
    assert res.status == "optimal" and res.objective == pytest.approx(tiny_optimum)


@pytest.mark.parametrize("solver", ["highs", "cpsat"])
def test_optimal_is_claimed_only_when_the_bound_proves_it_without_an_objective_step(solver):
    # a weight with more decimals than objective_granularity tries: no step to prove against
    # and CP-SAT sees a rounded objective
    inst = dataclasses.replace(tiny(), weights=Weights(nation_in_sector=2.0000001 / 3))
    assert objective_granularity(Formulation(inst).model) is None
    optimum = brute_force(inst)
    # no warm start: no coverage stage, so the status is the backend's own claim
    res = solve(inst, solver=solver, time_limit=10, workers=1, warm_start=False)
    assert res.objective == pytest.approx(optimum)
    assert res.bound is not None and res.bound >= optimum - 1e-9
    if res.status == "optimal":
        assert res.bound - res.objective < 1e-6


def test_cp_sat_on_a_rounded_objective_claims_no_optimum_and_keeps_a_valid_bound():
    from stabforce.planning.solver.backends import solve_cpsat
    from stabforce.planning.solver.formulation import LinearModel

    # two thirds no power of ten scales: CP-SAT sees 333/1000 each
    model = LinearModel()
    first = model.add_var("x1", 0, 1, 1 / 3)
    second = model.add_var("x2", 0, 1, 2 / 3 - 1e-4)
    model.add_row([first, second], [1.0, 1.0], 0, 1)
    res = solve_cpsat(model, time_limit=5, workers=1)
    assert res.objective == pytest.approx(2 / 3 - 1e-4)
    assert res.status == "feasible"  # optimal for the rounded objective only
    assert res.bound >= 2 / 3 - 1e-4  # raised by the rounding's largest effect


def test_greedy_is_feasible_and_planner_not_worse():
    inst = generate.gaza()
    g = greedy_plan(inst)
    assert not check_plan(inst, g).violations
    res = solve(inst, solver="auto", time_limit=3)
    assert not res.violations
    assert res.objective >= evaluate(inst, g) - 1e-9
    assert res.bound is not None and res.bound >= res.objective


def test_formulation_objective_matches_checker():
    inst = generate.gaza(seed=3)
    form = Formulation(inst)
    plan = greedy_plan(inst)
    vec = form.vector_from_counts(form.counts_from_plan(plan))
    assert form.model.max_violation(vec) < 1e-6
    assert form.model.objective(vec) == pytest.approx(evaluate(inst, plan))
    # and back: class counts -> units -> counts is the identity
    counts = form.counts_from_plan(plan)
    assert form.counts_from_plan(form.plan_from_counts(counts)) == counts


def test_symmetric_units_are_aggregated():
    units = tuple(Unit(f"U{i}", "IDN", "inf") for i in range(30))
    demands = tuple(Demand(f"d{s}", f"s{s}", "security", "inf", 0, 3) for s in range(5))
    form = Formulation(Instance(units=units, demands=demands))
    assert len(form.classes) == 1
    res = solve(Instance(units=units, demands=demands), solver="highs", time_limit=5)
    assert res.status == "optimal"
    assert len(res.plan) == 15


def test_composition_target_is_soft_and_reported():
    units = (Unit("I1", "ITA", "inf", 100), Unit("I2", "ITA", "inf", 100))
    demands = (Demand("d", "north", "security", "inf", 0, 2),)
    inst = Instance(
        units=units,
        demands=demands,
        nations=(Nation("ITA", frozenset({"EU"})),),
        composition=(CompositionTarget("OIC", 0.1),),
    )
    res = solve(inst, solver="highs", time_limit=5)
    assert res.status == "optimal"
    report = check_plan(inst, res.plan)
    # a 10 % OIC target cannot be met: the plan deploys anyway (coverage 2 x 100 beats
    # 10 troops short x 10) and the shortfall is reported
    assert len(res.plan) == 2
    assert any("short of the OIC composition target" in s for s in report.soft)


def test_auto_leaves_cbc_out_when_the_time_limit_is_shorter_than_its_start_up():
    from stabforce.planning.solver.formulation import Formulation
    from stabforce.planning.solver.planner import CBC_MIN_TIME_LIMIT, choose_solver

    form = Formulation(generate.gaza())
    assert choose_solver(form, time_limit=10) == "cbc"
    assert choose_solver(form, time_limit=CBC_MIN_TIME_LIMIT / 3) == "highs"
    quick = solve(generate.gaza(), time_limit=1.0)
    assert quick.solver == "highs" and "auto chose highs" in quick.notes


def test_auto_chooses_on_the_time_left_after_the_coverage_stage(monkeypatch):
    from stabforce.planning.solver import planner

    stage = planner._coverage_stage

    def slow_stage(*args, **kwargs):
        time.sleep(1.0)  # as the stage takes on a bigger model
        return stage(*args, **kwargs)

    monkeypatch.setattr(planner, "_coverage_stage", slow_stage)
    res = solve(tiny(), time_limit=planner.CBC_MIN_TIME_LIMIT + 0.5, workers=1)
    # 3.5 s asked, 2.5 s left for the backend: too little for CBC's start-up
    assert res.solver == "highs" and res.notes[0] == "auto chose highs"
