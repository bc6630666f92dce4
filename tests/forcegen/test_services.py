"""The pledge lifecycle and the rules the register enforces."""

from __future__ import annotations

import datetime as dt

import pytest

from stabforce.core.models import Nation, Source
from stabforce.forcegen import services
from stabforce.forcegen.choices import allowed_transitions
from stabforce.forcegen.models import Capability, Pledge

D = dt.date


@pytest.fixture
def source(gaza):
    return Source.objects.create(
        mission=gaza, key="t-source", publisher="Test wire", title="t", confidence="medium"
    )


@pytest.fixture
def pledge(gaza, source):
    return services.create_pledge(
        mission=gaza,
        key="t-fra",
        nation=Nation.objects.get(iso3="FRA"),
        capability=Capability.objects.get(mission=gaza, key="engineer-company"),
        personnel=150,
        status="considering",
        citation=services.Citation(source, D(2026, 1, 5)),
    )


def test_commit_is_refused_while_blocking_conditions_are_open(pledge, source):
    services.add_condition(pledge, "mandate", services.Citation(source, D(2026, 1, 6)))
    parliament = services.add_condition(
        pledge, "domestic_approval", services.Citation(source, D(2026, 1, 6))
    )
    services.add_condition(
        pledge, "funding", services.Citation(source, D(2026, 1, 6)), blocking=False
    )
    with pytest.raises(services.ForcegenError) as refused:
        services.change_status(pledge, "committed", services.Citation(source, D(2026, 2, 1)))
    assert "Mandate clarity" in refused.value.message
    assert "Domestic or parliamentary approval" in refused.value.message
    assert "Funding" not in refused.value.message  # not blocking
    assert Pledge.objects.get(pk=pledge.pk).status == "considering"

    mandate = pledge.conditions.get(kind="mandate")
    services.resolve_condition(mandate, "met", services.Citation(source, D(2026, 1, 20)))
    services.resolve_condition(parliament, "waived", services.Citation(source, D(2026, 1, 25)))
    services.change_status(pledge, "committed", services.Citation(source, D(2026, 2, 1)))
    pledge.refresh_from_db()
    assert (pledge.status, pledge.status_since) == ("committed", D(2026, 2, 1))


def test_a_condition_resolved_after_the_commit_date_still_blocks(pledge, source):
    condition = services.add_condition(pledge, "mandate", services.Citation(source, D(2026, 1, 6)))
    services.resolve_condition(condition, "met", services.Citation(source, D(2026, 3, 1)))
    with pytest.raises(services.ForcegenError, match="Mandate clarity"):
        services.change_status(pledge, "committed", services.Citation(source, D(2026, 2, 1)))


def test_backward_moves_and_moves_out_of_closed_states_are_refused(pledge, source):
    services.change_status(pledge, "offered", services.Citation(source, D(2026, 1, 10)))
    with pytest.raises(services.ForcegenError, match="cannot move from 'offered' to 'considering'"):
        services.change_status(pledge, "considering", services.Citation(source, D(2026, 1, 11)))
    services.change_status(pledge, "withdrawn", services.Citation(source, D(2026, 1, 12)))
    with pytest.raises(services.ForcegenError, match="allowed: none"):
        services.change_status(pledge, "offered", services.Citation(source, D(2026, 1, 13)))


def test_changes_are_kept_in_valid_time_order(pledge, source):
    services.change_status(pledge, "offered", services.Citation(source, D(2026, 1, 10)))
    with pytest.raises(services.ForcegenError) as refused:
        services.change_status(pledge, "committed", services.Citation(source, D(2026, 1, 8)))
    assert refused.value.field == "effective"


def test_every_status_change_is_in_the_audit_history(pledge, source):
    services.change_status(pledge, "offered", services.Citation(source, D(2026, 1, 10)))
    statuses = [h.status for h in pledge.history.order_by("history_date")]
    assert statuses[0] == "considering" and statuses[-1] == "offered"
    assert pledge.status_changes.count() == 2
    assert services.status_on(pledge, D(2026, 1, 9)) == "considering"
    assert services.status_on(pledge, D(2026, 1, 4)) is None


def test_conflicting_figures_are_both_kept_and_one_is_chosen(pledge, source):
    other = Source.objects.create(
        mission=pledge.mission, key="t-other", publisher="Other", title="o", confidence="low"
    )
    services.record_figure(pledge, 300, services.Citation(other, D(2026, 1, 15)), choose=False)
    pledge.refresh_from_db()
    assert pledge.personnel == 150
    services.record_figure(pledge, 450, services.Citation(other, D(2026, 1, 20)), choose=True)
    pledge.refresh_from_db()
    assert pledge.personnel == 450
    assert sorted(pledge.figures.values_list("personnel", "chosen")) == [
        (150, False),
        (300, False),
        (450, True),
    ]


def test_a_source_of_another_mission_is_refused(pledge, gaza):
    from stabforce.core.models import Mission

    other = Mission.objects.create(slug="m2", name="M2", mandate="m", authorised_from="2025-01-01")
    foreign = Source.objects.create(
        mission=other, key="x", publisher="x", title="x", confidence="low"
    )
    with pytest.raises(services.ForcegenError) as refused:
        services.change_status(pledge, "offered", services.Citation(foreign, D(2026, 1, 10)))
    assert refused.value.field == "source"


def test_transition_table_matches_the_architecture():
    assert allowed_transitions(None) >= {"interest", "considering", "offered", "committed"}
    assert "rotated_out" in allowed_transitions("deployed")
    assert "rotated_out" not in allowed_transitions("committed")
    for closed in ("withdrawn", "declined", "rotated_out"):
        assert allowed_transitions(closed) == set()
    for open_status in ("interest", "considering", "offered", "committed", "deployed"):
        assert {"withdrawn", "declined"} <= allowed_transitions(open_status)
