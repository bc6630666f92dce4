"""The planner: greedy floor, warm-started MILP, independent check, honest statistics."""

from __future__ import annotations

import time

from .backends import BACKENDS, BackendResult, objective_granularity
from .checker import check_plan
from .formulation import Formulation
from .greedy import greedy_plan
from .model import Instance, Plan, SolveResult, TracePoint

SOLVERS = ("auto", "highs", "cpsat", "cbc", "greedy")


def choose_solver(form: Formulation) -> str:
    """The backend "auto" uses for this instance (rule from benchmarks/planning.py).

    * one period: HiGHS (best bound and the best warm-started plan on ``large``);
    * several periods, model up to 12,000 variables: CBC (on ``gaza`` its primal heuristics
      found by far the best plans; HiGHS stalled at the root on this model);
    * several periods, larger model: CP-SAT (HiGHS and CBC did not finish the root LP of
      ``stress`` within 45 s; CP-SAT's search keeps improving from the greedy hint).
    """
    if form.instance.periods <= 1:
        return "highs"
    if form.model.num_vars <= 12000:
        return "cbc"
    return "cpsat"


def solve(
    instance: Instance,
    *,
    solver: str = "auto",
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    warm_start: bool = True,
) -> SolveResult:
    """Best deployment for ``instance`` within ``time_limit`` seconds.

    The greedy plan is always computed first; it warm-starts the MILP and is returned (with the
    solver's bound) if the solver fails, returns something worse, or returns a plan the
    independent checker rejects. The reported objective is always the checker's.
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose one of {SOLVERS}")
    t0 = time.perf_counter()
    g_plan = greedy_plan(instance)
    g_report = check_plan(instance, g_plan)
    g_obj = g_report.objective.total
    g_time = time.perf_counter() - t0
    if solver == "greedy":
        return SolveResult(
            status="feasible",
            solver="greedy",
            plan=g_plan,
            objective=g_obj,
            time_to_first=g_time,
            time_to_1pct=None,
            wall_time=g_time,
            greedy_objective=g_obj,
            violations=list(g_report.violations),
            trace=[TracePoint(g_time, g_obj, None)],
        )

    form = Formulation(instance)
    name = choose_solver(form) if solver == "auto" else solver
    notes: list[str] = []
    if solver == "auto":
        notes.append(f"auto chose {name}")
    start = None
    if warm_start:
        start = form.vector_from_counts(form.counts_from_plan(g_plan))
        if form.model.max_violation(start) > 1e-6:
            notes.append("greedy warm start rejected by the model (bug?)")
            start = None
    remaining = max(0.05, time_limit - (time.perf_counter() - t0))
    try:
        res: BackendResult = BACKENDS[name](
            form.model, time_limit=remaining, seed=seed, workers=workers, start=start, t0=t0
        )
    except Exception as exc:  # a solver crash must never lose the greedy plan
        res = BackendResult("error", None, None, None, notes=[f"{name} failed: {exc!r}"])
    notes.extend(res.notes)

    plan: Plan = g_plan
    report = g_report
    fallback = True
    if res.values is not None:
        cand = form.plan_from_counts(form.counts_from_vector(res.values))
        cand_report = check_plan(instance, cand)
        if cand_report.violations:
            notes.append(f"{name} plan rejected by checker: {cand_report.violations[:3]}")
        elif cand_report.objective.total + 1e-9 >= g_obj or not warm_start:
            plan, report, fallback = cand, cand_report, False
        else:
            notes.append(f"{name} plan worse than greedy; greedy plan returned")
        clean = form.model.objective(form.vector_from_counts(form.counts_from_vector(res.values)))
        if abs(cand_report.objective.total - clean) > 1e-6:
            notes.append(
                f"checker objective {cand_report.objective.total:g} differs from the "
                f"model's {clean:g}: formulation and checker disagree"
            )
    if not warm_start and res.values is None:
        plan, report, fallback = Plan(), check_plan(instance, Plan()), True
        notes.append(f"{name} found no plan (no warm start); empty plan returned")
    obj = report.objective.total
    wall = time.perf_counter() - t0

    bound = res.bound
    if bound is not None and bound < obj:
        bound = obj
    gran = objective_granularity(form.model) or 1e-6
    gap = None if bound is None else (bound - obj) / max(1.0, abs(bound))
    proved = bound is not None and bound - obj < gran
    if res.status == "infeasible":
        status = "infeasible"
    elif proved:
        status = "optimal"
    elif res.status == "time_limit":
        status = "time_limit"
    else:
        status = "feasible"

    trace = list(res.trace)
    if start is not None:
        trace.insert(0, TracePoint(g_time, g_obj, None))
    first = trace[0].time if trace else (wall if res.values is not None else None)
    t1 = None
    if bound is not None:
        target = bound - 0.01 * max(1.0, abs(bound))
        for tp in trace:
            if tp.objective >= target - 1e-9:
                t1 = tp.time
                break
        if t1 is None and obj >= target - 1e-9:
            t1 = wall
    return SolveResult(
        status=status,
        solver=name,
        plan=plan,
        objective=obj,
        bound=bound,
        gap=gap,
        time_to_first=first,
        time_to_1pct=t1,
        time_to_proof=wall if status == "optimal" else None,
        wall_time=wall,
        greedy_objective=g_obj,
        used_greedy_fallback=fallback and plan is g_plan,
        violations=list(report.violations),
        trace=trace,
        notes=notes,
        model_size=form.size(),
    )
