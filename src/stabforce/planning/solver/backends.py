"""MILP backends: HiGHS (highspy API), OR-Tools CP-SAT and CBC (through PuLP).

Each backend takes the solver-neutral :class:`LinearModel` (maximisation, all-integer), an
optional complete warm-start vector, a time limit, a worker count and a seed, and returns a
:class:`BackendResult` with the best solution, the proved bound and an incumbent trace. Times
are seconds since ``t0`` (the planner call's start), so traces of different solvers line up.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field

from .formulation import LinearModel
from .model import TracePoint


@dataclass
class BackendResult:
    status: str  # optimal | time_limit | feasible | infeasible | error
    values: list[float] | None
    objective: float | None
    bound: float | None
    trace: list[TracePoint] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def objective_granularity(model: LinearModel) -> float | None:
    """Step of the objective over integer solutions (1/F with F a power of ten), if any.

    When every variable is integer and every objective coefficient is a multiple of 1/F, two
    objective values differ by at least 1/F, so an absolute gap just below 1/F proves
    optimality exactly (no relative-gap fudge).
    """
    if not all(model.integer):
        return None
    for f in (1, 10, 100, 1000, 10000):
        if all(abs(c * f - round(c * f)) < 1e-9 for c in model.obj):
            return 1.0 / f
    return None


def _int_scale(values: list[float], limit: int = 10**6) -> int | None:
    f = 1
    while f <= limit:
        if all(abs(v * f - round(v * f)) < 1e-9 * max(1.0, abs(v * f)) for v in values):
            return f
        f *= 10
    return None


# ---------------------------------------------------------------------------------- HiGHS
_highs_banner_shown = False


def _new_highs():
    """A silent HiGHS instance. HiGHS writes its banner straight to file descriptor 1 the
    first time one is created, before any option can be set; that would corrupt
    `stabforce plan --json`, so the first construction runs with stdout pointed at /dev/null."""
    import highspy

    global _highs_banner_shown
    if _highs_banner_shown:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _highs_banner_shown = True
    highs.setOptionValue("output_flag", False)
    return highs


def solve_highs(
    model: LinearModel,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 1,
    start: list[float] | None = None,
    t0: float | None = None,
) -> BackendResult:
    import highspy

    t0 = time.perf_counter() if t0 is None else t0
    h = _new_highs()
    h.setOptionValue("time_limit", float(max(0.01, time_limit)))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", 0.0)
    gran = objective_granularity(model)
    # without a step: proved to 1e-6 absolute, the planner's own test (a relative 1e-7 let
    # HiGHS stop at a gap the planner then did not call optimal)
    h.setOptionValue("mip_abs_gap", 0.999 * gran if gran else 1e-6)

    lp = highspy.HighsLp()
    n = model.num_vars
    lp.num_col_ = n
    lp.num_row_ = model.num_rows
    lp.col_cost_ = model.obj
    lp.col_lower_ = model.lb
    lp.col_upper_ = model.ub
    inf = highspy.kHighsInf
    lp.row_lower_ = [(-inf if math.isinf(v) else v) for v in model.row_lo]
    lp.row_upper_ = [(inf if math.isinf(v) else v) for v in model.row_hi]
    starts = [0]
    index: list[int] = []
    value: list[float] = []
    for idx, val in zip(model.row_idx, model.row_val, strict=True):
        index.extend(idx)
        value.extend(val)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = model.num_rows
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
        for i in model.integer
    ]
    lp.sense_ = highspy.ObjSense.kMaximize
    h.passModel(lp)

    trace: list[TracePoint] = []

    def on_improve(e) -> None:  # noqa: ANN001 - highspy event object
        out = e.data_out
        bound = out.mip_dual_bound
        trace.append(
            TracePoint(
                time.perf_counter() - t0,
                float(out.objective_function_value),
                None if not math.isfinite(bound) else float(bound),
            )
        )

    h.cbMipImprovingSolution.subscribe(on_improve)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    MS = highspy.HighsModelStatus
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = list(h.getSolution().col_value) if has_sol else None
    obj = float(info.objective_function_value) if has_sol else None
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    if status == MS.kOptimal:
        st = "optimal"
    elif status == MS.kInfeasible:
        st = "infeasible"
    elif status == MS.kTimeLimit:
        st = "time_limit"
    else:
        st = "feasible" if has_sol else "error"
    if st == "optimal" and obj is not None:
        if bound is None:
            bound = obj
        elif gran is not None:  # proved to the step: HiGHS stopped within 0.999 of it
            bound = max(min(bound, obj + gran), obj)
        # without a step HiGHS's own bound is kept: the planner calls the plan optimal only
        # if that bound proves it
    return BackendResult(st, values, obj, bound, trace, time.perf_counter() - t0)


# ---------------------------------------------------------------------------------- CP-SAT
def solve_cpsat(
    model: LinearModel,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    start: list[float] | None = None,
    t0: float | None = None,
) -> BackendResult:
    from ortools.sat.python import cp_model

    t0 = time.perf_counter() if t0 is None else t0
    cp = cp_model.CpModel()
    xs = []
    for j in range(model.num_vars):
        if not model.integer[j]:
            return BackendResult("error", None, None, None, notes=["CP-SAT needs integers"])
        xs.append(cp.NewIntVar(int(math.ceil(model.lb[j])), int(math.floor(model.ub[j])), f"v{j}"))
    for idx, val, lo, hi in zip(
        model.row_idx, model.row_val, model.row_lo, model.row_hi, strict=True
    ):
        f = _int_scale(val)
        if f is None:
            return BackendResult("error", None, None, None, notes=["non-rational row"])
        expr = sum(int(round(a * f)) * xs[j] for j, a in zip(idx, val, strict=True))
        if math.isinf(lo):
            cp.Add(expr <= int(math.floor(hi * f + 1e-9)))
        elif math.isinf(hi):
            cp.Add(expr >= int(math.ceil(lo * f - 1e-9)))
        else:
            cp.AddLinearConstraint(
                expr, int(math.ceil(lo * f - 1e-9)), int(math.floor(hi * f + 1e-9))
            )
    fo = _int_scale(model.obj)
    scaled_exact = fo is not None
    if fo is None:
        fo = 1000
    # how far the rounded objective can be below the true one: added to CP-SAT's bound
    rounding = (
        sum(
            abs(c * fo - round(c * fo)) * max(abs(model.lb[j]), abs(model.ub[j]))
            for j, c in enumerate(model.obj)
        )
        / fo
    )
    cp.Maximize(sum(int(round(c * fo)) * xs[j] for j, c in enumerate(model.obj) if c != 0))
    if start is not None:
        for j, v in enumerate(start):
            cp.AddHint(xs[j], int(round(v)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(max(0.01, time_limit))
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    trace: list[TracePoint] = []

    class _CB(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            trace.append(
                TracePoint(
                    time.perf_counter() - t0,
                    self.ObjectiveValue() / fo,
                    self.BestObjectiveBound() / fo + rounding,
                )
            )

    code = solver.Solve(cp, _CB())
    notes = [] if scaled_exact else ["objective rounded to 1/1000 for CP-SAT"]
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = [float(solver.Value(x)) for x in xs]
        obj = model.objective(values)
        bound = solver.BestObjectiveBound() / fo + rounding
        st = "optimal" if code == cp_model.OPTIMAL and scaled_exact else "time_limit"
        if code == cp_model.OPTIMAL and not scaled_exact:
            st = "feasible"  # optimal for the rounded objective, which is not ours
        if st == "optimal":
            bound = obj
        return BackendResult(st, values, obj, bound, trace, time.perf_counter() - t0, notes)
    if code == cp_model.INFEASIBLE:
        return BackendResult("infeasible", None, None, None, trace, time.perf_counter() - t0)
    bound = solver.BestObjectiveBound() / fo + rounding
    return BackendResult(
        "time_limit" if code == cp_model.UNKNOWN else "error",
        None,
        None,
        bound if math.isfinite(bound) else None,
        trace,
        time.perf_counter() - t0,
        notes,
    )


# ---------------------------------------------------------------------------------- CBC


def solve_cbc(
    model: LinearModel,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 1,
    start: list[float] | None = None,
    t0: float | None = None,
) -> BackendResult:
    import pulp

    t0 = time.perf_counter() if t0 is None else t0
    prob = pulp.LpProblem("deployment", pulp.LpMaximize)
    xs = [
        prob.add_variable(
            f"v{j}",
            model.lb[j],
            None if math.isinf(model.ub[j]) else model.ub[j],
            cat=pulp.LpInteger if model.integer[j] else pulp.LpContinuous,
        )
        for j in range(model.num_vars)
    ]
    prob += pulp.lpSum(c * xs[j] for j, c in enumerate(model.obj) if c != 0)
    for r, (idx, val, lo, hi) in enumerate(
        zip(model.row_idx, model.row_val, model.row_lo, model.row_hi, strict=True)
    ):
        expr = pulp.lpSum(a * xs[j] for j, a in zip(idx, val, strict=True))
        if not math.isinf(lo) and not math.isinf(hi) and lo == hi:
            prob += expr == lo, f"r{r}"
        else:
            if not math.isinf(lo):
                prob += expr >= lo, f"r{r}l"
            if not math.isinf(hi):
                prob += expr <= hi, f"r{r}u"
    if start is not None:
        for j, v in enumerate(start):
            xs[j].setInitialValue(round(v))
    gran = objective_granularity(model)
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "cbc.log")
        pid_file = os.path.join(tmp, "cbc.pid")
        bundled = pulp.PULP_CBC_CMD.pulp_cbc_path
        launcher = _cbc_launcher(tmp, bundled, pid_file)
        notes = []
        if launcher == bundled:
            notes.append(
                "CBC ran without its launcher (temporary directory mounted noexec): it is not "
                "stopped with the process that started it"
            )
        cmd = pulp.COIN_CMD(
            path=launcher,
            msg=False,
            timeLimit=max(1, int(math.ceil(time_limit))),
            threads=max(1, int(workers)),
            warmStart=start is not None,
            gapRel=0.0,
            gapAbs=0.999 * gran if gran else 1e-6,
            logPath=log,
            options=[f"randomCbcSeed {int(seed) + 1}"],
        )
        # CBC checks its time limit only between phases; a huge root LP can run for minutes.
        # A watchdog kills this solve's CBC process a little after the limit.
        stop = threading.Event()
        killed: list[int] = []
        grace = 5.0 + 0.2 * time_limit
        watchdog = threading.Thread(
            target=_watch_cbc, args=(stop, time_limit + grace, pid_file, killed), daemon=True
        )
        watchdog.start()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                prob.solve(cmd)
        except pulp.PulpSolverError as exc:
            failure = str(exc)
        else:
            failure = None
        finally:
            stop.set()
            watchdog.join()
        text = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
    seconds = time.perf_counter() - t0
    if killed:
        notes.append("CBC overran its time limit; killed")
        return BackendResult("time_limit", None, None, None, [], seconds, notes)
    if failure is not None:  # killed from outside, or could not start
        notes.append(f"CBC stopped abnormally, so its answer is lost: {failure}")
        return BackendResult("error", None, None, None, [], seconds, notes)
    sol_status = prob.sol_status
    if sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        values = [float(x.value() or 0.0) for x in xs]
        obj = model.objective(values)
        proved = "Result - Optimal solution found" in text
        st = "optimal" if proved else "time_limit"
        bound = obj if proved else _cbc_bound(text)
        trace = [TracePoint(seconds, obj, bound)]
        return BackendResult(st, values, obj, bound, trace, seconds, notes)
    if sol_status == pulp.LpSolutionInfeasible:
        return BackendResult("infeasible", None, None, None, [], seconds, notes)
    return BackendResult("time_limit", None, None, _cbc_bound(text), [], seconds, notes)


def _cbc_launcher(tmp: str, cbc: str, pid_file: str) -> str:
    """An executable in ``tmp`` that runs ``cbc`` and records its process id in ``pid_file``;
    ``cbc`` itself where ``tmp`` is mounted ``noexec``.

    The recorded id is what the watchdog kills, so two solves in one process (two run slots)
    never stop each other's CBC. The launcher also shields CBC from signals meant for the
    server, which would otherwise end the solve early and let the run finish "done" with the
    fallback plan instead of being handed back (see :func:`_launch_prefix`).
    """
    launcher = os.path.join(tmp, "cbc")  # the watchdog's fallback matches the name "cbc"
    with open(launcher, "w", encoding="utf-8") as fh:
        script = [
            "#!/bin/sh",
            f"echo $$ > {shlex.quote(pid_file)}",
            "trap '' TERM",  # stays ignored across exec; CBC does not reset it
            f'exec {_launch_prefix()}{shlex.quote(cbc)} "$@"',
        ]
        fh.write("\n".join(script) + "\n")
    os.chmod(launcher, 0o700)
    return launcher if os.access(launcher, os.X_OK) else cbc


@functools.cache
def _launch_prefix() -> str:
    """``setsid`` and ``setpriv --pdeathsig KILL`` (util-linux), each only if it works here.

    * ``setsid``: CBC gets a session of its own, so a Ctrl-C in the server's terminal does not
      reach it. The launcher is never a process-group leader, so ``setsid`` does not fork and
      the recorded id stays CBC's.
    * ``setpriv --pdeathsig KILL``: the kernel kills CBC when the thread that started it dies,
      so a server worker killed mid-solve leaves no CBC running on to its time limit.
      (Old util-linux and BusyBox lack the option: probed, not assumed.)

    A service manager's SIGTERM to every process of the service is ignored (``trap '' TERM``
    in the launcher); CBC then ends with its thread, or by the final SIGKILL.
    """
    prefix = ""
    for tool, args in (("setsid", []), ("setpriv", ["--pdeathsig", "KILL", "--"])):
        path = shutil.which(tool)
        if path is None:
            continue
        try:
            probe = [path, *args, "true"]  # tools found on PATH, fixed arguments
            works = subprocess.run(probe, capture_output=True, timeout=10, check=False)  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            continue
        if works.returncode == 0:
            prefix += " ".join(shlex.quote(part) for part in (path, *args)) + " "
    return prefix


def _watch_cbc(stop: threading.Event, after: float, pid_file: str, killed: list[int]) -> None:
    """Kill this solve's CBC process if it runs past ``after`` seconds."""
    if stop.wait(after):
        return
    me = os.getpid()
    try:
        with open(pid_file, encoding="utf-8") as fh:
            candidates = [fh.read().strip()]
    except OSError:  # launched without the launcher: any CBC child of this process
        candidates = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    for entry in candidates:
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                exe = fh.read().split(b"\0", 1)[0]
        except (OSError, ValueError):
            continue
        if int(fields[1]) == me and exe.endswith(b"/cbc"):
            os.kill(int(entry), signal.SIGKILL)
            killed.append(int(entry))


def _cbc_bound(log: str) -> float | None:
    """Best bound CBC printed (it minimises the negated objective, so flip the sign)."""
    m = re.findall(r"best possible\s+(-?[\d.eE+]+)", log)
    if m:
        return -float(m[-1])
    m = re.findall(r"Lower bound:\s+(-?[\d.eE+]+)", log)
    if m:
        return -float(m[-1])
    return None


BACKENDS = {"highs": solve_highs, "cpsat": solve_cpsat, "cbc": solve_cbc}
