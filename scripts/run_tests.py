"""Run the whole test suite on SQLite and on PostgreSQL, then print one combined total.

`make test` (the README's test command, and what .ci/run calls) runs this. PostgreSQL comes
from STABFORCE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/stabforce; the
test run uses a separate test_… database that Django creates and drops). When CI=true a missing
PostgreSQL server fails the run; elsewhere that pass is skipped with a clear message.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/stabforce"


def postgres_problem(url: str) -> str | None:
    """None when a PostgreSQL server answers at ``url``, else why not."""
    import psycopg

    conninfo = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(conninfo, connect_timeout=5) as connection:
            connection.execute("select 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def run_pass(label: str, env_overrides: dict[str, str], pytest_args: list[str]) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix=f"stabforce-test-{label}-") as home:
        report = Path(home) / "junit.xml"
        env = {**os.environ, "STABFORCE_HOME": home, **env_overrides}
        env.setdefault("STABFORCE_TEST_DATABASE_LABEL", label)
        print(f"\n=== tests on {label} ===", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", f"--junitxml={report}", *pytest_args],
            cwd=ROOT,
            env=env,
            check=False,
        )
        counts = {"passed": 0, "failed": 0, "skipped": 0, "exit": result.returncode}
        if report.exists():
            suite = ET.parse(report).getroot()
            suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
            total = int(suite.get("tests", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped = int(suite.get("skipped", 0))
            counts.update(passed=total - failed - skipped, failed=failed, skipped=skipped)
        return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run one database only")
    args, pytest_args = parser.parse_known_args()
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    results: dict[str, dict[str, int]] = {}

    if args.only in (None, "sqlite"):
        results["sqlite"] = run_pass("sqlite", {"DATABASE_URL": ""}, pytest_args)

    if args.only in (None, "postgres"):
        url = os.environ.get("STABFORCE_TEST_DATABASE_URL", DEFAULT_PG)
        problem = postgres_problem(url)
        if problem and in_ci:
            print(f"\nPostgreSQL at {url} is not reachable ({problem}); CI needs it.", flush=True)
            results["postgres"] = {"passed": 0, "failed": 1, "skipped": 0, "exit": 1}
        elif problem:
            print(
                f"\nSKIPPED the PostgreSQL pass: no server at {url} ({problem}).\n"
                "Start PostgreSQL or set STABFORCE_TEST_DATABASE_URL to run it.",
                flush=True,
            )
        else:
            results["postgres"] = run_pass("postgres", {"DATABASE_URL": url}, pytest_args)

    print()
    for label, counts in results.items():
        print(
            f"{label}: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['skipped']} skipped"
        )
    passed = sum(counts["passed"] for counts in results.values())
    failed = sum(counts["failed"] for counts in results.values())
    skipped = sum(counts["skipped"] for counts in results.values())
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    exit_codes = [counts["exit"] for counts in results.values()]
    return 0 if exit_codes and all(code == 0 for code in exit_codes) else 1


if __name__ == "__main__":
    sys.exit(main())
