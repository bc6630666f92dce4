"""Pure-Python deployment planner (no Django): model, solvers, checker, explanations.

Typical use::

    from stabforce.planning.solver import generate, solve, explain_uncovered
    inst = generate.gaza()
    result = solve(inst, time_limit=10)
    for e in explain_uncovered(inst, result.plan):
        print(e.text)
"""

from . import generate
from .checker import CheckReport, check_plan, evaluate
from .explain import Explanation, explain_uncovered
from .greedy import greedy_plan
from .idle import IdleExplanation, describe_idle, explain_idle
from .model import (
    STATUSES,
    Assignment,
    CompositionTarget,
    Demand,
    Instance,
    Nation,
    Objection,
    Plan,
    SolveResult,
    Unit,
    Weights,
)
from .montecarlo import MonteCarloResult, SweepInterrupted, monte_carlo
from .planner import SOLVERS, solve
from .whatif import (
    PlanDiff,
    add_unit,
    diff_plans,
    lift_objection,
    remove_unit,
    set_objection,
    slip_availability,
    withdraw_nation,
)

__all__ = [
    "STATUSES",
    "SOLVERS",
    "Assignment",
    "CheckReport",
    "CompositionTarget",
    "Explanation",
    "IdleExplanation",
    "MonteCarloResult",
    "PlanDiff",
    "Demand",
    "Instance",
    "Nation",
    "Objection",
    "Plan",
    "SolveResult",
    "SweepInterrupted",
    "Unit",
    "Weights",
    "add_unit",
    "check_plan",
    "diff_plans",
    "describe_idle",
    "explain_idle",
    "explain_uncovered",
    "lift_objection",
    "monte_carlo",
    "remove_unit",
    "set_objection",
    "slip_availability",
    "withdraw_nation",
    "evaluate",
    "generate",
    "greedy_plan",
    "solve",
]
