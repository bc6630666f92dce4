"""`stabforce plan`: the best deployment of what is on offer, checked and explained."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import sys
from typing import TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stabforce.core.models import Mission, User
from stabforce.core.views import mission_today
from stabforce.planning import presenters, services, solver
from stabforce.planning.building import (
    ALL_PLANNABLE,
    DEFAULT_STATUSES,
    WHAT_IF_KINDS,
    PlanningInputError,
)
from stabforce.planning.forms import MAX_SEED

Number = TypeVar("Number", int, float)

#: Options that only make sense for one of the two actions: given to the other, they would be
#: ignored without a word (``plan --samples 5`` planned once).
SWEEP_ONLY = ("samples", "sample_time_limit", "dask", "workers")
PLAN_ONLY = ("time_limit", "diff")
#: ``--as-of`` as the API reads it: ``20260220`` is not a date here either
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _or(value: Number | None, default: Number) -> Number:
    """An option's value, or its default when it was not given."""
    return default if value is None else value


class Command(BaseCommand):
    help = (
        "Plan the deployment as the register stood on a date: `plan [--as-of DATE] "
        "[--include considering] [--what-if withdraw=PAK ...] [--time-limit S] [--json]`; "
        "`plan sweep --samples N [--dask ADDRESS]` runs a Monte Carlo over pledge conversion. "
        "What-ifs: " + "; ".join(f"{k}=… {v}" for k, v in WHAT_IF_KINDS.items()) + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["sweep"], help="sweep: Monte Carlo")
        parser.add_argument(
            "--as-of",
            default=None,
            help="valid-time date (default: today in the mission's time zone)",
        )
        parser.add_argument("--mission", default=None, help="mission slug")
        parser.add_argument(
            "--user", default="admin", help="plan with this user's visibility (default: admin)"
        )
        parser.add_argument(
            "--include",
            action="append",
            default=[],
            choices=sorted(ALL_PLANNABLE),
            help="also count pledges with this status (default: deployed, committed, offered)",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            choices=sorted(ALL_PLANNABLE),
            help="count only these statuses (repeatable)",
        )
        parser.add_argument(
            "--what-if",
            action="append",
            default=[],
            metavar="KIND=VALUE",
            help="change the world before planning (repeatable), e.g. withdraw=PAK, "
            "object=Israel:IDN, slip=IDN:2; see the command help above for every kind",
        )
        parser.add_argument(
            "--time-limit", type=float, default=None, help="seconds (plan; default 10)"
        )
        parser.add_argument(
            "--solver",
            default="auto",
            help="auto, highs, cpsat, cbc, greedy (for a sweep: the planner of each sample)",
        )
        parser.add_argument("--months", type=int, default=None, help="horizon in months")
        parser.add_argument(
            "--seed",
            type=int,
            default=0,
            help=f"solver seed (plan); sampling seed (sweep); 0 to {MAX_SEED}",
        )
        parser.add_argument(
            "--diff",
            action="store_true",
            default=None,
            help="with --what-if: also plan the question without its what-ifs and say how "
            "they change the plan (the what-if plan is kept close to that one)",
        )
        parser.add_argument(
            "--samples", type=int, default=None, help="Monte Carlo samples (sweep; default 1000)"
        )
        parser.add_argument(
            "--sample-time-limit",
            type=float,
            default=None,
            help="seconds per sample (sweep; default 1)",
        )
        parser.add_argument(
            "--dask", default=None, metavar="ADDRESS", help="run the sweep on this Dask scheduler"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="local processes (sweep; default: one per core; 0 = this process)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user {options['user']!r}")
        missions = Mission.objects.visible_to(user)
        if options["mission"]:
            mission = missions.filter(slug=options["mission"]).first()
            if mission is None:
                raise CommandError(f"--mission: no mission {options['mission']!r}")
        elif missions.count() == 1:
            mission = missions.get()
        else:
            raise CommandError("--mission is needed")
        try:
            if options["as_of"] is not None and not ISO_DATE.fullmatch(options["as_of"]):
                raise ValueError
            as_of = (
                mission_today(mission)  # as the web form: the date where the mission is
                if options["as_of"] is None
                else dt.date.fromisoformat(options["as_of"])
            )
        except ValueError:
            raise CommandError(f"--as-of: expected YYYY-MM-DD, got {options['as_of']!r}") from None
        if options["only"] and options["include"]:
            raise CommandError(
                "--only and --include: give one or the other (--only lists every status to count)"
            )
        for option in ("only", "include"):
            twice = sorted({s for s in options[option] if options[option].count(s) > 1})
            if twice:
                raise CommandError(f"--{option}: {', '.join(twice)} given more than once")
        if not 0 <= options["seed"] <= MAX_SEED:
            raise CommandError(f"--seed: expected 0 to {MAX_SEED}, got {options['seed']}")
        if options["dask"] and options["workers"] is not None:
            raise CommandError("--workers: not used with --dask (the cluster's workers run it)")
        if options["diff"] and not options["what_if"] and options["action"] != "sweep":
            raise CommandError("--diff: give --what-if lines to compare against the plan without")
        statuses = tuple(options["only"]) or tuple(
            dict.fromkeys(DEFAULT_STATUSES + tuple(options["include"]))
        )
        sweeping = options["action"] == "sweep"
        for option in SWEEP_ONLY if not sweeping else PLAN_ONLY:
            if options[option] is not None:
                flag = f"--{option.replace('_', '-')}"
                raise CommandError(
                    f"{flag}: for `plan sweep` only; without `sweep` the command plans once"
                    if not sweeping
                    else f"{flag}: for a single plan"
                    + (
                        "; a sweep's limit per sample is --sample-time-limit"
                        if option == "time_limit"
                        else ""
                    )
                )
        try:
            if options["action"] == "sweep":
                with _quiet_dask() if options["dask"] else contextlib.nullcontext():
                    answer = services.sweep_answer(
                        user,
                        mission,
                        as_of,
                        samples=_or(options["samples"], 1000),
                        what_ifs=options["what_if"],
                        scheduler=options["dask"],
                        workers=_or(options["workers"], os.cpu_count() or 1),
                        seed=options["seed"],
                        months=options["months"],
                        statuses=statuses,
                        method=options["solver"],
                        sample_time_limit=_or(options["sample_time_limit"], 1.0),
                        progress=self._progress,
                    )
                sys.stderr.write("\n")
            else:
                question = {
                    "statuses": statuses,
                    "solver_name": options["solver"],
                    "time_limit": _or(options["time_limit"], 10.0),
                    "seed": options["seed"],
                    "months": options["months"],
                }
                base = None
                if options["diff"]:
                    base = services.plan_answer(user, mission, as_of, **question)
                answer = services.plan_answer(
                    user,
                    mission,
                    as_of,
                    what_ifs=options["what_if"],
                    references=[(None, base)] if base else (),
                    **question,
                )
                if base:
                    answer["diff_without_what_ifs"] = services.diff_answers(base, answer)
        except PlanningInputError as exc:
            raise CommandError(f"--{exc.field.replace('_', '-')}: {exc.message}") from exc
        except solver.SweepInterrupted as exc:
            sys.stderr.write("\n")
            raise CommandError(f"the sweep was interrupted and kept nothing: {exc}") from exc
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise CommandError("interrupted (Ctrl-C): nothing was kept") from None
        if options["json"]:
            self.stdout.write(json.dumps(answer, indent=2, default=str))
        elif options["action"] == "sweep":
            self.stdout.write(render_sweep(answer))
        else:
            self.stdout.write(render_plan(answer))

    def _progress(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():  # a log file: a line per tenth, not a redrawn bar
            tenth = 10 * done // total
            if tenth != getattr(self, "_last_tenth", None):
                self._last_tenth = tenth
                sys.stderr.write(f"{done}/{total} samples\n")
            return
        width = 40
        filled = int(width * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} samples")
        sys.stderr.flush()


@contextlib.contextmanager
def _quiet_dask():
    """Dask's client logs its reconnect attempts, tracebacks included, when a scheduler goes
    away mid-sweep; the command says so itself in one line."""
    import distributed  # noqa: F401 - it configures its loggers on import: quiet them after

    loggers = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name == "distributed" or name.startswith("distributed.")
    ] or [logging.getLogger("distributed")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def render_plan(answer: dict) -> str:
    quality, size, question = answer["quality"], answer["size"], answer["mission_question"]
    gap = quality["gap"]
    lines = [
        f"Deployment plan — {answer.get('mission_name', answer['mission'])} as of "
        f"{question['as_of']} "
        f"({question['periods'][0]} … {question['periods'][-1]})",
        f"Pledges counted: {', '.join(question['statuses'])}"
        + (f"; what-ifs: {', '.join(question['what_ifs'])}" if question["what_ifs"] else ""),
        *([f"Objections: {mode}"] if (mode := presenters.objection_mode_text(answer)) else []),
        f"Solver {quality['solver']}: {quality['status']}, objective {quality['objective']:.1f}, "
        f"bound {quality['bound'] if quality['bound'] is not None else 'n/a'}, "
        f"gap {f'{gap:.2%}' if gap is not None else 'n/a'}, {quality['wall_time']:.1f} s; "
        f"greedy {quality['greedy_objective']:.1f}; "
        f"independent check: {'passed' if quality['checked'] else 'FAILED'}",
        f"Coverage: {size['covered_unit_months']} of {size['required_unit_months']} required "
        f"unit-months, {size['units']} units"
        + (f", {size['vetoed']} of them from nations a party vetoes" if size.get("vetoed") else "")
        + f" ({size['potential_units']} more not counted"
        + (
            f", {size['potential_vetoed']} of them from nations a party vetoes)"
            if size.get("potential_vetoed")
            else ")"
        ),
        *(f"SYNTHETIC — {note}" for note in answer.get("synthetic", [])),
        "",
        "Coverage by sector:",
    ]
    for sector in answer["sectors"].values():
        lines.append(
            f"  {sector['name']:<16} {sector['coverage']:>6.0%}  "
            f"({sector['covered_unit_months']}/{sector['required_unit_months']})"
        )
    lines += ["", f"Deployment by nation:    {'unit-months':>11} {'troop-months':>13}"]
    names = presenters.sector_names(answer)
    for entry in answer["deployment"]:
        lines.append(
            f"  {entry['name']:<22} {entry['unit_months']:>11} {entry['troop_months']:>13,}"
        )
        lines += [f"    {text}" for text in presenters.objection_texts(entry, names)]
    short = answer["uncovered"]
    requirements = {item["demand"].rsplit("@", 1)[0] for item in short}
    groups = presenters.group_uncovered(answer)
    lines += [
        "",
        f"Uncovered: {len(requirements)} requirement{'s' if len(requirements) != 1 else ''}, "
        f"short in {len(short)} requirement-months, by "
        f"{sum(item['required'] - item['covered'] for item in short)} unit-months in all; "
        f"in {len(groups)} stretch{'es' if len(groups) != 1 else ''} of months (consecutive, "
        "the same number required), most important first (the reasons are the first "
        "month's):",
    ]
    for group in groups[:15]:
        change = f" Smallest change: {group.smallest_change}." if group.smallest_change else ""
        lines.append(
            f"  - {group.sector_name} · {group.capability_name} · {group.line_name}, "
            f"{group.period_text} ({group.months} month{'s' if group.months != 1 else ''}): "
            f"{group.missing_text}. Why: {'; '.join(group.reasons)}.{change}"
        )
    if len(groups) > 15:
        lines.append(f"  … {len(groups) - 15} more stretches (use --json)")
    unused = answer.get("unused_pledges", [])
    lines += ["", f"Offers left at home (pledges with unused unit-months): {len(unused)}"]
    for item in unused[:10]:
        lines.append(f"  - {item['text']}")
    if len(unused) > 10:
        lines.append(f"  … {len(unused) - 10} more (use --json)")
    diff = answer.get("diff_without_what_ifs")
    if diff:
        lines += ["", "What the what-ifs change (against the same question without them):"]
        lines += [f"  - {sentence}" for sentence in diff["sentences"]]
        stretches = presenters.move_stretches(diff["moved"])
        for move in stretches[:10]:
            before, after = move.before, move.after
            lines.append(
                f"    {move.who}, {move.when}: {before['sector_name']}, {before['line_name']} → "
                f"{after['sector_name']}, {after['line_name']}"
            )
        if len(stretches) > 10:
            lines.append(f"    … {len(stretches) - 10} more moves (use --json)")
    return "\n".join(lines)


def render_sweep(answer: dict) -> str:
    lines = [
        f"Monte Carlo — {answer['samples']} samples as of {answer['as_of']}, seed "
        f"{answer.get('seed', 0)} (the same seed draws the same samples)",
        *([f"What-ifs: {'; '.join(answer['what_ifs'])}"] if answer.get("what_ifs") else []),
        f"Pledges in the question: {', '.join(answer['statuses'])}; each sample planned by "
        + (
            "the greedy heuristic"
            if answer["method"] == "greedy"
            else f"the planner ({answer['method']}, ≤ {answer['sample_time_limit']:g} s)"
        ),
        *([f"Ran on {answer['ran_on']}"] if answer.get("ran_on") else []),
        "Conversion probabilities: "
        + (
            ", ".join(f"{k} {v:.0%}" for k, v in answer["probabilities"].items())
            or "none (no pledge of these statuses in the question)"
        ),
        *(f"SYNTHETIC — {note}" for note in answer.get("synthetic", [])),
        "",
        f"{'Sector':<18}{'mean':>7}{'p10':>7}{'p50':>7}{'p90':>7}",
    ]
    for name, d in answer["by_sector"].items():
        lines.append(f"{name:<18}{d['mean']:>7.0%}{d['p10']:>7.0%}{d['p50']:>7.0%}{d['p90']:>7.0%}")
    lines += ["", f"{'Line of operation':<26}{'mean':>7}{'p10':>7}{'p50':>7}{'p90':>7}"]
    for name, d in answer["by_line_of_operation"].items():
        lines.append(f"{name:<26}{d['mean']:>7.0%}{d['p10']:>7.0%}{d['p50']:>7.0%}{d['p90']:>7.0%}")
    if answer.get("requirement_probability"):
        # as the sweep page: those met in no sample together, so they do not hide the rest
        split = presenters.requirement_probabilities_split(
            answer, answer.get("requirement_names", {})
        )
        never = split["never_met"]
        if never:
            more = f"; … {len(never) - 10} more" if len(never) > 10 else ""
            shown = "; ".join(never[:10]) + more
            lines += ["", f"Fully met in no sample ({len(never)}): {shown}"]
        at_risk = split["probabilities"]
        if at_risk:
            lines += [
                "",
                "Least likely to be met (probability of being fully met in its worst month):",
            ]
            lines += [f"  {row['percent']:>6}  {row['name']}" for row in at_risk[:10]]
            if len(at_risk) > 10:
                lines.append(f"  … {len(at_risk) - 10} more in --json")
    return "\n".join(lines)
