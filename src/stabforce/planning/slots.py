"""How many plan runs execute at once on one machine, across all its server processes.

A plan's solve uses both HiGHS/CBC threads and a Monte Carlo sweep one process per core, so two
runs at once on a small machine each take more than twice as long (measured: two 1,000-sample
sweeps at once 64–96 s each, one alone 26–29 s). Every worker process of every ``stabforce
serve`` sharing a data directory takes a *slot* before it executes a run. A slot is an
exclusive ``flock`` on one of N lock files: the kernel drops it when the holder closes it or
dies, so a killed worker never keeps a slot. ``flock`` locks belong to an open file, so two
threads of one process exclude each other too.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class RunSlots:
    """``count`` slots kept as lock files in ``directory``."""

    def __init__(self, directory: Path, count: int) -> None:
        if count < 1:
            raise ValueError(f"at least one run slot is needed, got {count}")
        self.directory = Path(directory)
        self.count = count

    def try_acquire(self) -> int | None:
        """A free slot (an open file descriptor holding its lock), or None if all are taken."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for number in range(self.count):
            path = self.directory / f"plan-run-slot-{number}.lock"
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None

    @staticmethod
    def release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
