"""The commands an operator relies on: demo, serve, check --deploy, --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stabforce.core.models import User


def run_stabforce(*args: str, home, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "STABFORCE_HOME": str(home), "DATABASE_URL": "", **env}
    # The browser tests allow Django's ORM inside Playwright's event loop for this process;
    # a real deployment never has that switch, and check --deploy rightly warns about it.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "stabforce.cli", *args],
        env=environment, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_production_profile_passes_check_deploy(tmp_path):
    result = run_stabforce(
        "check", "--deploy", "--fail-level", "WARNING", home=tmp_path,
        STABFORCE_PROFILE="production", STABFORCE_ALLOWED_HOSTS="stabforce.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_secret_key_is_generated_once_and_private(tmp_path):
    run_stabforce("check", home=tmp_path)
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) > 50 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    run_stabforce("check", home=tmp_path)
    assert key_file.read_text() == first


def test_demo_builds_once_prints_random_logins_and_is_idempotent(tmp_path):
    first = run_stabforce("demo", "--no-serve", home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "International Stabilisation Force — Gaza" in first.stdout
    admin_line = next(
        line for line in first.stdout.splitlines() if line.strip().startswith("admin")
    )
    password = admin_line.split()[-1]
    assert len(password) >= 12 and password not in {"admin", "password"}
    second = run_stabforce("demo", "--no-serve", home=tmp_path)
    assert second.returncode == 0
    assert "unchanged:" in second.stdout and "created:" not in second.stdout
    assert password not in second.stdout  # printed once, never again
    # The demo includes the plan for 2026-02-20; `plan --json` prints nothing but JSON
    # (HiGHS's banner must not leak onto stdout).
    assert "plan       Deployment as of 2026-02-20" in first.stdout
    planned = run_stabforce("plan", "--as-of", "2026-02-20", "--json", "--time-limit", "2",
                            home=tmp_path)  # fmt: skip
    answer = json.loads(planned.stdout)
    assert answer["quality"]["checked"] is True and answer["uncovered"]


def test_serve_refuses_a_database_that_is_not_set_up(tmp_path):
    result = run_stabforce("serve", "--port", "8799", home=tmp_path)
    assert result.returncode != 0
    assert "migrations pending" in result.stderr


def test_help_lists_the_stabforce_commands(tmp_path):
    result = run_stabforce("--help", home=tmp_path)
    for command in ("demo", "serve", "token", "forcegen", "intake", "plan"):
        assert f"  {command} " in result.stdout


def test_token_for_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("token", "create", "--user", "nobody")
    assert not User.objects.filter(username="nobody").exists()
