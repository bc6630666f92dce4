"""A mission member's first minutes, in a real browser: sign in, read the dashboard map,
open a sector. The page must run under the strict CSP without a single console error."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "field-tablet-2025"


@pytest.fixture
def commander(live_gaza):
    from stabforce.core.choices import Role
    from stabforce.core.models import Nation
    from stabforce.core.services import ensure_user

    user, _ = ensure_user(
        "journey-cc",
        role=Role.CONTINGENT_COMMANDER,
        nation=Nation.objects.get(iso3="IDN"),
        missions=[live_gaza],
        password=PASSWORD,
    )
    return user


def screenshot(page, name: str) -> None:
    """Screenshots for a human to look at, when STABFORCE_SCREENSHOTS names a directory."""
    directory = os.environ.get("STABFORCE_SCREENSHOTS")
    if directory:
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def test_commander_signs_in_reads_the_map_and_opens_a_sector(
    page, live_server, live_gaza, commander
):
    from stabforce.core.models import Crossing, Sector

    expected_crossings = Crossing.objects.visible_to(commander).filter(mission=live_gaza).count()
    rafah = Sector.objects.get(mission=live_gaza, key="rafah")

    page.goto(live_server.url + "/")
    assert "/login/" in page.url
    page.fill("#id_username", "journey-cc")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/missions/{live_gaza.slug}/$"))

    header = page.locator(".site-header").inner_text()
    assert "Contingent commander" in header and "Indonesia" in header

    map_container = page.locator('#mission-map[data-ready="true"]')
    map_container.wait_for()
    assert map_container.get_attribute("data-sector-count") == "5"
    assert map_container.get_attribute("data-crossing-count") == str(expected_crossings)
    assert page.locator("#mission-map path.sector").count() == 5
    assert page.locator("#mission-map path.crossing").count() == expected_crossings
    for key in ("zikim", "kissufim"):
        assert page.locator(f"#mission-map path.crossing-{key}.crossing-approximate").count() == 1
    assert page.locator("#mission-map path.crossing-kerem-shalom.crossing-surveyed").count() == 1
    assert page.locator("#mission-map .sector-label").count() == 5
    assert "CC BY 4.0" in page.locator("#mission-map .leaflet-control-attribution").inner_text()
    assert "approximate position" in page.locator(".legend").inner_text()

    page.locator("#mission-map path.crossing-kissufim").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Kissufim" in popup.inner_text() and "approximate position" in popup.inner_text()
    page.keyboard.press("Escape")
    screenshot(page, "stabforce-dashboard.png")

    page.locator("#mission-map path.sector-rafah").click()
    page.wait_for_url(re.compile(rf"/sectors/{rafah.pk}/$"))
    assert page.locator("h1").inner_text() == "Rafah"
    assert "km²" in page.locator(".sector-area").inner_text()
    sector_map = page.locator('#sector-map[data-ready="true"]')
    sector_map.wait_for()
    assert "CC BY 4.0" in page.locator("#sector-map .leaflet-control-attribution").inner_text()
    assert "CC BY 4.0" in page.locator(".credit").inner_text()
    screenshot(page, "stabforce-sector.png")

    page.problems.assert_none(page)


def test_as_of_control_and_filters_work_without_errors(page, live_server, live_gaza, commander):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "journey-cc")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/missions/"))

    page.fill("#id_as_of", "2025-10-01")
    page.click(".as-of button[type=submit]")
    page.locator('#mission-map[data-ready="true"]').wait_for()
    assert page.locator("#mission-map").get_attribute("data-control-line-count") == "0"
    assert "as_of=2025-10-01" in page.url

    page.goto(live_server.url + f"/missions/{live_gaza.slug}/crossings/")
    page.select_option("#id_status", "closed")
    # htmx swaps only the table and pushes the filtered URL.
    page.wait_for_url(re.compile(r"status=closed"))
    table = page.locator("#record-table")
    page.wait_for_function(
        "!document.querySelector('#record-table').innerText.includes('Kissufim')"
    )
    assert "Karni" in table.inner_text()
    screenshot(page, "stabforce-crossings.png")

    page.problems.assert_none(page)
