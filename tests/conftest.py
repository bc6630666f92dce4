"""Fixtures shared by every test: the Gaza ISF scenario loaded once per database, users of
every role, and API clients."""

from __future__ import annotations

import os
import subprocess
import tempfile

os.environ.setdefault("STABFORCE_HOME", tempfile.mkdtemp(prefix="stabforce-test-"))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load_gaza():
    from stabforce.core.models import Mission
    from stabforce.core.services import sync_nations
    from stabforce.scenarios.loader import GAZA_ISF, load_scenario

    mission = Mission.objects.filter(slug="gaza-isf").first()
    if mission is None:
        sync_nations()
        mission = load_scenario(GAZA_ISF).mission
    return mission


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load nations and the demo mission once; tests run in transactions on top of it."""
    with django_db_blocker.unblock():
        _load_gaza()


@pytest.fixture
def gaza(db):
    """The Gaza ISF demo mission (reloaded if a transactional test flushed the database)."""
    return _load_gaza()


@pytest.fixture
def make_user(db):
    from stabforce.core.models import Nation
    from stabforce.core.services import ensure_user

    def make(username: str, role: str, iso3: str | None = None, missions=()):
        nation = Nation.objects.get(iso3=iso3) if iso3 else None
        user, _ = ensure_user(username, role=role, nation=nation, missions=list(missions))
        return user

    return make


@pytest.fixture
def users(gaza, make_user):
    """One member of the Gaza mission per role, plus an outsider with no mission."""
    from stabforce.core.choices import Role

    return {
        "admin": make_user("t-admin", Role.ADMIN, None, [gaza]),
        "hq": make_user("t-hq", Role.HQ_PLANNER, "USA", [gaza]),
        "lno_pak": make_user("t-lno-pak", Role.NATIONAL_LIAISON, "PAK", [gaza]),
        "lno_idn": make_user("t-lno-idn", Role.NATIONAL_LIAISON, "IDN", [gaza]),
        "humlo": make_user("t-humlo", Role.HUMANITARIAN_LIAISON, "NOR", [gaza]),
        "commander": make_user("t-cc", Role.CONTINGENT_COMMANDER, "IDN", [gaza]),
        "observer": make_user("t-observer", Role.OBSERVER, None, [gaza]),
        "outsider": make_user("t-outsider", Role.HQ_PLANNER, "FRA", []),
    }


@pytest.fixture
def token_for(db):
    """A function returning an Authorization header value for a user."""
    from stabforce.core.services import create_api_token

    def make(user) -> str:
        _token, raw = create_api_token(user, name="test")
        return f"Bearer {raw}"

    return make


@pytest.fixture
def finished_pid() -> int:
    """The process id of a process that has ended (and been reaped): no such process now."""
    ended = subprocess.Popen(["true"])
    ended.wait()
    return ended.pid


@pytest.fixture(autouse=True)
def _no_plan_run_heartbeats(monkeypatch):
    """A running plan run's heartbeat writes from its own thread and connection; inside a
    test's transaction that connection would wait on the test's locks. Runs in tests end long
    before a beat; the heartbeat has its own test, and the server tests run the real thing."""
    monkeypatch.setattr("stabforce.planning.services.HEARTBEAT_EVERY", 10**6)
