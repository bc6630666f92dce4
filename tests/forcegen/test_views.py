"""The force-generation pages: what each shows as of a date, who may see and change what,
import and export through the web, and the Content Security Policy on every page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from stabforce.core.models import Nation, Source
from stabforce.forcegen.models import Capability, Engagement, Pledge, PledgeCondition, Requirement

MISSION_PAGES = [
    "forcegen:pledge_list",
    "forcegen:gaps",
    "forcegen:acceptability",
    "forcegen:engagement_list",
    "forcegen:requirement_list",
]
POST_FORM = re.compile(r'<form method="post" action="/forcegen/')
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)


def assert_csp_clean(response) -> None:
    """Nothing the strict CSP would block: scripts only from files or as JSON data, no style
    attributes, no inline event handlers (as tests/core/test_views.py checks core pages)."""
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    for attributes, body in SCRIPT_TAG.findall(html):
        if "src=" in attributes:
            assert not body.strip(), "a script with src must have no inline body"
        else:
            assert 'type="application/json"' in attributes, f"inline script: {attributes!r}"
    without_data = SCRIPT_TAG.sub("", html)
    assert not STYLE_ATTRIBUTE.search(without_data), "style attribute found"
    assert not re.search(r"\son[a-z]+\s*=", without_data, re.I), "inline event handler"


@pytest.fixture
def hq_client(client, users):
    client.force_login(users["hq"])
    return client


@pytest.fixture
def pak(gaza):
    return Pledge.objects.get(mission=gaza, key="pak-infantry")


def page(client, name, arg, as_of=None, **params):
    url = reverse(name, args=[arg])
    query = {**({"as_of": as_of} if as_of else {}), **params}
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return response


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")


def register_row(response, nation: str) -> str:
    rows = re.findall(r"<tr\b.*?</tr>", response.content.decode(), re.S)
    matches = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)) for r in rows if nation in r]
    assert matches, f"no row for {nation}"
    return matches[0]


# --- What the pages show ----------------------------------------------------------------------


def test_every_page_renders_for_hq_and_keeps_to_the_csp(hq_client, gaza, pak):
    for name in [*MISSION_PAGES, "forcegen:import"]:
        for as_of in (None, "2025-12-20"):
            assert_csp_clean(page(hq_client, name, gaza.slug, as_of))
    for record in [
        pak,
        Requirement.objects.filter(mission=gaza).first(),
        Engagement.objects.filter(mission=gaza).first(),
        Capability.objects.filter(mission=gaza).first(),
    ]:
        url = record.get_absolute_url()
        assert url.startswith("/forcegen/"), record
        response = hq_client.get(url, {"as_of": "2025-12-20"})
        assert response.status_code == 200
        assert_csp_clean(response)


def test_register_as_of_december_shows_pakistan_considering_up_to_3500(hq_client, gaza):
    response = page(hq_client, "forcegen:pledge_list", gaza.slug, "2025-12-20")
    pakistan = register_row(response, "Pakistan")
    assert "up to 3,500" in pakistan and "considering" in pakistan.lower()
    assert " 4 " in pakistan  # four open conditions on the date
    indonesia = register_row(response, "Indonesia")
    assert "up to 20,000" in indonesia and "offered" in indonesia.lower()
    assert "Israel" in register_row(response, "Türkiye")  # objected to by Israel


def test_register_as_of_february_shows_indonesia_8000_committed(hq_client, gaza):
    response = page(hq_client, "forcegen:pledge_list", gaza.slug, "2026-02-20")
    indonesia = register_row(response, "Indonesia")
    assert "up to 8,000" in indonesia and "committed" in indonesia.lower()
    assert "20,000" not in indonesia
    # links to a pledge keep the date
    assert "?as_of=2026-02-20" in response.content.decode()


def test_register_filters_read_the_as_of_date(hq_client, gaza):
    def nations(**params):
        response = page(hq_client, "forcegen:pledge_list", gaza.slug, **params)
        return {n.name for n in Nation.objects.all() if f">{n.name}</a>" in response.text}

    december = {"as_of": "2025-12-20"}
    assert nations(**december, status="considering") == {"Pakistan", "Egypt", "Jordan"}
    assert nations(**december, condition="mandate") == {"Pakistan"}
    assert nations(**december, nation="PAK") == {"Pakistan"}
    assert nations(**december, objected="true") == {"Türkiye"}
    assert nations(as_of="2026-01-10", objected="true") == {"Türkiye", "Pakistan"}
    assert "Pakistan" not in nations(as_of="2026-01-10", objected="false")


def test_register_sorts_and_htmx_gets_only_the_table(hq_client, gaza):
    url = reverse("forcegen:pledge_list", args=[gaza.slug])
    response = hq_client.get(
        url,
        {"as_of": "2026-02-20", "sort": "-personnel_on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-table",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.index("Indonesia") < html.index("Albania")


def test_register_page_does_not_query_per_row(hq_client, gaza, django_assert_max_num_queries):
    url = reverse("forcegen:pledge_list", args=[gaza.slug])
    with django_assert_max_num_queries(20):
        hq_client.get(url, {"as_of": "2026-02-20"})


def test_pledge_page_shows_the_evidence_as_of_the_date(hq_client, pak):
    response = hq_client.get(pak.get_absolute_url(), {"as_of": "2025-12-20"})
    text = text_of(response)
    assert "up to 3,500" in text
    assert "offer to consider" in text  # Rubio, 2025-12-19, on the timeline
    assert "is not our job" in text
    assert response.content.decode().count('class="condition-status condition-open"') == 4
    assert "No demilitarisation tasks" in text  # the caveat
    assert "Israel no statement" in text  # Israel objected to Pakistan only in January
    january = hq_client.get(pak.get_absolute_url(), {"as_of": "2026-01-10"}).content.decode()
    assert re.search(r"stance-objects\">objects</span> <strong>Israel", january)
    assert "Gaza and the stabilisation force" in text  # the linked engagement
    assert "History" in text
    assert POST_FORM.search(response.content.decode())  # HQ may record changes


def test_pledge_page_keeps_conflicting_figures_visible(hq_client, gaza):
    idn = Pledge.objects.get(mission=gaza, key="idn-contingent")
    text = text_of(hq_client.get(idn.get_absolute_url(), {"as_of": "2026-02-20"}))
    assert "20,000" in text and "8,000" in text and "chosen value" in text
    assert "Sources give different figures" in text


def test_gap_dashboard_shows_totals_matrix_chart_and_synthetic_badge(hq_client, gaza):
    response = page(hq_client, "forcegen:gaps", gaza.slug, "2026-02-20")
    text = text_of(response)
    assert "20,000 troops" in text and "12,000 police" in text
    assert "SYNTHETIC requirement breakdown" in text
    html = response.content.decode()
    assert html.count('class="gap-cell band-') > 10
    assert "Force-wide" in text and "Rafah" in text
    assert html.count('class="chart-layer chart-') == 5
    assert "2025-10-01" in text  # the trend starts in October 2025
    assert "Open conditions" in text and "Stale pledges" in text
    assert_csp_clean(response)


def test_acceptability_follows_israels_statements_over_time(hq_client, gaza):
    def pakistan_row(as_of):
        response = page(hq_client, "forcegen:acceptability", gaza.slug, as_of)
        rows = re.findall(r"<tr>.*?</tr>", response.content.decode(), re.S)
        return next(row for row in rows if ">Pakistan</a>" in row)

    assert "stance-cell-objects" in pakistan_row("2026-01-10")
    assert "stance-cell-objects" not in pakistan_row("2025-12-20")


def test_engagements_show_the_weekday_disagreement(hq_client, gaza):
    response = page(hq_client, "forcegen:engagement_list", gaza.slug, "2026-02-20")
    text = text_of(response)
    assert "20 December 2025 was a Saturday" in text
    assert "date disputed" in text and "Express Tribune" in text
    early = text_of(page(hq_client, "forcegen:engagement_list", gaza.slug, "2025-12-17"))
    assert "Saturday" not in early  # the call had not happened yet


def test_requirements_list_flags_synthetic_lines(hq_client, gaza):
    text = text_of(page(hq_client, "forcegen:requirement_list", gaza.slug, "2026-02-20"))
    assert "SYNTHETIC requirement breakdown" in text and "Export CSV" in text


def test_nation_page_lists_the_nations_pledges(hq_client):
    response = hq_client.get(reverse("core:nation_detail", args=["PAK"]))
    assert "Infantry battalion" in response.text and "up to 3,500" in response.text


@pytest.mark.parametrize("as_of", ["2025-13-45", "yesterday", "2025-1-5", "x" * 500])
def test_a_bad_as_of_date_gets_a_message_and_today(hq_client, gaza, as_of):
    for name in MISSION_PAGES:
        response = page(hq_client, name, gaza.slug, as_of)
        assert "Could not read the date" in response.text
        assert_csp_clean(response)


# --- Writing: status changes and conditions ---------------------------------------------------


def source(gaza, key="state-rubio-2025-12-19"):
    return Source.objects.get(mission=gaza, key=key)


def test_committing_with_open_conditions_is_refused_with_the_services_message(hq_client, gaza, pak):
    response = hq_client.post(
        reverse("forcegen:pledge_status_change", args=[pak.pk]),
        {
            "to_status": "committed",
            "source": source(gaza).pk,
            "effective": "2025-12-20",
            "as_of": "2025-12-20",
        },
    )
    assert response.status_code == 200
    assert "Cannot commit Pakistan" in response.text
    assert "blocking conditions still open" in response.text
    pak.refresh_from_db()
    assert pak.status == "considering"
    assert_csp_clean(response)


def test_a_status_change_and_a_resolved_condition_are_recorded(hq_client, gaza, pak):
    url = reverse("forcegen:pledge_status_change", args=[pak.pk])
    response = hq_client.post(
        url,
        {"to_status": "offered", "source": source(gaza).pk, "effective": "2025-12-20",
         "quote": "their offer", "as_of": "2025-12-20"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith("?as_of=2025-12-20")
    pak.refresh_from_db()
    assert (pak.status, pak.status_since.isoformat()) == ("offered", "2025-12-20")

    mandate = pak.conditions.get(kind="mandate")
    response = hq_client.post(
        reverse("forcegen:condition_resolve", args=[mandate.pk]),
        {
            f"condition-{mandate.pk}-status": "met",
            f"condition-{mandate.pk}-source": source(gaza).pk,
            f"condition-{mandate.pk}-effective": "2025-12-21",
        },
    )
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert (mandate.status, mandate.resolved_on.isoformat()) == ("met", "2025-12-21")


def test_a_condition_cannot_be_resolved_before_it_was_raised(hq_client, gaza, pak):
    mandate = pak.conditions.get(kind="mandate")
    prefix = f"condition-{mandate.pk}"
    response = hq_client.post(
        reverse("forcegen:condition_resolve", args=[mandate.pk]),
        {f"{prefix}-status": "waived", f"{prefix}-source": source(gaza).pk,
         f"{prefix}-effective": "2025-01-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "cannot be resolved before it was raised" in response.text
    assert PledgeCondition.objects.get(pk=mandate.pk).status == "open"


def test_observers_see_no_forms_and_cannot_post(client, users, gaza, pak):
    client.force_login(users["observer"])
    response = client.get(pak.get_absolute_url())
    assert response.status_code == 200
    assert not POST_FORM.search(response.content.decode())
    data = {"to_status": "offered", "source": source(gaza).pk, "effective": "2025-12-20"}
    assert (
        client.post(reverse("forcegen:pledge_status_change", args=[pak.pk]), data).status_code
        == 403
    )
    mandate = pak.conditions.get(kind="mandate")
    assert (
        client.post(reverse("forcegen:condition_resolve", args=[mandate.pk]), {}).status_code == 403
    )
    assert client.get(reverse("forcegen:import", args=[gaza.slug])).status_code == 403
    pak.refresh_from_db()
    assert pak.status == "considering"


def test_writes_are_post_only_and_need_a_login(client, users, pak):
    url = reverse("forcegen:pledge_status_change", args=[pak.pk])
    assert client.post(url, {}).status_code == 302  # to the login page
    client.force_login(users["hq"])
    assert client.get(url).status_code == 405


def test_another_nations_liaison_officer_may_read_but_not_change(client, users, gaza, pak):
    client.force_login(users["lno_idn"])
    response = client.get(pak.get_absolute_url())
    assert response.status_code == 200 and not POST_FORM.search(response.content.decode())
    data = {"to_status": "offered", "source": source(gaza).pk, "effective": "2025-12-20"}
    assert (
        client.post(reverse("forcegen:pledge_status_change", args=[pak.pk]), data).status_code
        == 403
    )
    client.force_login(users["lno_pak"])
    assert POST_FORM.search(client.get(pak.get_absolute_url()).content.decode())


# --- Visibility -------------------------------------------------------------------------------


def test_an_hq_only_pledge_is_404_for_other_nations_and_visible_to_its_own(
    client, users, gaza, pak
):
    pak.releasability = "hq"
    pak.owner_nation = Nation.objects.get(iso3="PAK")
    pak.save()
    for model in (pak.status_changes, pak.figures, pak.conditions, pak.caveats):
        model.update(releasability="hq")

    client.force_login(users["lno_idn"])
    assert client.get(pak.get_absolute_url()).status_code == 404
    register = page(client, "forcegen:pledge_list", gaza.slug, "2025-12-20")
    assert ">Pakistan</a>" not in register.text
    data = {"to_status": "offered", "source": source(gaza).pk, "effective": "2025-12-20"}
    assert (
        client.post(reverse("forcegen:pledge_status_change", args=[pak.pk]), data).status_code
        == 404
    )
    assert (
        "pak-infantry"
        not in client.get(reverse("forcegen:pledge_export", args=[gaza.slug])).content.decode()
    )

    client.force_login(users["lno_pak"])
    assert client.get(pak.get_absolute_url()).status_code == 200
    assert ">Pakistan</a>" in page(client, "forcegen:pledge_list", gaza.slug, "2025-12-20").text

    client.force_login(users["hq"])
    assert client.get(pak.get_absolute_url()).status_code == 200


def test_outsiders_and_anonymous_users_get_nothing(client, users, gaza, pak):
    for name in [*MISSION_PAGES, "forcegen:import", "forcegen:pledge_export"]:
        url = reverse(name, args=[gaza.slug])
        assert client.get(url).status_code == 302  # login first
    client.force_login(users["outsider"])
    for name in [*MISSION_PAGES, "forcegen:import", "forcegen:pledge_export"]:
        assert client.get(reverse(name, args=[gaza.slug])).status_code == 404
    assert client.get(pak.get_absolute_url()).status_code == 404


# --- Import and export ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pledges", "requirements"])
def test_an_exported_csv_imports_back_as_a_no_op(hq_client, gaza, kind):
    export = reverse(f"forcegen:{kind[:-1]}_export", args=[gaza.slug])
    response = hq_client.get(export, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"{gaza.slug}-{kind}.csv" in response["Content-Disposition"]
    content = response.content
    rows = content.decode().count("\n") - 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{kind}.csv", content, content_type="text/csv")
    result = hq_client.post(
        reverse("forcegen:import", args=[gaza.slug]), {"kind": kind, "file": upload}
    )
    assert result.status_code == 200
    report = result.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, rows)
    assert_csp_clean(result)


def test_xlsx_export_is_a_workbook(hq_client, gaza):
    response = hq_client.get(
        reverse("forcegen:pledge_export", args=[gaza.slug]), {"format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_a_bad_import_lists_every_problem_and_writes_nothing(hq_client, gaza):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = Requirement.objects.filter(mission=gaza).count()
    csv = (
        "key,capability,line_of_operation,units,personnel,needed_from,priority\n"
        "new-1,infantry-battalion,border-security,1,800,2026-01-01,1\n"
        'new-2,no-such-capability,border-security,1,"3,5k",2026-01-01,1\n'
        "new-3,infantry-battalion,border-security,0,800,2026-13-01,9\n"
    )
    upload = SimpleUploadedFile("sor.csv", csv.encode(), content_type="text/csv")
    response = hq_client.post(
        reverse("forcegen:import", args=[gaza.slug]), {"kind": "requirements", "file": upload}
    )
    assert response.status_code == 200
    problems = response.context["problems"]
    assert problems and "nothing was written" in response.text
    located = {(p.record, p.field) for p in problems}
    assert {("line 3", "capability"), ("line 3", "personnel"), ("line 4", "needed_from")} <= located
    assert "sor.csv" in response.text
    assert Requirement.objects.filter(mission=gaza).count() == before


def test_only_hq_imports(client, users, gaza):
    client.force_login(users["lno_pak"])
    assert client.get(reverse("forcegen:import", args=[gaza.slug])).status_code == 403
    text = text_of(page(client, "forcegen:pledge_list", gaza.slug))
    assert "Import" not in text.split("As of")[0]  # no import tab for a liaison officer
