"""The CBC process a solve starts belongs to that solve: killed with its thread, and only it."""

import os
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
