"""The intake queue end to end: a December 2025 report on Pakistan becomes reviewable updates,
and accepting them corroborates (Gaza demo) or builds (an empty mission) the register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from stabforce.core.choices import Role
from stabforce.core.models import Evidence, Mission, Source
from stabforce.forcegen.models import (
    Capability,
    Engagement,
    Pledge,
    PledgeCondition,
    PledgeFigure,
)
from stabforce.intake import queries, services
from stabforce.intake.models import IntakeDocument, ProposedUpdate, UpdateStatus

# Our own paraphrase, in the style of the wire reports the fact sheet cites.
REPORT = """\
Pakistan mulls Gaza force role

ISLAMABAD, Dec. 22 (Wire) - Pakistan is considering sending around 3,500 troops to the \
International Stabilisation Force for Gaza, diplomatic sources said, but no decision has been \
taken.

Any deployment would be contingent on a clear mandate, the rules of engagement, international \
backing and the approval of parliament, officials said.

Foreign Minister Ishaq Dar spoke with his Turkish and Iranian counterparts on Sunday \
(December 20, 2025) about Gaza and the stabilisation force.

"We are grateful to Pakistan for their offer to be a part of it, or at least their offer to \
consider being a part of it," US Secretary of State Marco Rubio said on Friday \
(December 19, 2025).
"""
PUBLISHED = dt.date(2025, 12, 22)
FOUR = {"mandate", "rules_of_engagement", "international_backing", "domestic_approval"}


def submit(mission, user, text=REPORT, **kwargs):
    kwargs.setdefault("publisher", "Wire")
    kwargs.setdefault("published", PUBLISHED)
    return services.submit_document(mission=mission, user=user, text=text, **kwargs)


def pending(document, kind):
    return list(document.updates.filter(kind=kind, status=UpdateStatus.PENDING))


@pytest.fixture
def empty_mission(gaza, users):
    """A mission with the Gaza capabilities but no pledges at all."""
    mission = Mission.objects.create(
        slug="intake-empty", name="Empty", mandate="m", authorised_from=dt.date(2025, 1, 1)
    )
    for capability in Capability.objects.filter(mission=gaza):
        Capability.objects.create(
            mission=mission,
            key=capability.key,
            name=capability.name,
            category=capability.category,
            unit_name=capability.unit_name,
            typical_strength=capability.typical_strength,
            is_police=capability.is_police,
        )
    users["hq"].missions.add(mission)
    return mission


def test_the_report_proposes_offer_conditions_consultation_and_statement(gaza, users):
    result = submit(gaza, users["hq"])
    document = result.document
    assert result.created
    assert document.source.key.startswith("intake-")
    assert document.text.startswith("Pakistan mulls")

    offers = pending(document, "force_offer")
    sized = [o for o in offers if o.payload["size"]]
    assert len(sized) == 1
    [offer] = sized
    assert offer.nation.iso3 == "PAK"
    assert offer.payload["size"] == 3500 and offer.payload["qualifier"] == "approx"
    assert offer.payload["stance"] == "considering"
    assert all(o.payload["stance"] != "committed" for o in offers)
    assert offer.rule.startswith("force_offer.")

    conditions = pending(document, "condition")
    assert {c.payload["condition_kind"] for c in conditions} == FOUR
    assert {c.nation.iso3 for c in conditions} == {"PAK"}

    [call] = pending(document, "consultation")
    assert call.payload["participants"] == ["IRN", "PAK", "TUR"]
    assert call.claim_date == dt.date(2025, 12, 20)
    assert "2025-12-20 was a Saturday" in call.inconsistencies[0]
    assert document.inconsistencies == call.inconsistencies

    [statement] = pending(document, "statement")
    assert statement.payload["speaker"] == "Marco Rubio"
    assert statement.payload["speaker_role"] == "Secretary of State"
    assert statement.claim_date == dt.date(2025, 12, 19)
    assert statement.nation.iso3 == "PAK"

    # mentions are context, not reviewable updates
    assert {row["kind"] for row in document.context} == {
        "nation_mention",
        "organisation_mention",
        "official",
    }
    assert not document.updates.filter(kind__in=services.CONTEXT_KINDS).exists()


def test_previews_show_corroboration_in_the_gaza_register(gaza, users):
    document = submit(gaza, users["hq"]).document
    hq = users["hq"]
    offer = next(o for o in pending(document, "force_offer") if o.payload["size"])
    plan = queries.plan_update(hq, offer)
    assert plan.corroborates
    assert any("status considering of pledge pak-infantry" in str(r) for r in plan.relations)
    assert [s.action for s in plan.steps] == ["add_evidence"]  # 3,500 = the chosen figure
    for condition in pending(document, "condition"):
        plan = queries.plan_update(hq, condition)
        assert plan.corroborates and [s.action for s in plan.steps] == ["add_evidence"]
    [call] = pending(document, "consultation")
    plan = queries.plan_update(hq, call)
    assert plan.corroborates and plan.conflicts  # same call; the register dates it the 21st
    assert [s.action for s in plan.steps] == ["link_engagement"]


def test_accepting_in_gaza_corroborates_and_never_duplicates(gaza, users):
    hq = users["hq"]
    document = submit(gaza, hq).document
    source = document.source
    pledges_before = Pledge.objects.filter(mission=gaza, nation__iso3="PAK").count()
    conditions_before = PledgeCondition.objects.filter(pledge__key="pak-infantry").count()
    engagements_before = Engagement.objects.filter(mission=gaza).count()

    sized = next(o for o in pending(document, "force_offer") if o.payload["size"])
    services.accept_update(hq, sized)  # first: its sentence becomes the pledge's quote
    for update in list(document.updates.filter(status=UpdateStatus.PENDING)):
        update.refresh_from_db()
        if update.status == UpdateStatus.PENDING:
            services.accept_update(hq, update)

    pledge = Pledge.objects.get(mission=gaza, key="pak-infantry")
    assert Pledge.objects.filter(mission=gaza, nation__iso3="PAK").count() == pledges_before
    assert PledgeCondition.objects.filter(pledge=pledge).count() == conditions_before
    assert Engagement.objects.filter(mission=gaza).count() == engagements_before
    assert pledge.status == "considering"
    evidence = Evidence.objects.get(
        source=source, content_type=ContentType.objects.get_for_model(Pledge), object_id=pledge.pk
    )
    assert "3,500" in evidence.quote
    engagement = Engagement.objects.get(mission=gaza, key="dar-turkiye-iran-2025-12-21")
    assert Evidence.objects.filter(
        source=source,
        content_type=ContentType.objects.get_for_model(Engagement),
        object_id=engagement.pk,
    ).exists()
    assert pledge.last_evidence >= dt.date(2025, 12, 20)
    accepted = document.updates.filter(status=UpdateStatus.ACCEPTED)
    assert all(u.applied and u.reviewer == hq and u.reviewed_at for u in accepted)


def test_accepting_on_a_mission_without_a_pakistani_pledge_creates_one(empty_mission, users):
    hq = users["hq"]
    document = submit(empty_mission, hq).document
    [statement] = pending(document, "statement")
    plan = queries.plan_update(hq, statement)
    assert "no pledge" in plan.problem  # until the offer is accepted
    offer = next(o for o in pending(document, "force_offer") if o.payload["size"])
    plan = queries.plan_update(hq, offer)
    assert [s.action for s in plan.steps] == ["create_pledge"]
    assert "status considering" in plan.summary

    services.accept_update(hq, offer)
    pledge = Pledge.objects.get(mission=empty_mission, nation__iso3="PAK")
    assert pledge.status == "considering"
    assert pledge.personnel == 3500 and pledge.personnel_qualifier == "about"
    assert pledge.capability.key == "infantry-battalion"
    assert pledge.first_reported == PUBLISHED  # the sentence has no date of its own
    for condition in pending(document, "condition"):
        services.accept_update(hq, condition)
    assert set(pledge.conditions.values_list("kind", flat=True)) == FOUR
    assert all(c.source == document.source for c in pledge.conditions.all())

    [call] = pending(document, "consultation")
    services.accept_update(hq, call, {"date": "2025-12-21"})
    engagement = Engagement.objects.get(mission=empty_mission)
    assert engagement.occurred_on == dt.date(2025, 12, 21)
    assert set(engagement.nations.values_list("iso3", flat=True)) == {"PAK", "TUR", "IRN"}
    assert "Saturday" in engagement.date_note
    assert list(engagement.pledges.all()) == [pledge]

    [statement] = pending(document, "statement")
    services.accept_update(hq, statement)
    evidence = Evidence.objects.get(
        source=document.source,
        content_type=ContentType.objects.get_for_model(Pledge),
        object_id=pledge.pk,
    )
    assert "offer to consider" in evidence.quote or "3,500" in evidence.quote
    # the headline offer (no figure) is the same fact: accepting it only adds evidence
    while pending(document, "force_offer"):
        services.accept_update(hq, pending(document, "force_offer")[0])
    assert Pledge.objects.filter(mission=empty_mission).count() == 1


def test_edits_change_what_is_applied_and_a_different_figure_is_kept_not_chosen(gaza, users):
    hq = users["hq"]
    text = "Pakistan is considering sending up to 4,000 troops to the stabilisation force."
    document = submit(gaza, hq, text=text).document
    [offer] = pending(document, "force_offer")
    plan = queries.plan_update(hq, offer)
    assert plan.conflicts and [s.action for s in plan.steps] == ["record_figure"]
    services.accept_update(hq, offer)
    pledge = Pledge.objects.get(mission=gaza, key="pak-infantry")
    assert pledge.personnel == 3500
    figure = PledgeFigure.objects.get(pledge=pledge, source=document.source)
    assert figure.personnel == 4000 and not figure.chosen


def test_a_refused_change_is_shown_and_nothing_is_half_written(gaza, users):
    hq = users["hq"]
    text = "Pakistan will send 4,000 troops to the stabilisation force, officials said."
    document = submit(gaza, hq, text=text).document
    [offer] = pending(document, "force_offer")
    assert offer.payload["stance"] == "committed"
    figures_before = PledgeFigure.objects.filter(pledge__key="pak-infantry").count()
    with pytest.raises(queries.ReviewError) as refused:
        services.accept_update(hq, offer)
    assert "blocking conditions still open" in refused.value.message
    pledge = Pledge.objects.get(mission=gaza, key="pak-infantry")
    assert pledge.status == "considering"
    assert PledgeFigure.objects.filter(pledge=pledge).count() == figures_before
    offer.refresh_from_db()
    assert offer.status == UpdateStatus.PENDING and not offer.applied


def test_a_backward_move_is_refused_with_the_services_message(gaza, users):
    hq = users["hq"]
    document = submit(gaza, hq, text="Pakistan has expressed interest in sending troops.").document
    [offer] = pending(document, "force_offer")
    plan = queries.plan_update(hq, offer)
    assert plan.conflicts and [s.action for s in plan.steps] == ["add_evidence"]
    with pytest.raises(queries.ReviewError, match="cannot move from 'considering'"):
        services.accept_update(hq, offer, {"status": "interest"})


def test_reject_records_the_reason(gaza, users):
    document = submit(gaza, users["hq"]).document
    [call] = pending(document, "consultation")
    with pytest.raises(queries.ReviewError):
        services.reject_update(users["hq"], call, "  ")
    services.reject_update(users["hq"], call, "Wrong date; duplicate of the Tribune report.")
    call.refresh_from_db()
    assert call.status == UpdateStatus.REJECTED
    assert call.rejection_reason.startswith("Wrong date")
    assert call.reviewer == users["hq"]
    with pytest.raises(queries.ReviewError, match="already rejected"):
        services.accept_update(users["hq"], call)


def test_who_may_review(gaza, users, make_user):
    document = submit(gaza, users["hq"]).document
    [condition, *_] = pending(document, "condition")
    for name in ("observer", "lno_idn", "humlo", "commander"):
        with pytest.raises(PermissionDenied):
            services.accept_update(users[name], condition)
        with pytest.raises(PermissionDenied):
            services.reject_update(users[name], condition, "no")
    # a liaison officer may not re-point a claim at another nation either
    with pytest.raises(PermissionDenied):
        services.accept_update(users["lno_pak"], condition, {"nation": "IDN"})
    services.accept_update(users["lno_pak"], condition)
    condition.refresh_from_db()
    assert condition.status == UpdateStatus.ACCEPTED
    with pytest.raises(PermissionDenied):
        submit(gaza, users["observer"], text="Something else entirely, Pakistan said.")


def test_the_same_document_twice_is_reported_not_duplicated(gaza, users):
    first = submit(gaza, users["hq"])
    again = submit(gaza, users["lno_pak"])
    assert first.created and not again.created
    assert again.document.pk == first.document.pk
    assert IntakeDocument.objects.filter(mission=gaza, sha256=first.document.sha256).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"text": ""}, "empty", "text"),
        ({"text": "   \n  "}, "empty", "text"),
        ({"text": None, "data": b"\x00\x01PK\x03\x04binary"}, "binary", "file"),
        ({"text": None, "data": "Pakistan sagt: Tr\u00fcppen".encode("latin-1")}, "UTF-8", "file"),
        ({"text": "x" * (2 * 1024 * 1024 + 1)}, "the limit is 2,097,152 bytes", "text"),
        ({"text": None, "html": "<script>alert(1)</script>"}, "no readable text", "html"),
        ({"url": "javascript:alert(1)"}, "Not a web address", "url"),
        ({"text": "a", "html": "<p>b</p>"}, "not text and html", "html"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(gaza, users, kwargs, message, field):
    sources_before = Source.objects.count()
    documents_before = IntakeDocument.objects.count()
    kwargs = {"text": REPORT, **kwargs}
    text = kwargs.pop("text")
    with pytest.raises(services.SubmissionError) as refused:
        submit(gaza, users["hq"], text=text, **kwargs)
    assert message in refused.value.message
    assert refused.value.field == field
    assert Source.objects.count() == sources_before
    assert IntakeDocument.objects.count() == documents_before
    assert ProposedUpdate.objects.count() == 0


def test_html_is_read_as_text_and_scripts_are_dropped(gaza, users):
    html = (
        "<html><head><script>alert('x')</script></head><body><h1>Report</h1>"
        "<p>Pakistan is considering sending around 3,500 troops to the stabilisation "
        "force.</p><script>document.write('<b>evil</b>')</script></body></html>"
    )
    document = submit(gaza, users["hq"], text=None, html=html).document
    assert document.content_type == "text/html"
    assert "alert" not in document.text and "evil" not in document.text
    assert document.raw == html
    assert pending(document, "force_offer")


def test_settings_limit_applies(gaza, users, settings):
    settings.STABFORCE_INTAKE_MAX_BYTES = 100
    with pytest.raises(services.SubmissionError, match="the limit is 100 bytes"):
        submit(gaza, users["hq"])
    assert Role.OBSERVER  # the roles module is importable alongside


def test_a_party_official_and_the_party_as_subject_do_not_crash_the_extractor():
    """Regression (found by the property test): two party candidates at the same offset, one
    with a speaker and one without, were compared on the speaker (None vs str)."""
    from stabforce.intake.extract import extract

    text = (
        "Asked about Pakistani troops, Israel's ambassador to India said:Islamabad"
        "Egypt welcomes Indonesia's offer"
    )
    assert extract(text) is not None


def test_a_twin_the_user_may_not_see_is_not_disclosed(gaza, users):
    from stabforce.intake import services as intake

    text = "Islamabad is weighing about 3,500 troops for the force, officials said on Friday."
    hq_copy = intake.submit_document(
        mission=gaza, user=users["hq"], text=text, publisher="HQ J2", releasability="hq"
    )
    own = intake.submit_document(mission=gaza, user=users["lno_idn"], text=text, publisher="Wire")
    assert own.created and own.document.pk != hq_copy.document.pk
    assert own.document.source.key != hq_copy.document.source.key
    again = intake.submit_document(mission=gaza, user=users["lno_idn"], text=text, publisher="Wire")
    assert not again.created and again.document.pk == own.document.pk
