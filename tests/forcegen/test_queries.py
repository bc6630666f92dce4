"""As-of reads of the Gaza register: the fact sheet's timeline, in valid time."""

from __future__ import annotations

import datetime as dt

import pytest

from stabforce.forcegen import queries
from stabforce.forcegen.models import Pledge

D = dt.date


@pytest.fixture
def hq(users):
    return users["hq"]


def _pledge(hq, gaza, day, key):
    return {p.key: p for p in queries.pledges_as_of(hq, gaza, day)}.get(key)


def test_pakistan_is_considering_with_four_open_conditions_in_december(hq, gaza):
    pak = _pledge(hq, gaza, D(2025, 12, 20), "pak-infantry")
    assert (pak.status_on, pak.personnel_on, pak.personnel_qualifier) == (
        "considering",
        3500,
        "up_to",
    )
    open_kinds = set(
        queries.conditions_open_on(hq, gaza, D(2025, 12, 20))
        .filter(pledge=pak)
        .values_list("kind", flat=True)
    )
    assert open_kinds == {
        "mandate",
        "rules_of_engagement",
        "international_backing",
        "domestic_approval",
    }
    assert _pledge(hq, gaza, D(2025, 11, 1), "pak-infantry") is None  # not yet reported


def test_indonesia_figure_changes_with_the_date_and_both_sources_stay(hq, gaza):
    assert _pledge(hq, gaza, D(2025, 12, 1), "idn-contingent").personnel_on == 20000
    feb = _pledge(hq, gaza, D(2026, 2, 20), "idn-contingent")
    assert (feb.status_on, feb.personnel_on) == ("committed", 8000)
    figures = Pledge.objects.get(key="idn-contingent").figures.order_by("reported_on")
    assert [(f.personnel, f.chosen, f.source.publisher) for f in figures] == [
        (20000, False, "Reuters"),
        (8000, True, "Türkiye Today"),
    ]


def test_azerbaijan_declines_and_drops_out_of_the_totals(hq, gaza):
    assert _pledge(hq, gaza, D(2025, 11, 15), "aze-troops").status_on == "considering"
    assert _pledge(hq, gaza, D(2025, 12, 15), "aze-troops").status_on == "declined"
    before = queries.gap_report(hq, gaza, D(2025, 11, 15)).analysis.totals
    after = queries.gap_report(hq, gaza, D(2025, 12, 15)).analysis.totals
    # considering on 15 Nov: Azerbaijan 800 + Egypt and Jordan trainers 40 + 40;
    # on 15 Dec Azerbaijan has declined and Pakistan (3,500) is considering.
    assert before.pledged_by_status["considering"] == 800 + 80
    assert after.pledged_by_status["considering"] == 3500 + 80


def test_israel_objections_appear_on_their_dates(hq, gaza):
    assert queries.objections_on(hq, gaza, D(2025, 12, 1)) == {"TUR": {"Israel"}}
    assert queries.objections_on(hq, gaza, D(2026, 1, 10)) == {
        "TUR": {"Israel"},
        "PAK": {"Israel"},
    }
    parties, rows = queries.acceptability_matrix(hq, gaza, D(2026, 1, 10))
    israel = [p.name for p in parties].index("Israel")
    stances = {nation.iso3: cells[israel].stance for nation, cells in rows}
    assert stances["PAK"] == "objects" and stances["TUR"] == "objects"
    assert stances["IDN"] == "unknown"


def test_gap_totals_on_the_demo_plan_date(hq, gaza):
    report = queries.gap_report(hq, gaza, D(2026, 2, 20)).as_dict()
    totals = report["totals"]
    assert (totals["required_troops"], totals["required_police"]) == (20000, 12000)
    # committed on 2026-02-19: IDN 8,000, KAZ 800 + 50, ALB 800, XKX 120, MAR 160 (police),
    # USA 20 (since 2026-01-17)
    assert totals["pledged_by_status"]["committed"] == 8000 + 850 + 800 + 120 + 160 + 20
    assert totals["firm_police"] == 160
    assert totals["contributing_nations_firm"] == 6
    assert report["synthetic_requirements"] is True
    cells = {(c["capability"], c["line_of_operation"], c["sector"]): c for c in report["cells"]}
    pak_demil = [c for c in report["cells"] if "pak-infantry" in c["pledges"]]
    assert all(c["line_of_operation"] != "demilitarisation" for c in pak_demil)
    rafah = cells[("infantry-battalion", "border-security", "rafah")]
    assert rafah["required_personnel"] == 800 and rafah["firm"] == 800


def test_stale_pledges_follow_the_renewal_period(hq, gaza):
    assert queries.stale_pledges(hq, gaza, D(2026, 2, 20)) == []
    stale = {p.key for p in queries.stale_pledges(hq, gaza, D(2026, 8, 1))}
    # Pakistan's newest evidence is Rubio on 2025-12-19: stale after 182 days
    assert "pak-infantry" in stale and "idn-contingent" not in stale


def test_totals_over_time_match_single_date_reports(hq, gaza):
    days = [D(2025, 12, 1), D(2026, 1, 15), D(2026, 2, 20)]
    series = queries.totals_over_time(hq, gaza, days)
    for point, day in zip(series, days, strict=True):
        single = queries.gap_report(hq, gaza, day).analysis.totals.pledged_by_status
        assert point["pledged"] == single


def test_a_liaison_officer_counts_only_what_they_may_see(users, gaza):
    pak = Pledge.objects.get(key="pak-infantry")
    pak.releasability = "hq"
    pak.save()
    pak.status_changes.update(releasability="hq")
    lno_idn = queries.gap_report(users["lno_idn"], gaza, D(2026, 2, 20)).analysis.totals
    lno_pak = queries.gap_report(users["lno_pak"], gaza, D(2026, 2, 20)).analysis.totals
    assert lno_idn.pledged_by_status["considering"] == 3580 - 3500
    assert lno_pak.pledged_by_status["considering"] == 3580  # their own nation's pledge


def test_pledge_timeline_keeps_quotes_and_the_weekday_note(hq, gaza):
    pak = Pledge.objects.get(key="pak-infantry")
    entries = queries.pledge_timeline(hq, pak)
    assert [e.day for e in entries] == sorted(e.day for e in entries)
    rubio = [e for e in entries if e.source and e.source.key == "state-rubio-2025-12-19"]
    assert rubio and "offer to consider" in rubio[0].quote
    assert any(e.kind == "caveat" and "not our job" in e.text for e in entries)
