"""Monte Carlo over pledge conversion: how likely is each requirement to be covered?

Each sample keeps every *pledge* (all its units together; a unit without a pledge id on its
own) with the probability of its status, re-plans, and records coverage. Samples are pure
functions of ``(instance, seed)``, so the same code runs on local processes
(:class:`concurrent.futures.ProcessPoolExecutor`, the default) or on a Dask distributed cluster
(pass ``scheduler`` = address or a ``distributed.Client``): seeds are split into batches and
each batch is one task, executed by either executor.

Each sample is re-planned by the planner itself (``method="auto"``: greedy floor, then a
warm-started MILP within ``time_limit`` seconds), so a sample that keeps every pledge answers
exactly as the plan page does. ``method="greedy"`` is the fast option for very large sweeps,
but its deployment can differ a lot from the optimum's per sector (it fills demands in priority
order), so its per-sector figures describe the heuristic, not the best plan.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import random
import re
import signal
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for_first
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from .model import Instance

#: While no batch finishes, ``progress`` is still called this often (seconds), so that a caller
#: can stop a sweep whose batches are stuck (a paused or hung Dask worker).
IDLE_PROGRESS_EVERY = 5.0


class SweepInterrupted(Exception):
    """The sweep's executor lost its batches from outside: pool processes killed (a service
    manager stopping the whole group, the out-of-memory killer) or a Dask cluster that lost
    the workers holding its data. Not the question's fault: it can be asked again."""


class SweepStalled(SweepInterrupted):
    """Batches had been finishing, then none did for :func:`stall_limit` seconds: a worker
    paused or wedged. Asked again, the sweep may find the executor healthy."""


DEFAULT_PROBABILITIES: dict[str, float] = {
    "committed": 0.95,
    "offered": 0.7,
    "considering": 0.35,
    "interest": 0.15,
}


@dataclass
class SampleResult:
    """Coverage of one sampled force (unit-periods covered / required)."""

    seed: int
    units_present: int
    objective: float
    covered: dict[str, int]  # demand id -> units covered


@dataclass
class Distribution:
    mean: float
    p10: float
    p50: float
    p90: float


@dataclass
class MonteCarloResult:
    samples: int
    by_sector: dict[str, Distribution] = field(default_factory=dict)  # coverage share
    by_line: dict[str, Distribution] = field(default_factory=dict)
    prob_fully_covered: dict[str, float] = field(default_factory=dict)  # per demand
    mean_units_present: float = 0.0
    results: list[SampleResult] = field(default_factory=list)


def sample_instance(
    instance: Instance, seed: int, probabilities: Mapping[str, float] = DEFAULT_PROBABILITIES
) -> Instance:
    """The instance with each pledge kept with its status's probability."""
    rng = random.Random(seed)
    keep: dict[str, bool] = {}
    units = []
    for u in sorted(instance.units, key=lambda u: (u.pledge_id or u.id, u.id)):
        key = u.pledge_id or f"unit:{u.id}"
        if key not in keep:
            keep[key] = rng.random() < probabilities.get(u.status, 0.0)
        if keep[key]:
            units.append(u)
    return instance.with_(units=tuple(units))


def run_batch(
    instance: Instance,
    seeds: Sequence[int],
    probabilities: Mapping[str, float],
    method: str = "auto",
    time_limit: float = 1.0,
) -> list[SampleResult]:
    """Solve the samples ``seeds`` (the unit of work shipped to a process or Dask worker)."""
    from .planner import solve

    out = []
    dm = instance.demand_map()
    for seed in seeds:
        inst = sample_instance(instance, seed, probabilities)
        res = solve(inst, solver=method, time_limit=time_limit, workers=1, seed=seed)
        out.append(SampleResult(seed, len(inst.units), res.objective, res.plan.covered(dm)))
    return out


def monte_carlo(
    instance: Instance,
    n_samples: int = 1000,
    *,
    seed: int = 0,
    probabilities: Mapping[str, float] | None = None,
    method: str = "auto",
    time_limit: float = 1.0,
    workers: int = 2,
    scheduler: object | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_results: bool = False,
) -> MonteCarloResult:
    """Sample ``n_samples`` forces and aggregate coverage.

    ``scheduler`` may be a Dask scheduler address (``"tcp://host:8786"``) or a
    ``distributed.Client``; otherwise ``workers`` local processes are used (``workers=0``: run
    in this process). ``progress(done, total)`` is called as batches finish, and (on processes
    or Dask) at least every :data:`IDLE_PROGRESS_EVERY` seconds while none does; an exception
    it raises stops the sweep (batches not started are dropped; local processes running a
    batch are stopped, Dask tasks cancelled) and propagates. Raises :class:`SweepInterrupted`
    when the executor loses the batches from outside. ``method`` and ``time_limit`` choose the
    per-sample planner (see the module docstring).
    """
    probs = dict(DEFAULT_PROBABILITIES if probabilities is None else probabilities)
    if batch_size is None:
        # about eight batches per process, so progress moves, and at most 25 samples per
        # batch, so shipping the instance to a process stays a small part of the work
        batch_size = max(1, min(25, math.ceil(n_samples / (8 * max(1, workers)))))
    seeds = [seed * 1_000_003 + i for i in range(n_samples)]
    batches = [seeds[i : i + batch_size] for i in range(0, len(seeds), batch_size)]
    results: list[SampleResult] = []

    def done(batch: list[SampleResult]) -> None:
        results.extend(batch)
        if progress is not None:
            progress(len(results), n_samples)

    def idle() -> None:
        if progress is not None:
            progress(len(results), n_samples)

    if scheduler is not None:
        from distributed import Client, KilledWorker
        from distributed import as_completed as dask_completed

        client = scheduler if isinstance(scheduler, Client) else connect_to_scheduler(scheduler)
        futs = []
        try:
            inst_f = client.scatter(instance, broadcast=True)
            futs = [
                client.submit(run_batch, inst_f, b, probs, method, time_limit, pure=False)
                for b in batches
            ]
            batches_done = dask_completed(futs)

            def dask_finished() -> list:
                batch = batches_done.next_batch(block=False)
                if not batch:
                    time.sleep(_POLL)
                return batch

            for finished in _as_they_finish(
                dask_finished, batches_done.is_empty, idle, stall_limit(batches, time_limit)
            ):
                done(finished.result())
        except (CancelledError, KilledWorker) as exc:
            client.cancel(futs)
            raise SweepInterrupted(
                f"the Dask cluster lost the sweep's batches ({type(exc).__name__}): its "
                "scheduler or the workers holding them went away"
            ) from exc
        except BaseException:
            client.cancel(futs)  # e.g. the run was cancelled: free the cluster
            raise
        finally:
            if client is not scheduler:
                client.close()
    elif workers <= 0:
        for b in batches:
            done(run_batch(instance, b, probs, method, time_limit))
    else:
        # "spawn", not fork: a forked child inherits HiGHS's thread pool without its threads
        # and spins forever waiting for them once the parent has solved anything with HiGHS
        # (a server process always has).
        spawn = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            workers, spawn, initializer=_die_with_parent, initargs=(os.getpid(),)
        )
        abandoned = True
        try:
            pending = {
                pool.submit(run_batch, instance, b, probs, method, time_limit) for b in batches
            }

            def next_finished() -> Iterable[Future]:
                nonlocal pending
                finished, pending = wait_for_first(pending, _POLL, FIRST_COMPLETED)
                if not finished and (dead := _dead_process(pool)):
                    # a process killed while writing its answer leaves the executor reading
                    # half a message for ever: it never reports the pool broken itself
                    raise SweepInterrupted(f"the sweep's processes were killed: {dead}")
                return finished

            for finished in _as_they_finish(
                next_finished, lambda: not pending, idle, stall_limit(batches, time_limit)
            ):
                done(finished.result())
            abandoned = False
        except BrokenProcessPool as exc:
            raise SweepInterrupted(f"the sweep's processes were killed: {exc}") from exc
        finally:
            if abandoned:  # ``progress`` raised (the run was cancelled), or worse
                _stop_processes(pool)
            pool.shutdown(wait=True, cancel_futures=True)
    results.sort(key=lambda r: r.seed)
    return aggregate(instance, results, keep_results)


#: How often (seconds) the sweep looks for finished batches when none was ready.
_POLL = 0.2


#: How long connecting to a Dask scheduler may take, handshake included (seconds).
CONNECT_TIMEOUT = 20.0


def connect_to_scheduler(address: str):
    """A ``distributed.Client`` on ``address``, or ConnectionError saying why not.

    Dask's own connect timeout does not cover everything: an address that accepts the
    connection but never speaks Dask (its dashboard port, a web server) made the client wait
    forever, and one that answers other bytes raised whatever decoding them raised (a
    MemoryError for an SSH banner). So the address is first asked who it is, on an event
    loop of its own under a deadline — cancelling that attempt closes its socket, nothing is
    left behind — and a client is made only for a scheduler."""
    from distributed import Client

    address = address.strip().rstrip("/")
    port = re.fullmatch(r"[a-z]+://.*:([0-9]+)", address)
    if port and not 0 < int(port.group(1)) < 65536:
        raise ConnectionError(f"{port.group(1)} is not a port number (1 to 65535)")
    outcome: dict[str, object] = {}

    def identify() -> None:  # on a thread: the caller may be running an event loop itself
        try:
            outcome["identity"] = asyncio.run(
                asyncio.wait_for(_ask_identity(address, CONNECT_TIMEOUT), CONNECT_TIMEOUT)
            )
        except Exception as exc:  # noqa: BLE001 - reported by the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=identify, name="dask-identify", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT + 5)  # wait_for ends it within CONNECT_TIMEOUT
    error = outcome.get("error")
    if thread.is_alive() or isinstance(error, TimeoutError):
        raise ConnectionError(
            f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT:.0f} s "
            "(is it the scheduler's port, not the dashboard's?)"
        )
    if isinstance(error, OSError):  # refused, unreachable, timed out: Dask's own words
        raise ConnectionError(f"{type(error).__name__}: {error}".strip(": ")) from error
    if error is not None:  # bytes that are no Dask message (an SSH banner read as a length...)
        raise ConnectionError(
            f"{address} answered, but not as a Dask scheduler ({type(error).__name__})"
        ) from error
    identity = outcome.get("identity")
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise ConnectionError(f"{address} answered, but not as a Dask scheduler")
    return Client(address, timeout=CONNECT_TIMEOUT)


async def _ask_identity(address: str, timeout: float) -> object:
    from distributed.comm import connect
    from distributed.security import Security

    # the TLS settings of the Dask configuration, as the client will use them
    comm = await connect(address, timeout=timeout, **Security().get_connection_args("client"))
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def stall_limit(batches: Sequence[Sequence[int]], time_limit: float) -> float:
    """Seconds without a finished batch after which a sweep is given up: ten times the
    longest batch's time limits, and at least five minutes (a paused or wedged worker would
    otherwise keep the sweep waiting for ever)."""
    longest = max((len(batch) for batch in batches), default=1)
    return max(300.0, 10 * longest * max(time_limit, 0.1))


def _as_they_finish(
    ready: Callable[[], Iterable],
    exhausted: Callable[[], bool],
    idle: Callable[[], None],
    stall_after: float = math.inf,
) -> Iterable:
    """Futures as they finish, calling ``idle()`` every :data:`IDLE_PROGRESS_EVERY` seconds
    in which none did. ``ready()`` returns the futures finished since its last call (it may
    wait up to :data:`_POLL` seconds); ``exhausted()`` tells when every future was returned.
    Waiting in slices instead of blocking is what lets a cancelled sweep stop even when its
    executor never finishes another batch. Once a batch has finished, no other finishing for
    ``stall_after`` seconds raises :class:`SweepStalled` (the clock starts at the first
    finished batch: until then the batches may wait behind other work on a shared cluster).
    """
    last = time.monotonic()
    last_finished: float | None = None
    while not exhausted():
        finished = list(ready())
        if finished:
            yield from finished
            last = last_finished = time.monotonic()
            continue
        if last_finished is not None and time.monotonic() - last_finished >= stall_after:
            raise SweepStalled(
                f"no batch of samples finished in {stall_after:.0f} s: a worker is stuck or paused"
            )
        if time.monotonic() - last >= IDLE_PROGRESS_EVERY:
            idle()
            last = time.monotonic()


def _stop_processes(pool: ProcessPoolExecutor) -> None:
    """Stop the processes of an abandoned sweep now. Their batches' answers would be dropped,
    and waiting for them kept the run's slot busy for up to a batch (25 samples × the time
    limit). The executor has no public way to do this; ``_processes`` (pid → process) has been
    there since Python 3.2. A sample's CBC process dies with its worker (``setpriv
    --pdeathsig``)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    # The executor's thread may be stuck reading half an answer from a process that was
    # killed while writing it. Once the processes are gone, closing this process's end of the
    # answers pipe gives that read an end of file, and the executor shuts down instead of
    # hanging (``pool.shutdown`` joins that thread, as does the interpreter at exit).
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.join(5)
        writer.close()


def _dead_process(pool: ProcessPoolExecutor) -> str:
    """``process 1234 ended with -9`` for a pool process that has ended, or "" (pool
    processes never end on their own while the sweep runs)."""
    for pid, process in list((getattr(pool, "_processes", None) or {}).items()):
        if process.exitcode is not None:
            return f"process {pid} ended with {process.exitcode}"
    return ""


def _die_with_parent(parent_pid: int) -> None:
    """Pool processes end when the process that started them does, and only then.

    A sweep may run inside a server worker; if that worker is killed, its pool processes must
    not run on as orphans (PR_SET_PDEATHSIG). They leave the terminal's process group, so a
    Ctrl-C meant for the server does not kill them (and their CBC children) mid-sample before
    the server has stopped the run; and they drop the signal handlers inherited from a server
    (gunicorn turns SIGTERM into a graceful-exit flag that a solver process never checks).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setpgrp()
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)


def _dist(values: list[float]) -> Distribution:
    v = sorted(values)
    if not v:
        return Distribution(0.0, 0.0, 0.0, 0.0)

    def q(p: float) -> float:
        return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]

    return Distribution(sum(v) / len(v), q(0.1), q(0.5), q(0.9))


def aggregate(
    instance: Instance, results: list[SampleResult], keep_results: bool = False
) -> MonteCarloResult:
    """Coverage share per sector and LoO, and P(fully covered) per demand."""
    req_s: dict[str, int] = defaultdict(int)
    req_l: dict[str, int] = defaultdict(int)
    for d in instance.demands:
        req_s[d.sector] += d.units_required
        req_l[d.line] += d.units_required
    per_s: dict[str, list[float]] = defaultdict(list)
    per_l: dict[str, list[float]] = defaultdict(list)
    full: dict[str, int] = defaultdict(int)
    for r in results:
        cs: dict[str, int] = defaultdict(int)
        cl: dict[str, int] = defaultdict(int)
        for d in instance.demands:
            c = r.covered.get(d.id, 0)
            cs[d.sector] += c
            cl[d.line] += c
            if c >= d.units_required:
                full[d.id] += 1
        for s, req in req_s.items():
            per_s[s].append(cs[s] / req if req else 1.0)
        for line, req in req_l.items():
            per_l[line].append(cl[line] / req if req else 1.0)
    n = max(1, len(results))
    return MonteCarloResult(
        samples=len(results),
        by_sector={s: _dist(v) for s, v in sorted(per_s.items())},
        by_line={s: _dist(v) for s, v in sorted(per_l.items())},
        prob_fully_covered={d.id: full[d.id] / n for d in instance.demands},
        mean_units_present=sum(r.units_present for r in results) / n,
        results=results if keep_results else [],
    )
