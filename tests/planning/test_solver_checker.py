"""Property tests: the checker accepts the planner's plans and rejects mutated ones."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stabforce.planning.solver import (
    Assignment,
    Demand,
    Instance,
    Objection,
    Plan,
    Unit,
    check_plan,
    solve,
)

SECTORS = ("north", "south", "east")
LINES = ("security", "medical")
CAPS = ("inf", "med")
NATIONS = ("IDN", "ITA", "TUR", "PAK")


@st.composite
def instances(draw) -> Instance:
    periods = draw(st.integers(1, 3))
    n_units = draw(st.integers(2, 7))
    units = []
    for i in range(n_units):
        start = draw(st.integers(0, periods - 1))
        units.append(
            Unit(
                id=f"U{i}",
                nation=draw(st.sampled_from(NATIONS)),
                capability=draw(st.sampled_from(CAPS)),
                strength=draw(st.sampled_from((100, 150))),
                available_from=start,
                available_until=draw(st.one_of(st.none(), st.integers(start, periods - 1))),
                forbidden_sectors=frozenset(draw(st.sets(st.sampled_from(SECTORS), max_size=1))),
                forbidden_lines=frozenset(draw(st.sets(st.sampled_from(LINES), max_size=1))),
                max_deployment_periods=draw(st.one_of(st.none(), st.integers(1, 2))),
            )
        )
    demands = []
    for p in range(periods):
        for j in range(draw(st.integers(2, 4))):
            demands.append(
                Demand(
                    id=f"D{p}-{j}",
                    sector=draw(st.sampled_from(SECTORS)),
                    line=draw(st.sampled_from(LINES)),
                    capability=draw(st.sampled_from(CAPS)),
                    period=p,
                    units_required=draw(st.integers(1, 2)),
                    priority=float(draw(st.integers(1, 5))),
                )
            )
    return Instance(
        units=tuple(units),
        demands=tuple(demands),
        objections=(Objection("ISR", frozenset({"TUR"})),),
        periods=periods,
    )


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(instances(), st.sampled_from(["highs", "greedy"]))
def test_checker_accepts_planner_plans(inst, solver):
    res = solve(inst, solver=solver, time_limit=2, workers=1)
    report = check_plan(inst, res.plan)
    assert report.violations == []
    assert report.objective.total == res.objective
    if solver == "highs":
        assert res.objective >= res.greedy_objective


def _with(plan: Plan, unit: str, demand: str) -> Plan:
    return Plan(plan.assignments | {Assignment(unit, demand)})


def _base(inst: Instance) -> Plan:
    return solve(inst, solver="greedy").plan


@SETTINGS
@given(instances())
def test_checker_rejects_double_assignment(inst):
    plan = _base(inst)
    dm = inst.demand_map()
    options = [
        (a.unit_id, d.id)
        for a in plan.assignments
        for d in inst.demands
        if d.period == dm[a.demand_id].period and d.id != a.demand_id
    ]
    assume(options)
    unit, demand = options[0]
    violations = check_plan(inst, _with(plan, unit, demand)).violations
    assert any(f"unit {unit} is assigned 2 times" in v for v in violations)


def _first_pair(inst: Instance, pred) -> tuple[str, str] | None:
    for u in inst.units:
        for d in inst.demands:
            if pred(u, d):
                return u.id, d.id
    return None


@SETTINGS
@given(instances())
def test_checker_rejects_forbidden_sector(inst):
    pair = _first_pair(inst, lambda u, d: d.sector in u.forbidden_sectors)
    assume(pair)
    violations = check_plan(inst, _with(_base(inst), *pair)).violations
    assert any("caveat excludes sector" in v for v in violations)


@SETTINGS
@given(instances())
def test_checker_rejects_vetoed_nation(inst):
    pair = _first_pair(inst, lambda u, d: u.nation == "TUR")
    assume(pair)
    violations = check_plan(inst, _with(_base(inst), *pair)).violations
    assert any("vetoed by ISR" in v for v in violations)


@SETTINGS
@given(instances())
def test_checker_rejects_outside_availability(inst):
    pair = _first_pair(inst, lambda u, d: not u.available_in(d.period, inst.periods))
    assume(pair)
    violations = check_plan(inst, _with(_base(inst), *pair)).violations
    assert any("available only from" in v for v in violations)


@SETTINGS
@given(instances())
def test_checker_rejects_wrong_capability(inst):
    pair = _first_pair(inst, lambda u, d: u.capability != d.capability)
    assume(pair)
    violations = check_plan(inst, _with(_base(inst), *pair)).violations
    assert any("needs" in v and "provides" in v for v in violations)
