"""Unused pledges: the planner says which offers stay at home and why."""

import datetime as dt

import pytest

from stabforce.planning import services
from stabforce.planning.solver import Demand, Instance, Plan, Unit, describe_idle, explain_idle

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
    assert "barred to it by its caveats" in text and "security" in text and "M0 to M1" in text


def test_a_unit_left_idle_beside_a_short_demand_is_called_a_choice():
    inst = _instance()
    idle = {e.pledge: e for e in explain_idle(inst, Plan())}
    assert idle["pak-mp"].periods_by_kind == {"not_chosen": [0, 1]}
    assert idle["ita-eng"].periods_by_kind == {"not_chosen": [0, 1]}


def test_a_fully_used_pledge_is_not_listed():
    inst = _instance()
    full = Plan.of([("eng-1", "eng@0"), ("eng-2", "eng@0"), ("eng-1", "eng@1"), ("eng-2", "eng@1")])
    assert "ita-eng" not in {e.pledge for e in explain_idle(inst, full)}


@pytest.mark.django_db
def test_the_plan_answer_lists_unused_pledges_in_words(gaza, users):
    answer = services.plan_answer(users["hq"], gaza, AS_OF, solver_name="greedy")
    unused = answer["unused_pledges"]
    assert unused, "the demo force has offers the plan cannot use"
    for entry in unused:
        assert 0 < entry["idle_unit_months"] <= entry["available_unit_months"]
        assert entry["reasons"] and entry["text"].startswith(entry["nation_name"])
    # keys never leak into the words readers see
    assert not any("reconstruction-support" in e["text"] for e in unused)
