"""The Generalised Assignment Problem (GAP) as a special case of the deployment planner.

With one period and no cohesion, continuity or composition terms, the troop-to-task model is
an assignment of units (GAP *jobs*) to tasks (GAP *agents*), where each task has a resource
budget (e.g. a sector's accommodation or sustainment capacity in troop-equivalents) and each
unit consumes ``a[i][j]`` of task ``i``'s budget. Requiring every unit to be used gives exactly
the GAP::

    opt  sum_ij c[i][j] x[i][j]
    s.t. sum_i x[i][j] = 1                 (each job to exactly one agent)
         sum_j a[i][j] x[i][j] <= b[i]     (agent capacity)
         x binary

The OR-Library / Yagiura files are read here and solved with the planner's backend layer
(the same :class:`LinearModel` and HiGHS / CP-SAT / CBC code), which makes the published
optima an external correctness and performance check of that layer.

Senses (see SOURCES.md next to the data): OR-Library publishes gap1-gap12 optima for
*maximisation* of profit; gapa-gapd and Yagiura's c/d/e instances are *minimisation* of cost.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .backends import BACKENDS, BackendResult
from .formulation import LinearModel

INF = float("inf")


@dataclass(frozen=True)
class GapInstance:
    """One GAP instance: ``m`` agents, ``n`` jobs, cost/profit ``c``, resource ``a``, cap ``b``."""

    name: str
    m: int
    n: int
    c: tuple[tuple[int, ...], ...]
    a: tuple[tuple[int, ...], ...]
    b: tuple[int, ...]


def _read_problem(tokens: list[int], pos: int, name: str) -> tuple[GapInstance, int]:
    m, n = tokens[pos], tokens[pos + 1]
    pos += 2
    c = tuple(tuple(tokens[pos + i * n : pos + (i + 1) * n]) for i in range(m))
    pos += m * n
    a = tuple(tuple(tokens[pos + i * n : pos + (i + 1) * n]) for i in range(m))
    pos += m * n
    b = tuple(tokens[pos : pos + m])
    pos += m
    if len(b) != m:
        raise ValueError(f"{name}: file ends early")
    return GapInstance(name, m, n, c, a, b), pos


def parse_orlibrary(path: str | os.PathLike[str]) -> list[GapInstance]:
    """All problems of an OR-Library GAP file (``P`` then P problems; a token stream)."""
    p = Path(path)
    tokens = [int(t) for t in p.read_text().split()]
    count, pos = tokens[0], 1
    out = []
    for i in range(count):
        inst, pos = _read_problem(tokens, pos, f"{p.stem}-{i + 1}")
        out.append(inst)
    if pos != len(tokens):
        raise ValueError(f"{p}: {len(tokens) - pos} unread tokens")
    return out


def parse_yagiura(path: str | os.PathLike[str]) -> GapInstance:
    """A single-problem file in Yagiura's format (OR-Library layout without the leading P)."""
    p = Path(path)
    tokens = [int(t) for t in p.read_text().split()]
    inst, pos = _read_problem(tokens, 0, p.name)
    if pos != len(tokens):
        raise ValueError(f"{p}: {len(tokens) - pos} unread tokens")
    return inst


@dataclass(frozen=True)
class KnownValue:
    file: str
    index: int
    sense: str
    value: int
    status: str  # "optimal" | "best_known_upper_bound"
    instance: str


def load_optima(path: str | os.PathLike[str]) -> dict[tuple[str, int, str], KnownValue]:
    """``optima.csv`` keyed by (file, 1-based problem index, sense)."""
    out = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kv = KnownValue(
                row["file"],
                int(row["problem_index"]),
                row["sense"],
                int(row["optimum"]),
                row.get("status", "optimal"),
                row.get("instance", ""),
            )
            out[(kv.file, kv.index, kv.sense)] = kv
    return out


def gap_model(inst: GapInstance, sense: str) -> LinearModel:
    """The GAP as the planner's :class:`LinearModel` (always maximised: cost is negated)."""
    sign = 1.0 if sense == "max" else -1.0
    m = LinearModel()
    var = [[0] * inst.n for _ in range(inst.m)]
    for i in range(inst.m):
        for j in range(inst.n):
            var[i][j] = m.add_var(f"x[{i},{j}]", 0, 1, sign * inst.c[i][j])
    for j in range(inst.n):
        m.add_row([var[i][j] for i in range(inst.m)], [1.0] * inst.m, 1.0, 1.0)
    for i in range(inst.m):
        m.add_row(var[i], [float(v) for v in inst.a[i]], -INF, float(inst.b[i]))
    return m


@dataclass
class GapResult:
    name: str
    sense: str
    value: float | None  # in the instance's own sense (cost or profit)
    bound: float | None
    status: str
    seconds: float
    assignment: list[int] | None  # agent of each job


def solve_gap(
    inst: GapInstance,
    sense: str,
    *,
    solver: str = "highs",
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
) -> GapResult:
    model = gap_model(inst, sense)
    t0 = time.perf_counter()
    res: BackendResult = BACKENDS[solver](
        model, time_limit=time_limit, seed=seed, workers=workers, start=None, t0=t0
    )
    sign = 1.0 if sense == "max" else -1.0
    assignment = None
    value = None
    if res.values is not None:
        assignment = [-1] * inst.n
        for i in range(inst.m):
            for j in range(inst.n):
                if res.values[i * inst.n + j] > 0.5:
                    assignment[j] = i
        value = float(sum(inst.c[assignment[j]][j] for j in range(inst.n)))
    bound = None if res.bound is None else sign * res.bound
    return GapResult(inst.name, sense, value, bound, res.status, res.seconds, assignment)


def check_gap(inst: GapInstance, assignment: list[int]) -> list[str]:
    """Violations of a GAP assignment (every job assigned once, capacities respected)."""
    out = []
    load = [0] * inst.m
    for j, i in enumerate(assignment):
        if not 0 <= i < inst.m:
            out.append(f"job {j} unassigned")
            continue
        load[i] += inst.a[i][j]
    for i in range(inst.m):
        if load[i] > inst.b[i]:
            out.append(f"agent {i} load {load[i]} exceeds capacity {inst.b[i]}")
    return out


def data_dir(repo_root: str | os.PathLike[str] | None = None) -> Path | None:
    """Where the GAP files are: ``$STABFORCE_GAP_DATA`` or ``../shared/benchmarks/gap``."""
    env = os.environ.get("STABFORCE_GAP_DATA")
    if env:
        p = Path(env)
        return p if p.is_dir() else None
    root = Path(repo_root) if repo_root else Path(__file__).resolve().parents[4]
    p = root.parent / "shared" / "benchmarks" / "gap"
    return p if p.is_dir() else None
