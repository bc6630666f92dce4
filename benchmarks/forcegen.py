"""Force-generation benchmark: gap analysis as of a past date and the pledge register page on
a SYNTHETIC mission (200 nations' records, 10,000 pledges with 5 status changes each, 2,000
requirements), on SQLite and on PostgreSQL, side by side in one run.

usage: python benchmarks/forcegen.py [--pledges N] [--requirements N] [--repeat N]
                                     [--databases sqlite,postgres] [--out FILE]

Targets (issue 3): gap analysis under 300 ms, register page under 200 ms server time.
Prints a table and writes JSON (default benchmarks/results/forcegen.json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "STABFORCE_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stabforce_bench"
)


def build_synthetic_mission(n_pledges: int, n_requirements: int, seed: int = 7):
    """A synthetic mission, labelled synthetic, with dated pledge timelines."""
    import datetime as dt
    import random

    from simple_history.utils import bulk_create_with_history

    from stabforce.core.models import LineOfOperation, Mission, Nation, Sector, Source
    from stabforce.core.services import sync_nations
    from stabforce.forcegen.models import (
        Capability,
        Pledge,
        PledgeFigure,
        PledgeStatusChange,
        Requirement,
    )

    rng = random.Random(seed)
    sync_nations()
    nations = list(Nation.objects.order_by("iso3")[:200])
    mission = Mission.objects.create(
        slug="bench",
        name="Synthetic benchmark mission",
        mandate="SYNTHETIC",
        authorised_from=dt.date(2025, 1, 1),
        synthetic=True,
    )
    source = Source.objects.create(
        mission=mission,
        key="synthetic",
        publisher="generator",
        title="synthetic",
        confidence="low",
        synthetic=True,
    )
    lines = [
        LineOfOperation.objects.create(mission=mission, key=f"loo-{i}", name=f"LoO {i}", order=i)
        for i in range(6)
    ]
    square = {"type": "Polygon", "coordinates": [[[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1], [0, 0]]]}
    sectors = [
        Sector.objects.create(mission=mission, key=f"s{i}", name=f"Sector {i}", geometry=square)
        for i in range(30)
    ]
    capabilities = [
        Capability.objects.create(
            mission=mission,
            key=f"cap-{i}",
            name=f"Capability {i}",
            category="enabler",
            unit_name="company",
            typical_strength=rng.choice([12, 50, 150, 800]),
            is_police=i == 12,
        )
        for i in range(13)
    ]
    requirements = [
        Requirement(
            mission=mission,
            key=f"r{i}",
            capability=rng.choice(capabilities),
            line_of_operation=rng.choice(lines),
            sector=rng.choice(sectors) if rng.random() < 0.8 else None,
            units=rng.randint(1, 4),
            personnel=rng.randint(1, 4) * 150,
            needed_from=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
            priority=rng.randint(1, 4),
            synthetic=True,
        )
        for i in range(n_requirements)
    ]
    bulk_create_with_history(requirements, Requirement, batch_size=1000)
    path = ["interest", "considering", "offered", "committed", "deployed"]
    pledges = []
    for i in range(n_pledges):
        nation = rng.choice(nations)
        first = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        pledges.append(
            Pledge(
                mission=mission,
                key=f"p{i}",
                nation=nation,
                owner_nation=nation,
                capability=rng.choice(capabilities),
                personnel=rng.randint(10, 3000),
                status="deployed",
                status_since=first,
                first_reported=first,
                last_evidence=first,
                synthetic=True,
                releasability=rng.choice(["all", "all", "all", "hq", "nations"]),
            )
        )
    bulk_create_with_history(pledges, Pledge, batch_size=1000)
    pledges = list(Pledge.objects.filter(mission=mission).order_by("pk"))
    changes, figures, updated = [], [], []
    for pledge in pledges:
        day = pledge.first_reported
        previous = ""
        for status in path:
            changes.append(
                PledgeStatusChange(
                    mission=mission,
                    owner_nation_id=pledge.nation_id,
                    pledge=pledge,
                    releasability=pledge.releasability,
                    from_status=previous,
                    to_status=status,
                    effective=day,
                    source=source,
                )
            )
            previous = status
            day += dt.timedelta(days=rng.randint(5, 60))
        figures.append(
            PledgeFigure(
                mission=mission,
                pledge=pledge,
                personnel=pledge.personnel,
                chosen=True,
                reported_on=pledge.first_reported,
                source=source,
                releasability=pledge.releasability,
            )
        )
        pledge.status_since = day
        pledge.last_evidence = day
        updated.append(pledge)
    bulk_create_with_history(changes, PledgeStatusChange, batch_size=2000)
    bulk_create_with_history(figures, PledgeFigure, batch_size=2000)
    Pledge.objects.bulk_update(updated, ["status_since", "last_evidence"], batch_size=2000)
    return mission


def child(args: argparse.Namespace) -> dict:
    """Runs inside a process configured for one database."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from stabforce.core.choices import Role
    from stabforce.core.services import ensure_user
    from stabforce.forcegen.queries import gap_report

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    mission = build_synthetic_mission(args.pledges, args.requirements)
    build_seconds = time.perf_counter() - started
    hq, _ = ensure_user("bench-hq", role=Role.HQ_PLANNER, missions=[mission])
    past = dt.date(2025, 9, 1)

    def timed(function) -> list[float]:
        function()  # warm up caches and the connection
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            function()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    gap_ms = timed(lambda: gap_report(hq, mission, past))
    result = {
        "database": connection.vendor,
        "pledges": args.pledges,
        "requirements": args.requirements,
        "build_seconds": round(build_seconds, 1),
        "gap_ms": _summary(gap_ms),
    }
    try:
        url = reverse("forcegen:pledge_list", args=[mission.slug]) + f"?as_of={past}"
    except NoReverseMatch:
        url = None
    if url:
        client = Client(HTTP_HOST="localhost")
        client.force_login(hq)

        def page():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        result["register_page_ms"] = _summary(timed(page))
    return result


def _summary(samples: list[float]) -> dict:
    return {
        "median": round(statistics.median(samples), 1),
        "min": round(min(samples), 1),
        "max": round(max(samples), 1),
        "runs": len(samples),
    }


def postgres_available(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return str(exc).splitlines()[0]
    return None


def reset_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=10_000)
    parser.add_argument("--requirements", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "forcegen.json"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0

    results = []
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory(prefix="stabforce-bench-") as home:
            env = {
                **os.environ,
                "STABFORCE_HOME": home,
                "DJANGO_SETTINGS_MODULE": "stabforce.settings",
                "DATABASE_URL": "",
            }
            if database == "postgres":
                problem = postgres_available(PG_URL)
                if problem:
                    print(f"skipping PostgreSQL: {problem}")
                    continue
                reset_postgres(PG_URL)
                env["DATABASE_URL"] = PG_URL
            command = [
                sys.executable,
                __file__,
                "--child",
                "--pledges",
                str(args.pledges),
                "--requirements",
                str(args.requirements),
                "--repeat",
                str(args.repeat),
            ]
            output = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if output.returncode != 0:
                print(output.stderr[-3000:])
                return 1
            results.append(json.loads(output.stdout.strip().splitlines()[-1]))

    print("\nForce generation benchmark (SYNTHETIC mission; median of repeated runs, ms)")
    print(
        f"{'database':<11}{'pledges':>9}{'reqs':>7}{'gap as-of':>12}{'target':>8}"
        f"{'register page':>15}{'target':>8}"
    )
    for row in results:
        page = row.get("register_page_ms", {}).get("median")
        page_text = f"{page:>15.1f}" if page is not None else f"{'(no page)':>15}"
        print(
            f"{row['database']:<11}{row['pledges']:>9}{row['requirements']:>7}"
            f"{row['gap_ms']['median']:>12.1f}{300:>8}{page_text}{200:>8}"
        )
    if len(results) == 2:
        ratio = results[1]["gap_ms"]["median"] / results[0]["gap_ms"]["median"]
        print(f"gap analysis {results[1]['database']}/{results[0]['database']} ratio: {ratio:.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"benchmark": "forcegen", "synthetic": True, "results": results}, indent=2)
    )
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
