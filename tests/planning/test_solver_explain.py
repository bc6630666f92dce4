"""Explanations name the binding reason and the smallest change; what-if diffs."""

from stabforce.planning.solver import Demand, Instance, Objection, Unit, solve
from stabforce.planning.solver.explain import explain_uncovered
from stabforce.planning.solver.whatif import (
    diff_plans,
    lift_objection,
    slip_availability,
    withdraw_nation,
)

LABELS = ("2026-01", "2026-02", "2026-03", "2026-04")


def engineer_case() -> Instance:
    units = (
        Unit("TUR-E1", "TUR", "engineer_coy"),
        Unit("QAT-E1", "QAT", "engineer_coy"),
        Unit("ITA-E1", "ITA", "engineer_coy", forbidden_sectors=frozenset({"rafah"})),
        Unit("IDN-E1", "IDN", "engineer_coy", available_from=3),
    )
    demands = (Demand("rafah-eng", "rafah", "reconstruction", "engineer_coy", 0, 1, 3.0),)
    return Instance(
        units=units,
        demands=demands,
        objections=(Objection("Israel", frozenset({"TUR", "QAT"})),),
        periods=4,
        period_labels=LABELS,
    )


def test_explanation_names_every_binding_reason():
    inst = engineer_case()
    res = solve(inst, solver="highs", time_limit=5)
    assert len(res.plan) == 0
    (e,) = explain_uncovered(inst, res.plan)
    text = e.text
    assert "the two candidates are" not in text  # four candidates here
    assert "two candidates are from nations objected to by Israel (QAT, TUR)" in text
    assert "one candidate's caveat excludes sector rafah" in text
    assert "1 candidate arrives only from period 3 (2026-04)" in text
    # a single lifted veto or relaxed caveat suffices; the first in order is the veto on QAT
    assert len(e.changes) == 1


def test_no_unit_available_in_time_and_pledge_conversion():
    inst = Instance(
        units=(Unit("IDN-E1", "IDN", "engineer_coy", available_from=3),),
        demands=(Demand("d", "rafah", "reconstruction", "engineer_coy", 1, 1),),
        periods=4,
    )
    potential = [Unit("MAR-E1", "MAR", "engineer_coy", pledge_id="P9", status="considering")]
    (e,) = explain_uncovered(inst, solve(inst, solver="greedy").plan, potential, LABELS)
    assert "No engineer company available before period 3 (2026-04)" in e.text
    # two single changes would do; both are offered
    options = [e.changes] + e.alternatives
    assert ["convert pledge P9 (MAR, considering)"] in options
    assert ["bring unit IDN-E1 forward by 2 periods"] in options
    assert "convert pledge P9 (MAR, considering)" in e.text


def test_busy_with_higher_priority():
    inst = Instance(
        units=(Unit("U1", "IDN", "inf"),),
        demands=(
            Demand("hi", "north", "security", "inf", 0, 1, 5.0),
            Demand("lo", "south", "security", "inf", 0, 1, 1.0),
        ),
    )
    res = solve(inst, solver="highs", time_limit=5)
    (e,) = explain_uncovered(inst, res.plan)
    assert e.demand_id == "lo"
    assert "All eligible candidates are assigned to higher-priority demands" in e.text


def test_busy_candidates_are_named_by_pledge_nation_and_place():
    units = tuple(Unit(f"P3#{i}", "PAK", "inf", pledge_id="P3") for i in (1, 2))
    inst = Instance(
        units=units,
        demands=(
            Demand("hi", "north", "security", "inf", 0, 2, 5.0),
            Demand("lo", "south", "security", "inf", 0, 1, 1.0),
        ),
    )
    (e,) = explain_uncovered(inst, solve(inst, solver="highs", time_limit=5).plan)
    assert "higher-priority demands: 2 units of pledge P3 (PAK) in north, security" in e.text
    assert "P3#" not in e.text


def test_wording_for_one_vetoed_nation_and_a_demand_its_only_unit_already_serves():
    inst = Instance(
        units=(Unit("TUR-1", "TUR", "inf"), Unit("IDN-1", "IDN", "inf")),
        demands=(Demand("d", "north", "security", "inf", 0, 3),),
        objections=(Objection("Israel", frozenset({"TUR"})),),
    )
    (e,) = explain_uncovered(inst, solve(inst, solver="highs", time_limit=5).plan)
    assert e.text.startswith("inf for security in sector north, period 0: 2 of 3 uncovered. ")
    assert "One candidate is from a nation objected to by Israel (TUR)" in e.text


def test_a_demand_whose_eligible_units_all_serve_it_says_so():
    inst = Instance(
        units=(Unit("IDN-1", "IDN", "inf"), Unit("IDN-2", "IDN", "inf")),
        demands=(Demand("d", "north", "security", "inf", 0, 5),),
    )
    (e,) = explain_uncovered(inst, solve(inst, solver="highs", time_limit=5).plan)
    assert "All 2 eligible units are already assigned here" in e.text
    assert e.suggestion == "seek a new pledge of 3 infs (all eligible units are in use)"


def penalised_case() -> Instance:
    """One unit whose objection penalty (1,000) outweighs its coverage (100)."""
    return Instance(
        units=(Unit("TUR-1", "TUR", "inf"),),
        demands=(Demand("d", "north", "security", "inf", 0, 1, 1.0),),
        objections=(Objection("Israel", frozenset({"TUR"}), mode="penalty", weight=1000.0),),
    )


def test_an_idle_unit_is_a_trade_off_only_in_a_proved_optimal_plan():
    inst = penalised_case()
    res = solve(inst, solver="highs", time_limit=5)
    assert res.status == "optimal" and len(res.plan) == 0
    (proved,) = explain_uncovered(inst, res.plan, proven_optimal=True)
    assert "in the optimal plan an objection penalty or a composition target outweighs" in (
        proved.text
    )
    (unproved,) = explain_uncovered(inst, res.plan)
    assert "not proved optimal, a longer run may use it" in unproved.text
    assert "outweighs" not in unproved.text
    # greedy does not improve with time: "a longer run" would mislead
    (greedy,) = explain_uncovered(inst, res.plan, heuristic=True)
    assert "the greedy heuristic's plan, which fills requirements in priority order" in (
        greedy.text
    )
    assert "longer run" not in greedy.text


def test_a_capability_only_a_withdrawn_nation_offered_is_missing_because_of_the_what_if():
    units = (
        Unit("KAZ-1", "KAZ", "eod-team", pledge_id="kaz-eod"),
        Unit("KAZ-2", "KAZ", "eod-team", pledge_id="kaz-eod"),
        Unit("IDN-1", "IDN", "inf", pledge_id="idn-inf"),
    )
    demands = (Demand("d", "rafah", "demil", "eod-team", 0, 3),)
    base = Instance(units=units, demands=demands)
    without = withdraw_nation(base, "KAZ")
    plan = solve(without, solver="highs", time_limit=5).plan
    (told,) = explain_uncovered(without, plan, withdrawn_units=units[:2])
    removed = "No pledge of eod-teams is left in this scenario: its what-ifs removed the only offer"
    assert removed in told.text
    assert "pledge kaz-eod (KAZ)" in told.text and "has offered" not in told.text
    assert told.suggestion == (
        "drop the what-if that removed pledge kaz-eod (KAZ), or seek a new pledge of 3 eod-teams"
    )
    assert told.reason_kinds == {"withdrawn"}
    late = [
        Unit(u.id, u.nation, u.capability, pledge_id=u.pledge_id, available_from=2)
        for u in units[:2]
    ]
    (too_late,) = explain_uncovered(without, plan, withdrawn_units=late)
    assert "removed the only offer, pledge kaz-eod (KAZ), which could not have served here" in (
        too_late.text
    )
    assert too_late.suggestion == "seek a new pledge of 3 eod-teams"
    (never,) = explain_uncovered(without, plan, withdrawn_units=units[2:])  # infantry only
    assert "No nation has offered eod-teams" in never.text


def test_withdrawing_an_uncounted_pledge_is_not_undone_by_dropping_the_what_if_alone():
    considering = (
        Unit("KAZ-1", "KAZ", "eod-team", pledge_id="kaz-eod", status="considering"),
        Unit("IDN-1", "IDN", "inf", pledge_id="idn-inf"),
    )
    demands = (Demand("d", "rafah", "demil", "eod-team", 0, 1),)
    without = withdraw_nation(Instance(units=considering[1:], demands=demands), "KAZ")
    plan = solve(without, solver="highs", time_limit=5).plan
    (told,) = explain_uncovered(without, plan, withdrawn_uncounted_units=considering[:1])
    assert "which the plan did not count anyway" in told.text
    assert told.suggestion == (
        "drop the what-if that removed pledge kaz-eod (KAZ) and convert pledge kaz-eod "
        "(KAZ, considering), "
        "or seek a new pledge of 1 eod-team"
    )
    assert told.changes == ["drop the what-if", "convert pledge kaz-eod (KAZ, considering)"]
    (counted,) = explain_uncovered(without, plan, withdrawn_units=considering[:1])
    assert counted.suggestion == (
        "drop the what-if that removed pledge kaz-eod (KAZ), or seek a new pledge of 1 eod-team"
    )


def test_a_pledge_level_change_unlocks_all_its_units():
    units = tuple(
        Unit(f"IDN#{i}", "IDN", "engineer_coy", available_from=2, pledge_id="idn-eng")
        for i in (1, 2)
    ) + (Unit("ITA-1", "ITA", "engineer_coy", available_from=3),)
    inst = Instance(
        units=units,
        demands=(Demand("d", "rafah", "reconstruction", "engineer_coy", 0, 2),),
        periods=4,
    )
    (e,) = explain_uncovered(inst, solve(inst, solver="greedy").plan)
    assert e.changes == ["bring pledge idn-eng forward by 2 periods"]
    assert e.suggestion == "bring pledge idn-eng forward by 2 periods: 2 more candidates eligible"


def test_lifting_the_veto_covers_the_demand_and_diff_says_so():
    inst = engineer_case()
    before = solve(inst, solver="highs", time_limit=5)
    after_inst = lift_objection(inst, "Israel", "TUR")
    after = solve(after_inst, solver="highs", time_limit=5)
    diff = diff_plans(before.plan, after.plan, inst, after_inst)
    assert diff.coverage_delta == {("rafah", "reconstruction"): 1}
    assert diff.nations_added == ["TUR"]


def test_withdrawing_a_nation_shows_in_the_diff():
    units = (Unit("IDN-1", "IDN", "inf"), Unit("ITA-1", "ITA", "inf"))
    demands = (
        Demand("n", "north", "security", "inf", 0, 1, 5.0),
        Demand("s", "south", "security", "inf", 0, 1, 4.0),
    )
    inst = Instance(units=units, demands=demands)
    a = solve(inst, solver="highs", time_limit=5)
    b_inst = withdraw_nation(inst, "ITA")
    b = solve(b_inst, solver="highs", time_limit=5)
    diff = diff_plans(a.plan, b.plan, inst, b_inst)
    assert diff.nations_removed == ["ITA"]
    assert sum(diff.coverage_delta.values()) == -1
    assert diff.coverage_delta == {("south", "security"): -1}
    assert any("No longer deployed: ITA" in s for s in diff.sentences)


def test_slip_availability_uncovers_early_periods():
    inst = Instance(
        units=(Unit("U", "IDN", "inf"),),
        demands=tuple(Demand(f"d{p}", "north", "security", "inf", p, 1) for p in range(3)),
        periods=3,
    )
    slipped = slip_availability(inst, 2, nation="IDN")
    res = solve(slipped, solver="highs", time_limit=5)
    assert sorted(a.demand_id for a in res.plan.assignments) == ["d2"]


def test_a_month_beyond_the_horizon_is_named_as_such():
    months = Instance(
        units=(), demands=(), periods=2, period_labels=("2026-01", "2026-02"), period_unit="month"
    )
    assert months.label(1) == "2026-02"
    assert months.label(5) == "after 2026-02 (beyond the horizon)"
    assert Instance(units=(), demands=(), periods=2).label(5) == "period 5"


def test_pledges_not_yet_firm_are_named_with_what_else_keeps_them_out():
    demands = (Demand("d", "rafah", "security", "inf", 0, 2),)
    inst = Instance(
        units=(), demands=demands, objections=(Objection("Israel", frozenset({"PAK"})),)
    )
    potential = (
        Unit("PAK#1", "PAK", "inf", pledge_id="pak-troops", status="considering"),
        Unit("PAK#2", "PAK", "inf", pledge_id="pak-troops", status="considering"),
        Unit("BGD#1", "BGD", "inf", pledge_id="bgd-troops", status="interest"),
    )
    (told,) = explain_uncovered(inst, solve(inst, solver="greedy").plan, potential_units=potential)
    assert (
        "3 further units pledged but not yet firm (pledge bgd-troops (BGD, interest); "
        "pledge pak-troops (PAK, considering), which Israel also vetoes)"
    ) in told.text
