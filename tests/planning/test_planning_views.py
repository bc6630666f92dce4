"""The planning pages: who sees them, asking a question (and the form's errors), the run page
while it runs and when it is done, the comparison of two plans, the Monte Carlo sweep, and the
strict Content Security Policy on every page."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from stabforce.core.views import mission_today
from stabforce.planning import building, presenters, services
from stabforce.planning.building import DEFAULT_STATUSES
from stabforce.planning.models import PlanRun, PlanRunStatus, PlanScenario

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
AS_OF = "2026-02-20"


class ImmediateThread:
    """A thread that runs its target at start(), so that a run finishes inside the request."""

    def __init__(self, target=None, args=(), kwargs=None, **_options):
        self.target, self.args, self.kwargs = target, args, kwargs or {}

    def start(self) -> None:
        self.target(*self.args, **self.kwargs)


@pytest.fixture
def inline_runs(monkeypatch, django_capture_on_commit_callbacks):
    """Runs start on commit; capture the callbacks and run them synchronously."""
    # Only the services' reference: multiprocessing (the sweep's process pool) needs real threads.
    monkeypatch.setattr(services, "threading", SimpleNamespace(Thread=ImmediateThread))
    monkeypatch.setattr("stabforce.planning.services.close_old_connections", lambda: None)
    return lambda: django_capture_on_commit_callbacks(execute=True)


def assert_csp_clean(response) -> None:
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    for attributes, body in SCRIPT_TAG.findall(html):
        if "src=" in attributes:
            assert not body.strip()
        else:
            assert 'type="application/json"' in attributes, attributes
    without_data = SCRIPT_TAG.sub("", html)
    assert not STYLE_ATTRIBUTE.search(without_data), "style attribute found"
    assert not re.search(r"\son[a-z]+\s*=", without_data, re.I), "inline event handler"


@pytest.fixture
def hq_client(client, users):
    client.force_login(users["hq"])
    return client


def new_plan(client, gaza, **fields):
    data = {"as_of": AS_OF, "statuses": list(DEFAULT_STATUSES), "what_ifs": "",
            "time_limit": "2", "solver": "auto", **fields}  # fmt: skip
    return client.post(reverse("planning:scenario_list", args=[gaza.slug]), data)


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_scenario_list_is_for_mission_members_and_the_form_for_planners(client, gaza, users):
    url = reverse("planning:scenario_list", args=[gaza.slug])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]

    client.force_login(users["hq"])
    response = client.get(url)
    assert response.status_code == 200
    assert_csp_clean(response)
    body = response.content.decode()
    assert 'name="what_ifs"' in body and "withdraw=PAK" in body
    assert "lift_objection" in body and "slip" in body  # the what-if kinds' help
    assert AS_OF in body  # the demo date as a hint
    assert 'value="deployed" checked' in body.replace('" id', '"').replace("  ", " ") or (
        re.search(r'value="offered"[^>]*checked', body)
    )
    assert not re.search(r'value="considering"[^>]*checked', body)
    # the status checkboxes are a group with a name screen readers announce
    assert re.search(r'<fieldset class="form-field[^"]*"[^>]*>\s*<legend[^>]*>Pledges', body)
    assert ">Planning</a>" in body  # the mission tab

    for name in ("observer", "lno_pak", "commander"):
        client.force_login(users[name])
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "HQ-only" in body and 'name="what_ifs"' not in body
        assert ">Planning</a>" not in body
        # not "No scenarios yet": there may be many, only none is released to this user
        assert "No scenario is released to you" in body and "No scenarios yet" not in body
    client.force_login(users["outsider"])
    assert client.get(url).status_code == 404


def date_input_value(response) -> str:
    """The value the as-of date picker shows (and submits unless the user changes it)."""
    match = re.search(r'<input type="date" name="as_of" value="([^"]*)"', response.content.decode())
    assert match, "no as-of date input"
    return match.group(1)


def checked_statuses(response) -> set[str]:
    body = response.content.decode()
    return set(
        re.findall(r'<input type="checkbox" name="statuses" value="(\w+)"[^>]*checked', body)
    )


def test_the_date_picker_shows_an_iso_date_and_accepts_its_own_default(hq_client, gaza):
    url = reverse("planning:scenario_list", args=[gaza.slug])
    response = hq_client.get(url)
    default = date_input_value(response)
    # An HTML date input reads only YYYY-MM-DD; anything else shows (and submits) as blank.
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", default), default
    assert default == mission_today(gaza).isoformat()
    with translation.override(settings.LANGUAGE_CODE):  # en-gb: the locale's own is dd/mm/yyyy
        assert formats.localize_input(mission_today(gaza)) != default
    response = new_plan(hq_client, gaza, as_of=default)  # the run is queued, never started
    assert response.status_code == 302, text(response)
    assert PlanScenario.objects.get().as_of.isoformat() == default
    # A form shown again with errors keeps the date in the same format.
    response = new_plan(hq_client, gaza, as_of=AS_OF, statuses=[])
    assert date_input_value(response) == AS_OF


def test_a_new_what_if_starts_from_its_bases_date_and_pledges(hq_client, gaza, users):
    statuses = [*DEFAULT_STATUSES, "considering"]
    base = services.save_scenario(
        users["hq"], gaza, name="base", as_of="2026-03-15", statuses=statuses,
        what_ifs=["slip=KAZ:1"],
    )  # fmt: skip
    detail = hq_client.get(reverse("planning:scenario_detail", args=[base.pk]))
    link = re.search(
        r'href="([^"]*\?base=\d+)[^"]*">New what-if based on this', detail.content.decode()
    )
    assert link, "no what-if link"
    response = hq_client.get(link.group(1))
    assert date_input_value(response) == "2026-03-15"
    assert checked_statuses(response) == set(statuses)
    assert re.search(rf'<option value="{base.pk}" selected>', response.content.decode())
    assert re.search(r"<textarea[^>]*>\s*slip=KAZ:1</textarea>", response.content.decode())

    # Submitting it as shown, with a what-if, asks the base's question with that change.
    shown = {"as_of": date_input_value(response), "statuses": sorted(checked_statuses(response))}
    response = new_plan(hq_client, gaza, what_ifs="withdraw=KAZ", base=base.pk, **shown)
    assert response.status_code == 302, text(response)
    what_if = PlanScenario.objects.get(base=base)
    assert what_if.as_of.isoformat() == "2026-03-15" and set(what_if.statuses) == set(statuses)
    assert what_if.name == (  # unnamed: in words
        "Kazakhstan withdraws, counting deployed, committed, offered, considering — as of "
        "2026-03-15"
    )

    # A base the user cannot use (none such, or not an id) leaves the defaults: today.
    url = reverse("planning:scenario_list", args=[gaza.slug])
    for junk in ("999999", "abc", "9" * 40, "١٢"):
        response = hq_client.get(url, {"base": junk})
        assert response.status_code == 200, junk
        assert date_input_value(response) == mission_today(gaza).isoformat(), junk
        assert checked_statuses(response) == set(DEFAULT_STATUSES), junk


def test_a_planner_asks_a_question_and_reads_the_answer(hq_client, gaza, inline_runs):
    with inline_runs():
        response = new_plan(hq_client, gaza, name="Demo plan")
    assert response.status_code == 302
    run = PlanRun.objects.get()
    assert response["Location"] == reverse("planning:run_detail", args=[run.pk])
    assert run.status == PlanRunStatus.DONE, run.message
    assert run.parameters == {"time_limit": 2.0, "solver": "auto"}
    assert run.scenario.name == "Demo plan" and run.scenario.statuses == list(DEFAULT_STATUSES)

    response = hq_client.get(response["Location"])
    assert response.status_code == 200
    assert_csp_clean(response)
    body = response.content.decode()
    page = text(response)
    assert "Quality of this plan" in page and "Independent check" in page
    assert "✓ passed" in page and "Proven gap" in page and "Greedy heuristic" in page
    assert 'class="gap-matrix plan-matrix"' in body and "Rafah" in page
    assert 'id="plan-map"' in body and 'id="plan-sectors-data"' in body
    assert "planning/plan-map.js" in body
    assert "Deployment by nation" in page and "Kazakhstan" in page
    assert "Share of troop-months" in page
    assert "objections: a veto where the party's consent is required" in page
    assert "Against Israel's objection" not in page
    # Uncovered requirements grouped by requirement over consecutive months.
    assert "Rafah · EOD team · Demilitarisation — 2026-02 … 2027-01" in page or (
        re.search(r"Rafah · EOD team · Demilitarisation — \d{4}-\d\d … 2027-01: 3 of 3", page)
    )
    assert "months" in page and "Smallest change" in page
    # counted as the CLI counts them: requirements, not stretches of months
    requirements = {item["demand"].rsplit("@", 1)[0] for item in run.result["uncovered"]}
    assert f"Uncovered requirements {len(requirements)} short in" in page
    # Offers the plan leaves at home, with the reason in words.
    assert "Offers left at home, and why" in page
    assert re.search(r"Indonesia · Infantry battalion \(10 units, pledge idn-contingent\)", page)
    assert "infantry battalions is closed to this pledge" in page
    assert "hx-trigger" not in body  # finished: nothing polls
    # the demo's requirement breakdown is a planning assumption, and the page says so
    assert "SYNTHETIC data in this answer" in page and "Synthetic requirements:" in page
    listing = text(hq_client.get(reverse("planning:scenario_list", args=[gaza.slug])))
    assert re.search(r"\d+ %\s*synthetic", listing), listing  # the coverage column too
    assert "penalty mode" not in listing


def test_in_penalty_mode_the_run_page_flags_nations_deployed_against_an_objection(
    hq_client, gaza, inline_runs
):
    settings_row = building.settings_for(gaza)
    settings_row.objection_mode = "penalty"
    settings_row.save()
    with inline_runs():
        response = new_plan(hq_client, gaza, name="Penalty mode")
    page = text(hq_client.get(response["Location"]))
    assert "objections: a penalty of 50 per unit-month" in page
    listing = text(hq_client.get(reverse("planning:scenario_list", args=[gaza.slug])))
    assert "penalty mode" in listing  # beside the latest plan: settings explain differences
    flagged = r"Against Israel's objection: \d+ unit-months \([^)]+\), a penalty of \d+"
    assert re.search(flagged, page)


def test_bad_what_ifs_are_form_errors_naming_the_line(hq_client, gaza):
    response = new_plan(hq_client, gaza, what_ifs="withdraw=KAZ\nexplode=PAK")
    assert response.status_code == 200
    page = text(response)
    assert "Line 2:" in page and "unknown kind" in page
    response = new_plan(hq_client, gaza, what_ifs="withdraw=XYZ")
    page = html.unescape(text(response))
    assert "Line 1: withdraw=XYZ: 'XYZ' is not an ISO 3166 alpha-3 nation code" in page, page
    response = new_plan(hq_client, gaza, what_ifs="withdraw=XYZ\nslip=KAZ")
    page = html.unescape(text(response))
    assert "Line 1: withdraw=XYZ" in page and "Line 2: slip=KAZ: expected ISO3:MONTHS" in page
    # a line of the wrong form does not hide a line that is wrong for the register
    response = new_plan(hq_client, gaza, what_ifs="explode=PAK\nwithdraw=XYZ\nwithdraw=KAZ")
    page = html.unescape(text(response))
    assert "Line 1: what-if 'explode=PAK': unknown kind" in page
    assert "Line 2: withdraw=XYZ: 'XYZ' is not an ISO 3166" in page and "Line 3" not in page
    response = new_plan(hq_client, gaza, statuses=[])
    assert "Count at least one pledge status" in text(response)
    response = new_plan(hq_client, gaza, time_limit="0")
    assert "time_limit" in response.content.decode()
    assert not PlanScenario.objects.exists()


def test_only_planners_start_runs(client, gaza, users):
    scenario = services.save_scenario(
        users["hq"], gaza, name="base", as_of="2026-02-20", statuses=DEFAULT_STATUSES, what_ifs=[]
    )
    for name in ("observer", "lno_pak", "commander"):
        client.force_login(users[name])
        assert new_plan(client, gaza).status_code == 403
        start = reverse("planning:start_run", args=[scenario.pk])
        assert client.post(start, {"kind": "plan", "time_limit": 2}).status_code == 404
        assert (
            client.get(reverse("planning:scenario_detail", args=[scenario.pk])).status_code == 404
        )
    assert not PlanRun.objects.exists()


def test_the_run_page_polls_progress_until_the_run_is_done(hq_client, gaza, users):
    scenario = services.save_scenario(
        users["hq"], gaza, name="base", as_of="2026-02-20", statuses=DEFAULT_STATUSES, what_ifs=[]
    )
    run = services.start_run(users["hq"], scenario, time_limit=2)  # on_commit: never starts
    assert run.status == PlanRunStatus.QUEUED
    response = hq_client.get(reverse("planning:run_detail", args=[run.pk]))
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "<progress" in body
    assert reverse("planning:run_progress", args=[run.pk]) in body
    assert_csp_clean(response)
    progress = hq_client.get(
        reverse("planning:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    assert "HX-Refresh" not in progress

    PlanRun.objects.filter(pk=run.pk).update(status=PlanRunStatus.RUNNING, progress=0.4,
                                             message="solving")  # fmt: skip
    progress = hq_client.get(
        reverse("planning:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert "solving" in progress.content.decode() and 'value="0.400"' in progress.content.decode()

    PlanRun.objects.filter(pk=run.pk).update(status=PlanRunStatus.FAILED, message="boom")
    progress = hq_client.get(
        reverse("planning:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert "hx-trigger" not in progress.content.decode()
    assert progress["HX-Refresh"] == "true"
    assert "boom" in text(hq_client.get(reverse("planning:run_detail", args=[run.pk])))


def test_a_planner_cancels_a_run_from_its_page(hq_client, gaza, users):
    scenario = services.save_scenario(
        users["hq"], gaza, name="base", as_of="2026-02-20", statuses=DEFAULT_STATUSES, what_ifs=[]
    )
    run = services.start_run(users["hq"], scenario, time_limit=2)  # on_commit: never starts
    page = hq_client.get(reverse("planning:run_detail", args=[run.pk]))
    cancel = reverse("planning:cancel_run", args=[run.pk])
    assert f'action="{cancel}"' in page.content.decode() and "Cancel this run" in text(page)
    observer = Client()
    observer.force_login(users["observer"])
    assert observer.post(cancel).status_code == 404  # not theirs to see, let alone stop
    response = hq_client.post(cancel)
    assert response.status_code == 302 and response["Location"] == reverse(
        "planning:run_detail", args=[run.pk]
    )
    run.refresh_from_db()
    assert run.status == PlanRunStatus.CANCELLED
    page = hq_client.get(response["Location"])
    assert "The run was cancelled" in text(page) and "Cancel this run" not in text(page)
    assert "where you can ask it again" in text(page)
    assert 'hx-trigger="every 1s"' not in page.content.decode()
    again = hq_client.post(cancel, follow=True)
    assert "Nothing to cancel" in text(again)


def test_runs_are_hq_only(client, gaza, users, inline_runs):
    client.force_login(users["hq"])
    with inline_runs():
        new_plan(client, gaza)
    run = PlanRun.objects.get()
    urls = [
        reverse("planning:run_detail", args=[run.pk]),
        reverse("planning:run_progress", args=[run.pk]),
        reverse("planning:run_diff", args=[run.pk, run.pk]),
        reverse("planning:scenario_detail", args=[run.scenario_id]),
    ]
    for name in ("observer", "lno_pak", "lno_idn", "humlo", "commander", "outsider"):
        client.force_login(users[name])
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)
    client.force_login(users["admin"])
    assert all(client.get(url).status_code == 200 for url in urls)


def test_a_what_if_against_its_base_shows_the_diff(hq_client, gaza, inline_runs):
    with inline_runs():
        new_plan(hq_client, gaza, name="Baseline")
    base = PlanScenario.objects.get(name="Baseline")
    form = hq_client.get(reverse("planning:scenario_list", args=[gaza.slug])).content.decode()
    # scenarios may share a name: the choice of a base says which one by its number
    label = rf"Scenario #{base.pk}: Baseline \(as of {AS_OF}\)"
    assert re.search(rf'<option value="{base.pk}">{label}', form)
    with inline_runs():
        response = new_plan(hq_client, gaza, name="KAZ out", what_ifs="withdraw=KAZ", base=base.pk)
    page = text(hq_client.get(response["Location"]))
    assert "Against the base: Baseline" in page
    assert "what-ifs: Kazakhstan withdraws" in page  # in words, as applied, not the code
    assert "Kazakhstan no longer deploys" in page
    base_run, what_if_run = PlanRun.objects.order_by("pk")
    assert what_if_run.result["reference_run_id"] == base_run.pk
    assert f"keeps units where run #{base_run.pk} had them" in page
    response = hq_client.get(reverse("planning:run_diff", args=[base_run.pk, what_if_run.pk]))
    assert response.status_code == 200
    assert_csp_clean(response)
    page = text(response)
    assert "Kazakhstan no longer deploys" in page and "Rafah" in page
    moved = services.diff_answers(base_run.result, what_if_run.result)["moved"]
    assert ("Which units moved" in page) == bool(moved)  # listed with names, not only counted
    assert "Coverage change by sector and line of operation" in page
    compare = hq_client.get(
        reverse("planning:run_compare", args=[base_run.pk]), {"other": what_if_run.pk}
    )
    assert compare["Location"] == reverse("planning:run_diff", args=[base_run.pk, what_if_run.pk])
    assert (
        hq_client.get(reverse("planning:run_diff", args=[base_run.pk, 999999])).status_code == 404
    )


def test_a_what_if_is_compared_with_the_base_run_it_was_kept_close_to(
    hq_client, gaza, users, inline_runs
):
    with inline_runs():
        new_plan(hq_client, gaza, name="Baseline")
    base = PlanScenario.objects.get(name="Baseline")
    with inline_runs():
        response = new_plan(hq_client, gaza, name="KAZ out", what_ifs="withdraw=KAZ", base=base.pk)
    first_base_run = PlanRun.objects.get(scenario=base)
    # the base is answered again later: the what-if still reads against the run it was kept to
    later = services.start_run(users["hq"], base, background=False, time_limit=2)
    assert later.status == PlanRunStatus.DONE
    page = text(hq_client.get(response["Location"]))
    assert f"Compared with run #{first_base_run.pk}" in page
    assert f"keeps units where run #{first_base_run.pk} had them" in page


def test_a_monte_carlo_sweep_shows_the_chart_and_probabilities(hq_client, users, gaza, inline_runs):
    with inline_runs():
        new_plan(hq_client, gaza, name="Baseline")
    scenario = PlanScenario.objects.get()
    start = reverse("planning:start_run", args=[scenario.pk])
    detail = hq_client.get(reverse("planning:scenario_detail", args=[scenario.pk]))
    assert "Run Monte Carlo sweep" in text(detail) and 'value="200"' in detail.content.decode()
    ids = re.findall(r'\bid="([^"]+)"', detail.content.decode())
    assert len(ids) == len(set(ids)), "the plan and sweep forms share no element id"
    assert 'for="id_sweep_solver"' in detail.content.decode()
    response = hq_client.post(start, {"kind": "sweep", "samples": 6000})
    assert response.status_code == 200 and "5000" in text(response)
    with inline_runs():
        response = hq_client.post(start, {"kind": "sweep", "samples": 8})
    sweep = PlanRun.objects.get(kind="sweep")
    assert sweep.parameters == {"samples": 8, "solver": "auto", "sample_time_limit": 1.0, "seed": 0}
    assert response["Location"] == reverse("planning:run_detail", args=[sweep.pk])
    assert sweep.status == PlanRunStatus.DONE, sweep.message
    response = hq_client.get(response["Location"])
    assert_csp_clean(response)
    body, page = response.content.decode(), text(response)
    assert body.count('class="mc-chart"') == 2
    assert "mc-whisker" in body and "mc-median" in body  # the bar is the mean, the tick the median
    assert "; seed 0" in page  # the same seed draws the same samples
    assert "Probability of meeting each requirement" in page
    assert "EOD team · Demilitarisation" in page  # by name, a sector per line when never met
    probabilities = re.findall(
        r'<td class="number">(\d+) %</td><td class="probability-cell">', body
    )
    assert probabilities and [int(p) for p in probabilities] == sorted(
        int(p) for p in probabilities
    )
    # requirements met in no sample are named together, not as a run of 0 % rows
    never = [key for key, p in sweep.result["requirement_probability"].items() if p == 0]
    assert never and "0" not in probabilities, "the demo has requirements no sample meets"
    assert (f"Fully met in no sample ({len(never)}):" in page) == bool(never)
    names = services.requirement_names(users["hq"], gaza)
    grouped = presenters.requirement_probabilities_split(sweep.result, names)
    assert sum(len(r) for _, r in grouped["never_met_by_sector"]) == len(never)
    for sector, requirements in grouped["never_met_by_sector"]:  # a sector per line
        assert f"<li><strong>{sector}</strong>: {'; '.join(requirements)}</li>" in body
    # The planner of each sample and its time limit are the user's to choose.
    bad = hq_client.post(start, {"kind": "sweep", "samples": 4, "sample_time_limit": 60})
    assert bad.status_code == 200 and "less than or equal to 5" in text(bad)
    body = bad.content.decode()
    (field,) = re.findall(r'<input[^>]*id="id_sweep_sample_time_limit"[^>]*>', body)
    (described,) = re.findall(r'aria-describedby="([^"]+)"', field)
    for target in described.split():  # every description the input points to exists
        assert f'id="{target}"' in body, target
    with inline_runs():
        hq_client.post(
            start, {"kind": "sweep", "samples": 4, "solver": "greedy", "sample_time_limit": 0.5}
        )
    greedy = PlanRun.objects.filter(kind="sweep").latest("pk")
    assert greedy.result["method"] == "greedy" and greedy.parameters["sample_time_limit"] == 0.5
    detail = text(hq_client.get(reverse("planning:scenario_detail", args=[scenario.pk])))
    assert "Planner per sample" in detail and "4 samples · greedy" in detail
    assert "8 samples · auto ≤ 1.0 s each" in detail  # greedy has no time limit to show
    # A sweep cannot be diffed as a plan.
    plan_run = PlanRun.objects.get(kind="plan")
    page = text(hq_client.get(reverse("planning:run_diff", args=[plan_run.pk, sweep.pk])))
    assert "Only plan runs can be compared" in page


def test_uncovered_months_are_grouped_by_requirement_and_consecutive_runs():
    def item(demand, period, covered=0, required=3, reason="no nation has offered eod-teams"):
        return {"demand": demand, "period": period, "sector": "rafah", "sector_name": "Rafah",
                "line_of_operation": "demil", "capability": "eod", "capability_name": "EOD team",
                "required": required, "covered": covered, "reasons": [reason],
                "smallest_change": "seek a new pledge of 3 eod-teams"}  # fmt: skip

    answer = {
        "coverage": [{"line_of_operation": "demil", "line_of_operation_name": "Demilitarisation"}],
        "uncovered": [
            item("eod@1", "2026-03", reason="first month"),
            item("hq@0", "2026-02", required=6, covered=1),
            item("eod@2", "2026-04", covered=1),
            item("eod@3", "2026-05"),
            item("eod@6", "2026-08"),
        ],
    }
    groups = presenters.group_uncovered(answer)
    assert [(g.requirement, g.period_text, g.months) for g in groups] == [
        ("eod", "2026-03 … 2026-05", 3),
        ("hq", "2026-02", 1),
        ("eod", "2026-08", 1),
    ]
    assert groups[0].missing_text == "2–3 of 3 uncovered" and groups[0].reasons == ["first month"]
    assert groups[1].missing_text == "5 of 6 uncovered"
    assert groups[0].line_name == "Demilitarisation"


def test_a_plan_stored_before_unused_offers_were_reported_says_so(hq_client, gaza, inline_runs):
    with inline_runs():
        new_plan(hq_client, gaza, name="Older plan")
    run = PlanRun.objects.get()
    assert "Offers left at home" in text(
        hq_client.get(reverse("planning:run_detail", args=[run.pk]))
    )
    del run.result["unused_pledges"]
    run.save(update_fields=["result"])
    page = text(hq_client.get(reverse("planning:run_detail", args=[run.pk])))
    assert "Not reported for this run" in page
    assert "Every offered unit is used" not in page


@pytest.mark.parametrize(
    ("probability", "shown"),
    [(0.0, "0 %"), (0.004, "<1 %"), (0.005, "<1 %"), (0.37, "37 %"), (0.994, "99 %"),
     (0.995, ">99 %"), (0.999, ">99 %"), (1.0, "100 %")],
)  # fmt: skip
def test_a_probability_is_never_shown_as_0_or_100_percent_when_it_is_not(probability, shown):
    # 1 sample in 200 (the default) is 0.005, which Python rounds to 0
    assert presenters.probability_text(probability) == shown


@pytest.mark.parametrize(
    ("status", "gap", "verdict"),
    [
        # proved to the objective's step: a bound 0.6 above 231,139 is a relative gap of 2.6e-6
        ("optimal", 2.6e-6, "Proven optimal"),
        ("time_limit", 4e-5, "Within 0.00 % of the best possible deployment"),
        ("feasible", None, "its distance from the best is not proven"),
    ],
)
def test_the_verdict_calls_a_plan_optimal_exactly_when_the_planner_proved_it(status, gap, verdict):
    answer = {"quality": {"status": status, "gap": gap, "checked": True}}
    assert verdict in presenters.quality_of(answer).verdict


def test_a_unit_moved_for_several_months_is_one_row_of_the_diff():
    rafah = {"sector": "rafah", "line": "poc", "sector_name": "Rafah", "line_name": "PoC"}
    khan = {"sector": "khan", "line": "poc", "sector_name": "Khan Younis", "line_name": "PoC"}

    def move(unit, month, before=rafah, after=khan):
        return {"unit": unit, "period": month, "before": before, "after": after}

    moved = [
        move("alb#1", "2026-11"), move("alb#1", "2026-12"), move("alb#1", "2027-01"),
        move("alb#1", "2027-03"),  # a month apart: a new stretch
        move("alb#2", "2027-04", after=rafah, before=khan),
    ]  # fmt: skip
    rows = [(r.unit, r.when, r.before["sector"]) for r in presenters.move_stretches(moved)]
    assert rows == [
        ("alb#1", "2026-11 … 2027-01 (3 months)", "rafah"),
        ("alb#1", "2027-03", "rafah"),
        ("alb#2", "2027-04", "khan"),
    ]


def test_asking_again_a_question_the_register_no_longer_allows_says_why(hq_client, users, gaza):
    from stabforce.forcegen.models import Acceptability

    scenario = services.save_scenario(
        users["hq"], gaza, name="Israel accepts Türkiye", as_of=AS_OF,
        statuses=["deployed", "committed", "offered"], what_ifs=["lift_objection=Israel:TUR"],
    )  # fmt: skip
    Acceptability.objects.filter(mission=gaza, party__name="Israel", nation__iso3="TUR").delete()
    url = reverse("planning:start_run", args=[scenario.pk])
    response = hq_client.post(url, {"kind": "plan", "time_limit": 5, "solver": "auto"}, follow=True)
    assert "cannot be asked again as it stands" in text(response)
    assert "Israel does not object to Türkiye" in text(response)
    assert not PlanRun.objects.filter(scenario=scenario).exists()


def test_a_planner_deletes_a_scenario_from_its_page(hq_client, users, gaza):
    scenario = services.save_scenario(
        users["hq"], gaza, name="Short-lived", as_of=AS_OF,
        statuses=["deployed", "committed", "offered"], what_ifs=[],
    )  # fmt: skip
    page = hq_client.get(reverse("planning:scenario_detail", args=[scenario.pk]))
    assert "Delete this scenario" in text(page)
    services.save_scenario(
        users["hq"], gaza, name="Built on it", as_of=AS_OF,
        statuses=["deployed", "committed", "offered"], what_ifs=["withdraw=KAZ"], base=scenario,
    )  # fmt: skip
    response = hq_client.post(reverse("planning:delete_scenario", args=[scenario.pk]), follow=True)
    assert (
        "Scenario “Short-lived” deleted, with its 0 runs. The what-if built on it (“Built on it”) "
        "keeps its question, without a base." in text(response)
    )
    assert not PlanScenario.objects.filter(pk=scenario.pk).exists()
