"""Unused pledges: the planner says which offers stay at home and why."""

import datetime as dt
import re

import pytest

from stabforce.planning import services
from stabforce.planning.solver import (
    Demand,
    Instance,
    Objection,
    Plan,
    Unit,
    describe_idle,
    explain_idle,
)
from stabforce.planning.solver.idle import _span
from stabforce.planning.solver.words import plural

AS_OF = dt.date(2026, 2, 20)


def _instance() -> Instance:
    units = (
        # two engineers, one demand: one is spare
        Unit("eng-1", "ITA", "engineer", pledge_id="ita-eng"),
        Unit("eng-2", "ITA", "engineer", pledge_id="ita-eng"),
        # infantry restricted (by caveat) away from the only infantry line
        Unit("inf-1", "IDN", "infantry", forbidden_lines=frozenset({"security"}), pledge_id="idn"),
        # medics: nobody asks for them
        Unit("med-1", "BRA", "medical", pledge_id="bra-med"),
        # tour limit of one period: second period idle although the demand is short
        Unit("mp-1", "PAK", "mp", max_deployment_periods=1, pledge_id="pak-mp"),
    )
    demands = tuple(
        d
        for p in range(2)
        for d in (
            Demand(f"eng@{p}", "north", "reconstruction", "engineer", period=p),
            Demand(f"inf@{p}", "north", "security", "infantry", period=p),
            Demand(f"mp@{p}", "north", "policing", "mp", period=p),
        )
    )
    return Instance(units=units, demands=demands, periods=2)


def test_every_idle_unit_period_gets_its_reason():
    inst = _instance()
    plan = Plan.of([("eng-1", "eng@0"), ("eng-1", "eng@1"), ("mp-1", "mp@0")])
    idle = {e.pledge: e for e in explain_idle(inst, plan)}
    assert set(idle) == {"ita-eng", "idn", "bra-med", "pak-mp"}
    assert idle["ita-eng"].periods_by_kind == {"spare": [0, 1]}
    assert (idle["ita-eng"].idle_unit_periods, idle["ita-eng"].available_unit_periods) == (2, 4)
    assert idle["idn"].periods_by_kind == {"excluded": [0, 1]}
    assert idle["idn"].blocked_lines == {"security"}
    assert idle["bra-med"].periods_by_kind == {"not_required": [0, 1]}
    assert idle["pak-mp"].periods_by_kind == {"tour_used": [1]}
    text = " ".join(describe_idle(idle["idn"], label=lambda p: f"M{p}"))
    assert "closed to this pledge" in text and "security" in text and "M0 to M1" in text
    # most idle first: the pledge with one idle unit-period comes last
    assert [e.pledge for e in explain_idle(inst, plan)][-1] == "pak-mp"


def test_a_unit_left_idle_beside_a_short_demand_is_a_choice_only_in_a_proved_plan():
    inst = _instance()
    idle = {e.pledge: e for e in explain_idle(inst, Plan())}
    assert idle["pak-mp"].periods_by_kind == {"not_chosen": [0, 1]}
    assert idle["ita-eng"].periods_by_kind == {"not_chosen": [0, 1]}
    proved = " ".join(describe_idle(idle["pak-mp"], proven_optimal=True))
    unproved = " ".join(describe_idle(idle["pak-mp"], proven_optimal=False))
    assert "in the optimal plan" in proved and "not proved optimal" in unproved
    greedy = " ".join(describe_idle(idle["pak-mp"], heuristic=True))
    assert "greedy heuristic's plan" in greedy and "longer run" not in greedy


def test_a_fully_used_pledge_is_not_listed():
    inst = _instance()
    full = Plan.of([("eng-1", "eng@0"), ("eng-2", "eng@0"), ("eng-1", "eng@1"), ("eng-2", "eng@1")])
    assert "ita-eng" not in {e.pledge for e in explain_idle(inst, full)}


def test_only_the_periods_wholly_barred_name_their_blockers():
    # Barred from line A in period 0 (but spare on line B there); barred from sector S2 in
    # period 1, the only demand then. Only S2 explains the excluded month.
    unit = Unit("u", "FRA", "eng", forbidden_lines=frozenset({"A"}), forbidden_sectors={"S2"})
    demands = (
        Demand("a0", "S1", "A", "eng", period=0),
        Demand("b0", "S1", "B", "eng", period=0),
        Demand("c1", "S2", "B", "eng", period=1),
    )
    inst = Instance(units=(unit,), demands=demands, periods=2)
    covered_elsewhere = Unit("v", "FRA", "eng", pledge_id="other")
    inst = inst.with_(units=(unit, covered_elsewhere))
    (e,) = [x for x in explain_idle(inst, Plan.of([("v", "b0")])) if x.pledge == "u"]
    assert e.periods_by_kind == {"spare": [0], "excluded": [1]}
    assert e.blocked_sectors == {"S2"} and e.blocked_lines == set()


def test_vetoes_availability_windows_and_unknown_demands():
    vetoed = Unit("t", "TUR", "inf", available_from=1, available_until=2, pledge_id="tur")
    inst = Instance(
        units=(vetoed,),
        demands=tuple(Demand(f"d{p}", "S", "L", "inf", period=p) for p in range(4)),
        periods=4,
        objections=(Objection("Israel", "TUR"),),
    )
    (e,) = explain_idle(inst, Plan.of([("t", "not-a-demand")]))
    assert e.available_unit_periods == 2 and e.idle_unit_periods == 2
    assert e.periods_by_kind == {"excluded": [1, 2]} and e.vetoing_parties == {"Israel"}
    assert "vetoed by Israel" in " ".join(describe_idle(e))


def test_months_in_which_the_mission_needs_nothing_are_not_idle_months():
    inst = Instance(
        units=(Unit("m", "BRA", "med", pledge_id="bra"), Unit("e", "ITA", "eng", pledge_id="ita")),
        demands=tuple(Demand(f"d{p}", "S", "L", "eng", period=p) for p in (1, 2)),
        periods=3,  # nothing at all is required in period 0
    )
    (e,) = explain_idle(inst, Plan.of([("e", "d1"), ("e", "d2")]))
    assert e.pledge == "bra" and e.periods_by_kind == {"not_required": [1, 2]}
    assert e.available_unit_periods == e.idle_unit_periods == 2


def test_units_of_one_pledge_with_different_capabilities_are_explained_apart():
    inst = Instance(
        units=(Unit("a", "ITA", "eng", pledge_id="p"), Unit("b", "ITA", "med", pledge_id="p")),
        demands=(Demand("d", "S", "L", "eng"),),
        periods=1,
    )
    by_cap = {e.capability: e for e in explain_idle(inst, Plan.of([("a", "d")]))}
    assert set(by_cap) == {"med"} and by_cap["med"].periods_by_kind == {"not_required": [0]}


def test_words_for_names_and_spans():
    assert plural("infantry battalion") == "infantry battalions"
    assert plural("level-1 medical facility") == "level-1 medical facilities"
    assert plural("staff officers (hq cell)") == "staff officers (hq cell)"
    assert plural("formed police unit (fpu)") == "formed police units (fpu)"
    label = str
    assert _span([0, 1, 2, 5], label) == "0 to 2, 5"
    assert _span([0, 2, 4, 6, 8, 10], label) == "0, 2, 4, and 3 more spans"


@pytest.mark.django_db
def test_the_plan_answer_lists_unused_pledges_in_words(gaza, users):
    answer = services.plan_answer(users["hq"], gaza, AS_OF, solver_name="greedy")
    unused = {entry["pledge"]: entry for entry in answer["unused_pledges"]}
    for entry in unused.values():
        assert 0 < entry["idle_unit_months"] <= entry["available_unit_months"]
        assert entry["reasons"] and entry["text"].startswith(entry["nation_name"])
    # Indonesia's battalions are offered for reconstruction support only, where the
    # requirement breakdown asks for no infantry: every month is closed to them.
    idn = unused["idn-contingent"]
    assert idn["idle_unit_months"] == idn["available_unit_months"] == 120
    assert idn["reason_kinds"] == ["excluded", "not_required"]
    assert "infantry battalions is closed to this pledge" in idn["text"]
    assert "Border security" in idn["text"]
    # keys never leak into the words readers see
    keys = re.compile(r"border-security|infantry-battalion|protection-of-civilians")
    assert not any(keys.search(entry["text"]) for entry in unused.values())
