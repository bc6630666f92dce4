"""The commands an operator relies on: demo, serve, check --deploy, --help."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time

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
        [sys.executable, "-m", "stabforce", *args],
        env=environment, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_production_profile_passes_check_deploy(tmp_path):
    result = run_stabforce(
        "check", "--deploy", "--fail-level", "WARNING", home=tmp_path,
        STABFORCE_PROFILE="production", STABFORCE_ALLOWED_HOSTS="stabforce.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("value", "complaint"),
    [("0", "must be at least 1, got 0"), ("two", "must be a whole number, got 'two'")],
)
def test_a_bad_number_in_the_environment_is_refused_by_name(tmp_path, value, complaint):
    result = run_stabforce("check", home=tmp_path, STABFORCE_PLAN_RUNS_AT_ONCE=value)
    assert result.returncode != 0
    assert f"STABFORCE_PLAN_RUNS_AT_ONCE {complaint}" in result.stderr


def test_the_secret_key_is_generated_once_and_private(tmp_path):
    run_stabforce("check", home=tmp_path)
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) > 50 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    run_stabforce("check", home=tmp_path)
    assert key_file.read_text() == first


SWEEP_ON_THE_DEMO_SCENARIO = """
from stabforce.core.models import User
from stabforce.planning import services
from stabforce.planning.models import PlanScenario
scenario = PlanScenario.objects.get(name__startswith="Deployment as of 2026-02-20")
run = services.start_run(User.objects.get(username="admin"), scenario, kind="sweep",
                         background=False, samples=5, workers=0)
print("sweep", run.status)
"""


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    """A home with the demo built once (SQLite), and what the build printed."""
    home = tmp_path_factory.mktemp("demo-home")
    first = run_stabforce("demo", "--no-serve", home=home)
    assert first.returncode == 0, first.stderr
    return home, first.stdout


def test_demo_builds_once_prints_random_logins_and_is_idempotent(demo_home):
    home, first = demo_home
    assert "International Stabilisation Force — Gaza" in first
    admin_line = next(line for line in first.splitlines() if line.strip().startswith("admin"))
    password = admin_line.split()[-1]
    assert len(password) >= 12 and password not in {"admin", "password"}
    # a planner runs a Monte Carlo sweep on the demo scenario: the rebuild must still work
    sweep = run_stabforce("shell", "-c", SWEEP_ON_THE_DEMO_SCENARIO, home=home)
    assert sweep.returncode == 0 and "sweep done" in sweep.stdout, sweep.stderr
    second = run_stabforce("demo", "--no-serve", home=home)
    assert second.returncode == 0, second.stderr
    assert "unchanged:" in second.stdout and "created:" not in second.stdout
    assert password not in second.stdout  # printed once, never again
    # the rebuild shows the stored plan, and says it is the stored one
    assert "unit-months covered (new)" in first
    assert re.search(
        r"unit-months covered \(run #\d+ of \d{4}-\d\d-\d\d \d\d:\d\d UTC\)", second.stdout
    )
    # The demo includes the plan for 2026-02-20; `plan --json` prints nothing but JSON
    # (HiGHS's banner must not leak onto stdout).
    assert "plan       Deployment as of 2026-02-20" in first
    planned = run_stabforce("plan", "--as-of", "2026-02-20", "--json", "--time-limit", "2",
                            home=home)  # fmt: skip
    answer = json.loads(planned.stdout)
    assert answer["quality"]["checked"] is True and answer["uncovered"]


def test_a_plan_run_cut_off_by_a_restart_is_resumed_by_the_next_server(demo_home, finished_pid):
    home, _ = demo_home
    database = home / "stabforce.sqlite3"
    # the server's worker died while the run was running (a moment ago)
    run_id = _demo_run_left_running(database, worker_pid=finished_pid)
    with _serving(home) as server:
        status, result = _wait_until_done(database, run_id, server)
    assert status == "done", server.output
    assert json.loads(result)["quality"]["checked"] is True
    assert "1 interrupted plan run(s) queued again" in server.output


def test_a_plan_run_whose_worker_process_dies_is_resumed_while_the_server_runs(demo_home):
    psutil = pytest.importorskip("psutil")
    home, _ = demo_home
    database = home / "stabforce.sqlite3"
    with _serving(home) as server:
        workers = _booted_workers(server, psutil)
        doomed = workers[0].pid
        run_id = _demo_run_left_running(database, worker_pid=doomed)  # as if it ran there
        os.kill(doomed, signal.SIGKILL)  # out of memory, a timeout kill, ...
        status, result = _wait_until_done(database, run_id, server)
    assert status == "done", server.output
    assert json.loads(result)["quality"]["checked"] is True
    # queued again by the master's child_exit hook at once (or, had the other worker's 30 s
    # poll come between the kill and the hook, by the poll: the process is gone)
    assert (
        f"1 plan run(s) of worker {doomed} queued again" in server.output
        or "1 plan run(s) of stopped processes queued again" in server.output
    )


def test_a_server_that_stops_hands_its_running_plan_runs_back(demo_home):
    psutil = pytest.importorskip("psutil")
    home, _ = demo_home
    database = home / "stabforce.sqlite3"
    with _serving(home) as server:
        workers = _booted_workers(server, psutil)
        run_id = _demo_run_left_running(database, worker_pid=workers[0].pid)
    # an upgrade or a restart stops the server (SIGTERM): the attempt does not count
    with sqlite3.connect(database) as db:
        status, attempts, stopped, message = db.execute(
            "SELECT status, attempts, stopped_attempts, message FROM planning_planrun WHERE id=?",
            (run_id,),
        ).fetchone()
    assert (status, attempts, stopped) == ("queued", 1, 1), server.output
    assert message == "its server was stopped (a restart or an upgrade); queued again"
    assert f"1 plan run(s) of worker {workers[0].pid} queued again as it stops" in server.output
    assert "Control socket" not in server.output  # none in ~/.gunicorn, shared by all servers


def _booted_workers(server, psutil) -> list:
    """The server's two worker processes, once they have booted and resumed what there was
    to resume."""
    deadline = time.monotonic() + 60
    workers = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = psutil.Process(server.pid).children()
    assert len(workers) == 2, server.output
    time.sleep(2)
    return workers


def _demo_run_left_running(database, worker_pid) -> int:
    """The demo's plan run, as if it were running in process ``worker_pid`` of this machine,
    which marked it alive a moment ago."""
    from stabforce.planning.services import machine_id

    just_now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(database) as db:
        (run_id,) = db.execute("SELECT id FROM planning_planrun ORDER BY id LIMIT 1").fetchone()
        db.execute(
            "UPDATE planning_planrun SET status='running', result=NULL, progress=0.5, "
            "worker_pid=?, worker_machine=?, heartbeat_at=?, attempts=1, stopped_attempts=0 "
            "WHERE id=?",
            (worker_pid, machine_id(), just_now, run_id),
        )
    return run_id


@contextlib.contextmanager
def _serving(home):
    """``stabforce serve`` on a free port; ``.output`` holds its log once it has stopped."""
    environment = {**os.environ, "STABFORCE_HOME": str(home), "DATABASE_URL": ""}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "stabforce.cli", "serve", "--port", str(_free_port())],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    server.output = ""
    try:
        yield server
    finally:
        server.terminate()
        server.output = server.communicate(timeout=30)[0]


def _wait_until_done(database, run_id, server, seconds=120) -> tuple[str, str | None]:
    status, result = "running", None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and status != "done":
        time.sleep(0.5)
        if server.poll() is not None:  # the server stopped: say why, do not wait on
            break
        with sqlite3.connect(database) as db:
            status, result = db.execute(
                "SELECT status, result FROM planning_planrun WHERE id=?", (run_id,)
            ).fetchone()
        assert status in {"running", "queued", "done"}, status
    return status, result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_refuses_a_database_that_is_not_set_up(tmp_path):
    result = run_stabforce("serve", "--port", "8799", home=tmp_path)
    assert result.returncode != 0
    assert "migrations pending" in result.stderr


def test_help_lists_the_stabforce_commands(tmp_path):
    result = run_stabforce("--help", home=tmp_path)
    for command in ("demo", "serve", "token", "forcegen", "intake", "plan"):
        assert f"  {command} " in result.stdout


@pytest.mark.parametrize("days", ["0", "-1", "100000000"])
def test_a_token_life_out_of_range_is_refused_by_name(users, days):
    with pytest.raises(CommandError, match=rf"--days: expected 1 to 3650 .* got {days}"):
        call_command("token", "create", "--user", users["hq"].username, "--days", days)
    assert not users["hq"].api_tokens.exists()


def test_token_for_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("token", "create", "--user", "nobody")
    assert not User.objects.filter(username="nobody").exists()
