"""The plans officer's morning, in a real browser: sign in, open the Planning tab, ask for the
plan as of 20 February 2026, watch the progress bar, then read the proof of quality, the
coverage matrix and the map of sectors coloured by coverage — under the strict CSP, without a
console error. The screenshot goes to /tmp/stabforce-plan.png."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "plans-officer-2026"
SCREENSHOT = "/tmp/stabforce-plan.png"


@pytest.fixture
def planner(live_gaza):
    from stabforce.core.choices import Role
    from stabforce.core.models import Nation
    from stabforce.core.services import ensure_user

    user, _ = ensure_user(
        "journey-plans",
        role=Role.HQ_PLANNER,
        nation=Nation.objects.get(iso3="USA"),
        missions=[live_gaza],
        password=PASSWORD,
    )
    return user


def test_plans_officer_runs_the_demo_plan_and_reads_it(page, live_server, live_gaza, planner):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "journey-plans")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/missions/{live_gaza.slug}/$"))

    page.click(".mission-nav >> text=Planning")
    page.wait_for_url(re.compile(rf"/planning/missions/{live_gaza.slug}/$"))
    assert page.locator("h1").inner_text() == "Deployment planning"
    assert "2026-02-20" in page.locator(".plan-new").inner_text()  # the demo date as a hint

    page.fill("#id_as_of", "2026-02-20")
    page.fill("#id_name", "Demo plan, 20 February")
    page.fill("#id_time_limit", "3")
    assert page.locator("#id_statuses input[value=offered]").is_checked()
    assert not page.locator("#id_statuses input[value=considering]").is_checked()
    page.click(".plan-new button[type=submit]")
    page.wait_for_url(re.compile(r"/planning/runs/\d+/$"))

    # The progress bar polls until the run is done (htmx reloads the page then); a fast solve
    # may have finished before the page loaded.
    assert page.locator("progress.run-bar, .plan-quality").count() >= 1
    page.wait_for_selector(".plan-quality, p.form-errors", timeout=60_000)
    failed = page.locator("p.form-errors")
    assert not failed.count(), f"the run failed: {failed.first.inner_text()}"
    page.wait_for_selector("#plan-map[data-ready=true]", timeout=15_000)

    quality = page.locator(".plan-quality").inner_text()
    assert "Independent check" in quality and "passed" in quality
    assert "Proven gap" in quality and "Greedy heuristic" in quality
    assert re.search(r"optimal|feasible", quality)
    assert page.locator("table.plan-matrix td.gap-cell").count() >= 25
    assert page.locator("table.plan-matrix").inner_text().count("Rafah") == 1
    assert page.locator("#plan-map").get_attribute("data-sector-count") == "5"
    assert page.locator("#plan-map path.plan-sector").count() == 5
    # the sectors are reachable by keyboard: focus one, Enter opens its popup
    rafah = page.locator("#plan-map path.plan-sector.sector-rafah")
    assert "required unit-months covered" in rafah.get_attribute("aria-label")
    rafah.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
    assert "Rafah" in page.locator(".leaflet-popup-content").inner_text()
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup-content", state="detached", timeout=5_000)
    assert page.locator(".uncovered").count() > 5
    assert "Kazakhstan" in page.locator(".plan-deployment").inner_text()

    page.screenshot(path=SCREENSHOT, full_page=True)
    page.screenshot(path=SCREENSHOT.replace(".png", "-top.png"))  # what the screen shows first
    assert page.evaluate(
        "(() => { const c = document.querySelector('.plan-matrix').parentElement;"
        " return c.scrollWidth <= c.clientWidth; })()"
    ), "the coverage matrix fits the page at 1280 px"
    page.problems.assert_none(page)
