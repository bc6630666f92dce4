"""Ask the planner a question and keep the answer.

``plan_answer`` builds the instance from the register, applies the what-ifs, solves, checks
the plan independently, explains every shortfall and returns a JSON-ready result that the web
page, the API and the CLI all show. ``run_scenario`` stores it on a :class:`PlanRun`, either
inline or on a background thread with progress (the web server answers while it runs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import cache
from pathlib import Path
from threading import Event, Thread
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models import BooleanField, Case, DateTimeField, ExpressionWrapper, F, Q, When
from django.db.models.functions import Now
from django.utils import timezone

from stabforce.core.models import Mission
from stabforce.forcegen.models import Requirement
from stabforce.planning import solver
from stabforce.planning.building import (
    DEFAULT_STATUSES,
    FORCE_WIDE,
    BuiltInstance,
    PlanningInputError,
    build_instance,
    parse_what_if,
    settings_for,
    what_if_errors,
)
from stabforce.planning.models import PlanRun, PlanRunStatus, PlanScenario
from stabforce.planning.slots import RunSlots
from stabforce.planning.solver import words as solver_words
from stabforce.planning.solver.reference import pledge_of

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


def _plan_json(built: BuiltInstance, result: solver.SolveResult) -> dict[str, Any]:
    """What a plans officer reads: quality, coverage, deployment and explanations."""
    instance = built.instance
    demands = instance.demand_map()
    units = instance.unit_map()
    covered = result.plan.covered(demands)
    report = solver.check_plan(instance, result.plan)

    matrix: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for demand in instance.demands:
        cell = matrix[(demand.sector, demand.line)]
        cell[0] += demand.units_required
        cell[1] += covered.get(demand.id, 0)
    sectors: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (sector, _line), (required, got) in matrix.items():
        sectors[sector][0] += required
        sectors[sector][1] += got

    deployment: dict[str, dict[str, Any]] = {}
    for assignment in sorted(result.plan.assignments, key=lambda a: (a.unit_id, a.demand_id)):
        unit, demand = units[assignment.unit_id], demands[assignment.demand_id]
        entry = deployment.setdefault(
            unit.nation,
            {
                "nation": unit.nation,
                "name": built.nation_names.get(unit.nation, unit.nation),
                "unit_months": 0,
                "troop_months": 0,
                "sectors": defaultdict(int),
                "tasks": defaultdict(int),
                "strength_assumed": False,
                "objected": {},
            },
        )
        entry["unit_months"] += 1
        entry["troop_months"] += unit.strength
        entry["sectors"][demand.sector] += 1
        entry["tasks"][(demand.capability, demand.line)] += 1
        # troop-months rest on a typical unit size where the pledge names no figure
        entry["strength_assumed"] |= unit.pledge_id in built.synthetic.assumed_strengths
        # deployed although a party objects (in penalty mode, its penalty paid)
        for objection in instance.objections:
            if objection.applies(unit.nation, demand.sector):
                against = entry["objected"].setdefault(
                    objection.party,
                    {"party": objection.party, "unit_months": 0, "penalty": 0.0, "sectors": {}},
                )
                against["unit_months"] += 1
                against["penalty"] += objection.weight
                against["sectors"][demand.sector] = against["sectors"].get(demand.sector, 0) + 1
    for entry in deployment.values():
        entry["sectors"] = dict(entry["sectors"])
        entry["tasks"] = [
            {
                "capability": capability,
                "capability_name": built.capability_names.get(capability, capability),
                "line": line,
                "line_name": built.line_names.get(line, line),
                "unit_months": months,
            }
            for (capability, line), months in sorted(
                entry["tasks"].items(), key=lambda item: (-item[1], item[0])
            )
        ]
        entry["objected"] = sorted(entry["objected"].values(), key=lambda o: o["party"])

    quality = {
        "proven_optimal": result.status == "optimal",
        "heuristic": result.solver == "greedy",
    }
    explanations = solver.explain_uncovered(
        instance,
        result.plan,
        potential_units=built.potential_units,
        withdrawn_units=built.withdrawn_units,
        withdrawn_uncounted_units=built.withdrawn_uncounted_units,
        scenario_vetoes=built.added_vetoes,
        **quality,
    )

    def vetoed_everywhere(unit: solver.Unit) -> bool:
        return any(
            o.is_veto and not o.sectors and unit.nation in o.nations for o in instance.objections
        )

    return {
        "mission_question": {
            "as_of": built.as_of.isoformat(),
            "statuses": list(built.statuses),
            "what_ifs": built.applied_what_ifs,
            "periods": list(instance.period_labels),
        },
        "synthetic": built.synthetic_notes(),
        "settings": _settings_json(built),
        "quality": {
            **result.summary(),
            "checked": report.ok,
            "checker_violations": report.violations,
            "soft_misses": report.soft,
        },
        "size": {
            "units": len(instance.units),
            # counted, but of nations a consenting party vetoes everywhere: they cannot serve
            "vetoed": sum(vetoed_everywhere(u) for u in instance.units),
            "potential_units": len(built.potential_units),
            # of those, units of nations a consenting party vetoes everywhere: converting
            # their pledges would cover nothing until the veto is lifted
            "potential_vetoed": sum(vetoed_everywhere(u) for u in built.potential_units),
            "demands": len(instance.demands),
            "required_unit_months": sum(d.units_required for d in instance.demands),
            "covered_unit_months": sum(covered.values()),
        },
        "coverage": [
            {
                "sector": sector,
                "sector_name": built.sector_names.get(sector, sector),
                "line_of_operation": line,
                "line_of_operation_name": built.line_names.get(line, line),
                "required_unit_months": required,
                "covered_unit_months": got,
                "coverage": round(got / required, 4) if required else 1.0,
            }
            for (sector, line), (required, got) in sorted(matrix.items())
        ],
        "sectors": {
            sector: {
                "name": built.sector_names.get(sector, sector),
                "required_unit_months": required,
                "covered_unit_months": got,
                "coverage": round(got / required, 4) if required else 1.0,
            }
            for sector, (required, got) in sorted(sectors.items())
        },
        "deployment": sorted(deployment.values(), key=lambda e: -e["troop_months"]),
        "assignments": [
            {
                "unit": a.unit_id,
                "nation": units[a.unit_id].nation,
                "demand": a.demand_id,
                "period": demands[a.demand_id].period,  # index into mission_question.periods
                "month": instance.period_labels[demands[a.demand_id].period],
                "sector": demands[a.demand_id].sector,
                "line": demands[a.demand_id].line,
            }
            for a in sorted(result.plan.assignments, key=lambda a: (a.demand_id, a.unit_id))
        ],
        "uncovered": [
            {
                "demand": e.demand_id,
                "sector": e.sector,
                "sector_name": built.sector_names.get(e.sector, e.sector),
                "line_of_operation": e.line,
                "capability": e.capability,
                "capability_name": built.capability_names.get(e.capability, e.capability),
                "line_of_operation_name": built.line_names.get(e.line, e.line),
                "period": instance.period_labels[e.period],
                "required": e.required,
                "covered": e.covered,
                "reasons": [_named(reason, built) for reason in e.reasons],
                "smallest_change": _named(e.suggestion, built) if e.suggestion else None,
                "text": _readable(e, built),
            }
            for e in explanations
        ],
        "unused_pledges": [
            _idle_json(e, built, **quality) for e in solver.explain_idle(instance, result.plan)
        ],
    }


def _settings_json(built: BuiltInstance) -> dict[str, Any]:
    """The mission's planning settings this answer was made with: a later change of settings
    changes the next answer, and a diff must say so rather than blame the question."""
    return {
        "objection_mode": built.objection_mode,
        "objection_penalty": built.objection_penalty,
        "months": built.instance.periods,
        "weights": dataclasses.asdict(built.instance.weights),
        "composition": [
            {"group": target.group, "min_share": target.min_share}
            for target in built.instance.composition
        ],
    }


def _settings_changes(base: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """How the settings of two answers differ, in words ("objection mode veto → penalty");
    nothing for answers stored before settings were recorded."""
    before, after = base.get("settings"), other.get("settings")
    if not before or not after:
        return []

    def flat(settings: dict[str, Any]) -> dict[str, Any]:
        out = {key: value for key, value in settings.items() if key not in ("weights", "months")}
        out.update({f"{key} weight": value for key, value in settings["weights"].items()})
        out["composition"] = (
            ", ".join(f"{t['group']} ≥ {t['min_share']:.0%}" for t in settings["composition"])
            or "none"
        )
        return out

    was, now = flat(_settings_that_matter(before)), flat(_settings_that_matter(after))
    words = {"lead_min_share weight": "lead nation's minimum share"}
    return [
        f"{words.get(key, key.replace('_', ' '))} {_setting(was[key])} → {_setting(now[key])}"
        # a key on one side only is the penalty beside a change of mode: the mode says it
        for key in sorted(set(was) & set(now))
        if was[key] != now[key]
    ]


def _settings_that_matter(settings: dict[str, Any]) -> dict[str, Any]:
    """The recorded settings that can change a plan of the same months: the penalty weighs
    nothing while objections are vetoes, and a different horizon is a difference of months,
    which a diff reports as such."""
    kept = {key: value for key, value in settings.items() if key != "months"}
    if kept.get("objection_mode") == "veto":
        kept.pop("objection_penalty", None)
    return kept


def _setting(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _idle_json(
    e: solver.IdleExplanation, built: BuiltInstance, *, proven_optimal: bool, heuristic: bool
) -> dict[str, Any]:
    """An offered pledge the plan leaves (partly) at home, with the reasons in words."""
    labels = built.instance.period_labels

    def name(key: str) -> str:
        return _named(key, built)

    reasons = solver.describe_idle(
        e,
        label=lambda p: labels[p],
        name=name,
        proven_optimal=proven_optimal,
        heuristic=heuristic,
        period_unit=built.instance.period_unit,
    )
    nation = built.nation_names.get(e.nation, e.nation)
    capability = built.capability_names.get(e.capability, e.capability)
    return {
        "pledge": e.pledge,
        "nation": e.nation,
        "nation_name": nation,
        "capability": e.capability,
        "capability_name": capability,
        "units": len(e.units),
        "available_unit_months": e.available_unit_periods,
        "idle_unit_months": e.idle_unit_periods,
        "reason_kinds": sorted(e.reason_kinds),
        "reasons": reasons,
        "text": (
            f"{nation}, {capability} ({len(e.units)} unit{'s' if len(e.units) != 1 else ''}): "
            f"{e.idle_unit_periods} of {e.available_unit_periods} unit-months unused; "
            + "; ".join(reasons)
            + "."
        ),
    }


def _named(text: str, built: BuiltInstance) -> str:
    """The solver speaks in keys (``eod-team``, ``eod-teams``, ``rafah``, ``PAK``); readers
    want names."""
    names = {**built.sector_names, **built.line_names, **built.nation_names}
    for key, name in built.capability_names.items():
        names[key] = _mid_sentence(name)
        names[solver_words.plural(key)] = solver_words.plural(_mid_sentence(name))
    for key in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", names[key], text)
    return text


def _mid_sentence(name: str) -> str:
    """``Level-2 hospital`` → ``level-2 hospital``, but ``EOD team`` stays as it is."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _readable(explanation: solver.Explanation, built: BuiltInstance) -> str:
    """The solver's explanation with names instead of keys."""
    sector = built.sector_names.get(explanation.sector, explanation.sector)
    line = built.line_names.get(explanation.line, explanation.line)
    capability = built.capability_names.get(explanation.capability, explanation.capability)
    period = built.instance.period_labels[explanation.period]
    head = (
        f"{capability} for {line} in {sector}, {period}: {explanation.missing} of "
        f"{explanation.required} uncovered"
    )
    text = f"{head}. {solver_words.sentence(_named('; '.join(explanation.reasons), built))}."
    if explanation.suggestion:
        text += f" Smallest change: {_named(explanation.suggestion, built)}."
    return text


def _check_solver(name: str) -> None:
    if name not in solver.SOLVERS:
        raise PlanningInputError(
            f"unknown solver {name!r}; choose one of {', '.join(solver.SOLVERS)}", "solver"
        )


def plan_answer(
    user,
    mission: Mission,
    as_of: dt.date,
    *,
    statuses: tuple[str, ...] = DEFAULT_STATUSES,
    what_ifs: list[str] = (),
    solver_name: str = "auto",
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    months: int | None = None,
    references: Iterable[tuple[int | None, dict[str, Any]]] = (),
) -> dict[str, Any]:
    """Solve one planning question and return the checked, explained answer.

    ``references``: earlier answers, newest first, with their run ids (a what-if's base
    plans). The first made under the same planning settings is the reference: of the plans as
    good as the one found, the planner returns one close to it, so that the diff shows what
    the question changed (``reference_run_id``). A plan made under other settings (another
    objection mode, other weights) is no reference: keeping close to it would carry over
    what the settings, not the question, decided."""
    if not 0.1 <= time_limit <= 3600:
        raise PlanningInputError("time limit must be between 0.1 and 3600 seconds", "time_limit")
    _check_solver(solver_name)
    built = build_instance(user, mission, as_of, statuses=statuses, months=months)
    built = _with_what_ifs(built, what_ifs)
    settings_now = _settings_that_matter(_settings_json(built))

    def made_alike(earlier: dict[str, Any]) -> bool:
        recorded = earlier.get("settings")  # none in answers stored before they were recorded
        return bool(recorded) and _settings_that_matter(recorded) == settings_now

    reference_id, reference = next(
        ((run_id, earlier) for run_id, earlier in references if made_alike(earlier)),
        (None, None),
    )
    result = solver.solve(
        built.instance,
        solver=solver_name,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        reference=_places_in(reference, built.instance),
    )
    answer = _plan_json(built, result)
    answer["mission"] = mission.slug
    answer["mission_name"] = mission.name
    answer["reference_run_id"] = reference_id
    return answer


def _with_what_ifs(built: BuiltInstance, what_ifs: Iterable[str]) -> BuiltInstance:
    """The question with its what-ifs applied; every bad one is named in the error."""
    built, problems = what_if_errors(built, list(what_ifs))
    if problems:
        if len(problems) == 1:
            raise PlanningInputError(next(iter(problems.values())), "what_if")
        raise PlanningInputError(
            " ".join(f"({index + 1}) {message}." for index, message in problems.items()),
            "what_if",
        )
    return built


def _places_in(
    answer: dict[str, Any] | None, instance: solver.Instance
) -> dict[tuple[str, int], Any] | None:
    """Where ``answer``'s units served, by period of ``instance`` (matched by month: the two
    horizons may start in different months); None without an answer, or for one stored in a
    shape this code does not read — a reference only polishes, it must not fail the run."""
    if answer is None:
        return None
    period_of = {label: period for period, label in enumerate(instance.period_labels)}
    try:
        months = answer["mission_question"]["periods"]
        places = {}
        for a in answer["assignments"]:
            period = period_of.get(months[a["period"]])
            if period is not None:
                places[(a["unit"], period)] = (a["sector"], a["line"])
    except (KeyError, IndexError, TypeError):
        logger.warning("a reference answer could not be read; planning without it")
        return None
    return places


def diff_answers(base: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """How ``other`` differs from ``base``: coverage per sector × line, nations, assignments."""

    def cells(answer):
        return {(c["sector"], c["line_of_operation"]): c for c in answer["coverage"]}

    base_cells, other_cells = cells(base), cells(other)
    coverage = []
    for key in sorted(set(base_cells) | set(other_cells)):
        before = base_cells.get(key, {}).get("covered_unit_months", 0)
        after = other_cells.get(key, {}).get("covered_unit_months", 0)
        if before != after:
            name = other_cells.get(key) or base_cells[key]
            coverage.append(
                {
                    "sector": key[0],
                    "line_of_operation": key[1],
                    "sector_name": name["sector_name"],
                    "line_of_operation_name": name["line_of_operation_name"],
                    "before": before,
                    "after": after,
                    "delta": after - before,
                }
            )
    nations_before = {e["nation"]: e for e in base["deployment"]}
    nations_after = {e["nation"]: e for e in other["deployment"]}

    def pairs(answer):
        # by requirement and month, not demand id: two runs may start in different months;
        # by pledge, not unit: two units of one pledge trading tasks change nothing
        months = answer["mission_question"]["periods"]
        return Counter(
            (pledge_of(a["unit"]), a["demand"].rsplit("@", 1)[0], months[a["period"]])
            for a in answer["assignments"]
        )

    pairs_before, pairs_after = pairs(base), pairs(other)
    moved = _moves(base, other)
    sentences = []
    covered_before = base["size"]["covered_unit_months"]
    covered_after = other["size"]["covered_unit_months"]
    required_before = base["size"]["required_unit_months"]
    required = other["size"]["required_unit_months"]
    months_before = base["mission_question"]["periods"]
    months_after = other["mission_question"]["periods"]
    settings_changes = _settings_changes(base, other)
    if settings_changes:
        sentences.append(
            "The mission's planning settings changed between the two plans ("
            + "; ".join(settings_changes)
            + "): part of every difference below comes from that, not from the question."
        )
    if months_before != months_after:
        sentences.append(
            f"The plans cover different months ({months_before[0]} … {months_before[-1]} "
            f"against {months_after[0]} … {months_after[-1]}): part of every difference below "
            "comes from the months only one of them plans."
        )
    sentences += _question_changes(base, other)
    sentences.append(
        f"Coverage {covered_before} → {covered_after} unit-months "
        f"({covered_after - covered_before:+d}) of "
        + (
            f"{required} required."
            if required == required_before
            else f"{required_before} → {required} required."
        )
    )
    for code in sorted(set(nations_before) - set(nations_after)):
        sentences.append(
            f"{nations_before[code]['name']} no longer deploys "
            f"({nations_before[code]['unit_months']} unit-months)."
        )
    for code in sorted(set(nations_after) - set(nations_before)):
        against = [o["party"] for o in nations_after[code].get("objected", [])]
        sentences.append(
            f"{nations_after[code]['name']} now deploys "
            f"({nations_after[code]['unit_months']} unit-months)"
            + (
                f", against {' and '.join(against)}'s objection{'s' if len(against) > 1 else ''}."
                if against
                else "."
            )
        )
    for code in sorted(set(nations_before) & set(nations_after)):
        was_months = nations_before[code]["unit_months"]
        now_months = nations_after[code]["unit_months"]
        if was_months != now_months:  # a slip, a tour or a rival now placed elsewhere
            sentences.append(
                f"{nations_after[code]['name']} deploys {was_months} → {now_months} unit-months."
            )
    if moved:
        sentences.append(
            "Units in both plans move to another sector or line of operation in "
            f"{len(moved)} unit-month{'s' if len(moved) != 1 else ''}"
            + _moved_by_nation(moved, base, other)
            + "."
        )
    for cell in sorted(coverage, key=lambda c: c["delta"])[:10]:
        sentences.append(
            f"{cell['line_of_operation_name']} in {cell['sector_name']}: "
            f"{cell['before']} → {cell['after']} unit-months."
        )
    removed = sorted(set(nations_before) - set(nations_after))
    added = sorted(set(nations_after) - set(nations_before))
    return {
        # what in either answer is not published fact (answers stored before it have none)
        "synthetic": _synthetic_of_both(base.get("synthetic", []), other.get("synthetic", [])),
        "coverage": coverage,
        "nations_removed": removed,
        "nations_added": added,
        "nations_removed_names": [nations_before[code]["name"] for code in removed],
        "nations_added_names": [nations_after[code]["name"] for code in added],
        "settings_changes": settings_changes,
        "assignments_removed": (pairs_before - pairs_after).total(),
        "assignments_added": (pairs_after - pairs_before).total(),
        "moved": moved,
        "sentences": sentences,
    }


def _unit_order(unit_id: str) -> tuple[str, int, str]:
    """Sort key that puts ``p#2`` before ``p#10``."""
    pledge, _, number = unit_id.rpartition("#")
    return (pledge, int(number), "") if number.isdigit() else (unit_id, 0, unit_id)


def _moved_by_nation(moved: list[dict[str, Any]], *answers: dict[str, Any]) -> str:
    """`` (Albania 10)``: whose units moved, so a move reads next to the what-if that caused
    it; empty for answers stored before assignments named their nation."""
    nation_of = {
        a["unit"]: a["nation"] for answer in answers for a in answer["assignments"] if "nation" in a
    }
    names = {e["nation"]: e["name"] for answer in answers for e in answer["deployment"]}
    counts = Counter(nation_of.get(move["unit"]) for move in moved)
    if None in counts:
        return ""
    return (
        " ("
        + ", ".join(f"{names.get(code, code)} {months}" for code, months in counts.most_common())
        + ")"
    )


def _question_changes(base: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Sentences on how the two questions differ (date, pledges counted, what-ifs) and on a
    plan that is not proved optimal: the diff below is partly theirs, not only the world's."""
    was, now = base["mission_question"], other["mission_question"]
    out = []
    if was["as_of"] != now["as_of"]:
        out.append(f"The register is read as of {was['as_of']} → {now['as_of']}.")
    # the order a client listed them in is no difference
    if sorted(was["statuses"]) != sorted(now["statuses"]):
        out.append(f"Pledges counted: {', '.join(was['statuses'])} → {', '.join(now['statuses'])}.")
    if sorted(was["what_ifs"]) != sorted(now["what_ifs"]):
        out.append(
            f"What-ifs: {'; '.join(was['what_ifs']) or 'none'} → "
            f"{'; '.join(now['what_ifs']) or 'none'}."
        )
    unproved = [
        f"the {which} plan ({answer['quality']['solver']}, "
        + (
            f"gap {answer['quality']['gap']:.2%})"
            if answer["quality"].get("gap") is not None
            else "no bound)"
        )
        for which, answer in (("base", base), ("compared", other))
        if answer["quality"]["status"] != "optimal"
    ]
    if unproved:
        out.append(
            f"Not proved optimal: {' and '.join(unproved)}: part of the difference may be the "
            "solver's stopping point, not the question."
        )
    return out


def _synthetic_of_both(base: list[str], other: list[str]) -> list[str]:
    """The two answers' synthetic notes: a note both share once, one of only one answer
    saying whose it is (two 'Assumed strengths' notes side by side did not)."""
    shared = [note for note in base if note in other]
    return (
        shared
        + [f"Base plan: {note}" for note in base if note not in shared]
        + [f"Compared plan: {note}" for note in other if note not in shared]
    )


def _moves(base: dict[str, Any], other: dict[str, Any]) -> list[dict[str, Any]]:
    """Units serving in both plans in a month, but in another sector or line of operation.

    Compared per pledge and month: when two units of one pledge trade places nothing moved,
    and a pledge with one unit leaving sector A and one arriving in B counts one move. A
    move is named by the unit that made it where one did; otherwise (the pledge's units
    shuffled) by a unit of the pledge that arrived at the new place."""

    def places(answer):
        # by month, not period number: two runs may start their horizons in different months
        months = answer["mission_question"]["periods"]
        out: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
        for a in answer["assignments"]:
            key = (pledge_of(a["unit"]), months[a["period"]])
            out[key][a["unit"]] = (a["sector"], a["line"])
        return out

    names = {}
    for cell in base["coverage"] + other["coverage"]:
        names[("sector", cell["sector"])] = cell.get("sector_name", cell["sector"])
        names[("line", cell["line_of_operation"])] = cell.get(
            "line_of_operation_name", cell["line_of_operation"]
        )

    def place_json(place):
        sector, line = place
        return {
            "sector": sector,
            "line": line,
            "sector_name": names.get(("sector", sector), sector),
            "line_name": names.get(("line", line), line),
        }

    before, after = places(base), places(other)
    # the unit's nation by name, so a row reads "Albania · alb-contingent#1" (answers stored
    # before assignments named their nation have none)
    names_by_code = {e["nation"]: e["name"] for a in (base, other) for e in a["deployment"]}
    nation_names = {
        a["unit"]: names_by_code.get(a["nation"], a["nation"])
        for answer in (base, other)
        for a in answer["assignments"]
        if "nation" in a
    }
    moves = []
    for key in sorted(set(before) & set(after)):
        was_at, now_at = before[key], after[key]
        departures = Counter(was_at.values()) - Counter(now_at.values())
        arrivals = Counter(now_at.values()) - Counter(was_at.values())
        pairs = []
        for unit in sorted(set(was_at) & set(now_at), key=_unit_order):  # units that moved
            old, new = was_at[unit], now_at[unit]
            if old != new and departures[old] > 0 and arrivals[new] > 0:
                pairs.append((unit, old, new))
                departures[old] -= 1
                arrivals[new] -= 1
        named = {unit for unit, _, _ in pairs}
        # the unpaired rest is a unit added or taken away that month, not a move
        for old, new in zip(sorted(departures.elements()), sorted(arrivals.elements()),
                            strict=False):  # fmt: skip
            there = [u for u in sorted(now_at, key=_unit_order) if now_at[u] == new]
            arrived = [u for u in there if was_at.get(u) != new and u not in named]
            unit = (arrived or [u for u in there if u not in named] or there)[0]
            named.add(unit)
            pairs.append((unit, old, new))
        moves += [
            {
                "unit": unit,
                "period": key[1],
                "before": place_json(old),
                "after": place_json(new),
                **({"nation_name": nation_names[unit]} if unit in nation_names else {}),
            }
            for unit, old, new in pairs
        ]
    return sorted(moves, key=lambda move: (_unit_order(move["unit"]), move["period"]))


def distinct_labels(keys: Iterable[str], names: dict[str, str]) -> dict[str, str]:
    """Display label per key: the name, or "name (key)" where two keys share a name.

    Sector and line-of-operation names are not unique within a mission (keys are), and a
    result keyed by name would silently merge two of them."""
    keys = list(keys)
    counts = Counter(names.get(k, k) for k in keys)
    return {
        k: names.get(k, k) if counts[names.get(k, k)] == 1 else f"{names.get(k, k)} ({k})"
        for k in keys
    }


def requirement_names(user, mission: Mission) -> dict[str, str]:
    """Requirement key → "Rafah · EOD team · Demilitarisation"."""
    names = {}
    for requirement in (
        Requirement.objects.visible_to(user)
        .filter(mission=mission)
        .select_related("sector", "capability", "line_of_operation")
    ):
        sector = requirement.sector.name if requirement.sector_id else "Force-wide"
        names[requirement.key] = (
            f"{sector} · {requirement.capability.name} · {requirement.line_of_operation.name}"
        )
    return names


def sweep_answer(
    user,
    mission: Mission,
    as_of: dt.date,
    *,
    samples: int = 1000,
    statuses: tuple[str, ...] = DEFAULT_STATUSES,
    what_ifs: list[str] = (),
    scheduler: str | None = None,
    workers: int = 2,
    seed: int = 0,
    months: int | None = None,
    method: str = "auto",
    sample_time_limit: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Monte Carlo over pledge conversion: coverage distributions and the probability of
    meeting each requirement, with the mission's conversion probabilities.

    The pledges in the question are those of ``statuses`` (as for a plan); each is kept in a
    sample with the probability of its status and every sample is re-planned with ``method``
    (the planner by default, ``sample_time_limit`` seconds each; ``greedy`` is faster but
    places units differently from the optimum)."""
    if not 1 <= samples <= 100_000:
        raise PlanningInputError("samples must be between 1 and 100,000", "samples")
    if workers < 0:
        raise PlanningInputError("workers must be 0 (in this process) or more", "workers")
    _check_solver(method)
    if not 0.1 <= sample_time_limit <= 600:
        raise PlanningInputError(
            "the time limit per sample must be 0.1 to 600 seconds", "sample_time_limit"
        )
    built = build_instance(user, mission, as_of, statuses=statuses, months=months)
    built = _with_what_ifs(built, what_ifs)
    # a mission sets the statuses it knows better; the others keep their defaults
    probabilities = {
        **solver.montecarlo.DEFAULT_PROBABILITIES,
        **(settings_for(mission).conversion_probabilities or {}),
    }
    try:
        result = solver.monte_carlo(
            built.instance,
            samples,
            seed=seed,
            probabilities=probabilities,
            method=method,
            time_limit=sample_time_limit,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    except (OSError, ValueError, TimeoutError) as exc:
        if scheduler is None:
            raise
        raise PlanningInputError(
            f"could not use the Dask scheduler at {scheduler!r}: {exc}", "dask"
        ) from exc
    sampled = {unit.status for unit in built.instance.units}
    by_requirement: dict[str, list[float]] = defaultdict(list)
    for demand_id, probability in result.prob_fully_covered.items():
        by_requirement[demand_id.split("@")[0]].append(probability)

    def dist(d):
        return {
            "mean": round(d.mean, 4),
            "p10": round(d.p10, 4),
            "p50": round(d.p50, 4),
            "p90": round(d.p90, 4),
        }

    return {
        "mission": mission.slug,
        "as_of": as_of.isoformat(),
        "synthetic": built.synthetic_notes(),
        "samples": result.samples,
        # the same seed and question draw the same pledges (the time-limited re-plans of the
        # samples may still differ with the machine's speed)
        "seed": seed,
        "statuses": list(built.statuses),
        # the what-ifs as applied, in words, as a plan's answer gives them
        "what_ifs": list(built.applied_what_ifs),
        "method": method,
        "sample_time_limit": sample_time_limit if method != "greedy" else None,
        # where the samples were planned: the figures do not depend on it, the time does
        "ran_on": (
            f"the Dask cluster at {str(scheduler).strip().rstrip('/')}"
            if scheduler
            else "this process"
            if workers == 0
            else f"{workers} local process{'es' if workers != 1 else ''}"
        ),
        # only the statuses whose pledges were sampled (deployed pledges count as committed)
        "probabilities": {
            status: probability
            for status, probability in probabilities.items()
            if status in sampled
        },
        "mean_units_present": round(result.mean_units_present, 2),
        "by_sector": {
            label: dist(result.by_sector[k])
            for k, label in distinct_labels(result.by_sector, built.sector_names).items()
        },
        "by_line_of_operation": {
            label: dist(result.by_line[k])
            for k, label in distinct_labels(result.by_line, built.line_names).items()
        },
        "requirement_probability": {
            key: round(min(values), 4) for key, values in sorted(by_requirement.items())
        },
        "requirement_names": {
            key: name
            for key, name in requirement_names(user, mission).items()
            if key in by_requirement
        },  # fmt: skip
    }


# --- stored scenarios and runs --------------------------------------------------------------


#: Why a user who is not HQ may not plan: the pages, the API and the services say the same.
HQ_ONLY_NOTE = (
    "Deployment plans are HQ-only: scenarios and their runs are visible to HQ planners and "
    "administrators, who alone may run the planner."
)


def may_plan(user) -> bool:
    """HQ planners and administrators (active ones) run the planner."""
    return bool(user.is_authenticated and user.is_active and user.is_hq)


def require_planner(user) -> None:
    """PermissionDenied unless :func:`may_plan`: every write of a scenario or run checks it."""
    from django.core.exceptions import PermissionDenied

    if not may_plan(user):
        raise PermissionDenied(HQ_ONLY_NOTE)


def finished_plans(user, scenario: PlanScenario | None):
    """The finished plans of ``scenario`` that ``user`` may see, newest first."""
    if scenario is None:
        return PlanRun.objects.none()
    return (
        PlanRun.objects.visible_to(user)
        .select_related("scenario", "mission", "requested_by")
        .filter(scenario=scenario, kind="plan", status=PlanRunStatus.DONE)
        .order_by("-finished_at", "-pk")
    )


def base_run_of(user, run: PlanRun) -> PlanRun | None:
    """The base's plan a what-if run is compared with: the one it was kept close to while the
    user may still see it, else the base's newest."""
    plans = finished_plans(user, run.scenario.base)
    reference_id = (run.result or {}).get("reference_run_id")
    return (reference_id and plans.filter(pk=reference_id).first()) or plans.first()


@transaction.atomic
def save_scenario(
    user, mission: Mission, *, name: str, as_of: dt.date, statuses, what_ifs, base=None
) -> PlanScenario:
    """Keep a planning question so its answers can be compared later."""
    require_planner(user)
    what_ifs = [text.strip() for text in what_ifs]  # "withdraw=KAZ\n" is kept as withdraw=KAZ
    for text in what_ifs:
        parse_what_if(text)
    return PlanScenario.objects.create(
        mission=mission,
        name=name,
        as_of=as_of,
        statuses=list(statuses),
        what_ifs=what_ifs,
        base=base,
        created_by=user,
        releasability="hq",
    )


def question_problem(user, scenario: PlanScenario) -> str | None:
    """Why ``scenario``'s question cannot be asked of the register as it is now, or None.

    A saved what-if may stop making sense (a party has since lifted the objection a
    ``lift_objection=`` names): asking again should say so at once, not queue a run that
    fails."""
    try:
        _with_what_ifs(
            build_instance(user, scenario.mission, scenario.as_of, statuses=scenario.statuses),
            scenario.what_ifs,
        )
    except PlanningInputError as exc:
        return exc.message
    return None


def start_run(
    user, scenario: PlanScenario, *, kind: str = "plan", background: bool = True, **parameters
) -> PlanRun:
    """Queue a run of ``scenario``; with ``background`` it runs on a thread and reports
    progress on the PlanRun row (the page polls it).

    The row holds everything the run needs, so a run cut off by a server restart is queued
    again and resumed by the next server (:func:`requeue_interrupted_runs`,
    :func:`run_queued_runs`)."""
    require_planner(user)
    run = PlanRun.objects.create(
        mission=scenario.mission,
        scenario=scenario,
        kind=kind,
        parameters=parameters,
        requested_by=user,
        releasability=scenario.releasability,
    )
    if background:
        thread = threading.Thread(target=_execute_on_thread, args=(run.pk,), daemon=True)
        transaction.on_commit(thread.start)
    else:
        _execute(run.pk)
        run.refresh_from_db()
    return run


#: A running run's process marks the run alive this often (seconds) ...
HEARTBEAT_EVERY = 15.0
#: ... and a run not marked for this long is taken for an orphan, whatever machine ran it.
LEASE = 60.0
#: A run cut off from outside this many times (its process killed or lost; orderly server
#: stops do not count) is marked failed instead of being started again forever.
MAX_ATTEMPTS = 3


@cache
def machine_id() -> str:
    """This machine in this boot, and the process-id namespace: a process id identifies a
    process only together with them. After a reboot, on another machine, or in another
    container on the same host (containers share the host's boot id but number their
    processes from 1), the same pid is another process."""
    parts = []
    try:
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
        parts.append(os.readlink("/proc/self/ns/pid").removeprefix("pid:[").rstrip("]"))
    except OSError:
        parts.insert(0, socket.gethostname())
    return "/".join(parts)[:64]


def _process_gone(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _lease_expired() -> Q:
    """Runs no process has marked alive for :data:`LEASE` seconds. Heartbeats are written
    and judged by the database's clock, so servers whose clocks differ agree."""
    deadline = ExpressionWrapper(Now() - timedelta(seconds=LEASE), output_field=DateTimeField())
    return Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=deadline)


def requeue_interrupted_runs(worker_pid: int | None = None) -> int:
    """Queue again the runs whose executing process died (their threads died with it).
    Returns how many were queued again (runs started :data:`MAX_ATTEMPTS` times are marked
    failed instead and not counted).

    With ``worker_pid``: called by the server when that worker process of its own exits
    (killed, timed out, replaced on reload) while the server goes on. Without: called when a
    server starts and then every 5 s by its workers; a run is an orphan when its process is
    gone from this machine, or when no process has marked it alive for :data:`LEASE` seconds
    (a server on another machine or in another container that stopped). Runs marked alive by
    a live process are left alone.
    """
    running = PlanRun.objects.filter(status=PlanRunStatus.RUNNING)
    if worker_pid is not None:
        running = running.filter(worker_pid=worker_pid, worker_machine=machine_id())
    reason = "its server process stopped"
    requeued = 0
    silent = Case(When(_lease_expired(), then=True), default=False, output_field=BooleanField())
    runs = running.annotate(silent=silent).only("pk", "worker_pid", "worker_machine", "attempts")
    for run in runs:
        known_dead = worker_pid is not None or (
            run.worker_machine == machine_id() and _process_gone(run.worker_pid)
        )
        if not (known_dead or run.silent):
            continue  # the usual case, every few seconds: no write
        # Each update is conditional, so it cannot undo what happened since the read: the
        # run finished, was cancelled or claimed again (attempts), or was marked alive.
        execution = PlanRun.objects.filter(
            pk=run.pk, status=PlanRunStatus.RUNNING, attempts=run.attempts
        )
        if not known_dead:
            execution = execution.filter(_lease_expired())
        requeued += _queue_again(run.pk, run.attempts, reason, execution)
    return requeued


def _queue_again(run_id: int, attempts: int, reason: str, execution=None) -> int:
    """Queue a run cut off from outside again (returns 1), or, once that has happened
    :data:`MAX_ATTEMPTS` times, mark it failed (0). ``execution``: the run's row, filtered so
    that it matches only the execution that was cut off (default: attempt ``attempts``)."""
    if execution is None:
        execution = PlanRun.objects.filter(
            pk=run_id, status=PlanRunStatus.RUNNING, attempts=attempts
        )
    cut_off_too_often = Q(attempts__gte=F("stopped_attempts") + MAX_ATTEMPTS)
    if _update_when_free(
        execution.filter(cut_off_too_often),
        status=PlanRunStatus.FAILED,
        finished_at=timezone.now(),
        message=f"not finished: cut off {MAX_ATTEMPTS} times from outside the planner; the "
        f"last time {reason}. Not started again automatically: run it again if it is still "
        "needed",
    ):
        logger.warning("plan run %s given up after %s cut-offs: %s", run_id, MAX_ATTEMPTS, reason)
        return 0
    queued = _update_when_free(
        execution.exclude(cut_off_too_often), **_queued_again(f"{reason}; queued again")
    )
    if queued:
        logger.info("plan run %s queued again: %s", run_id, reason)
    return queued


#: Set once this process is stopping: it claims no more runs. Claims hold the lock from
#: the check to the update, so once :func:`stop_taking_runs` returns no claim is under way.
_STOPPING = Event()
_CLAIMING = threading.Lock()


def stop_taking_runs() -> None:
    """This process is on its way out: claim no more runs. Call it before
    :func:`hand_back_runs_of_this_process`: every run this process claimed is then in the
    database for the hand-back to find."""
    with _CLAIMING:
        _STOPPING.set()


def hand_back_runs_of_this_process() -> int:
    """Queue again the runs this process is executing, as it stops in an orderly way (a
    restart, an upgrade, Ctrl-C): called by a server worker on its way out. Returns how many.

    The stop is not the run's doing, so the attempt does not count toward
    :data:`MAX_ATTEMPTS`. A process that dies without getting here (killed, out of memory,
    aborted for hanging) leaves its runs to :func:`requeue_interrupted_runs`, and those
    attempts count. The run's own thread writes nothing afterwards: its writes are
    conditional on the run still running as its attempt.
    """
    mine = PlanRun.objects.filter(
        status=PlanRunStatus.RUNNING, worker_pid=os.getpid(), worker_machine=machine_id()
    )
    handed_back = 0
    for run_id, attempts in mine.values_list("pk", "attempts"):
        handed_back += PlanRun.objects.filter(
            pk=run_id, status=PlanRunStatus.RUNNING, attempts=attempts
        ).update(
            stopped_attempts=F("stopped_attempts") + 1,
            **_queued_again("its server was stopped (a restart or an upgrade); queued again"),
        )
    return handed_back


def _queued_again(message: str) -> dict:
    """The fields of a run put back in the queue: no process, no progress, ``message``."""
    return {
        "status": PlanRunStatus.QUEUED,
        "progress": 0.0,
        "started_at": None,
        "worker_pid": None,
        "worker_machine": "",
        "heartbeat_at": None,
        "message": message,
    }


def _queued_run_ids() -> list[int]:
    queued = PlanRun.objects.filter(status=PlanRunStatus.QUEUED).order_by("created_at", "pk")
    return list(queued.values_list("pk", flat=True))


def run_queued_runs() -> int:
    """Execute every queued run, oldest first, one at a time, on this thread; returns how
    many this caller ran.

    Several threads and server processes may call this at once: each run is claimed
    atomically (:func:`_claim`), so each runs exactly once.
    """
    done = 0
    for run_id in _queued_run_ids():
        slot = _wait_for_slot(run_id)
        if slot is None:  # started elsewhere or cancelled while this caller waited
            continue
        try:
            done += _execute(run_id)
        except Exception:  # one broken run must not keep the others from running
            logger.exception("plan run %s could not be executed", run_id)
        finally:
            SLOTS.release(slot)
    return done


def start_queued_runs() -> int:
    """Start queued runs, oldest first, each on its own thread, while this machine has free
    run slots; never waits. Returns how many threads were started."""
    started = 0
    if _STOPPING.is_set():
        return started
    for run_id in _queued_run_ids():
        slot = SLOTS.try_acquire()
        if slot is None:
            break
        try:
            Thread(
                target=_execute_on_thread, args=(run_id,), kwargs={"slot": slot}, daemon=True
            ).start()
        except BaseException:  # no thread (a thread limit): nobody else would free the slot
            SLOTS.release(slot)
            raise
        started += 1
    return started


def resume_queued_runs_in_background(every: float = 5.0) -> threading.Thread:
    """Every ``every`` seconds, on a daemon thread (one per server process): queue again the
    runs of dead processes (:func:`requeue_interrupted_runs`), then start queued runs on
    free slots (:func:`start_queued_runs`). It never executes a run itself, so it keeps
    looking while runs execute; a run queued behind a busy process is started by whichever
    process of the machine has a slot first.

    The first pass resumes what a previous server left; the later ones pick up runs queued
    again while this server runs (a worker process that died, a server elsewhere that
    stopped) and any queued run whose own thread never started.
    """

    def work() -> None:
        while True:
            close_old_connections()
            try:
                requeued = requeue_interrupted_runs()
                if requeued:
                    logger.info("%s plan run(s) of stopped processes queued again", requeued)
                start_queued_runs()
            except Exception:  # keep serving even if the database hiccups
                logger.exception("resuming queued plan runs failed")
            finally:
                close_old_connections()
            time.sleep(every)

    thread = threading.Thread(target=work, name="stabforce-resume-runs", daemon=True)
    thread.start()
    return thread


#: The machine's run slots (``STABFORCE_PLAN_RUNS_AT_ONCE``), shared by every server process
#: using this data directory; see :mod:`stabforce.planning.slots`.
SLOTS = RunSlots(settings.STABFORCE_HOME / "locks", settings.STABFORCE_PLAN_RUNS_AT_ONCE)


#: How often (s) a run waiting for a slot looks for one, and whether it is still queued.
SLOT_POLL = 0.5


def _wait_for_slot(run_id: int) -> int | None:
    """One of the machine's run slots for ``run_id``, once one is free; a run waiting for one
    stays queued and says so. None if the run stopped being queued meanwhile (another
    process started it, or a planner cancelled it): the caller then has nothing to do."""
    slot = SLOTS.try_acquire()
    if slot is not None:
        return slot
    queued = PlanRun.objects.filter(pk=run_id, status=PlanRunStatus.QUEUED)
    queued.update(
        message="waiting for a free planner: the runs already running on this server must "
        "finish first"
    )
    while (slot := SLOTS.try_acquire()) is None:
        time.sleep(SLOT_POLL)
        if not queued.exists():
            return None
    return slot


def _execute_on_thread(run_id: int, *, slot: int | None = None) -> None:
    """A thread has its own database connection: open it fresh and close it when done.
    ``slot``: a run slot the caller acquired for this thread, which releases it."""
    try:
        close_old_connections()
        if slot is None:
            slot = _wait_for_slot(run_id)
        if slot is not None:
            _execute(run_id)
    finally:
        if slot is not None:
            SLOTS.release(slot)
        close_old_connections()


def _claim(run_id: int) -> int | None:
    """Move a queued run to running in this process; returns the attempt number that
    identifies this execution, or None if another thread or process got it first."""
    mine = {"worker_pid": os.getpid(), "worker_machine": machine_id()}
    with _CLAIMING:
        if _STOPPING.is_set():
            return None
        # retried on a locked table: the page that queued the run is polling it already
        claimed = _update_when_free(
            PlanRun.objects.filter(pk=run_id, status=PlanRunStatus.QUEUED),
            status=PlanRunStatus.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=Now(),
            progress=0.0,
            message="started",
            attempts=F("attempts") + 1,
            **mine,
        )
    if not claimed:
        return None
    return PlanRun.objects.filter(pk=run_id, **mine).values_list("attempts", flat=True).first()


#: Waits (seconds) before the retries of a run's write that found its table locked.
LOCKED_RETRY_WAITS = (0.05, 0.2, 0.5, 1.0)


def _update_when_free(rows, **fields) -> int:
    """``rows.update(**fields)``, tried again when SQLite finds the table locked by another
    thread (its shared-cache locks ignore the busy timeout; a page polling the run's progress
    can hold one): a run's progress or answer must not be lost to a moment's contention."""
    for wait in LOCKED_RETRY_WAITS:
        try:
            return rows.update(**fields)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(wait)
    return rows.update(**fields)


def _keep_alive(this_execution, stop: Event) -> None:
    """Mark the run alive every :data:`HEARTBEAT_EVERY` seconds until ``stop`` is set (or
    the run is no longer this execution's: cancelled, or given to another process). A beat
    that fails (the database restarting, a dropped connection) is retried at the next one on
    a fresh connection: one missed beat must not cost the run its lease."""
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            try:
                if not this_execution.update(heartbeat_at=Now()):
                    return
            except Exception:
                logger.warning("could not mark a plan run alive; trying again", exc_info=True)
                connection.close()
    finally:
        connection.close()  # this thread's own connection


class RunCancelled(Exception):
    """Raised inside a run's progress report once the run is no longer this execution's: a
    planner cancelled it, or it was taken for an orphan and started again elsewhere."""


@transaction.atomic
@transaction.atomic
def delete_scenario(user, scenario: PlanScenario) -> int:
    """Delete a saved question and its finished runs (the audit history keeps them); returns
    how many runs went with it. Scenarios based on it keep their question and lose the base.
    Raises ``ValueError`` while one of its runs is queued or running: cancel it first."""
    require_planner(user)
    active = list(
        scenario.runs.filter(status__in=[PlanRunStatus.QUEUED, PlanRunStatus.RUNNING]).order_by(
            "pk"
        )
    )
    if active:
        runs = ", ".join(f"run #{run.pk} is {run.get_status_display().lower()}" for run in active)
        raise ValueError(f"{runs}: cancel {'it' if len(active) == 1 else 'them'} first")
    runs = scenario.runs.count()
    scenario.delete()
    return runs


def cancel_run(user, run: PlanRun) -> PlanRun:
    """Stop a queued or running run. A queued run never starts; a sweep stops within a few
    seconds (on local processes its running batches too; on Dask those finish and are
    dropped); a plan's solve cannot be interrupted (its time limit bounds it), but its answer
    is discarded. Raises ``ValueError`` for a run that has already ended."""
    require_planner(user)
    stopped = PlanRun.objects.filter(
        pk=run.pk, status__in=[PlanRunStatus.QUEUED, PlanRunStatus.RUNNING]
    ).update(
        status=PlanRunStatus.CANCELLED,
        message=f"cancelled by {user.get_username()}",
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    if not stopped:
        raise ValueError(f"run {run.pk} has already ended ({run.get_status_display().lower()})")
    return run


def _execute(run_id: int) -> bool:
    """Claim and execute one queued run as the user who requested it; False if not claimed."""
    attempt = _claim(run_id)
    if attempt is None:
        return False
    run = PlanRun.objects.select_related("scenario", "mission", "requested_by").get(pk=run_id)
    user = run.requested_by
    scenario = run.scenario
    # Every write is conditional on this execution still owning the run: a cancelled run is
    # no longer running, and a run taken for an orphan was started again as a later attempt.
    still_running = PlanRun.objects.filter(
        pk=run_id, status=PlanRunStatus.RUNNING, attempts=attempt
    )

    def report(fraction: float, message: str) -> None:
        if not _update_when_free(
            still_running, progress=round(fraction, 3), message=message, heartbeat_at=Now()
        ):
            raise RunCancelled

    stop_beating = Event()
    Thread(target=_keep_alive, args=(still_running, stop_beating), daemon=True).start()
    try:
        # executed later, possibly after a restart: the requester must still be allowed to plan
        if user is None:
            raise PlanningInputError("the user who requested this run no longer exists")
        if not may_plan(user):
            raise PlanningInputError(
                f"{user.get_username()} may no longer run plans (deactivated or not HQ)"
            )
        params = dict(run.parameters)
        if run.kind == "sweep":
            result = sweep_answer(
                user,
                run.mission,
                scenario.as_of,
                statuses=tuple(scenario.statuses),
                what_ifs=scenario.what_ifs,
                samples=int(params.get("samples", 200)),
                method=params.get("solver", "auto"),
                sample_time_limit=float(params.get("sample_time_limit", 1.0)),
                seed=int(params.get("seed", 0)),
                workers=int(params.get("workers", os.cpu_count() or 1)),
                scheduler=params.get("scheduler") or settings.STABFORCE_DASK_SCHEDULER,
                progress=lambda done, total: report(done / total, f"{done}/{total} samples"),
            )
        else:
            report(0.05, "building the model")
            # newest first; a stored answer is read only when the ones before it did not do
            base_run_ids = list(
                finished_plans(user, scenario.base).values_list("pk", flat=True)[:20]
            )
            result = plan_answer(
                user,
                run.mission,
                scenario.as_of,
                statuses=tuple(scenario.statuses),
                what_ifs=scenario.what_ifs,
                time_limit=float(params.get("time_limit", 10)),
                solver_name=params.get("solver", "auto"),
                references=(
                    (pk, PlanRun.objects.values_list("result", flat=True).get(pk=pk))
                    for pk in base_run_ids
                ),
            )
        if not _update_when_free(
            still_running,
            status=PlanRunStatus.DONE,
            result=result,
            progress=1.0,
            message="done",
            finished_at=timezone.now(),
        ):
            logger.info("plan run %s was cancelled or taken over; its answer is dropped", run_id)
    except RunCancelled:
        logger.info("plan run %s cancelled", run_id)
    except solver.SweepInterrupted as exc:
        # The sweep's processes or Dask workers were lost from outside (a service manager
        # stopping the whole process group, the out-of-memory killer): not the question's fault.
        logger.warning("plan run %s: %s", run_id, exc)
        _queue_again(
            run_id,
            attempt,
            f"its Monte Carlo sweep stalled ({exc})"
            if isinstance(exc, solver.montecarlo.SweepStalled)
            else "its Monte Carlo processes or Dask workers were lost: a server shutdown, out "
            "of memory or a crash",
        )
    except PlanningInputError as exc:
        _update_when_free(
            still_running,
            status=PlanRunStatus.FAILED,
            message=exc.message,
            finished_at=timezone.now(),
        )
    except Exception as exc:  # a failed solve must be visible on the page, not lost in a thread
        logger.exception("plan run %s failed", run_id)
        _update_when_free(
            still_running,
            status=PlanRunStatus.FAILED,
            message=f"internal error: {exc}",
            finished_at=timezone.now(),
        )
    finally:
        stop_beating.set()
    return True


__all__ = [
    "FORCE_WIDE",
    "RunCancelled",
    "cancel_run",
    "diff_answers",
    "hand_back_runs_of_this_process",
    "plan_answer",
    "requeue_interrupted_runs",
    "requirement_names",
    "resume_queued_runs_in_background",
    "run_queued_runs",
    "start_queued_runs",
    "stop_taking_runs",
    "save_scenario",
    "start_run",
    "sweep_answer",
]
