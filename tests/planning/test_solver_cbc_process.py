"""The CBC process a solve starts belongs to that solve: killed with its thread, and only it."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from stabforce.planning.solver import backends

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux-only"
)

A_LONG_CBC_SOLVE = """
from stabforce.planning.solver import generate, solve
solve(generate.gaza(), solver="cbc", time_limit=120)
"""


def test_cbc_dies_with_the_process_that_started_it():
    psutil = pytest.importorskip("psutil")
    if backends.shutil.which("setpriv") is None:
        pytest.skip("util-linux setpriv is not installed")
    parent = subprocess.Popen([sys.executable, "-c", A_LONG_CBC_SOLVE])
    try:
        deadline = time.monotonic() + 90
        cbc = []
        while time.monotonic() < deadline and not cbc:
            time.sleep(0.2)
            cbc = [
                p for p in psutil.Process(parent.pid).children(recursive=True) if p.name() == "cbc"
            ]
        assert cbc, "the solve never started CBC"
        # in a session of its own: a Ctrl-C for the server's terminal does not reach it
        assert os.getsid(cbc[0].pid) != os.getsid(parent.pid)
    finally:
        parent.kill()  # as a server worker killed mid-solve
        parent.wait()
    gone, alive = psutil.wait_procs(cbc, timeout=10)
    assert not alive, f"CBC ran on after its parent was killed: {[p.pid for p in alive]}"


def test_the_watchdog_kills_only_its_own_solve(tmp_path):
    # Two solves in one process (two run slots): the one past its limit loses its CBC only.
    fake_cbc = tmp_path / "bin" / "cbc"  # "sleep" under CBC's name
    fake_cbc.parent.mkdir()
    fake_cbc.symlink_to("/bin/sleep")
    started = []
    for name in ("late", "on_time"):
        home = tmp_path / name
        home.mkdir()
        pid_file = str(home / "cbc.pid")
        launcher = backends._cbc_launcher(str(home), str(fake_cbc), pid_file)
        proc = subprocess.Popen([launcher, "60"])
        started.append((proc, pid_file))
    try:
        for _proc, pid_file in started:
            deadline = time.monotonic() + 10
            while not os.path.exists(pid_file) and time.monotonic() < deadline:
                time.sleep(0.05)
        (late, late_pid_file), (on_time, _) = started
        deadline = time.monotonic() + 10  # until both have exec'd "cbc"
        while time.monotonic() < deadline and not all(
            open(f"/proc/{p.pid}/cmdline", "rb").read().split(b"\0")[0].endswith(b"/cbc")
            for p, _ in started
        ):
            time.sleep(0.05)
        killed: list[int] = []
        backends._watch_cbc(threading.Event(), 0, late_pid_file, killed)
        assert killed == [late.pid]
        assert late.wait(timeout=10) == -9
        assert on_time.poll() is None, "the other solve's CBC was killed too"
    finally:
        for proc, _ in started:
            proc.kill()
            proc.wait()


def _solve_in_background(seconds: float):
    """Solve gaza with CBC on a thread; returns (thread, result holder, CBC's psutil.Process)."""
    psutil = pytest.importorskip("psutil")
    from stabforce.planning.solver import generate
    from stabforce.planning.solver.formulation import Formulation

    model = Formulation(generate.gaza()).model
    holder = {}
    thread = threading.Thread(
        target=lambda: holder.update(result=backends.solve_cbc(model, time_limit=seconds))
    )
    before = {p.pid for p in psutil.Process().children()}
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        cbc = [p for p in psutil.Process().children() if p.pid not in before and p.name() == "cbc"]
        if cbc:
            return thread, holder, cbc[0]
        time.sleep(0.05)
    thread.join()
    pytest.fail("the solve never started CBC")


def test_cbc_ignores_a_service_managers_sigterm_and_finishes_its_solve():
    # systemd stops a service by sending SIGTERM to all its processes; the run is handed back
    # by its worker, so CBC must not end early and let the run finish with a fallback plan.
    thread, holder, cbc = _solve_in_background(4)
    time.sleep(0.5)
    cbc.send_signal(signal.SIGTERM)
    thread.join()
    result = holder["result"]
    # it ran to its time limit and reported its bound, as if nothing had happened
    assert result.status in {"time_limit", "optimal"} and result.bound is not None, result
    assert not result.notes


def test_a_cbc_killed_from_outside_is_reported_not_passed_off_as_a_time_limit():
    thread, holder, cbc = _solve_in_background(30)
    time.sleep(0.5)
    cbc.kill()
    thread.join()
    result = holder["result"]
    assert result.status == "error" and result.values is None
    assert any(note.startswith("CBC stopped abnormally") for note in result.notes)


@pytest.fixture
def fresh_launch_prefix():
    backends._launch_prefix.cache_clear()
    yield
    backends._launch_prefix.cache_clear()


def test_a_setpriv_without_pdeathsig_is_left_out_not_trusted(
    tmp_path, monkeypatch, fresh_launch_prefix
):
    old_setpriv = tmp_path / "setpriv"  # util-linux before 2.33, BusyBox: no --pdeathsig
    old_setpriv.write_text("#!/bin/sh\necho 'setpriv: unrecognized option' >&2\nexit 1\n")
    old_setpriv.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/nonexistent")
    assert backends._launch_prefix() == ""


def test_the_launcher_uses_setsid_and_setpriv_where_they_work(fresh_launch_prefix):
    if not (backends.shutil.which("setsid") and backends.shutil.which("setpriv")):
        pytest.skip("util-linux setsid/setpriv are not installed")
    prefix = backends._launch_prefix()
    assert "setsid " in prefix and "setpriv --pdeathsig KILL -- " in prefix
