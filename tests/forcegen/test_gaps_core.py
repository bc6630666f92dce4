"""The pure allocation core of the gap analysis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stabforce.forcegen.gaps import PledgeOnDate, RequirementLine, analyse


def line(key, capability="inf", loo="poc", sector="s1", personnel=800, priority=1):
    return RequirementLine(key, capability, loo, sector, personnel, 1, priority, "2026-03-01")


def test_firm_pledges_fill_first_and_caveats_are_obeyed():
    requirements = [line("a", loo="demil", priority=1), line("b", loo="poc", priority=2)]
    pledges = [
        PledgeOnDate("considering-big", "AAA", "inf", 800, "considering"),
        PledgeOnDate(
            "committed-no-demil",
            "BBB",
            "inf",
            800,
            "committed",
            forbidden_tasks=frozenset({"demil"}),
        ),
    ]
    cells = {c.line_of_operation: c for c in analyse(requirements, pledges).cells}
    assert cells["poc"].allocated["committed"] == 800 and cells["poc"].shortfall == 0
    assert cells["demil"].allocated["considering"] == 800
    assert cells["demil"].shortfall == 800 and cells["demil"].shortfall_if_all_convert == 0


def test_composition_figures():
    pledges = [
        PledgeOnDate(
            "p1",
            "PAK",
            "inf",
            600,
            "committed",
            nation_groups=frozenset({"OIC"}),
            objected_by=frozenset({"Israel"}),
        ),
        PledgeOnDate("p2", "ITA", "inf", 400, "committed"),
        PledgeOnDate(
            "p3", "MAR", "fpu", 160, "committed", is_police=True, nation_groups=frozenset({"OIC"})
        ),
        PledgeOnDate("p4", "AZE", "inf", 800, "declined"),
    ]
    totals = analyse([line("a")], pledges).totals
    assert totals.oic_share_firm == 0.6  # police are not troops
    assert totals.firm_troops == 1000 and totals.firm_police == 160
    assert totals.unobjected_firm == 560
    assert totals.contributing_nations_firm == 3
    assert totals.pledged_by_status["committed"] == 1160


statuses = st.sampled_from(
    ["deployed", "committed", "offered", "considering", "interest", "declined"]
)


@settings(max_examples=200, deadline=None)
@given(
    needs=st.lists(
        st.tuples(
            st.sampled_from(["inf", "eng"]),
            st.sampled_from(["poc", "bs"]),
            st.integers(1, 2000),
            st.integers(1, 4),
        ),
        max_size=8,
    ),
    offers=st.lists(
        st.tuples(st.sampled_from(["inf", "eng"]), st.integers(1, 3000), statuses), max_size=8
    ),
)
def test_allocation_conserves_personnel_and_never_overfills(needs, offers):
    requirements = [line(f"r{i}", c, loo, "s1", p, pr) for i, (c, loo, p, pr) in enumerate(needs)]
    pledges = [PledgeOnDate(f"p{i}", "NNN", c, p, s) for i, (c, p, s) in enumerate(offers)]
    analysis = analyse(requirements, pledges)
    for cell in analysis.cells:
        assert 0 <= cell.filled <= cell.required_personnel
        assert cell.shortfall >= cell.shortfall_if_all_convert
    open_personnel = sum(p.personnel for p in pledges if p.status != "declined")
    allocated = sum(cell.filled for cell in analysis.cells)
    unallocated = sum(analysis.totals.unallocated_by_status.values())
    assert allocated + unallocated == open_personnel
