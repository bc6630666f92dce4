"""Unit tests of the extraction rules, one phenomenon at a time."""

from __future__ import annotations

from datetime import date

import pytest

from stabforce.intake.extract import (
    Caveat,
    Condition,
    Consultation,
    ForceOffer,
    PartyStance,
    Statement,
    extract,
)
from stabforce.intake.extract.dates import find_dates
from stabforce.intake.extract.quantities import find_sizes

PUB = date(2025, 12, 22)  # a Monday


def kinds(text: str, kind: str, published: date | None = PUB) -> list:
    return extract(text, published=published).of_kind(kind)


def nations(text: str) -> set[str]:
    return {c.nation for c in kinds(text, "nation_mention")}


# --- nations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Islamabad said it would decide soon.", "PAK"),
        ("Washington wants answers.", "USA"),
        ("Ankara is ready.", "TUR"),
        ("Tehran was consulted.", "IRN"),
        ("Jakarta will send engineers.", "IDN"),
        ("Cairo wants guarantees.", "EGY"),
        ("Baku ruled itself out.", "AZE"),
        ("Jerusalem objects to the plan.", "ISR"),
        ("The Pakistani minister spoke.", "PAK"),
        ("Turkish officials spoke.", "TUR"),
        ("An Iranian envoy spoke.", "IRN"),
        ("Indonesian troops arrived.", "IDN"),
        ("An Israeli official spoke.", "ISR"),
        ("Egyptian police train recruits.", "EGY"),
        ("Azerbaijani diplomats spoke.", "AZE"),
        ("American officials spoke.", "USA"),
        ("The US will not send troops.", "USA"),
        ("The U.S. will not send troops.", "USA"),
        ("Türkiye is ready.", "TUR"),
        ("Turkey is ready.", "TUR"),
        ("Kyrgyzstan declined.", "KGZ"),  # from pycountry, not the curated table
        ("The Republic of Indonesia offered troops.", "IDN"),  # pycountry official name
    ],
)
def test_nation_metonyms_and_demonyms(text: str, iso3: str) -> None:
    assert iso3 in nations(text)


def test_jerusalem_only_when_it_acts_and_not_inside_a_newspaper_name() -> None:
    assert "ISR" not in nations("Talks were held in East Jerusalem.")
    assert "ISR" not in nations("East Jerusalem objects.")
    assert "ISR" not in nations("The Jerusalem Post reported the talks.")
    assert "ISR" in nations("Jerusalem has vetoed the plan.")


def test_lowercase_common_word_is_not_a_nation() -> None:
    assert nations("They ate turkey and discussed the chad on the ballot.") == set()


def test_capital_in_locative_use_has_lower_confidence() -> None:
    [loc] = kinds("Talks were held in Cairo.", "nation_mention")
    [act] = kinds("Cairo said it wants guarantees.", "nation_mention")
    assert loc.via == "capital" and loc.confidence < act.confidence


# --- officials and organisations ---------------------------------------------------------------


def test_officials_with_role_and_nation() -> None:
    text = (
        "US Secretary of State Marco Rubio spoke. Ishaq Dar, Pakistan's foreign minister, "
        "replied. Israel's ambassador to India declined to comment."
    )
    got = {(o.name, o.role, o.nation) for o in kinds(text, "official")}
    assert ("Marco Rubio", "Secretary of State", "USA") in got
    assert ("Ishaq Dar", "foreign minister", "PAK") in got
    assert (None, "ambassador to India", "ISR") in got


def test_official_nation_inferred_is_marked() -> None:
    [o] = kinds(
        "Pakistan is weighing it, Foreign Office spokesperson Tahir Andrabi said.", "official"
    )
    assert o.nation == "PAK" and o.rule.endswith(".inferred_nation") and o.confidence < 0.9


def test_organisations() -> None:
    text = "The UN Security Council and the Board of Peace met the OIC; Hamas objected."
    got = {o.organisation for o in kinds(text, "organisation_mention")}
    assert got == {"UNSC", "BOP", "OIC", "HAMAS"}


# --- sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size", "lo", "hi", "qualifier", "unit"),
    [
        ("3,500 troops", 3500, 3500, 3500, "exact", None),
        ("up to 3,500 troops", 3500, None, 3500, "up_to", None),
        ("around 3,500 troops", 3500, None, None, "approx", None),
        ("some 3,500 soldiers", 3500, None, None, "approx", None),
        ("nearly 3,500 personnel", 3500, None, None, "approx", None),
        ("3,000-4,000 troops", None, 3000, 4000, "range", None),
        ("between 3,000 and 4,000 troops", None, 3000, 4000, "range", None),
        ("a brigade", None, 3000, 5000, "unit", "brigade"),
        ("two battalions", None, 600, 2000, "unit", "battalion"),
        ("thousands of troops", None, 2000, None, "vague", None),
        ("20,000 troops or more", 20000, 20000, None, "at_least", None),
    ],
)
def test_sizes(text, size, lo, hi, qualifier, unit) -> None:
    [hit] = find_sizes(text, 0, len(text))
    assert (hit.size, hit.size_min, hit.size_max, hit.qualifier, hit.unit_word) == (
        size,
        lo,
        hi,
        qualifier,
        unit,
    )


def test_years_and_casualties_are_not_sizes() -> None:
    text = "In 2025, 1,200 people were killed on December 19."
    assert find_sizes(text, 0, len(text)) == []


# --- stances ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Pakistan is weighing sending troops.", "considering"),
        ("Pakistan mulls sending troops.", "considering"),
        ("Pakistan has offered troops.", "offered"),
        ("Pakistan is ready to send troops.", "offered"),
        ("Pakistan pledged 1,000 troops.", "committed"),
        ("Pakistan will send 1,000 troops.", "committed"),
        ("Pakistani troops arrived in Gaza.", "deployed"),
        ("Pakistan declined to send troops.", "declined"),
        ("Pakistan has ruled out sending troops.", "declined"),
        ("Pakistan will not send troops.", "declined"),
        ("Pakistan withdrew its troops.", "withdrawn"),
        ("Pakistan pulled out of the stabilisation force.", "withdrawn"),
    ],
)
def test_stance_lexicon(text: str, stance: str) -> None:
    [offer] = kinds(text, "force_offer")
    assert (offer.nation, offer.stance) == ("PAK", stance)


@pytest.mark.parametrize(
    "text",
    [
        "No decision has been taken on sending troops to Gaza, Pakistan said.",
        "Pakistan has not decided whether to send troops.",
        "Pakistan has not yet committed troops to the force.",
        "Pakistan has offered troops, but no decision has been taken.",
    ],
)
def test_negation_is_never_a_commitment(text: str) -> None:
    offers = kinds(text, "force_offer")
    assert all(o.stance in {"considering", "offered"} for o in offers)
    assert all(o.hedges for o in offers)


def test_third_party_hedged_offer_is_considering_with_speaker() -> None:
    text = (
        "US Secretary of State Marco Rubio said Washington was grateful to Pakistan for its "
        'offer "to be part of it, or at least their offer to consider being part of it."'
    )
    [offer] = kinds(text, "force_offer")
    assert (offer.nation, offer.stance, offer.speaker) == ("PAK", "considering", "Marco Rubio")
    assert any("at least" in h and "offer to consider" in h for h in offer.hedges)


def test_asking_anyone_to_commit_is_not_a_commitment() -> None:
    text = "The US must answer questions before asking anyone to firmly commit troops."
    assert kinds(text, "force_offer") == []


def test_conditional_refusal_is_considering() -> None:
    [offer] = kinds(
        "The UAE would not join the force until there is a legal framework.", "force_offer"
    )
    assert offer.stance == "considering"


def test_caveat_is_not_a_refusal() -> None:
    text = "Pakistani troops will not take part in disarming Hamas."
    assert kinds(text, "force_offer") == []
    [cav] = kinds(text, "caveat")
    assert (cav.nation, cav.caveat_kind, cav.task) == ("PAK", "forbidden_task", "demilitarisation")


def test_coordinated_subjects_each_get_an_offer() -> None:
    got = {(o.nation, o.stance) for o in kinds("Kosovo and Albania pledged troops.", "force_offer")}
    assert got == {("XKX", "committed"), ("ALB", "committed")}


# --- conditions and caveats --------------------------------------------------------------------


def test_enumerated_conditions() -> None:
    text = (
        "Pakistan's participation is contingent on a clear mandate, rules of engagement, "
        "international backing and approval from parliament."
    )
    got = {(c.nation, c.condition_kind) for c in kinds(text, "condition")}
    assert got == {
        ("PAK", "mandate"),
        ("PAK", "rules_of_engagement"),
        ("PAK", "international_backing"),
        ("PAK", "domestic_approval"),
    }
    assert all(
        isinstance(c, Condition) and c.trigger == "contingent on" for c in kinds(text, "condition")
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Indonesia's offer requires a UN Security Council mandate.", "international_backing"),
        ("Azerbaijan would send troops only if there is a full halt to the fighting.", "ceasefire"),
        ("Bangladesh will deploy provided that the costs are covered.", "funding"),
        ("Malaysia is considering troops, subject to parliamentary approval.", "domestic_approval"),
        ("Egypt wants guarantees before it sends police.", "other"),
    ],
)
def test_condition_kinds(text: str, kind: str) -> None:
    assert kind in {c.condition_kind for c in kinds(text, "condition")}


@pytest.mark.parametrize(
    ("text", "caveat_kind", "field", "value"),
    [
        (
            "Disarming Hamas is not our job, Pakistan said.",
            "forbidden_task",
            "task",
            "demilitarisation",
        ),
        (
            "Pakistan wants peacekeeping, not peace enforcement.",
            "forbidden_task",
            "task",
            "peace_enforcement",
        ),
        (
            "Indonesian troops will serve only in medical and engineering roles.",
            "role_restriction",
            "roles",
            "medical and engineering",
        ),
        ("Kazakh troops will not serve in Rafah.", "forbidden_sector", "sector", "rafah"),
        (
            "Albanian police will deploy for no more than six months.",
            "max_duration",
            "max_months",
            6,
        ),
    ],
)
def test_caveats(text, caveat_kind, field, value) -> None:
    got = [c for c in kinds(text, "caveat") if isinstance(c, Caveat)]
    assert any(c.caveat_kind == caveat_kind and getattr(c, field) == value for c in got)


# --- consultations, party stances, statements --------------------------------------------------


def test_consultation_with_counterparts_and_date() -> None:
    text = (
        "Pakistani Foreign Minister Ishaq Dar spoke with his Turkish and Iranian "
        "counterparts on Gaza on Sunday."
    )
    [c] = kinds(text, "consultation")
    assert isinstance(c, Consultation)
    assert c.participants == ("IRN", "PAK", "TUR")
    assert c.officials == ("Ishaq Dar",)
    assert c.topic == "Gaza"
    assert c.date and c.date.value == date(2025, 12, 21)


@pytest.mark.parametrize(
    ("text", "party", "nation", "stance"),
    [
        ("Israel objects to Turkish troops.", "ISR", "TUR", "objects"),
        ("Israel has vetoed Turkey's participation.", "ISR", "TUR", "objects"),
        ("Egypt welcomes Indonesia's offer.", "EGY", "IDN", "accepts"),
        ("Egypt has no objection to Indonesian troops.", "EGY", "IDN", "accepts"),
        (
            'Asked about Pakistani troops, Israel\'s ambassador to India said: "No."',
            "ISR",
            "PAK",
            "objects",
        ),
    ],
)
def test_party_stances(text, party, nation, stance) -> None:
    got = {
        (p.party, p.nation, p.stance)
        for p in kinds(text, "party_stance")
        if isinstance(p, PartyStance)
    }
    assert got == {(party, nation, stance)}


def test_statement_speaker_role_nation_and_date() -> None:
    text = (
        'US Secretary of State Marco Rubio said on Friday that the US needed "a few more answers."'
    )
    [s] = kinds(text, "statement")
    assert isinstance(s, Statement)
    assert (s.speaker, s.speaker_role, s.speaker_nation) == (
        "Marco Rubio",
        "Secretary of State",
        "USA",
    )
    assert s.utterance == "a few more answers."
    assert s.date and s.date.value == date(2025, 12, 19)


def test_pronoun_speaker_resolves_to_previous_official() -> None:
    text = 'Foreign Minister Ishaq Dar spoke in Islamabad. "It is not our job," he said.'
    [s] = kinds(text, "statement")
    assert s.speaker == "Ishaq Dar"


def test_quote_without_speaker_is_not_a_statement() -> None:
    assert kinds('The IDF calls it a "new border".', "statement") == []


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("December 19, 2025", date(2025, 12, 19)),
        ("19 December 2025", date(2025, 12, 19)),
        ("2025-12-19", date(2025, 12, 19)),
        ("Dec. 19", date(2025, 12, 19)),
        ("Friday (December 19, 2025)", date(2025, 12, 19)),
        ("on Friday", date(2025, 12, 19)),
        ("on Monday", date(2025, 12, 22)),  # publication day itself
        ("last Monday", date(2025, 12, 15)),
        ("yesterday", date(2025, 12, 21)),
        ("next Friday", date(2025, 12, 26)),
    ],
)
def test_date_resolution(text: str, value: date) -> None:
    [d] = find_dates(text, PUB)
    assert d.value == value and d.inconsistency is None


def test_future_clause_moves_bare_weekday_forward_but_past_report_does_not() -> None:
    [d] = find_dates("Talks will resume on Friday.", PUB)
    assert d.value == date(2025, 12, 26)
    [d] = find_dates("Kazakhstan will send a brigade, the ministry announced on Friday.", PUB)
    assert d.value == date(2025, 12, 19)


def test_weekday_contradiction_is_reported_with_both_candidates() -> None:
    [d] = find_dates("Dar spoke on Sunday (December 20, 2025).", PUB)
    assert d.value == date(2025, 12, 20)
    assert d.candidates == (date(2025, 12, 20), date(2025, 12, 21))
    assert "2025-12-20 was a Saturday" in (d.inconsistency or "")


def test_inconsistency_travels_to_the_claim() -> None:
    text = (
        "Pakistani Foreign Minister Ishaq Dar spoke with his Turkish counterpart on Sunday, "
        "December 20, 2025."
    )
    [c] = kinds(text, "consultation")
    assert c.inconsistencies and "Saturday" in c.inconsistencies[0]


def test_relative_ranges_across_year_boundary() -> None:
    pub = date(2026, 1, 2)
    [d] = find_dates("last week", pub)
    assert (d.earliest, d.latest, d.value) == (date(2025, 12, 22), date(2025, 12, 28), None)
    [d] = find_dates("last month", pub)
    assert (d.earliest, d.latest) == (date(2025, 12, 1), date(2025, 12, 31))
    [d] = find_dates("earlier this month", date(2026, 1, 20))
    assert (d.earliest, d.latest) == (date(2026, 1, 1), date(2026, 1, 19))
    [d] = find_dates("on Dec. 30", date(2026, 1, 5))
    assert d.value == date(2025, 12, 30)  # year inferred backwards across the boundary


def test_relative_dates_without_publication_date_stay_unresolved() -> None:
    [d] = find_dates("on Sunday", None)
    assert d.value is None and d.note


def test_extraction_is_deterministic() -> None:
    text = "Pakistan is weighing around 3,500 troops, subject to a UN mandate."
    assert extract(text, published=PUB) == extract(text, published=PUB)


def test_force_offer_claim_type() -> None:
    [o] = kinds("Indonesia has offered up to 20,000 troops.", "force_offer")
    assert isinstance(o, ForceOffer)
    assert (o.size, o.qualifier, o.force_kind, o.size_max) == (20000, "up_to", "troops", 20000)
    assert o.rule.startswith("force_offer.") and 0 < o.confidence <= 1
