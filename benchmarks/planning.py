"""Deployment-planner benchmark: one command, a printed table and a JSON file.

    python benchmarks/planning.py [--quick] [--out benchmarks/results/planning.json]

1. Planning instances (synthetic gaza / large / stress): greedy, each MILP solver alone
   (HiGHS, CP-SAT, CBC; no warm start) and the planner ("auto", greedy warm start) side by side:
   objective, bound, gap, time to 1 %, time to proof, greedy/best-bound ratio. Every plan is
   validated by the independent checker, and proved optima are cross-checked between solvers.
2. GAP (OR-Library gap1-12 / gapa-d, Yagiura c/d/e) through the same backend layer, against the
   published optima (data: $STABFORCE_GAP_DATA or ../shared/benchmarks/gap; skipped if absent).
3. Monte Carlo: 1,000 pledge-conversion samples of gaza, re-planned by greedy and by the planner,
   timed side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stabforce.planning.solver import check_plan, generate, solve  # noqa: E402
from stabforce.planning.solver.gap import (  # noqa: E402
    check_gap,
    data_dir,
    load_optima,
    parse_orlibrary,
    parse_yagiura,
    solve_gap,
)
from stabforce.planning.solver.montecarlo import monte_carlo  # noqa: E402

TARGETS = {
    "gaza": "proven optimal < 10 s",
    "large": "gap <= 1 % within 10 s, proven optimal within 60 s",
    "stress": "gap <= 1 % within 45 s",
}


def fmt(v: object, nd: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.{nd}f}"
    return str(v)


def planning_section(args: argparse.Namespace) -> dict:
    limits = {"gaza": 30.0, "large": 60.0, "stress": 45.0}
    if args.quick:
        limits = {"gaza": 5.0, "large": 5.0}
    if args.instances:
        limits = {k: v for k, v in limits.items() if k in args.instances.split(",")}
    out: dict = {}
    for name, limit in limits.items():
        inst = generate.GENERATORS[name](seed=args.seed)
        rows = {}
        for solver in ("greedy", "highs", "cpsat", "cbc", "auto"):
            res = solve(
                inst,
                solver=solver,
                time_limit=limit,
                workers=args.workers,
                seed=args.seed,
                warm_start=solver in ("auto", "greedy"),
            )
            report = check_plan(inst, res.plan)
            row = res.summary()
            row["checker_ok"] = not report.violations and (
                abs(report.objective.total - res.objective) < 1e-6
            )
            row["time_limit"] = limit
            rows[solver] = row
            print(
                f"  {name:7s} {solver:7s} {res.status:10s} obj={fmt(res.objective)} "
                f"bound={fmt(res.bound)} ({res.wall_time:.1f}s)",
                flush=True,
            )
        best_bound = min(
            (r["bound"] for r in rows.values() if r["bound"] is not None), default=None
        )
        best_obj = max(r["objective"] for r in rows.values())
        proved = {s: r["objective"] for s, r in rows.items() if r["status"] == "optimal"}
        cross = "n/a"
        if len(proved) >= 2:
            cross = "agree" if max(proved.values()) - min(proved.values()) < 1e-6 else "DISAGREE"
        elif len(proved) == 1:
            cross = (
                "one proof; others' bounds consistent"
                if best_bound is not None and (best_bound >= best_obj - 1e-6)
                else "one proof"
            )
        bound_ok = best_bound is None or all(
            r["objective"] <= best_bound + 1e-6 for r in rows.values()
        )
        for r in rows.values():
            r["ratio_greedy_best_bound"] = (
                rows["greedy"]["objective"] / best_bound if best_bound else None
            )
            r["gap_to_best_bound"] = (
                (best_bound - r["objective"]) / abs(best_bound) if best_bound else None
            )
        out[name] = {
            "instance": inst.name,
            "size": rows["auto"]["model_size"],
            "target": TARGETS.get(name, ""),
            "best_bound": best_bound,
            "best_objective": best_obj,
            "cross_check": cross,
            "bounds_consistent": bound_ok,
            "planner_not_worse_than_greedy": rows["auto"]["objective"]
            >= rows["greedy"]["objective"] - 1e-9,
            "solvers": rows,
        }
    return out


def print_planning(res: dict) -> None:
    head = (
        f"{'instance':8s} {'solver':7s} {'status':10s} {'objective':>11s} {'bound':>11s} "
        f"{'gap':>8s} {'t_1%':>6s} {'t_proof':>7s} {'wall':>6s} {'greedy/bnd':>10s} ok"
    )
    print(head)
    print("-" * len(head))
    for name, block in res.items():
        for solver, r in block["solvers"].items():
            gap = r["gap_to_best_bound"]
            print(
                f"{name:8s} {solver:7s} {r['status']:10s} {fmt(r['objective']):>11s} "
                f"{fmt(r['bound']):>11s} {(f'{100 * gap:.3f}%' if gap is not None else '-'):>8s} "
                f"{fmt(r['time_to_1pct']):>6s} {fmt(r['time_to_proof']):>7s} "
                f"{r['wall_time']:6.1f} {fmt(r['ratio_greedy_best_bound'], 4):>10s} "
                f"{'y' if r['checker_ok'] else 'N'}"
            )
        print(
            f"{'':8s} size {block['size']}; cross-check: {block['cross_check']}; "
            f"planner >= greedy: {block['planner_not_worse_than_greedy']}; "
            f"target: {block['target']}"
        )


def gap_section(args: argparse.Namespace) -> dict:
    root = data_dir(ROOT)
    if root is None:
        print(
            "GAP data not found (set STABFORCE_GAP_DATA or provide ../shared/benchmarks/gap):"
            " GAP benchmark skipped"
        )
        return {"skipped": True}
    optima = load_optima(root / "optima.csv")
    jobs: list[tuple[str, int, str, object]] = []
    files = [f"gap{i}.txt" for i in range(1, 13)] + [f"gap{x}.txt" for x in "abcd"]
    if args.quick:
        files = ["gap1.txt", "gap2.txt", "gapa.txt"]
    for f in files:
        sense = "max" if f[3].isdigit() else "min"
        for i, p in enumerate(parse_orlibrary(root / f), start=1):
            jobs.append((f, i, sense, p))
    ydir = root / "yagiura"
    if ydir.is_dir():
        for p in sorted(ydir.iterdir()):
            if p.name[0] in "abcd" and p.name[1:] in {
                "05100",
                "05200",
                "10100",
                "10200",
                "20100",
                "20200",
            }:
                continue  # same problems as gapa-gapd
            if args.quick and p.name != "e05100":
                continue
            jobs.append((f"yagiura/{p.name}", 1, "min", parse_yagiura(p)))
    rows = []
    t_all = time.perf_counter()
    for f, i, sense, inst in jobs:
        limit = args.gap_time_limit if inst.n <= 200 else args.gap_time_limit_large
        if args.quick:
            limit = min(limit, 10.0)
        known = optima.get((f, i, sense))
        res = solve_gap(inst, sense, solver="highs", time_limit=limit, seed=args.seed)
        ok = res.assignment is not None and not check_gap(inst, res.assignment)
        gap = None
        if known and res.value is not None:
            sign = 1 if sense == "min" else -1
            gap = (res.value - known.value) / known.value * sign + 0.0  # + 0.0: no "-0.000%"
        rows.append(
            {
                "file": f,
                "index": i,
                "instance": known.instance if known else inst.name,
                "m": inst.m,
                "n": inst.n,
                "sense": sense,
                "value": res.value,
                "bound": res.bound,
                "known": known.value if known else None,
                "known_status": known.status if known else None,
                "status": res.status,
                "seconds": res.seconds,
                "feasible": ok,
                "gap_to_best_known": gap,
                "reached_best_known": gap is not None and gap <= 1e-9,
            }
        )
        r = rows[-1]
        print(
            f"  {r['instance']:9s} {inst.m:3d}x{inst.n:<5d} {sense} value={r['value']} "
            f"known={r['known']} {r['status']} {r['seconds']:.1f}s",
            flush=True,
        )
    small = [r for r in rows if r["n"] <= 200]
    large = [r for r in rows if r["n"] > 200]
    summary = {
        "instances": len(rows),
        "small_n_le_200": len(small),
        "small_reached_optimum": sum(r["reached_best_known"] for r in small),
        "small_proved_optimal": sum(r["status"] == "optimal" for r in small),
        "large_n_gt_200": len(large),
        "large_mean_gap_to_best_known": (
            sum(r["gap_to_best_known"] for r in large if r["gap_to_best_known"] is not None)
            / max(1, len(large))
        ),
        "large_max_gap_to_best_known": max(
            (r["gap_to_best_known"] for r in large if r["gap_to_best_known"] is not None),
            default=None,
        ),
        "all_feasible": all(r["feasible"] for r in rows),
        "seconds": time.perf_counter() - t_all,
        "time_limit_small": args.gap_time_limit,
        "time_limit_large": args.gap_time_limit_large,
    }
    return {"skipped": False, "summary": summary, "rows": rows}


def print_gap(res: dict) -> None:
    if res.get("skipped"):
        return
    s = res["summary"]
    groups: dict[str, list[dict]] = {}
    for r in res["rows"]:
        key = (
            r["file"].replace(".txt", "")
            if not r["file"].startswith("yagiura")
            else ("yagiura-" + r["instance"][0] + ("<=200" if r["n"] <= 200 else ">200"))
        )
        groups.setdefault(key, []).append(r)
    print(
        f"{'set':16s} {'#':>3s} {'sense':5s} {'reached':>7s} {'proved':>6s} "
        f"{'mean gap':>9s} {'max gap':>8s} {'max s':>6s}"
    )
    for key, rs in groups.items():
        gaps = [r["gap_to_best_known"] for r in rs if r["gap_to_best_known"] is not None]
        print(
            f"{key:16s} {len(rs):3d} {rs[0]['sense']:5s} "
            f"{sum(r['reached_best_known'] for r in rs):7d} "
            f"{sum(r['status'] == 'optimal' for r in rs):6d} "
            f"{100 * sum(gaps) / max(1, len(gaps)):8.3f}% {100 * max(gaps, default=0):7.3f}% "
            f"{max(r['seconds'] for r in rs):6.1f}"
        )
    print(
        f"n <= 200: {s['small_reached_optimum']}/{s['small_n_le_200']} reached the published "
        f"optimum ({s['small_proved_optimal']} proved); n > 200: mean gap to best known "
        f"{100 * s['large_mean_gap_to_best_known']:.3f}%; total {s['seconds']:.0f}s"
    )


def mc_section(args: argparse.Namespace) -> dict:
    """1,000 gaza samples, each re-planned by the greedy heuristic and by the planner, side by
    side: time, and how much coverage the heuristic's samples lose against the planner's."""
    n = 50 if args.quick else args.mc_samples
    inst = generate.gaza(seed=args.seed)
    runs = {}
    for label, method, limit in (
        ("greedy", "greedy", None),
        (f"planner (auto, <= {args.mc_sample_time_limit:g} s)", "auto", args.mc_sample_time_limit),
    ):
        t = time.perf_counter()
        res = monte_carlo(
            inst, n, seed=args.seed, workers=args.workers, method=method,
            time_limit=limit or 1.0, keep_results=True,
        )  # fmt: skip
        secs = time.perf_counter() - t
        mean_objective = sum(r.objective for r in res.results) / max(1, len(res.results))
        runs[method] = {
            "label": label,
            "seconds": secs,
            "mean_objective": mean_objective,
            "mean_units_present": res.mean_units_present,
            "by_sector": {s: vars(d) for s, d in res.by_sector.items()},
            "by_line": {s: vars(d) for s, d in res.by_line.items()},
            "least_likely_covered": sorted(res.prob_fully_covered.items(), key=lambda kv: kv[1])[
                :5
            ],
        }
    greedy, planner = runs["greedy"], runs["auto"]
    print(f"Monte Carlo: {n} samples of gaza, {args.workers} processes (target < 300 s)")
    print(f"  {'per-sample planner':34s} {'seconds':>8s} {'mean objective':>15s}")
    for run in runs.values():
        print(f"  {run['label']:34s} {run['seconds']:8.1f} {run['mean_objective']:15,.0f}")
    print(f"  {'sector':12s} {'greedy mean':>12s} {'planner mean':>13s} {'planner p10':>12s}")
    for s, dist in planner["by_sector"].items():
        print(
            f"  {s:12s} {greedy['by_sector'][s]['mean']:12.3f} {dist['mean']:13.3f} "
            f"{dist['p10']:12.3f}"
        )
    return {
        "samples": n,
        "workers": args.workers,
        "runs": runs,
        "greedy_over_planner_objective": greedy["mean_objective"] / planner["mean_objective"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fast smoke run")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "planning.json"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--gap-time-limit", type=float, default=60.0, help="seconds per GAP instance with n <= 200"
    )
    ap.add_argument(
        "--gap-time-limit-large",
        type=float,
        default=5.0,
        help="seconds per GAP instance with n > 200",
    )
    ap.add_argument("--mc-samples", type=int, default=1000)
    ap.add_argument(
        "--mc-sample-time-limit", type=float, default=0.25, help="planner seconds per sample"
    )
    ap.add_argument("--skip", default="", help="comma list of sections: planning,gap,mc")
    ap.add_argument("--instances", default="", help="comma list among gaza,large,stress")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    result: dict = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    if "planning" not in skip:
        print("== planning instances (synthetic) ==", flush=True)
        result["planning"] = planning_section(args)
        print_planning(result["planning"])
    if "gap" not in skip:
        print("== GAP (OR-Library / Yagiura) ==", flush=True)
        result["gap"] = gap_section(args)
        print_gap(result["gap"])
    if "mc" not in skip:
        print("== Monte Carlo ==", flush=True)
        result["montecarlo"] = mc_section(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
