"""The queue through its three doors: the API (bearer token), the web pages and the CLI."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client
from test_intake_services import REPORT  # noqa: E402  (tests/intake is on sys.path)

from stabforce.core.models import Source
from stabforce.forcegen.models import Pledge
from stabforce.intake.models import IntakeDocument, ProposedUpdate, UpdateStatus


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=token)


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# --- API ---------------------------------------------------------------------------------------


def test_api_round_trip(gaza, users, token_for):
    client = api(token_for(users["hq"]))
    body = {"mission": "gaza-isf", "text": REPORT, "publisher": "Wire", "published": "2025-12-22"}
    response = post(client, "/api/v1/intake/documents", body)
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["created"] is True
    kinds = {u["kind"] for u in document["updates"]}
    assert kinds == {"force_offer", "condition", "consultation", "statement"}
    offer = next(
        u
        for u in document["updates"]
        if u["kind"] == "force_offer" and u["payload"]["size"] == 3500
    )
    assert offer["nation"] == "PAK" and offer["payload"]["stance"] == "considering"
    assert offer["rule"].startswith("force_offer.")
    assert any("corroborates" in r for r in offer["preview"]["corroborates"])
    [call] = [u for u in document["updates"] if u["kind"] == "consultation"]
    assert call["date"] == "2025-12-20" and "Saturday" in call["inconsistencies"][0]

    again = post(client, "/api/v1/intake/documents", body)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == document["id"]

    listed = client.get("/api/v1/intake/claims?status=pending&kind=condition").json()
    assert listed["count"] == 4
    assert client.get("/api/v1/intake/documents?mission=gaza-isf").json()["count"] == 1
    assert client.get(f"/api/v1/intake/documents/{document['id']}").status_code == 200

    accepted = post(client, f"/api/v1/intake/claims/{offer['id']}/accept", {"edits": {}})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["applied"][0]["type"] == "pledge"

    rejected = post(client, f"/api/v1/intake/claims/{call['id']}/reject", {"reason": "Wrong day"})
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Wrong day"
    conflict = post(client, f"/api/v1/intake/claims/{call['id']}/accept", {})
    assert conflict.status_code == 409
    assert "already rejected" in conflict.json()["detail"]


def test_api_errors(gaza, users, token_for):
    client = api(token_for(users["hq"]))
    empty = post(client, "/api/v1/intake/documents", {"mission": "gaza-isf", "text": ""})
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "body.text"
    assert "empty" in empty.json()["errors"][0]["message"]
    huge = post(
        client,
        "/api/v1/intake/documents",
        {"mission": "gaza-isf", "text": "a" * (2 * 1024 * 1024 + 10)},
    )
    assert huge.status_code == 422 and "2,097,152" in huge.json()["errors"][0]["message"]
    assert (
        post(client, "/api/v1/intake/documents", {"mission": "nope", "text": "x"}).status_code
        == 404
    )
    assert IntakeDocument.objects.count() == 0

    text = "Pakistan will send 4,000 troops to the stabilisation force, officials said."
    doc = post(client, "/api/v1/intake/documents", {"mission": "gaza-isf", "text": text}).json()
    [offer] = doc["updates"]
    refused = post(client, f"/api/v1/intake/claims/{offer['id']}/accept", {})
    assert refused.status_code == 409
    assert "blocking conditions still open" in refused.json()["detail"]
    bad = post(
        client, f"/api/v1/intake/claims/{offer['id']}/accept", {"edits": {"personnel": "lots"}}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.edits.personnel"
    assert Pledge.objects.get(key="pak-infantry").status == "considering"

    observer = api(token_for(users["observer"]))
    assert post(observer, f"/api/v1/intake/claims/{offer['id']}/accept", {}).status_code == 403
    idn = api(token_for(users["lno_idn"]))
    assert (
        post(idn, f"/api/v1/intake/claims/{offer['id']}/reject", {"reason": "x"}).status_code == 403
    )
    outsider = api(token_for(users["outsider"]))
    assert outsider.get(f"/api/v1/intake/claims/{offer['id']}").status_code == 404
    assert Client().get("/api/v1/intake/claims").status_code == 401


# --- Web ---------------------------------------------------------------------------------------


@pytest.fixture
def browser(users):
    def make(name):
        client = Client(enforce_csrf_checks=False)
        client.force_login(users[name])
        return client

    return make


def test_submit_review_and_accept_in_the_browser(gaza, users, browser):
    hq = browser("hq")
    page = hq.get("/intake/submit/")
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    response = hq.post(
        "/intake/submit/",
        {
            "mission": gaza.pk,
            "text": REPORT,
            "publisher": "Wire",
            "published": "2025-12-22",
            "confidence": "medium",
            "releasability": "all",
        },
    )
    assert response.status_code == 302, response.content
    document = IntakeDocument.objects.get()
    page = hq.get(response["Location"])
    html = page.content.decode()
    assert "<mark>around 3,500 troops</mark>" in html or "<mark>" in html
    assert "2025-12-20 was a Saturday" in html
    assert "force_offer.subject" in html  # the rule is shown
    assert "Corroborates status considering of pledge pak-infantry" in html
    assert 'value="2025-12-22"' in html  # dates pre-filled in ISO form for <input type=date>
    assert 'hx-post="/intake/updates/' in html

    offer = ProposedUpdate.objects.get(document=document, kind="force_offer", payload__size=3500)
    fragment = hq.post(f"/intake/updates/{offer.pk}/accept/", {}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"Accepted by t-hq" in fragment.content and b"<html" not in fragment.content
    offer.refresh_from_db()
    assert offer.status == UpdateStatus.ACCEPTED

    [call] = ProposedUpdate.objects.filter(document=document, kind="consultation")
    hq.post(f"/intake/updates/{call.pk}/reject/", {"reason": "Date is wrong"})
    call.refresh_from_db()
    assert call.status == UpdateStatus.REJECTED and call.rejection_reason == "Date is wrong"

    queue = hq.get("/intake/?status=pending&kind=condition")
    assert queue.status_code == 200 and queue.content.count(b"Condition on a pledge") >= 4


def test_pages_refuse_what_the_role_may_not_do(gaza, users, browser):
    hq = browser("hq")
    hq.post(
        "/intake/submit/",
        {"mission": gaza.pk, "text": REPORT, "confidence": "medium", "releasability": "all"},
    )
    [condition, *_] = ProposedUpdate.objects.filter(kind="condition")
    observer = browser("observer")
    assert observer.get("/intake/submit/").status_code == 403
    page = observer.get(f"/intake/documents/{condition.document_id}/").content.decode()
    assert "may read but not review" in page and "intake:accept" not in page
    response = observer.post(f"/intake/updates/{condition.pk}/accept/", {}, HTTP_HX_REQUEST="true")
    assert b"Only HQ planners" in response.content
    idn = browser("lno_idn")
    response = idn.post(f"/intake/updates/{condition.pk}/accept/", {}, HTTP_HX_REQUEST="true")
    assert b"own nation" in response.content
    condition.refresh_from_db()
    assert condition.status == UpdateStatus.PENDING
    assert browser("outsider").get(f"/intake/documents/{condition.document_id}/").status_code == 404
    assert hq.get(f"/intake/updates/{condition.pk}/accept/").status_code == 405
    assert Client().get("/intake/").status_code == 302


def test_uploaded_html_with_scripts_is_never_rendered(gaza, users, browser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    html = (
        b"<html><body><p>Pakistan is considering sending around 3,500 troops to the "
        b"stabilisation force.</p><script>alert('pwned')</script>"
        b"<p>&lt;b&gt;bold?&lt;/b&gt; <img src=x onerror=alert(1)></p></body></html>"
    )
    hq = browser("hq")
    response = hq.post(
        "/intake/submit/",
        {
            "mission": gaza.pk,
            "upload": SimpleUploadedFile("report.html", html, "text/html"),
            "confidence": "medium",
            "releasability": "all",
        },
    )
    assert response.status_code == 302
    page = hq.get(response["Location"]).content.decode()
    assert "alert(" not in page and "onerror" not in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page  # text that looks like markup is escaped
    bad = hq.post(
        "/intake/submit/",
        {
            "mission": gaza.pk,
            "upload": SimpleUploadedFile("x.txt", b"\x00\x01\x02", "text/plain"),
            "confidence": "medium",
            "releasability": "all",
        },
    )
    assert bad.status_code == 200 and b"looks binary" in bad.content
    assert IntakeDocument.objects.count() == 1


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_queues_and_prints_json(gaza, users, tmp_path, capsys):
    path = tmp_path / "pakistan.txt"
    path.write_text(REPORT, encoding="utf-8")
    call_command(
        "intake",
        str(path),
        "--publisher",
        "Wire",
        "--published",
        "2025-12-22",
        "--mission",
        "gaza-isf",
        "--user",
        "t-hq",
        "--json",
    )
    out = json.loads(capsys.readouterr().out)
    assert out["created"] is True
    offers = [c for c in out["claims"] if c["kind"] == "force_offer"]
    assert any(
        c["payload"]["size"] == 3500 and c["payload"]["stance"] == "considering" for c in offers
    )
    assert {c["payload"]["condition_kind"] for c in out["claims"] if c["kind"] == "condition"} == {
        "mandate",
        "rules_of_engagement",
        "international_backing",
        "domestic_approval",
    }
    assert out["inconsistencies"] and Source.objects.filter(key=out["source"]).exists()

    call_command(
        "intake", str(path), "--published", "2025-12-22", "--mission", "gaza-isf", "--user", "t-hq"
    )
    text = capsys.readouterr().out
    assert "Already submitted" in text and "rule force_offer." in text and "would:" in text


def test_cli_refuses_bad_files(gaza, users, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("intake", str(path), "--mission", "gaza-isf", "--user", "t-hq")
    with pytest.raises(CommandError, match="--published"):
        call_command(
            "intake",
            str(path),
            "--published",
            "22/12/2025",
            "--user",
            "t-hq",
            "--mission",
            "gaza-isf",
        )
    assert IntakeDocument.objects.count() == 0


def test_cli_evaluate(capsys, db):
    call_command("intake", "evaluate")
    out = capsys.readouterr().out
    assert "force_offer" in out and "consultation" in out and "(micro, all kinds)" in out
    call_command("intake", "evaluate", "--json")
    scores = json.loads(capsys.readouterr().out)["scores"]
    assert scores["condition"]["precision"] >= 0.8
