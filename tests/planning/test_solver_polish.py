"""What the planner does around the solve: needless line changes undone, empty models."""

from stabforce.planning.solver import (
    Assignment,
    Demand,
    Instance,
    Plan,
    Unit,
    check_plan,
    explain_uncovered,
    generate,
    greedy_plan,
    solve,
)
from stabforce.planning.solver.eligibility import blocks
from stabforce.planning.solver.formulation import keep_lines_steady


def two_lines_two_months(**unit_b) -> Instance:
    units = (Unit("A", "ALB", "inf"), Unit("K", "KAZ", "inf", **unit_b))
    demands = tuple(
        Demand(f"{line}@{p}", "rafah", line, "inf", p, 1, 3.0)
        for line in ("border", "civilians")
        for p in range(2)
    )
    return Instance(units=units, demands=demands, periods=2)


SWAPPING = Plan.of([("A", "border@0"), ("K", "civilians@0"), ("A", "civilians@1"),
                    ("K", "border@1")])  # fmt: skip


def test_two_units_trading_lines_for_nothing_are_swapped_back():
    inst = two_lines_two_months()
    steady = keep_lines_steady(inst, SWAPPING)
    assert steady == Plan.of(
        [("A", "border@0"), ("K", "civilians@0"), ("A", "border@1"), ("K", "civilians@1")]
    )
    assert check_plan(inst, steady).objective.total == check_plan(inst, SWAPPING).objective.total


def albania_alone(months: int) -> Instance:
    """One battalion alone in a sector whose Border security and Protection of civilians
    each ask one infantry unit a month, at equal priority: both always short."""
    return Instance(
        units=(Unit("A", "ALB", "inf"),),
        demands=tuple(
            Demand(f"{line}@{p}", "rafah", line, "inf", p, 1, 3.0)
            for line in ("border", "civilians")
            for p in range(months)
        ),
        periods=months,
    )


def test_a_unit_alone_is_reseated_on_its_line_when_that_costs_nothing():
    # the demo's withdraw=KAZ plan: Albania's battalion, alone in Rafah, alternated between
    # Protection of civilians and Border security (equal priority, both short) month by month
    alone = albania_alone(months=5)
    lines = ["civilians", "border", "civilians", "border", "border"]
    zigzag = Plan.of([("A", f"{line}@{p}") for p, line in enumerate(lines)])
    steady = keep_lines_steady(alone, zigzag)
    assert check_plan(alone, steady).objective.total == check_plan(alone, zigzag).objective.total

    def line_changes(plan):
        line = {int(a.demand_id.split("@")[1]): a.demand_id.split("@")[0] for a in plan.assignments}
        return sum(line[p] != line[p - 1] for p in range(1, 5))

    # month by month it comes to civilians, civilians, civilians, border, border; the last
    # stretch then goes back to civilians too
    assert (line_changes(zigzag), line_changes(steady)) == (3, 0)
    # a higher-priority demand is not left for a steadier line
    urgent = alone.with_(
        demands=tuple(
            d if d.id != "border@1" else Demand("border@1", "rafah", "border", "inf", 1, 1, 5.0)
            for d in alone.demands
        )
    )
    kept = keep_lines_steady(urgent, zigzag)
    assert ("A", "border@1") in {(a.unit_id, a.demand_id) for a in kept.assignments}
    assert check_plan(urgent, kept).objective.total == check_plan(urgent, zigzag).objective.total


def test_a_stretch_of_months_on_another_line_goes_back_when_that_costs_nothing():
    # a tester's penalty-mode plan: Albania's battalion, alone in its sector, on Border
    # security for three months, Protection of civilians for five, then Border security again
    alone = albania_alone(months=10)
    lines = ["border"] * 3 + ["civilians"] * 5 + ["border"] * 2
    stretch = Plan.of([("A", f"{line}@{p}") for p, line in enumerate(lines)])
    steady = keep_lines_steady(alone, stretch)
    assert steady == Plan.of([("A", f"border@{p}") for p in range(10)])
    assert check_plan(alone, steady).objective.total == check_plan(alone, stretch).objective.total
    # not when one month of the stretch has no room on the first line
    full = alone.with_(units=(*alone.units, Unit("B", "BGD", "inf")))
    busy = Plan(stretch.assignments | {Assignment("B", "border@5")})
    kept = keep_lines_steady(full, busy)
    assert {(a.unit_id, a.demand_id) for a in kept.assignments} >= {
        ("A", f"civilians@{p}") for p in range(3, 8)
    }


def test_a_swap_the_caveats_forbid_is_not_made():
    inst = two_lines_two_months(forbidden_lines=frozenset({"civilians"}), available_from=1)
    plan = Plan.of([("A", "civilians@0"), ("A", "civilians@1"), ("K", "border@1")])
    assert keep_lines_steady(inst, plan) == plan
    caveated = two_lines_two_months(forbidden_lines=frozenset({"civilians"}))
    # K may not take A's civilians task in month 1, so A cannot get its border task back
    plan = Plan.of([("A", "border@0"), ("A", "civilians@1"), ("K", "border@1")])
    assert keep_lines_steady(caveated, plan) == plan


def test_the_planner_and_greedy_return_steady_plans():
    # on gaza the raw plans change lines needlessly (greedy's 10 times): what solve returns
    # must be what keep_lines_steady leaves unchanged
    inst = generate.gaza()
    for solver in ("greedy", "highs"):
        plan = solve(inst, solver=solver, time_limit=2).plan
        assert keep_lines_steady(inst, plan) == plan, solver


def test_a_question_no_unit_can_answer_is_solved_not_timed_out():
    inst = Instance(
        units=(Unit("E", "EGY", "engineers"),),
        demands=(Demand("inf@0", "rafah", "border", "inf", 0, 2, 3.0),),
        periods=1,
    )
    result = solve(inst, time_limit=2)
    assert result.status == "optimal" and result.objective == 0.0 and result.bound == 0.0
    assert "nothing to solve" in " ".join(result.notes)


def test_an_offer_for_another_line_is_not_called_a_caveat():
    inst = two_lines_two_months(
        forbidden_lines=frozenset({"civilians"}), offer_excludes_lines=frozenset({"civilians"})
    )
    k = inst.units[1]
    assert [b.kind for b in blocks(k, inst.demand_map()["civilians@0"], inst)] == ["line_offer"]
    caveat_only = two_lines_two_months(forbidden_lines=frozenset({"civilians"})).units[1]
    assert [b.kind for b in blocks(caveat_only, inst.demand_map()["civilians@0"], inst)] == [
        "line_caveat"
    ]


def test_an_offer_and_a_caveat_excluding_the_same_line_are_both_named():
    both = dict(
        forbidden_lines=frozenset({"civilians"}),
        offer_excludes_lines=frozenset({"civilians"}),
        caveat_also_excludes_lines=frozenset({"civilians"}),
        pledge_id="kaz-inf",
    )
    inst = two_lines_two_months(**both)
    k = inst.units[1]
    assert [b.kind for b in blocks(k, inst.demand_map()["civilians@0"], inst)] == [
        "line_offer",
        "line_caveat",
    ]
    only_a = Plan.of([("A", "border@0"), ("A", "border@1")])
    short = next(e for e in explain_uncovered(inst, only_a) if e.demand_id == "civilians@0")
    said = [reason for reason in short.reasons if "line of operation" in reason]
    assert said == [  # one candidate, said once with both conditions
        "one candidate was offered for another line of operation only, and its caveat "
        "excludes line of operation civilians as well"
    ]
    assert short.changes == [
        "ask KAZ to extend the offer of pledge kaz-inf to civilians",
        "relax the caveat of pledge kaz-inf (KAZ) excluding civilians",
    ]


def test_greedys_raw_gaza_plan_does_rotate_so_the_test_above_can_fail():
    inst = generate.gaza()
    raw = greedy_plan(inst)
    assert keep_lines_steady(inst, raw) != raw
