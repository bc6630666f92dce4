"""The coverage stage: the coverage part of the MILP alone gives a valid bound and a start."""

import pytest
from test_solver_model import brute_force, tiny  # same folder (rootdir-relative import)

from stabforce.planning.solver import (
    Demand,
    Instance,
    Unit,
    check_plan,
    evaluate,
    generate,
    greedy_plan,
    solve,
)
from stabforce.planning.solver.backends import solve_highs
from stabforce.planning.solver.formulation import Formulation


def _split(form: Formulation, vec: list[float]) -> tuple[float, float]:
    """(coverage part, cohesion part) of a full model vector."""
    cov = set(form.x.values()) | set(form.v.values())
    a = sum(c * vec[j] for j, c in enumerate(form.model.obj) if j in cov)
    return a, form.model.objective(vec) - a


def test_split_of_a_plan_respects_both_parts():
    inst = generate.gaza(seed=3)
    form = Formulation(inst)
    vec = form.vector_from_counts(form.counts_from_plan(greedy_plan(inst)))
    sub, keep = form.coverage_model()
    proj = [vec[j] for j in keep]
    assert sub.max_violation(proj) < 1e-6  # the coverage model is a relaxation
    a, b = _split(form, vec)
    assert sub.objective(proj) == pytest.approx(a)
    assert b <= form.cohesion_bound() + 1e-9
    # 5 sectors with lead candidates, at most 10 - 2 each
    assert form.cohesion_bound() == pytest.approx(40.0)


def test_coverage_bound_is_a_valid_bound_on_the_tiny_instance():
    inst = tiny()
    form = Formulation(inst)
    sub, _keep = form.coverage_model()
    res = solve_highs(sub, time_limit=5)
    assert res.status == "optimal"
    assert res.bound + form.cohesion_bound() >= brute_force(inst) - 1e-9


def test_planner_uses_the_coverage_stage_on_multi_period_instances():
    inst = generate.gaza()
    res = solve(inst, solver="auto", time_limit=4)
    assert any(n.startswith("coverage stage:") for n in res.notes)
    assert not res.violations
    assert res.objective >= evaluate(inst, greedy_plan(inst)) - 1e-9
    assert res.bound is not None and res.bound >= res.objective
    assert res.objective == pytest.approx(check_plan(inst, res.plan).objective.total)
    # the trace never goes down and starts with the greedy plan
    objs = [t.objective for t in res.trace]
    assert objs[0] == pytest.approx(res.greedy_objective)
    # solvers run alone (no warm start) do not get the stage
    alone = solve(inst, solver="highs", time_limit=2, warm_start=False)
    assert not any(n.startswith("coverage stage:") for n in alone.notes)


def test_coverage_stage_bound_can_prove_optimality():
    """One nation covers everything in one sector: cohesion is at its maximum (lead, one
    nation, no departures), so coverage bound + cohesion maximum is attained."""
    units = tuple(Unit(f"U{i}", "IDN", "inf") for i in range(3))
    demands = tuple(Demand(f"d{p}", "north", "security", "inf", p, 2) for p in range(3))
    inst = Instance(units=units, demands=demands, periods=3)
    res = solve(inst, solver="cpsat", time_limit=5, workers=1)
    assert res.status == "optimal"
    assert res.bound == pytest.approx(res.objective)
    assert res.objective == pytest.approx(6 * 100 - 2 + 10)
