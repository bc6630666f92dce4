"""The planner: greedy floor, warm-started MILP, independent check, honest statistics."""

from __future__ import annotations

import time

from .backends import BACKENDS, BackendResult, objective_granularity
from .checker import CheckReport, check_plan
from .formulation import Formulation, keep_lines_steady
from .greedy import greedy_plan
from .model import Instance, Plan, SolveResult, TracePoint
from .reference import Places, align_with_reference, distance, places_of

SOLVERS = ("auto", "highs", "cpsat", "cbc", "greedy")


#: Below this time limit (s) CBC's fixed start-up cost dominates; see :func:`choose_solver`.
CBC_MIN_TIME_LIMIT = 3.0


def choose_solver(form: Formulation, time_limit: float = 10.0) -> str:
    """The backend "auto" uses for this instance (rule from benchmarks/planning.py).

    * one period: HiGHS (best bound and the best warm-started plan on ``large``);
    * several periods, model up to 12,000 variables: CBC (on ``gaza`` its primal heuristics
      found by far the best plans; HiGHS stalled at the root on this model) — unless the time
      limit is under :data:`CBC_MIN_TIME_LIMIT`: handing the model to CBC through PuLP and
      CBC's own preprocessing take about a second on ``gaza`` (a 1 s limit returned after
      2.1 s, and no better than the coverage-stage plan), while HiGHS returns on time with a
      better plan (231,139 against 230,969 at 1 s and 2 s). Monte Carlo samples use such limits;
    * several periods, larger model: CP-SAT (HiGHS and CBC did not finish the root LP of
      ``stress`` within 45 s; CP-SAT's search keeps improving from the greedy hint).
    """
    if form.instance.periods <= 1:
        return "highs"
    if form.model.num_vars <= 12000:
        return "cbc" if time_limit >= CBC_MIN_TIME_LIMIT else "highs"
    return "cpsat"


#: Seeds passed to the backends are taken modulo this: one more than the largest seed HiGHS
#: (``random_seed``) and CP-SAT (an int32) accept.
SOLVER_SEED_LIMIT = 2**31


def solve(
    instance: Instance,
    *,
    solver: str = "auto",
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    warm_start: bool = True,
    reference: Places | None = None,
) -> SolveResult:
    """Best deployment for ``instance`` within ``time_limit`` seconds.

    The greedy plan is always computed first; it warm-starts the MILP and is returned (with the
    solver's bound) if the solver fails, returns something worse, or returns a plan the
    independent checker rejects. The reported objective is always the checker's.

    With several periods and ``warm_start`` the coverage part of the MILP is first solved alone
    (see :func:`_coverage_stage`): a better start/floor and a second valid bound.

    ``reference`` (where units served in another plan, e.g. a what-if's base): of the plans as
    good as the solver's, one as close to it as :func:`align_with_reference` finds is returned,
    so that a diff against that plan shows what the question changed, not which of several
    optima the solver happened to return.
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose one of {SOLVERS}")
    # HiGHS and CP-SAT take 31-bit seeds: a larger one (a sweep's sample seeds grow with its
    # sampling seed) made CP-SAT raise and every sample fall back to the greedy plan
    seed %= SOLVER_SEED_LIMIT
    t0 = time.perf_counter()
    g_plan = greedy_plan(instance)
    g_report = check_plan(instance, g_plan)
    g_obj = g_report.objective.total
    g_time = time.perf_counter() - t0
    if solver == "greedy":
        g_plan, g_report = _steadied(instance, g_plan, g_report)
        greedy_notes: list[str] = []
        g_plan, g_report = _aligned(
            instance, g_plan, g_report, reference, greedy_notes, _polish_budget(time_limit)
        )
        wall = time.perf_counter() - t0
        trace = [TracePoint(g_time, g_obj, None)]
        if g_report.objective.total != g_obj:  # moving towards the reference found better
            trace.append(TracePoint(wall, g_report.objective.total, None))
        return SolveResult(
            status="feasible",
            solver="greedy",
            plan=g_plan,
            objective=g_report.objective.total,
            time_to_first=g_time,
            time_to_1pct=None,
            wall_time=wall,
            greedy_objective=g_obj,
            violations=list(g_report.violations),
            trace=trace,
            notes=greedy_notes,
        )

    form = Formulation(instance)
    notes: list[str] = []
    start = None
    if warm_start:
        start = form.vector_from_counts(form.counts_from_plan(g_plan))
        if form.model.max_violation(start) > 1e-6:
            notes.append("greedy warm start rejected by the model (bug?)")
            start = None
    floor_plan, floor_report = g_plan, g_report
    cov_bound: float | None = None
    stage_trace: list[TracePoint] = []
    if warm_start and instance.periods > 1:
        cov_bound, cand = _coverage_stage(form, start, time_limit, t0, seed, workers, notes)
        if cand is not None:
            c_plan = form.plan_from_counts(cand)
            c_report = check_plan(instance, c_plan)
            if not c_report.violations and c_report.objective.total > g_obj + 1e-9:
                floor_plan, floor_report = c_plan, c_report
                start = form.vector_from_counts(cand)
                stage_trace.append(
                    TracePoint(time.perf_counter() - t0, c_report.objective.total, None)
                )
    floor_obj = floor_report.objective.total
    remaining = max(0.05, time_limit - (time.perf_counter() - t0))
    # chosen on the time the backend gets, after the coverage stage took its share
    name = choose_solver(form, remaining) if solver == "auto" else solver
    if solver == "auto":
        notes.insert(0, f"auto chose {name}")
    if form.model.num_vars == 0:  # no unit may fill any requirement: the empty plan is optimal
        res = BackendResult(
            "optimal", [], 0.0, 0.0, notes=["no unit may fill any requirement: nothing to solve"]
        )
    else:
        try:
            res = BACKENDS[name](
                form.model, time_limit=remaining, seed=seed, workers=workers, start=start, t0=t0
            )
        except Exception as exc:  # a solver crash must never lose the greedy plan
            res = BackendResult("error", None, None, None, notes=[f"{name} failed: {exc!r}"])
    notes.extend(res.notes)

    plan: Plan = floor_plan
    report = floor_report
    fallback = True
    if res.values is not None:
        cand = form.plan_from_counts(form.counts_from_vector(res.values))
        cand_report = check_plan(instance, cand)
        if cand_report.violations:
            notes.append(f"{name} plan rejected by checker: {cand_report.violations[:3]}")
        elif cand_report.objective.total + 1e-9 >= floor_obj or not warm_start:
            plan, report, fallback = cand, cand_report, False
        elif floor_plan is g_plan:
            notes.append(f"{name} plan worse than greedy; greedy plan returned")
        else:
            notes.append(f"{name} plan worse than the coverage-stage plan; that plan returned")
        clean = form.model.objective(form.vector_from_counts(form.counts_from_vector(res.values)))
        if abs(cand_report.objective.total - clean) > 1e-6:
            notes.append(
                f"checker objective {cand_report.objective.total:g} differs from the "
                f"model's {clean:g}: formulation and checker disagree"
            )
    if not warm_start and res.values is None:
        plan, report, fallback = Plan(), check_plan(instance, Plan()), True
        notes.append(f"{name} found no plan (no warm start); empty plan returned")
    greedy_returned = fallback and plan is g_plan
    plan, report = _steadied(instance, plan, report)
    plan, report = _aligned(instance, plan, report, reference, notes, _polish_budget(time_limit))
    obj = report.objective.total
    wall = time.perf_counter() - t0

    bound = res.bound
    if cov_bound is not None and (bound is None or cov_bound < bound):
        bound = cov_bound
        notes.append("bound from the coverage stage (coverage bound + cohesion maximum)")
    gran = objective_granularity(form.model) or 1e-6
    if bound is not None and bound < obj - gran:
        # a bound below a checked plan is wrong: say so rather than call the plan optimal
        notes.append(f"the bound {bound:g} is below the checked objective {obj:g}: dropped")
        bound = None
    elif bound is not None and bound < obj:  # rounding inside one step
        bound = obj
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

    trace = stage_trace + list(res.trace)
    if warm_start:
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
        used_greedy_fallback=greedy_returned,
        violations=list(report.violations),
        trace=trace,
        notes=notes,
        model_size=form.size(),
    )


def _steadied(instance: Instance, plan: Plan, report: CheckReport) -> tuple[Plan, CheckReport]:
    """``plan`` with needless line changes undone (:func:`keep_lines_steady`), if the checker
    confirms it is as valid and as good; otherwise ``plan`` itself."""
    try:
        steady = keep_lines_steady(instance, plan)
    except Exception:  # a polish must never cost the plan
        return plan, report
    if steady == plan:
        return plan, report
    steady_report = check_plan(instance, steady)
    if (
        steady_report.violations
        or abs(steady_report.objective.total - report.objective.total) > 1e-6
    ):
        return plan, report
    return steady, steady_report


def _polish_budget(time_limit: float) -> float:
    """Seconds for moving a plan towards its reference: a fifth of the solve's time limit,
    between a quarter of a second and two seconds."""
    return min(2.0, max(0.25, 0.2 * time_limit))


def _aligned(
    instance: Instance,
    plan: Plan,
    report: CheckReport,
    reference: Places | None,
    notes: list[str],
    budget: float,
) -> tuple[Plan, CheckReport]:
    """``plan`` moved as close to ``reference`` as it can be at no cost (see
    :func:`align_with_reference`), with its check; ``plan`` itself without a reference."""
    if not reference:
        return plan, report
    try:
        aligned = align_with_reference(instance, plan, reference, time_budget=budget)
    except Exception as exc:  # a polish must never cost the plan
        notes.append(f"aligning with the reference plan failed: {exc!r}")
        return plan, report
    if aligned == plan:
        return plan, report
    aligned_report = check_plan(instance, aligned)
    if aligned_report.violations or aligned_report.objective.total < report.objective.total - 1e-6:
        return plan, report
    fewer = distance(places_of(instance, plan), reference) - distance(
        places_of(instance, aligned), reference
    )
    notes.append(
        f"of the plans as good as the solver's, one closer to the reference plan was chosen "
        f"({fewer} unit-periods fewer differ)"
    )
    return aligned, aligned_report


def _coverage_stage(
    form: Formulation,
    start: list[float] | None,
    time_limit: float,
    t0: float,
    seed: int,
    workers: int,
    notes: list[str],
) -> tuple[float | None, dict[tuple[int, int], int] | None]:
    """Solve the coverage part alone (HiGHS, a fraction of the time): a bound and a plan.

    The full objective is (coverage part: x and v terms) + (cohesion part: w, y, z terms).
    The coverage part alone is a much easier MILP (no presence/lead/continuity rows); its
    proved bound plus :meth:`Formulation.cohesion_bound` bounds the full objective. On large
    multi-period models this is far tighter than what the full MILP proves in the time limit.
    Its solution (cohesion terms recomputed) is a warm start / floor for the full MILP.
    """
    b_coh = form.cohesion_bound()
    if b_coh is None or not (form.w or form.z):
        return None, None
    sub, keep = form.coverage_model()
    sub_start = [start[j] for j in keep] if start is not None else None
    limit = min(10.0, 0.25 * max(0.0, time_limit - (time.perf_counter() - t0)))
    if limit < 0.05:
        return None, None
    try:
        r = BACKENDS["highs"](
            sub, time_limit=limit, seed=seed, workers=workers, start=sub_start, t0=t0
        )
    except Exception as exc:  # the stage is optional
        notes.append(f"coverage stage failed: {exc!r}")
        return None, None
    bound = None if r.bound is None else r.bound + b_coh
    counts = None
    if r.values is not None:
        full = [0.0] * form.model.num_vars
        for i, j in enumerate(keep):
            full[j] = r.values[i]
        counts = form.counts_from_vector(full)
        if form.model.max_violation(form.vector_from_counts(counts)) > 1e-6:
            notes.append("coverage-stage plan rejected by the model (bug?)")
            counts = None
    notes.append(
        f"coverage stage: {r.status}, coverage bound {r.bound}, cohesion at most {b_coh:g}"
    )
    return bound, counts
