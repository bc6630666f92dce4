"""Real-browser journeys: Debian's chromium driven by Playwright against pytest-django's
live server.

Outside CI a machine without chromium skips these tests with a message; in CI (``CI=true``)
a missing browser is a failure, because a silently skipped journey proves nothing.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM
# calls from it as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("STABFORCE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing_browser(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the browser journeys (apt-get install chromium)")
    pytest.skip(f"{reason}; install Debian's chromium to run the browser journeys")


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session."""
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not executable:
        _missing_browser(f"chromium not found at {CHROMIUM} or on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def static_files_found():
    """Fail early and say why, rather than time out waiting for a map that has no Leaflet."""
    from django.contrib.staticfiles import finders

    if not finders.find("vendor/leaflet-1.9.4/leaflet.js"):
        pytest.fail(
            "static files in src/stabforce/static/ are not found: "
            "settings.STATICFILES_DIRS must include PACKAGE_DIR / 'static'"
        )


@dataclass
class BrowserProblems:
    """Everything the page complained about: console errors (CSP violations are reported
    there), uncaught exceptions, and failed requests."""

    console: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def assert_none(self, page=None) -> None:
        if page is not None:
            violations = page.evaluate("window.cspViolations || []")
            assert not violations, f"CSP violations: {violations}"
        assert not self.console, f"console errors: {self.console}"
        assert not self.exceptions, f"page errors: {self.exceptions}"
        assert not self.failed_requests, f"failed requests: {self.failed_requests}"


@pytest.fixture
def page(browser, static_files_found):
    """A fresh browser context (no cookies) and page; ``page.problems`` collects errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    new_page = context.new_page()
    problems = BrowserProblems()

    def on_console(message) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.console.append(f"{message.type}: {message.text}")

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: problems.exceptions.append(str(error)))
    new_page.on(
        "requestfailed",
        lambda request: problems.failed_requests.append(f"{request.url}: {request.failure}"),
    )
    new_page.on(
        "response",
        lambda response: (
            problems.failed_requests.append(f"{response.url}: {response.status}")
            if response.status >= 400
            else None
        ),
    )
    # Chrome also logs violations to the console; the event catches any it reports silently.
    new_page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', function (event) {"
        "  window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);"
        "});"
    )
    new_page.problems = problems
    yield new_page
    context.close()


@pytest.fixture
def live_gaza(transactional_db):
    """The Gaza demo mission in the live server's database (transactional tests start empty)."""
    from stabforce.core.models import Mission
    from stabforce.core.services import sync_nations
    from stabforce.scenarios.loader import GAZA_ISF, load_scenario

    mission = Mission.objects.filter(slug="gaza-isf").first()
    if mission is None:
        sync_nations()
        mission = load_scenario(GAZA_ISF).mission
    return mission
