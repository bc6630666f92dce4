"""Every JSON request body of the API refuses what it does not know: a misspelt field, a
boolean where a number belongs, a number where a date belongs. Each is a 422 naming the field,
and nothing is written."""

from __future__ import annotations

import pytest

from stabforce.api import api
from stabforce.core.models import Source
from stabforce.forcegen.models import Pledge
from stabforce.intake.models import IntakeDocument
from stabforce.planning.models import PlanRun, PlanScenario

API = "/api/v1"
AS_OF = "2026-02-20"


def _json_body_schemas() -> dict[str, dict]:
    """``"POST /path"`` → the component schema of its JSON request body."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = content["application/json"]["schema"]
            refs = [body] + body.get("anyOf", [])
            ref = next(item["$ref"] for item in refs if "$ref" in item)
            found[f"{method.upper()} {path}"] = components[ref.rsplit("/", 1)[1]]
    return found


def test_every_json_body_declares_it_takes_no_other_fields(db):
    bodies = _json_body_schemas()
    assert len(bodies) >= 10
    takes_anything = [op for op, body in bodies.items() if body.get("additionalProperties", True)]
    assert takes_anything == []


@pytest.fixture
def hq(client, users, token_for):
    client.defaults["HTTP_AUTHORIZATION"] = token_for(users["hq"])
    return lambda url, body: client.post(url, body, content_type="application/json")


def _source(gaza) -> int:
    return Source.objects.get(mission=gaza, key="state-rubio-2025-12-19").pk


def _pledge_body(gaza, **change) -> dict:
    body = {
        "mission": gaza.slug, "key": "bgd-infantry", "nation": "BGD",
        "capability": "infantry-battalion", "personnel": 800, "status": "interest",
        "effective": "2025-12-20", "source_id": _source(gaza),
    }  # fmt: skip
    return {**body, **change}


def _error_fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"personel": 900}, "body.personel", "Extra inputs are not permitted"),
        ({"personnel": True}, "body.personnel", "Input should be a valid integer"),
        ({"personnel": 800.0}, "body.personnel", "Input should be a valid integer"),
        ({"source_id": "7"}, "body.source_id", "Input should be a valid integer"),
        ({"effective": 0}, "body.effective", "must be a date written YYYY-MM-DD"),
        ({"effective": "2025-12-20T00:00"}, "body.effective", "must be a date written"),
        ({"effective": "2025-13-45"}, "body.effective", "YYYY-MM-DD: month must be in 1..12"),
        ({"duration_months": False}, "body.duration_months", "Input should be a valid integer"),
    ],
)
def test_a_pledge_with_a_field_it_does_not_know_or_of_the_wrong_type_is_refused(
    gaza, hq, change, field, message
):
    before = Pledge.objects.count()
    response = hq(f"{API}/forcegen/pledges", _pledge_body(gaza, **change))
    assert _error_fields(response) == [field]
    assert message in response.json()["errors"][0]["message"]
    assert Pledge.objects.count() == before


def test_the_same_pledge_with_correct_fields_is_created(gaza, hq):
    response = hq(f"{API}/forcegen/pledges", _pledge_body(gaza))
    assert response.status_code == 201, response.content
    assert Pledge.objects.filter(mission=gaza, key="bgd-infantry").exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ([1, 2], "body", "Input should be a valid dictionary"),
        ({"as_of": AS_OF, "what_if": ["withdraw=PAK"]}, "body.what_if", "Extra inputs"),
        ({"as_of": AS_OF, "name": "a\u0000b"}, "body.name", "must not contain control"),
        ({"as_of": AS_OF, "name": "a\u007fb"}, "body.name", "(U+007F)"),
        ({"as_of": AS_OF, "name": "a\u0085b"}, "body.name", "(U+0085)"),
        ({"as_of": AS_OF, "name": "a\u2028b"}, "body.name", "(U+2028)"),
        ({"as_of": AS_OF, "name": "ctl\u202etset"}, "body.name", "(U+202E)"),
        # a lone surrogate: refused before our check, still by name
        ('{"as_of": "2026-02-20", "name": "a\\ud800b"}', "body.name", "unicode string"),
        (
            {"as_of": AS_OF, "statuses": ["offered", "offered"]},
            "body.statuses",
            "lists offered more than once",
        ),
        ({"as_of": 0}, "body.as_of", "must be a date written YYYY-MM-DD"),
        ({"as_of": AS_OF, "base_id": True}, "body.base_id", "Input should be a valid integer"),
    ],
)
def test_a_planning_question_with_a_misspelt_or_mistyped_field_is_refused(
    gaza, hq, body, field, message
):
    response = hq(f"{API}/planning/missions/{gaza.slug}/scenarios", body)
    assert _error_fields(response) == [field]
    assert message in response.json()["errors"][0]["message"]
    assert not PlanScenario.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # Without the refusal this sweep would run with 1 s per sample, not the 0.2 s asked.
        ({"kind": "sweep", "samples": 10, "sampel_time_limit": 0.2}, "body.sampel_time_limit"),
        ({"kind": "sweep", "samples": True}, "body.samples"),
        ({"kind": "sweep", "samples": 20.0}, "body.samples"),
        ({"time_limit": "5"}, "body.time_limit"),
    ],
)
def test_a_run_with_a_misspelt_or_mistyped_field_is_refused(gaza, hq, body, field):
    scenario = hq(f"{API}/planning/missions/{gaza.slug}/scenarios", {"as_of": AS_OF}).json()
    response = hq(f"{API}/planning/scenarios/{scenario['id']}/runs", body)
    assert _error_fields(response) == [field]
    assert not PlanRun.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"txt": "Pakistan offers troops."}, "body.txt", "Extra inputs are not permitted"),
        ({"published": 20251220}, "body.published", "must be a date written YYYY-MM-DD"),
        ({"title": "Statement\u0000"}, "body.title", "must not contain control characters"),
    ],
)
def test_a_document_with_a_misspelt_or_mistyped_field_is_refused(gaza, hq, change, field, message):
    body = {"mission": gaza.slug, "text": "Pakistan offers 3,500 troops.", **change}
    response = hq(f"{API}/intake/documents", body)
    assert _error_fields(response) == [field]
    assert message in response.json()["errors"][0]["message"]
    assert not IntakeDocument.objects.exists()


def test_a_name_in_arabic_script_with_its_joiners_and_marks_is_kept(gaza, hq):
    name = "خطة\u200cالأساس \u200fRafah"  # a zero-width non-joiner and a right-to-left mark
    response = hq(f"{API}/planning/missions/{gaza.slug}/scenarios", {"as_of": AS_OF, "name": name})
    assert response.status_code == 201, response.content
    assert PlanScenario.objects.get().name == name
