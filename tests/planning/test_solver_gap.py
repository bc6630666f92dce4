"""GAP reduction: the OR-Library parser and the planner's backend layer on a published optimum."""

import pytest

from stabforce.planning.solver.gap import (
    check_gap,
    data_dir,
    load_optima,
    parse_orlibrary,
    parse_yagiura,
    solve_gap,
)

DATA = data_dir()
pytestmark = pytest.mark.skipif(DATA is None, reason="GAP data (../shared/benchmarks/gap) absent")


def test_parse_gap1():
    problems = parse_orlibrary(DATA / "gap1.txt")
    assert len(problems) == 5
    assert all((p.m, p.n) == (5, 15) for p in problems)
    assert all(len(row) == 15 for p in problems for row in p.c + p.a)


@pytest.mark.parametrize(
    ("sense", "solver"), [("max", "highs"), ("min", "highs"), ("max", "cpsat")]
)
def test_gap1_first_instance_reaches_published_optimum(sense, solver):
    inst = parse_orlibrary(DATA / "gap1.txt")[0]
    known = load_optima(DATA / "optima.csv")[("gap1.txt", 1, sense)]
    assert known.value == {"max": 336, "min": 261}[sense]
    res = solve_gap(inst, sense, solver=solver, time_limit=20)
    assert res.status == "optimal"
    assert res.value == known.value
    assert check_gap(inst, res.assignment) == []


def test_yagiura_file_matches_orlibrary_copy():
    a = parse_orlibrary(DATA / "gapa.txt")[0]
    y = parse_yagiura(DATA / "yagiura" / "a05100")
    assert (y.m, y.n) == (5, 100)
    assert y.c == a.c and y.a == a.a and y.b == a.b
