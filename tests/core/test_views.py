"""The core web pages: who sees what, what each page shows, and that every page keeps to the
Content Security Policy (no inline script, no inline style)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from stabforce.core.choices import Releasability
from stabforce.core.models import (
    ControlLine,
    Crossing,
    LineOfOperation,
    Organisation,
    Party,
    Sector,
    Source,
)

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
MISSION_LISTS = [
    "core:sector_list",
    "core:crossing_list",
    "core:party_list",
    "core:organisation_list",
    "core:lineofoperation_list",
    "core:controlline_list",
    "core:source_list",
]
RECORD_MODELS = [Sector, Crossing, Party, Organisation, LineOfOperation, ControlLine, Source]


def assert_csp_clean(response) -> None:
    """The page carries the CSP header and nothing the CSP would block."""
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    for attributes, body in SCRIPT_TAG.findall(html):
        if "src=" in attributes:
            assert not body.strip(), "a script with src must have no inline body"
        else:
            assert 'type="application/json"' in attributes, f"inline script: {attributes!r}"
    without_data = SCRIPT_TAG.sub("", html)
    assert not STYLE_ATTRIBUTE.search(without_data), "style attribute found"
    assert " onclick=" not in without_data.lower()


def embedded_json(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no embedded {element_id}"
    return json.loads(match.group(1))


def mission_pages(mission) -> list[str]:
    return [reverse("core:mission_detail", args=[mission.slug])] + [
        reverse(name, args=[mission.slug]) for name in MISSION_LISTS
    ]


def record_pages(mission) -> list[str]:
    return [
        model.objects.filter(mission=mission).first().get_absolute_url() for model in RECORD_MODELS
    ]


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client, gaza):
    pages = ["/", "/nations/", "/nations/PAK/", "/data-sources/"]
    for url in pages + mission_pages(gaza) + record_pages(gaza):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_outsider_gets_404_on_every_mission_page(client, gaza, users):
    client.force_login(users["outsider"])
    for url in mission_pages(gaza) + record_pages(gaza):
        assert client.get(url).status_code == 404, url


def test_hq_only_record_is_hidden_from_an_observer_and_shown_to_hq(client, gaza, users):
    party = Party.objects.get(mission=gaza, key="hamas")
    party.releasability = Releasability.HQ
    party.save()

    client.force_login(users["observer"])
    assert client.get(party.get_absolute_url()).status_code == 404
    listing = client.get(reverse("core:party_list", args=[gaza.slug]))
    assert "Hamas" not in listing.content.decode()

    client.force_login(users["hq"])
    response = client.get(party.get_absolute_url())
    assert response.status_code == 200
    assert "HQ only" in response.content.decode()


def test_nation_released_record_is_seen_only_by_that_nation(client, gaza, users):
    from stabforce.core.models import Nation

    crossing = Crossing.objects.get(mission=gaza, key="allenby")
    crossing.releasability = Releasability.NATIONS
    crossing.save()
    crossing.releasable_to.set([Nation.objects.get(iso3="PAK")])

    client.force_login(users["lno_idn"])
    assert client.get(crossing.get_absolute_url()).status_code == 404
    client.force_login(users["lno_pak"])
    response = client.get(crossing.get_absolute_url())
    assert response.status_code == 200
    assert "Released to:" in response.content.decode()


def test_error_pages_render(client, gaza, users):
    from django.template.loader import render_to_string

    client.force_login(users["observer"])
    response = client.get("/sectors/999999999/")
    assert response.status_code == 404
    assert "not released to you" in response.content.decode()
    # Django renders 500.html with no context at all: it must not need one.
    assert "Something went wrong" in render_to_string("500.html")
    assert "Not allowed" in render_to_string("403.html")


# --- Pages ------------------------------------------------------------------------------------


def test_login_page_names_the_app(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "stabforce" in html and "multinational stabilisation force" in html
    assert_csp_clean(response)


def test_login_form_signs_in_and_logout_is_a_post(client, gaza, make_user):
    from stabforce.core.choices import Role
    from stabforce.core.services import ensure_user

    ensure_user("t-login", role=Role.OBSERVER, missions=[gaza], password="correct-horse-battery")
    response = client.post(
        "/login/", {"username": "t-login", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == gaza.get_absolute_url()
    assert 'action="/logout/"' in response.content.decode()
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_home_goes_straight_to_the_only_mission(client, gaza, users):
    client.force_login(users["commander"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == gaza.get_absolute_url()


def test_home_lists_missions_when_there_are_several(client, gaza, users):
    from stabforce.core.models import Mission

    Mission.objects.create(
        slug="exercise",
        name="Exercise Blue",
        mandate="Training.",
        authorised_from=gaza.authorised_from,
        synthetic=True,
    )
    client.force_login(users["admin"])
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert gaza.name in html and "Exercise Blue" in html
    assert "badge-synthetic" in html
    assert_csp_clean(response)


def test_home_without_missions_says_what_to_do(client, users):
    client.force_login(users["outsider"])
    response = client.get("/")
    assert response.status_code == 200
    assert "not a member of any mission" in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "hq", "lno_pak", "humlo", "commander", "observer"])
def test_every_mission_page_renders_for_each_member_role(client, gaza, users, role):
    client.force_login(users[role])
    for url in mission_pages(gaza) + record_pages(gaza):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)


def test_header_shows_role_nation_and_nav(client, gaza, users):
    client.force_login(users["lno_pak"])
    html = client.get(gaza.get_absolute_url()).content.decode()
    assert "National liaison officer" in html and "Pakistan" in html
    assert "/api/v1/openapi.json" in html and reverse("core:nation_list") in html
    assert reverse("core:data_sources") in html and "stabforce 0.1.0" in html
    assert "/admin/" not in html

    client.force_login(users["admin"])
    assert "/admin/" in client.get(gaza.get_absolute_url()).content.decode()


def test_dashboard_shows_mandate_counts_and_map_data(client, gaza, users):
    client.force_login(users["observer"])
    response = client.get(gaza.get_absolute_url())
    html = response.content.decode()
    assert "UNSC resolution 2803" in html
    assert "17 Nov 2025" in html and "31 Dec 2027" in html
    assert 'id="mission-map"' in html
    assert "leaflet-1.9.4/leaflet.js" in html and "core/map.js" in html

    sectors = embedded_json(response, "sectors-data")
    assert len(sectors["features"]) == 5
    assert "CC BY 4.0" in sectors["attribution"]
    assert {f["properties"]["key"] for f in sectors["features"]} == {
        "north-gaza",
        "gaza-city",
        "deir-al-balah",
        "khan-younis",
        "rafah",
    }

    crossings = {
        f["properties"]["key"]: f["properties"]
        for f in embedded_json(response, "crossings-data")["features"]
    }
    assert crossings["zikim"]["approximate"] is True
    assert crossings["kissufim"]["approximate"] is True
    assert crossings["kerem-shalom"]["approximate"] is False
    assert embedded_json(response, "aoo-data")["type"] in {"Polygon", "MultiPolygon"}
    assert "approximate position" in html  # the legend says what a hollow marker means


def test_dashboard_control_lines_follow_the_as_of_date(client, gaza, users):
    client.force_login(users["observer"])
    url = gaza.get_absolute_url()

    before = embedded_json(client.get(url, {"as_of": "2025-10-01"}), "control-lines-data")
    assert before["features"] == [] and before["as_of"] == "2025-10-01"

    response = client.get(url, {"as_of": "2025-12-20"})
    after = embedded_json(response, "control-lines-data")
    assert after["as_of"] == "2025-12-20"
    assert {f["properties"]["key"] for f in after["features"]} >= {"idf-withdrawal-line"}
    assert all(f["properties"]["schematic"] for f in after["features"])
    assert "20 Dec 2025" in response.content.decode()


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-40", "20/12/2025"])
def test_bad_as_of_date_gives_a_message_not_an_error(client, gaza, users, bad):
    client.force_login(users["observer"])
    response = client.get(gaza.get_absolute_url(), {"as_of": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Could not read the date" in html and "YYYY-MM-DD" in html
    assert embedded_json(response, "control-lines-data")["as_of"] == str(response.context["today"])


def test_crossing_list_filters_by_status_and_marks_approximate(client, gaza, users):
    client.force_login(users["humlo"])
    url = reverse("core:crossing_list", args=[gaza.slug])
    html = client.get(url).content.decode()
    assert "Zikim" in html and "approximate position" in html

    closed = client.get(url, {"status": "closed"}).content.decode()
    assert "Karni" in closed and "Kissufim" not in closed

    hubs = client.get(url, {"kind": "coordination"}).content.decode()
    assert "CMCC" in hubs and "Kerem Shalom" not in hubs


def test_list_is_sortable_and_htmx_gets_only_the_table(client, gaza, users):
    client.force_login(users["hq"])
    url = reverse("core:sector_list", args=[gaza.slug])
    ascending = client.get(url, {"sort": "area_km2"}).content.decode()
    descending = client.get(url, {"sort": "-area_km2"}).content.decode()
    assert ascending.index("Rafah") != descending.index("Rafah")

    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "record-table"})
    html = fragment.content.decode()
    assert 'id="record-table"' in html and "<html" not in html and "North Gaza" in html


def test_source_list_filters_by_confidence_and_publisher(client, gaza, users):
    client.force_login(users["hq"])
    url = reverse("core:source_list", args=[gaza.slug])
    high = client.get(url, {"confidence": "high"})
    assert high.status_code == 200
    confidences = [row.record.confidence for row in high.context["table"].rows]
    assert confidences and set(confidences) == {"high"}

    security_council = client.get(url, {"publisher": "security council"}).context["table"].rows
    assert security_council
    assert all(row.record.publisher == "UN Security Council" for row in security_council)


def test_control_line_list_shows_validity_and_schematic(client, gaza, users):
    client.force_login(users["commander"])
    url = reverse("core:controlline_list", args=[gaza.slug])
    html = client.get(url).content.decode()
    assert "2025-10-10" in html or "10 Oct 2025" in html
    assert "schematic" in html
    assert client.get(url, {"valid_on": "2025-01-01"}).context["table"].rows.data.data.count() == 0
    assert client.get(url, {"valid_on": "not-a-date"}).status_code == 200


def test_sector_page_shows_area_credit_and_map(client, gaza, users):
    client.force_login(users["commander"])
    sector = Sector.objects.get(mission=gaza, key="rafah")
    response = client.get(sector.get_absolute_url())
    html = response.content.decode()
    assert "Rafah" in html and "km²" in html
    assert "CC BY 4.0" in html
    assert 'id="sector-map"' in html and 'data-focus-sector="rafah"' in html
    assert len(embedded_json(response, "sectors-data")["features"]) == 5


def test_record_page_shows_evidence_with_quote_and_confidence(client, gaza, users):
    client.force_login(users["observer"])
    party = Party.objects.get(mission=gaza, key="israel")
    html = client.get(party.get_absolute_url()).content.decode()
    assert "Evidence" in html and "White House" in html
    assert "confidence" in html
    assert "All mission members" in html  # releasability


def test_approximate_crossing_page_says_so(client, gaza, users):
    client.force_login(users["humlo"])
    html = client.get(Crossing.objects.get(mission=gaza, key="zikim").get_absolute_url())
    assert "approximate position" in html.content.decode()


def test_source_page_shows_publisher_date_precision_and_synthetic_badge(client, gaza, users):
    source = Source.objects.filter(mission=gaza).exclude(published=None).first()
    source.synthetic = True
    source.quote = "We will not send troops without a mandate."
    source.save()
    client.force_login(users["observer"])
    html = client.get(source.get_absolute_url()).content.decode()
    assert source.publisher in html
    assert source.get_published_precision_display().lower() in html
    assert "badge-synthetic" in html
    assert "We will not send troops without a mandate." in html


def test_history_shows_who_changed_what(client, gaza, users):
    organisation = Organisation.objects.get(mission=gaza, key="cogat")
    organisation._history_user = users["hq"]
    organisation.notes = "Handles crossings on the Israeli side."
    organisation.save()

    client.force_login(users["observer"])
    html = client.get(organisation.get_absolute_url()).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "t-hq" in history and "changed" in history
    assert "notes" in history and "Handles crossings on the Israeli side." in history
    assert "created" in history


def test_nations_are_reference_data_with_groups(client, gaza, users):
    client.force_login(users["outsider"])
    response = client.get(reverse("core:nation_list"), {"group": "OIC"})
    assert response.status_code == 200
    names = {row.record.iso3 for row in response.context["table"].rows}
    assert {"PAK", "IDN"} <= names and "FRA" not in names
    assert_csp_clean(response)

    detail = client.get(reverse("core:nation_detail", args=["idn"]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Indonesia" in html and "OIC" in html and "UN" in html
    assert client.get(reverse("core:nation_detail", args=["XXX"])).status_code == 404


def test_data_sources_page_credits_geoboundaries(client, gaza, users):
    client.force_login(users["observer"])
    response = client.get(reverse("core:data_sources"))
    assert "CC BY 4.0" in response.content.decode()
    assert_csp_clean(response)


def test_static_files_are_served_locally(client, db):
    """The vendored libraries and our own css/js live in src/stabforce/static/, which only
    STATICFILES_DIRS makes visible (it is not an app's static directory)."""
    from django.contrib.staticfiles import finders

    for path in [
        "vendor/leaflet-1.9.4/leaflet.js",
        "vendor/leaflet-1.9.4/leaflet.css",
        "vendor/htmx-2.0.11/htmx.min.js",
        "core/app.css",
        "core/map.js",
    ]:
        assert finders.find(path), (
            f"{path} is not found: settings.STATICFILES_DIRS must include PACKAGE_DIR / 'static'"
        )
