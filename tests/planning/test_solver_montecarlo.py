"""Monte Carlo: certainty reproduces the deterministic plan; local processes and Dask agree."""

import pytest

from stabforce.planning.solver import Demand, Instance, Unit, generate, solve
from stabforce.planning.solver.montecarlo import monte_carlo, sample_instance

CERTAIN = {"committed": 1.0, "offered": 1.0, "considering": 1.0, "interest": 1.0}


def small() -> Instance:
    units = tuple(
        Unit(
            f"U{i}",
            "IDN" if i % 2 else "ITA",
            "inf",
            pledge_id=f"P{i // 2}",
            status=("committed", "considering")[i % 2],
        )
        for i in range(6)
    )
    demands = tuple(
        Demand(f"{s}-{p}", s, "security", "inf", p, 2, 3.0) for s in ("a", "b") for p in range(2)
    )
    return Instance(units=units, demands=demands, periods=2)


def test_probability_one_equals_deterministic_coverage():
    inst = generate.gaza()
    res = monte_carlo(inst, 3, probabilities=CERTAIN, workers=0)
    plan = solve(inst, solver="greedy").plan
    covered = plan.covered(inst.demand_map())
    for d in inst.demands:
        expected = 1.0 if covered[d.id] >= d.units_required else 0.0
        assert res.prob_fully_covered[d.id] == expected
    assert res.mean_units_present == len(inst.units)


def test_pledges_are_sampled_whole():
    inst = small()
    for seed in range(20):
        kept = {u.id for u in sample_instance(inst, seed).units}
        for i in range(0, 6, 2):
            assert (f"U{i}" in kept) == (f"U{i + 1}" in kept)


def test_local_processes_and_progress():
    calls = []
    res = monte_carlo(small(), 20, workers=2, batch_size=5, progress=lambda d, t: calls.append(d))
    assert res.samples == 20
    assert calls[-1] == 20 and len(calls) == 4
    assert 0.0 <= res.by_sector["a"].mean <= 1.0


def test_dask_local_cluster_gives_the_same_answer():
    distributed = pytest.importorskip("distributed")
    inst = small()
    local = monte_carlo(inst, 20, workers=0, batch_size=5)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = monte_carlo(inst, 20, scheduler=client, batch_size=5)
    assert remote.prob_fully_covered == local.prob_fully_covered
    assert remote.by_line["security"].mean == pytest.approx(local.by_line["security"].mean)
