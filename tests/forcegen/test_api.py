"""The force-generation API as a script sees it (bearer tokens): the register as of a date,
the lifecycle's refusals, visibility, the gap analysis (equal to the CLI's), import/export."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from stabforce.core.models import Source
from stabforce.forcegen.models import Pledge, PledgeCondition, PledgeStatusChange

API = "/api/v1/forcegen"
BLOCKING_KINDS = {"mandate", "rules_of_engagement", "international_backing", "domestic_approval"}


def error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"]
    return body


@pytest.fixture
def as_user(client, users, token_for):
    """``as_user("hq").get(url)``: requests with that user's bearer token."""

    class Caller:
        def __init__(self, name: str):
            self.headers = {"HTTP_AUTHORIZATION": token_for(users[name])}

        def get(self, url: str, **params):
            return client.get(url, params, **self.headers)

        def post(self, url: str, body: dict):
            return client.post(url, body, content_type="application/json", **self.headers)

        def upload(self, url: str, name: str, content: bytes):
            return client.post(url, {"file": SimpleUploadedFile(name, content)}, **self.headers)

    return Caller


@pytest.fixture
def pak(gaza):
    return Pledge.objects.get(mission=gaza, key="pak-infantry")


def source_id(gaza, key: str = "state-rubio-2025-12-19") -> int:
    return Source.objects.get(mission=gaza, key=key).pk


# --- Reads as of a date ----------------------------------------------------------------------


def test_pakistan_on_2025_12_20_is_considering_up_to_3500_with_four_open_conditions(as_user, gaza):
    body = as_user("hq").get(f"{API}/missions/{gaza.slug}/pledges", nation="PAK",
                             as_of="2025-12-20").json()  # fmt: skip
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["key"] == "pak-infantry" and item["nation"] == {"iso3": "PAK", "name": "Pakistan"}
    assert (item["status"], item["personnel"], item["qualifier"]) == ("considering", 3500, "up_to")
    assert item["status_since"] == "2025-11-30" and item["as_of"] == "2025-12-20"
    assert {c["kind"] for c in item["open_conditions"]} == BLOCKING_KINDS
    assert all(c["status"] == "open" and c["blocking"] for c in item["open_conditions"])
    assert any(
        c["kind"] == "forbidden_task" and c["line_of_operation"] == "demilitarisation"
        for c in item["caveats"]
    )
    assert item["stale"] is False and item["capability"]["key"] == "infantry-battalion"


def test_pakistan_is_not_in_the_register_before_it_was_reported(as_user, gaza, pak):
    hq = as_user("hq")
    body = hq.get(f"{API}/missions/{gaza.slug}/pledges", nation="PAK", as_of="2025-11-01").json()
    assert body == {"count": 0, "items": []}
    detail = hq.get(f"{API}/pledges/{pak.pk}", as_of="2025-11-01").json()
    assert detail["status"] is None and detail["personnel"] is None
    assert detail["timeline"] == [] and detail["conditions"] == []


def test_indonesia_figure_follows_the_date_and_both_figures_stay(as_user, gaza):
    hq = as_user("hq")
    url = f"{API}/missions/{gaza.slug}/pledges"
    december = hq.get(url, nation="idn", as_of="2025-12-01").json()["items"][0]
    assert (december["personnel"], december["status"]) == (20000, "offered")
    february = hq.get(url, nation="IDN", as_of="2026-02-20").json()["items"][0]
    assert (february["personnel"], february["status"]) == (8000, "committed")
    assert february["status_since"] == "2026-02-19"
    detail = hq.get(f"{API}/pledges/{february['id']}", as_of="2026-02-20").json()
    figures = [(f["personnel"], f["chosen"], f["current"]) for f in detail["figures"]]
    assert figures == [(20000, False, False), (8000, True, True)]
    assert {f["source"]["publisher"] for f in detail["figures"]} == {"Reuters", "Türkiye Today"}
    assert [h["to_status"] for h in detail["history"]] == ["offered", "committed"]
    assert all(h["recorded_at"] for h in detail["history"])


def test_pledge_filters(as_user, gaza):
    hq = as_user("hq")
    url = f"{API}/missions/{gaza.slug}/pledges"
    both = hq.get(url, nation="PAK,IDN", as_of="2026-02-20").json()
    assert {item["nation"]["iso3"] for item in both["items"]} == {"PAK", "IDN"}
    repeated = hq.get(f"{url}?nation=PAK&nation=IDN&as_of=2026-02-20").json()
    assert repeated == both
    committed = hq.get(url, status="committed", as_of="2026-02-20").json()["items"]
    assert committed and {item["status"] for item in committed} == {"committed"}
    parliament = hq.get(url, condition="domestic_approval", as_of="2025-12-20").json()["items"]
    assert "pak-infantry" in {item["key"] for item in parliament}
    police = hq.get(url, capability="formed-police-unit", as_of="2026-02-20").json()["items"]
    assert {item["capability"]["key"] for item in police} <= {"formed-police-unit"}
    assert error_body(hq.get(url, nation="PAKI"), 422)["errors"][0]["field"] == "query.nation"
    assert error_body(hq.get(url, status="promised"), 422)["errors"][0]["field"] == "query.status"


def test_objections_show_on_the_pledge_and_in_the_matrix(as_user, gaza):
    hq = as_user("hq")
    item = hq.get(f"{API}/missions/{gaza.slug}/pledges", nation="PAK", as_of="2026-01-10").json()
    assert item["items"][0]["objected_by"] == ["Israel"]
    matrix = hq.get(f"{API}/missions/{gaza.slug}/acceptability", as_of="2025-12-01").json()
    turkey = [row for row in matrix["rows"] if row["nation"]["iso3"] == "TUR"]
    israel = next(row for row in turkey if row["party"]["key"] == "israel")
    assert israel["stance"] == "objects" and israel["effective"] and israel["source"]["id"]
    only = hq.get(f"{API}/missions/{gaza.slug}/acceptability", nation="TUR", stance="objects",
                  as_of="2025-12-01").json()  # fmt: skip
    assert [(r["nation"]["iso3"], r["party"]["key"]) for r in only["rows"]] == [("TUR", "israel")]


def test_requirements_engagements_and_totals(as_user, gaza):
    hq = as_user("hq")
    base = f"{API}/missions/{gaza.slug}"
    requirements = hq.get(f"{base}/requirements", as_of="2026-02-20", limit=1000).json()
    assert sum(r["personnel"] for r in requirements["items"]) == 20000 + 12000
    rafah = hq.get(f"{base}/requirements", sector="rafah", capability="infantry-battalion",
                   line_of_operation="border-security", as_of="2026-02-20").json()  # fmt: skip
    assert rafah["count"] >= 1 and {r["sector"]["key"] for r in rafah["items"]} == {"rafah"}
    detail = hq.get(f"{API}/requirements/{rafah['items'][0]['id']}").json()
    assert detail["key"] == rafah["items"][0]["key"] and "evidence" in detail

    engagements = hq.get(f"{base}/engagements", as_of="2025-12-31").json()
    keys = [e["key"] for e in engagements["items"]]
    assert "dar-turkiye-iran-2025-12-21" in keys and "bop-meeting-2026-02-19" not in keys
    call = next(e for e in engagements["items"] if e["key"] == "dar-turkiye-iran-2025-12-21")
    assert [p["key"] for p in call["pledges"]] == ["pak-infantry"]
    assert call["pledges"][0]["status"] == "considering"
    one = hq.get(f"{API}/engagements/{call['id']}").json()
    assert one["evidence"] and one["topic"] == call["topic"]

    totals = hq.get(f"{base}/totals-over-time", **{"from": "2025-11-01", "to": "2026-02-20"})
    points = totals.json()["points"]
    assert [p["date"] for p in points] == [
        "2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01", "2026-02-20",
    ]  # fmt: skip
    gaps = hq.get(f"{base}/gaps", as_of="2026-02-20").json()
    assert points[-1]["pledged"] == gaps["totals"]["pledged_by_status"]
    bad = hq.get(f"{base}/totals-over-time", **{"from": "2026-03-01", "to": "2026-02-20"})
    assert error_body(bad, 422)["errors"][0]["field"] == "query.from"


def test_bad_as_of_is_a_422_naming_the_field(as_user, gaza, pak):
    hq = as_user("hq")
    for url in (f"{API}/missions/{gaza.slug}/pledges", f"{API}/pledges/{pak.pk}",
                f"{API}/missions/{gaza.slug}/gaps"):  # fmt: skip
        body = error_body(hq.get(url, as_of="2025-13-45"), 422)
        assert body["errors"][0]["field"] == "query.as_of"


def test_gaps_equal_the_cli_json(as_user, users, gaza):
    out = io.StringIO()
    call_command("forcegen", "gaps", "--as-of", "2026-02-20", "--json", "--mission", gaza.slug,
                 "--user", users["admin"].username, stdout=out)  # fmt: skip
    api = as_user("admin").get(f"{API}/missions/{gaza.slug}/gaps", as_of="2026-02-20").json()
    assert api == json.loads(out.getvalue())
    assert api["totals"]["required_troops"] == 20000 and api["cells"]


def test_the_cli_reports_gaps_as_of_today_where_the_mission_is(users, gaza, monkeypatch):
    monkeypatch.setattr(
        "stabforce.forcegen.management.commands.forcegen.mission_today",
        lambda mission: datetime.date(2026, 2, 20),
    )
    out = io.StringIO()
    call_command("forcegen", "gaps", "--json", "--mission", gaza.slug,
                 "--user", users["admin"].username, stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["as_of"] == "2026-02-20"


# --- Writes ----------------------------------------------------------------------------------


def test_committing_pakistan_with_open_conditions_is_refused_and_changes_nothing(
    as_user, gaza, pak
):
    before = list(PledgeStatusChange.objects.filter(pledge=pak).values_list("pk", flat=True))
    response = as_user("hq").post(
        f"{API}/pledges/{pak.pk}/status",
        {"to_status": "committed", "effective": "2026-01-10", "source_id": source_id(gaza)},
    )
    body = error_body(response, 409)
    assert "blocking conditions still open" in body["detail"]
    assert "Mandate clarity" in body["detail"] and "Rules of engagement" in body["detail"]
    assert body["errors"][0]["field"] == "body.to_status"
    assert body["errors"][0]["message"] == body["detail"]
    pak.refresh_from_db()
    assert pak.status == "considering"
    assert list(PledgeStatusChange.objects.filter(pledge=pak).values_list("pk", flat=True)) == (
        before
    )


def test_resolving_the_conditions_then_committing_shows_in_the_timeline(as_user, users, gaza, pak):
    hq = as_user("hq")
    source = source_id(gaza)
    conditions = PledgeCondition.objects.filter(pledge=pak, status="open")
    assert {c.kind for c in conditions} == BLOCKING_KINDS
    for condition in conditions:
        response = hq.post(
            f"{API}/conditions/{condition.pk}/resolve",
            {"status": "met", "effective": "2026-01-05", "source_id": source},
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "met"
        assert response.json()["resolved_on"] == "2026-01-05"
    first = PledgeCondition.objects.filter(pledge=pak).first()
    again = hq.post(
        f"{API}/conditions/{first.pk}/resolve",
        {"status": "waived", "effective": "2026-01-06", "source_id": source},
    )
    assert error_body(again, 409)["errors"][0]["field"] == "body.status"

    response = hq.post(
        f"{API}/pledges/{pak.pk}/status",
        {"to_status": "committed", "effective": "2026-01-10", "source_id": source,
         "quote": "Pakistan commits.", "note": "API test"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "committed"
    assert response.json()["status_since"] == "2026-01-10"

    detail = hq.get(f"{API}/pledges/{pak.pk}", as_of="2026-01-31").json()
    assert detail["status"] == "committed" and detail["open_conditions"] == []
    commit = [e for e in detail["timeline"] if e["date"] == "2026-01-10" and e["kind"] == "status"]
    assert commit and "committed" in commit[0]["text"] and commit[0]["quote"] == "Pakistan commits."
    assert detail["history"][-1]["to_status"] == "committed"
    assert detail["history"][-1]["recorded_by"] == users["hq"].username
    assert {c["status"] for c in detail["conditions"]} == {"met"}
    # The past is unchanged: on 2025-12-20 Pakistan was still considering, conditions open.
    december = hq.get(f"{API}/pledges/{pak.pk}", as_of="2025-12-20").json()
    assert december["status"] == "considering"
    assert {c["status"] for c in december["conditions"]} == {"open"}


def test_who_may_write(as_user, gaza, pak):
    url = f"{API}/pledges/{pak.pk}/status"
    body = {"to_status": "offered", "effective": "2026-01-02", "source_id": source_id(gaza)}
    assert error_body(as_user("observer").post(url, body), 403)
    assert error_body(as_user("lno_idn").post(url, body), 403)  # another nation's pledge
    assert error_body(as_user("humlo").post(url, body), 403)
    response = as_user("lno_pak").post(url, body)  # their own nation's pledge
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "offered"
    acceptability = {
        "party": "israel", "nation": "IDN", "stance": "accepts", "effective": "2026-01-03",
        "source_id": source_id(gaza),
    }  # fmt: skip
    url = f"{API}/missions/{gaza.slug}/acceptability"
    assert error_body(as_user("lno_pak").post(url, acceptability), 403)
    assert error_body(as_user("observer").post(url, acceptability), 403)
    created = as_user("hq").post(url, acceptability)
    assert created.status_code == 201, created.content
    assert created.json()["stance"] == "accepts"
    matrix = as_user("hq").get(url, nation="IDN", party="israel", as_of="2026-01-03").json()
    assert matrix["rows"][0]["stance"] == "accepts"


def test_the_cited_source_must_be_visible_and_in_the_mission(as_user, gaza, pak):
    hidden = Source.objects.create(
        mission=gaza, key="api-hq-only-source", publisher="P", title="T", confidence="low",
        releasability="hq",
    )  # fmt: skip
    body = {"to_status": "offered", "effective": "2026-01-02", "source_id": hidden.pk}
    response = as_user("lno_pak").post(f"{API}/pledges/{pak.pk}/status", body)
    assert error_body(response, 422)["errors"][0]["field"] == "body.source_id"
    body["source_id"] = 2**40
    response = as_user("hq").post(f"{API}/pledges/{pak.pk}/status", body)
    assert error_body(response, 422)["errors"][0]["field"] == "body.source_id"
    body["effective"] = "2026-02-30"
    response = as_user("hq").post(f"{API}/pledges/{pak.pk}/status", body)
    # A schema error carries django-ninja's location: body, then the body parameter's name.
    assert error_body(response, 422)["errors"][0]["field"] == "body.effective"


def test_an_hq_only_pakistan_pledge_is_hidden_from_indonesia_not_from_pakistan(as_user, gaza, pak):
    pak.releasability = "hq"
    pak.save()
    for related in (pak.status_changes, pak.figures, pak.conditions, pak.caveats):
        related.update(releasability="hq")
    hidden = as_user("lno_idn").get(f"{API}/pledges/{pak.pk}")
    missing = as_user("lno_idn").get(f"{API}/pledges/999999999")
    assert error_body(hidden, 404) == error_body(missing, 404)
    listed = as_user("lno_idn").get(f"{API}/missions/{gaza.slug}/pledges", nation="PAK").json()
    assert listed["count"] == 0
    write = as_user("lno_idn").post(
        f"{API}/pledges/{pak.pk}/status",
        {"to_status": "offered", "effective": "2026-01-02", "source_id": source_id(gaza)},
    )
    assert error_body(write, 404) == error_body(missing, 404)
    own = as_user("lno_pak").get(f"{API}/pledges/{pak.pk}", as_of="2025-12-20")
    assert own.status_code == 200 and own.json()["status"] == "considering"
    assert {c["kind"] for c in own.json()["open_conditions"]} == BLOCKING_KINDS
    assert as_user("observer").get(f"{API}/pledges/{pak.pk}").status_code == 404


def test_create_a_pledge_and_add_a_condition(as_user, gaza):
    source = source_id(gaza)
    body = {
        "mission": gaza.slug, "key": "bgd-infantry", "nation": "bgd",
        "capability": "infantry-battalion", "personnel": 850, "qualifier": "about",
        "status": "interest", "effective": "2026-01-20", "source_id": source,
    }  # fmt: skip
    assert error_body(as_user("lno_pak").post(f"{API}/pledges", body), 403)
    response = as_user("hq").post(f"{API}/pledges", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["nation"]["iso3"] == "BGD" and created["status"] == "interest"
    assert (created["personnel"], created["qualifier"]) == (850, "about")
    assert error_body(as_user("hq").post(f"{API}/pledges", body), 409)["errors"][0]["field"] == (
        "body.key"
    )
    refused = as_user("hq").post(f"{API}/pledges", {**body, "key": "bgd-2", "status": "withdrawn"})
    assert error_body(refused, 409)["errors"][0]["field"] == "body.status"
    unknown = as_user("hq").post(f"{API}/pledges", {**body, "key": "bgd-3", "capability": "nope"})
    assert error_body(unknown, 422)["errors"][0]["field"] == "body.capability"

    condition = as_user("hq").post(
        f"{API}/pledges/{created['id']}/conditions",
        {"kind": "funding", "effective": "2026-01-21", "source_id": source,
         "description": "UN reimbursement"},
    )  # fmt: skip
    assert condition.status_code == 201, condition.content
    assert condition.json()["status"] == "open" and condition.json()["blocking"] is True
    listed = as_user("hq").get(f"{API}/missions/{gaza.slug}/pledges", nation="BGD",
                               as_of="2026-01-21").json()  # fmt: skip
    assert [c["kind"] for c in listed["items"][0]["open_conditions"]] == ["funding"]


# --- Import and export -----------------------------------------------------------------------


@pytest.mark.parametrize("table", ["pledges", "requirements"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_is_a_no_op(as_user, gaza, table, file_format):
    hq = as_user("hq")
    exported = hq.get(f"{API}/missions/{gaza.slug}/export/{table}", format=file_format)
    assert exported.status_code == 200
    assert f"{gaza.slug}-{table}.{file_format}" in exported["Content-Disposition"]
    changes = PledgeStatusChange.objects.count()
    response = hq.upload(
        f"{API}/missions/{gaza.slug}/import/{table}", f"{table}.{file_format}", exported.content
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["created"] == report["updated"] == 0 and report["unchanged"] > 0
    assert PledgeStatusChange.objects.count() == changes


def test_import_with_a_bad_row_names_line_and_field_and_writes_nothing(as_user, gaza):
    hq = as_user("hq")
    exported = hq.get(f"{API}/missions/{gaza.slug}/export/pledges").content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    rows[1]["personnel"] = "many"  # the third line of the file
    rows[0]["personnel"] = str(int(rows[0]["personnel"]) + 1)  # a valid change, not applied
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    url = f"{API}/missions/{gaza.slug}/import/pledges"
    body = error_body(hq.upload(url, "pledges.csv", buffer.getvalue().encode()), 422)
    assert [e["field"] for e in body["errors"]] == ["file.line3.personnel"]
    assert "nothing was written" in body["detail"]
    first = Pledge.objects.get(mission=gaza, key=rows[0]["key"])
    assert first.personnel == int(rows[0]["personnel"]) - 1

    assert error_body(hq.upload(url, "pledges.txt", b"key\nx\n"), 422)["errors"][0]["field"] == (
        "file"
    )
    assert error_body(as_user("lno_pak").upload(url, "pledges.csv", b"key\n"), 403)
    bad_table = hq.get(f"{API}/missions/{gaza.slug}/export/nations")
    assert error_body(bad_table, 422)["errors"][0]["field"] == "path.table"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_dates_are_answered_not_a_server_error(as_user, gaza, pak, day):
    hq = as_user("hq")
    base = f"{API}/missions/{gaza.slug}"
    urls = [
        f"{base}/pledges?as_of={day}",
        f"{base}/requirements?as_of={day}",
        f"{base}/acceptability?as_of={day}",
        f"{base}/engagements?as_of={day}",
        f"{base}/gaps?as_of={day}",
        f"{base}/totals-over-time?from={day}&to={day}",
        f"{API}/pledges/{pak.pk}?as_of={day}",
    ]
    for url in urls:
        response = hq.get(url)
        assert response.status_code in {200, 422}, (url, response.content)
    far = hq.get(f"{base}/totals-over-time?from=0001-01-01&to=9999-12-31")
    assert error_body(far, 422)["errors"][0]["field"] == "query.from"


def test_an_import_with_a_number_too_large_is_a_422_and_writes_nothing(as_user, gaza):
    from stabforce.forcegen.models import Requirement

    hq = as_user("hq")
    exported = hq.get(f"{API}/missions/{gaza.slug}/export/requirements").content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerow({**rows[0], "key": "api-huge", "personnel": str(2**70)})
    url = f"{API}/missions/{gaza.slug}/import/requirements"
    body = error_body(hq.upload(url, "requirements.csv", buffer.getvalue().encode()), 422)
    assert body["errors"][0]["field"] == "file.line2.personnel"
    assert "at most 1,000,000" in body["errors"][0]["message"]
    assert not Requirement.objects.filter(mission=gaza, key="api-huge").exists()
