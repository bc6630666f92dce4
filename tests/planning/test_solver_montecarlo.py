"""Monte Carlo: certainty reproduces the deterministic plan; local processes and Dask agree."""

import signal
import subprocess
import sys
import threading
import time

import pytest

from stabforce.planning.solver import Demand, Instance, Unit, generate, montecarlo, solve
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
    res = monte_carlo(inst, 3, probabilities=CERTAIN, workers=0, method="greedy")
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


def test_local_processes_and_progress(monkeypatch):
    monkeypatch.setattr(montecarlo, "IDLE_PROGRESS_EVERY", 10**6)  # only batch reports here
    calls = []
    res = monte_carlo(
        small(), 20, workers=2, batch_size=5, method="greedy", progress=lambda d, t: calls.append(d)
    )
    assert res.samples == 20
    assert calls == [5, 10, 15, 20]
    assert 0.0 <= res.by_sector["a"].mean <= 1.0


def test_dask_local_cluster_gives_the_same_answer():
    distributed = pytest.importorskip("distributed")
    inst = small()
    local = monte_carlo(inst, 20, workers=0, batch_size=5, method="greedy")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = monte_carlo(inst, 20, scheduler=client, batch_size=5, method="greedy")
    assert remote.prob_fully_covered == local.prob_fully_covered
    assert remote.by_line["security"].mean == pytest.approx(local.by_line["security"].mean)


def test_by_default_each_sample_is_planned_by_the_planner_not_the_greedy_heuristic():
    # One unit with a one-month tour: greedy, month by month, spends it on the low-priority
    # month 0; the planner keeps it for the priority-5 month 1. A certain sweep must report
    # the planner's answer.
    inst = Instance(
        units=(Unit("U1", "IDN", "inf", max_deployment_periods=1),),
        demands=(
            Demand("early", "a", "security", "inf", 0, 1, 1.0),
            Demand("late", "a", "security", "inf", 1, 1, 5.0),
        ),
        periods=2,
    )
    greedy = solve(inst, solver="greedy").plan.covered(inst.demand_map())
    assert greedy == {"early": 1, "late": 0}, "the heuristic's blind spot this test relies on"
    res = monte_carlo(inst, 2, probabilities=CERTAIN, workers=0)
    assert res.prob_fully_covered == {"early": 0.0, "late": 1.0}


SWEEP_THAT_RUNS_LONG = """
from stabforce.planning.solver import generate
from stabforce.planning.solver.montecarlo import monte_carlo
monte_carlo(generate.gaza(), 50, workers=2, batch_size=1, time_limit=30)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")
def test_pool_processes_die_with_the_process_that_started_them():
    psutil = pytest.importorskip("psutil")
    parent = subprocess.Popen([sys.executable, "-c", SWEEP_THAT_RUNS_LONG])
    try:
        deadline = time.monotonic() + 60
        children = []
        while time.monotonic() < deadline and len(children) < 2:
            time.sleep(0.2)
            children = psutil.Process(parent.pid).children()
        assert len(children) >= 2, "the sweep never started its pool"
    finally:
        parent.kill()  # as a server worker killed mid-sweep
        parent.wait()
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"orphaned pool processes: {[p.pid for p in alive]}"


SWEEP_AFTER_A_HIGHS_SOLVE = """
from stabforce.planning.solver import generate, solve
from stabforce.planning.solver.montecarlo import monte_carlo
solve(generate.gaza(), solver="highs", time_limit=1)  # as a server process has
result = monte_carlo(generate.gaza(), 4, workers=2, batch_size=1, time_limit=0.5)
print("samples", result.samples)
"""


def test_a_sweep_in_a_process_that_already_used_highs_finishes():
    # Forked pool processes inherit HiGHS's scheduler without its threads and spin forever.
    done = subprocess.run(
        [sys.executable, "-c", SWEEP_AFTER_A_HIGHS_SOLVE],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "samples 4" in done.stdout


def test_a_small_sweep_reports_progress_in_many_steps(monkeypatch):
    monkeypatch.setattr(montecarlo, "IDLE_PROGRESS_EVERY", 10**6)
    calls = []
    monte_carlo(small(), 16, workers=2, method="greedy", progress=lambda d, t: calls.append(d))
    assert calls == list(range(1, 17))  # one sample per batch: 16 over 2 processes


class Stop(Exception):
    pass


def test_an_exception_from_progress_stops_the_sweep_and_propagates(monkeypatch):
    monkeypatch.setattr(montecarlo, "IDLE_PROGRESS_EVERY", 10**6)  # only batch reports here
    calls = []

    def stop_after_the_first_batch(done, total):
        calls.append(done)
        raise Stop

    with pytest.raises(Stop):
        monte_carlo(
            small(), 200, workers=2, batch_size=5, method="greedy",
            progress=stop_after_the_first_batch,
        )  # fmt: skip
    assert calls == [5]


def test_a_stopped_sweep_stops_its_running_batches_rather_than_waiting_for_them(monkeypatch):
    # a cancelled run kept the machine's planner slot until every running batch had finished
    # (up to 25 samples x the time limit), only to drop their answers
    pools = []

    class RecordedPool(montecarlo.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(self)

    monkeypatch.setattr(montecarlo, "ProcessPoolExecutor", RecordedPool)
    monkeypatch.setattr(montecarlo, "IDLE_PROGRESS_EVERY", 0.5)
    workers = []

    def cancel_while_batches_run(done, total):
        workers.extend(pools[0]._processes.values())
        raise Stop

    with pytest.raises(Stop):
        # each batch: 4 planner solves of up to 5 s, so none can finish before the cancel
        monte_carlo(
            generate.gaza(seed=1), 8, workers=2, batch_size=4, method="auto", time_limit=5,
            progress=cancel_while_batches_run,
        )  # fmt: skip
    assert workers and all(process.exitcode == -signal.SIGTERM for process in workers)


def stuck_batch(*args, **kwargs):
    """A batch that never finishes while the test runs (a paused or hung Dask worker)."""
    RELEASE_STUCK_BATCHES.wait(60)
    return []


RELEASE_STUCK_BATCHES = threading.Event()


def test_a_sweep_can_be_stopped_while_no_batch_finishes(monkeypatch):
    # progress must still be reported, or a cancelled run would wait for ever and keep the
    # machine's planner slot
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(montecarlo, "IDLE_PROGRESS_EVERY", 0.2)
    monkeypatch.setattr(montecarlo, "run_batch", stuck_batch)
    calls = []

    def stop_when_asked(done, total):
        calls.append((done, total))
        raise Stop

    RELEASE_STUCK_BATCHES.clear()
    try:
        with (
            distributed.LocalCluster(
                n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            with pytest.raises(Stop):
                monte_carlo(small(), 20, scheduler=client, batch_size=5, progress=stop_when_asked)
            assert calls == [(0, 20)]
            RELEASE_STUCK_BATCHES.set()
            deadline = time.monotonic() + 30
            while cluster.scheduler.tasks and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not cluster.scheduler.tasks, "the stopped sweep's batches were left queued"
    finally:
        RELEASE_STUCK_BATCHES.set()


def test_a_cluster_that_loses_its_workers_interrupts_the_sweep():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):

        def lose_the_worker(done, total):
            for worker in list(cluster.workers.values()):
                client.sync(worker.close)

        with pytest.raises(montecarlo.SweepInterrupted, match="Dask cluster lost"):
            monte_carlo(
                generate.gaza(), 100, scheduler=client, batch_size=10, method="greedy",
                progress=lose_the_worker,
            )  # fmt: skip


def test_a_sweep_whose_processes_are_killed_is_interrupted_not_failed():
    psutil = pytest.importorskip("psutil")
    killed = []

    def kill_a_pool_process(done, total):
        if not killed:  # a pool process, not multiprocessing's resource tracker
            pool = [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]
            pool[0].kill()
            killed.append(pool[0].pid)

    with pytest.raises(montecarlo.SweepInterrupted, match="processes were killed"):
        monte_carlo(
            generate.gaza(), 200, workers=2, batch_size=5, method="greedy",
            progress=kill_a_pool_process,
        )  # fmt: skip
    assert killed


@pytest.mark.parametrize("answer", [None, b"SSH-2.0-OpenSSH_9.2\r\n" * 64])
def test_an_address_that_is_no_dask_scheduler_is_refused_in_time(monkeypatch, answer):
    # a dashboard port or a web server accepts the connection and never speaks Dask (the
    # client waited for ever); another service answers bytes that are no Dask message
    import socket

    pytest.importorskip("distributed")
    monkeypatch.setattr(montecarlo, "CONNECT_TIMEOUT", 1.0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(connection)
            if answer:
                connection.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}/"  # a trailing slash is forgiven
    started = time.monotonic()
    try:
        with pytest.raises(ConnectionError):
            monte_carlo(small(), 4, scheduler=address, method="greedy")
        assert time.monotonic() - started < 1.0 + 5 + 3
        # nothing left behind: the attempt's connection is closed, its thread gone (a server
        # with a wrong STABFORCE_DASK_SCHEDULER would otherwise gather them sweep by sweep)
        assert accepted
        for connection in accepted:
            connection.settimeout(5)
            while connection.recv(4096):
                pass
        assert not [t for t in threading.enumerate() if t.name == "dask-identify"]
    finally:
        listener.close()
        for connection in accepted:
            connection.close()


def test_a_sweep_whose_batches_stop_finishing_is_given_up(monkeypatch):
    monkeypatch.setattr(montecarlo, "IDLE_PROGRESS_EVERY", 0.05)
    batches = iter([["first batch"]])  # one finishes, then none does

    def ready():
        return next(batches, [])

    with pytest.raises(montecarlo.SweepStalled, match="no batch of samples finished in"):
        list(montecarlo._as_they_finish(ready, lambda: False, lambda: None, 0.3))
    # before any batch has finished the sweep may be waiting behind other work: no stall
    waited = []

    def idle():
        waited.append(time.monotonic())
        if len(waited) >= 10:  # 0.5 s, longer than the stall limit: enough waiting
            raise Stop

    with pytest.raises(Stop):
        list(montecarlo._as_they_finish(lambda: [], lambda: False, idle, 0.3))
    assert montecarlo.stall_limit([[1] * 25], 1.0) == 300.0
    assert montecarlo.stall_limit([[1] * 25, [2]], 5.0) == 1250.0


def test_a_port_out_of_range_is_refused_at_once():
    pytest.importorskip("distributed")
    started = time.monotonic()
    with pytest.raises(ConnectionError, match="99999 is not a port number"):
        montecarlo.connect_to_scheduler("tcp://127.0.0.1:99999")
    assert time.monotonic() - started < 5
