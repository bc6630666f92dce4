"""The force generation officer's weekly brief, in a real browser: sign in, open the register,
go back to 20 December 2025, see Pakistan considering, read the Rubio quote on its timeline,
and open the gap dashboard's heat map — under the strict CSP, without a console error."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "weekly-brief-2025"


def screenshot(page, name: str) -> None:
    """Screenshots for a human to look at, when STABFORCE_SCREENSHOTS names a directory."""
    directory = os.environ.get("STABFORCE_SCREENSHOTS")
    if directory:
        page.screenshot(path=str(Path(directory) / name), full_page=True)


@pytest.fixture
def planner(live_gaza):
    from stabforce.core.choices import Role
    from stabforce.core.models import Nation
    from stabforce.core.services import ensure_user

    user, _ = ensure_user(
        "journey-hq",
        role=Role.HQ_PLANNER,
        nation=Nation.objects.get(iso3="USA"),
        missions=[live_gaza],
        password=PASSWORD,
    )
    return user


def test_planner_reads_the_register_a_pledge_and_the_gap_dashboard(
    page, live_server, live_gaza, planner
):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "journey-hq")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/missions/{live_gaza.slug}/$"))

    page.click(".mission-nav >> text=Force generation")
    page.wait_for_url(re.compile(rf"/forcegen/missions/{live_gaza.slug}/pledges/"))
    assert page.locator("h1").inner_text() == "Pledge register"

    page.fill("#as-of-date", "2025-12-20")
    page.click(".fg-as-of button[type=submit]")
    page.wait_for_url(re.compile(r"as_of=2025-12-20"))
    pakistan = page.locator("#record-table tr", has_text="Pakistan")
    assert "up to 3,500" in pakistan.inner_text()
    assert "considering" in pakistan.inner_text().lower()

    # Filtering swaps only the table (htmx) and keeps the date.
    page.select_option("#id_status", "considering")
    page.wait_for_url(re.compile(r"status=considering"))
    page.wait_for_function(
        "!document.querySelector('#record-table').innerText.includes('Indonesia')"
    )
    assert "as_of=2025-12-20" in page.url
    screenshot(page, "stabforce-register.png")

    page.locator("#record-table a", has_text="Pakistan").click()
    page.wait_for_url(re.compile(r"/forcegen/pledges/\d+/\?as_of=2025-12-20"))
    timeline = page.locator(".timeline").inner_text()
    assert "offer to consider" in timeline and "State" in timeline
    assert page.locator(".condition-open").count() == 4
    assert "record-form" in page.content()  # an HQ planner may record a status change
    screenshot(page, "stabforce-pledge.png")

    page.locator(".fg-nav a", has_text="Gap dashboard").click()
    page.wait_for_url(re.compile(r"/gaps/\?as_of=2025-12-20"))
    assert page.locator("td.gap-cell.band-0").count() > 0
    assert page.locator("svg.trend-chart polygon.chart-layer").count() == 5
    assert "SYNTHETIC requirement breakdown" in page.locator(".fg-heading").inner_text()

    page.fill("#as-of-date", "2026-02-20")
    page.click(".fg-as-of button[type=submit]")
    page.wait_for_url(re.compile(r"as_of=2026-02-20"))
    assert page.locator("td.gap-cell.band-5").count() > 0
    page.screenshot(path="/tmp/stabforce-gaps.png", full_page=True)
    screenshot(page, "stabforce-gaps.png")

    page.problems.assert_none(page)
