"""Run every benchmark in turn (`make bench`): each prints its table and writes its JSON
under benchmarks/results/. Extra arguments are passed to every benchmark (e.g. --quick)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["forcegen.py", "planning.py"]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n##### {name}", flush=True)
        extra = sys.argv[1:] if name == "planning.py" else []
        result = subprocess.run([sys.executable, str(HERE / name), *extra], check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
