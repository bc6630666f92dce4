"""What the planning pages show, computed from a run's stored result (the JSON that
:func:`stabforce.planning.services.plan_answer` and ``sweep_answer`` return).

Pure functions over dicts: the templates only lay out what is computed here, so that the
numbers on a page can be tested without HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stabforce.planning.building import FORCE_WIDE

SOLVER_LABELS = {
    "auto": "Automatic (fastest for the instance)",
    "highs": "HiGHS (MIP)",
    "cpsat": "OR-Tools CP-SAT",
    "cbc": "CBC (MIP)",
    "greedy": "Greedy heuristic only (no proof)",
}


def coverage_band(required: int, covered: int) -> int:
    """0 (nothing covered) … 5 (fully covered): the heat map's colour step (the same steps as
    the force-generation gap dashboard, so that one legend reads both)."""
    if required <= 0:
        return 5
    share = covered / required
    if share >= 1:
        return 5
    if share <= 0:
        return 0
    return 1 + min(3, int(share * 4))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


# --- Quality ------------------------------------------------------------------------------------


@dataclass
class Quality:
    """How good the answer is, and how we know."""

    solver: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    wall_time: float | None
    greedy_objective: float | None
    checked: bool
    violations: list[str]
    soft_misses: list[str]
    notes: list[str]
    used_greedy_fallback: bool

    @property
    def proven_optimal(self) -> bool:
        # the planner says "optimal" only when bound - objective is below the objective's
        # step (see solver.planner.solve): a relative gap test here disagreed with it
        return self.status == "optimal"

    @property
    def gap_text(self) -> str:
        if self.gap is None:
            return "not proven (no bound)"
        return f"{100 * self.gap:.2f} %"

    @property
    def verdict(self) -> str:
        """One sentence a plans officer can repeat to the commander."""
        if not self.checked:
            return "The independent check FAILED: do not use this plan."
        if self.proven_optimal:
            return "Proven optimal: no deployment of these units covers more."
        if self.gap is not None:
            return (
                f"Within {100 * self.gap:.2f} % of the best possible deployment "
                "(proven by the solver's bound)."
            )
        return "A feasible deployment; its distance from the best is not proven."

    @property
    def greedy_gain(self) -> float | None:
        if self.objective is None or self.greedy_objective is None:
            return None
        return self.objective - self.greedy_objective


def quality_of(answer: dict[str, Any]) -> Quality:
    q = answer["quality"]
    return Quality(
        solver=q.get("solver", ""),
        status=q.get("status", ""),
        objective=q.get("objective"),
        bound=q.get("bound"),
        gap=q.get("gap"),
        wall_time=q.get("wall_time"),
        greedy_objective=q.get("greedy_objective"),
        checked=bool(q.get("checked")),
        violations=list(q.get("checker_violations") or []),
        soft_misses=list(q.get("soft_misses") or []),
        notes=list(q.get("notes") or []),
        used_greedy_fallback=bool(q.get("used_greedy_fallback")),
    )


# --- Coverage matrix ------------------------------------------------------------------------


@dataclass
class Cell:
    required: int = 0
    covered: int = 0

    @property
    def band(self) -> int:
        return coverage_band(self.required, self.covered)

    @property
    def share(self) -> float:
        return self.covered / self.required if self.required else 1.0

    @property
    def percent(self) -> str:
        return percent(self.share)


@dataclass
class MatrixRow:
    key: str
    name: str
    cells: list[Cell | None]
    total: Cell


@dataclass
class CoverageMatrix:
    columns: list[tuple[str, str]]
    rows: list[MatrixRow]
    column_totals: list[Cell]
    total: Cell


def coverage_matrix(answer: dict[str, Any]) -> CoverageMatrix:
    """Sector × line of operation, unit-months covered against required; force-wide last."""
    lines: dict[str, str] = {}
    sectors: dict[str, str] = {}
    cells: dict[tuple[str, str], Cell] = {}
    for entry in answer["coverage"]:
        lines[entry["line_of_operation"]] = entry["line_of_operation_name"]
        sectors[entry["sector"]] = entry["sector_name"]
        cells[(entry["sector"], entry["line_of_operation"])] = Cell(
            entry["required_unit_months"], entry["covered_unit_months"]
        )
    columns = sorted(lines.items(), key=lambda item: item[1])
    order = sorted(sectors.items(), key=lambda item: (item[0] == FORCE_WIDE, item[1]))
    rows, column_totals, total = [], [Cell() for _ in columns], Cell()
    for key, name in order:
        row_cells: list[Cell | None] = []
        row_total = Cell()
        for index, (line, _label) in enumerate(columns):
            cell = cells.get((key, line))
            row_cells.append(cell)
            if cell:
                for target in (row_total, column_totals[index], total):
                    target.required += cell.required
                    target.covered += cell.covered
        rows.append(MatrixRow(key, name, row_cells, row_total))
    return CoverageMatrix(columns, rows, column_totals, total)


def map_sectors(collection: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The mission's sector GeoJSON with each sector's coverage added to its properties."""
    coverage = answer.get("sectors", {})
    features = []
    for feature in collection.get("features", []):
        props = dict(feature["properties"])
        entry = coverage.get(props["key"])
        if entry:
            props.update(
                required=entry["required_unit_months"],
                covered=entry["covered_unit_months"],
                coverage=entry["coverage"],
                band=coverage_band(entry["required_unit_months"], entry["covered_unit_months"]),
            )
        else:
            props.update(required=0, covered=0, coverage=None, band=None)
        features.append({**feature, "properties": props})
    return {**collection, "features": features}


# --- Deployment -----------------------------------------------------------------------------


def deployment_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Per nation: unit-months, troop-months, share of troop-months, where (sector names, most
    first) and the objections it is deployed against, in words."""
    names = sector_names(answer)
    total = sum(entry["troop_months"] for entry in answer["deployment"]) or 1
    rows = []
    for entry in answer["deployment"]:
        where = sorted(entry["sectors"].items(), key=lambda item: (-item[1], item[0]))
        rows.append(
            {
                **entry,
                "share": entry["troop_months"] / total,
                "where": [(names.get(key, key), months) for key, months in where],
                "objections": objection_texts(entry, names),
            }
        )
    return rows


def objection_mode_text(answer: dict[str, Any]) -> str:
    """How the answer weighed parties' objections, in words ("" for answers stored before
    settings were recorded)."""
    settings = answer.get("settings")
    if not settings:
        return ""
    if settings["objection_mode"] == "penalty":
        return f"a penalty of {settings['objection_penalty']:g} per unit-month"
    return "a veto where the party's consent is required"


def sector_names(answer: dict[str, Any]) -> dict[str, str]:
    return {key: entry["name"] for key, entry in answer.get("sectors", {}).items()}


def objection_texts(entry: dict[str, Any], names: dict[str, str]) -> list[str]:
    """ "Against Israel's objection: 11 unit-months (Rafah 11), a penalty of 550" for each
    party whose objection the nation is deployed against (answers stored before objections
    were recorded have none)."""
    texts = []
    for against in entry.get("objected", []):
        where = ", ".join(
            f"{names.get(sector, sector)} {months}"
            for sector, months in sorted(against["sectors"].items(), key=lambda i: (-i[1], i[0]))
        )
        cost = f"a penalty of {against['penalty']:g}" + (
            "" if against["penalty"] else " (the mission's objection penalty is 0)"
        )
        texts.append(
            f"Against {against['party']}'s objection: {against['unit_months']} unit-months "
            f"({where}), {cost}"
        )
    return texts


# --- Uncovered requirements, grouped ----------------------------------------------------------


@dataclass
class UncoveredGroup:
    """Consecutive months of one requirement left (partly) uncovered."""

    requirement: str
    sector_name: str
    line_name: str
    capability_name: str
    first: str
    last: str
    months: int
    required: int
    missing_min: int
    missing_max: int
    reasons: list[str]
    smallest_change: str | None
    priority_index: int
    demands: list[str] = field(default_factory=list)

    @property
    def period_text(self) -> str:
        return self.first if self.first == self.last else f"{self.first} … {self.last}"

    @property
    def missing_text(self) -> str:
        if self.missing_min == self.missing_max:
            return f"{self.missing_max} of {self.required} uncovered"
        return f"{self.missing_min}–{self.missing_max} of {self.required} uncovered"

    @property
    def fully_uncovered(self) -> bool:
        return self.missing_min == self.required


def _demand_parts(demand_id: str) -> tuple[str, int]:
    key, _, period = demand_id.rpartition("@")
    try:
        return key, int(period)
    except ValueError:
        return demand_id, 0


@dataclass
class MoveStretch:
    """A unit in another place for a run of consecutive months: one row of the diff."""

    unit: str
    first: str
    last: str
    months: int
    before: dict[str, str]
    after: dict[str, str]
    nation_name: str = ""

    @property
    def who(self) -> str:
        """``Albania · alb-contingent#1``: the nation first, the unit's key for the record."""
        return f"{self.nation_name} · {self.unit}" if self.nation_name else self.unit

    @property
    def when(self) -> str:
        if self.months == 1:
            return self.first
        return f"{self.first} … {self.last} ({self.months} months)"


def _month_number(label: str) -> int | None:
    year, _, month = label.partition("-")
    return int(year) * 12 + int(month) if year.isdigit() and month.isdigit() else None


def move_stretches(moved: list[dict[str, Any]]) -> list[MoveStretch]:
    """A diff's ``moved`` (one entry per unit and month) as stretches: a unit that moved from
    Rafah to Khan Younis for ten months is one row, not ten."""
    stretches: list[MoveStretch] = []
    for move in moved:  # sorted by unit, then month
        last = stretches[-1] if stretches else None
        month = _month_number(move["period"])
        if (
            last is not None
            and last.unit == move["unit"]
            and (last.before, last.after) == (move["before"], move["after"])
            and month is not None
            and _month_number(last.last) == month - 1
        ):
            last.last, last.months = move["period"], last.months + 1
            continue
        stretches.append(
            MoveStretch(
                move["unit"],
                move["period"],
                move["period"],
                1,
                move["before"],
                move["after"],
                move.get("nation_name", ""),
            )
        )
    return stretches


def group_uncovered(answer: dict[str, Any]) -> list[UncoveredGroup]:
    """The uncovered list grouped by requirement and runs of consecutive months, keeping the
    solver's order (most important first) by each group's first entry; the explanation shown is
    the first month's."""
    line_names = {c["line_of_operation"]: c["line_of_operation_name"] for c in answer["coverage"]}
    by_requirement: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for position, item in enumerate(answer.get("uncovered", [])):
        key, period = _demand_parts(item["demand"])
        by_requirement.setdefault(key, []).append((period, position, item))
    groups: list[UncoveredGroup] = []
    for key, entries in by_requirement.items():
        entries.sort(key=lambda entry: entry[0])
        run: list[tuple[int, int, dict[str, Any]]] = []
        for entry in entries:
            previous = run[-1] if run else None
            if previous and (
                entry[0] != previous[0] + 1 or entry[2]["required"] != previous[2]["required"]
            ):
                groups.append(_group(key, run, line_names))
                run = []
            run.append(entry)
        if run:
            groups.append(_group(key, run, line_names))
    groups.sort(key=lambda group: group.priority_index)
    return groups


def _group(key: str, run: list, line_names: dict[str, str]) -> UncoveredGroup:
    first = run[0][2]
    missing = [item["required"] - item["covered"] for _period, _position, item in run]
    return UncoveredGroup(
        requirement=key,
        sector_name=first["sector_name"],
        line_name=line_names.get(first["line_of_operation"], first["line_of_operation"]),
        capability_name=first["capability_name"],
        first=first["period"],
        last=run[-1][2]["period"],
        months=len(run),
        required=first["required"],
        missing_min=min(missing),
        missing_max=max(missing),
        reasons=list(first["reasons"]),
        smallest_change=first.get("smallest_change"),
        priority_index=min(position for _period, position, _item in run),
        demands=[item["demand"] for _period, _position, item in run],
    )


# --- Monte Carlo chart ----------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    mean: float
    p10: float
    p50: float
    p90: float
    y: float
    width: float
    x_p10: float
    x_p90: float
    x_p50: float
    band: int

    @property
    def y_mid(self) -> float:
        return self.y + BAR_HEIGHT / 2

    @property
    def y_text(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 4

    @property
    def y_bottom(self) -> float:
        return self.y + BAR_HEIGHT

    @property
    def whisker_top(self) -> float:
        return self.y + 4

    @property
    def whisker_bottom(self) -> float:
        return self.y + BAR_HEIGHT - 4


BAR_HEIGHT = 18
ROW_HEIGHT = 28


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    left: int
    plot_width: int
    ticks: list[tuple[float, str]]
    top: int = 8

    @property
    def plot_right(self) -> int:
        return self.left + self.plot_width

    @property
    def axis_y(self) -> int:
        return self.height - 22

    @property
    def tick_label_y(self) -> int:
        return self.height - 6


def bar_chart(title: str, distributions: dict[str, dict[str, float]]) -> BarChart:
    """Horizontal bars (mean coverage) with p10–p90 whiskers and the median tick, on a 0–100 %
    axis; the geometry is computed here so that the SVG needs no script."""
    left, plot_width, top = 190, 560, 8
    scale = plot_width  # 1.0 coverage = full width
    bars = []
    for index, (label, dist) in enumerate(distributions.items()):
        y = top + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        mean, p10, p50, p90 = (float(dist[k]) for k in ("mean", "p10", "p50", "p90"))
        bars.append(
            Bar(
                label=label,
                mean=mean,
                p10=p10,
                p50=p50,
                p90=p90,
                y=round(y, 1),
                width=round(max(0.0, mean) * scale, 1),
                x_p10=round(left + p10 * scale, 1),
                x_p90=round(left + p90 * scale, 1),
                x_p50=round(left + p50 * scale, 1),
                band=coverage_band(100, round(100 * mean)),
            )  # fmt: skip
        )
    height = top + len(bars) * ROW_HEIGHT + 30
    ticks = [(round(left + share * scale, 1), f"{int(share * 100)} %") for share in
             (0, 0.25, 0.5, 0.75, 1.0)]  # fmt: skip
    return BarChart(title, bars, left + plot_width + 20, height, left, plot_width, ticks, top)


def requirement_probabilities(
    answer: dict[str, Any], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Each requirement's probability of being fully met in its worst month, lowest first."""
    rows = [
        {
            "key": key,
            "name": names.get(key, key),
            "probability": probability,
            "percent": probability_text(probability),
            "band": coverage_band(100, round(100 * probability)),
        }  # fmt: skip
        for key, probability in answer.get("requirement_probability", {}).items()
    ]
    rows.sort(key=lambda row: (row["probability"], row["name"]))
    return rows


def probability_text(probability: float) -> str:
    """``37 %``; ``<1 %`` and ``>99 %`` where rounding would say 0 or 100 of what is not
    (1 sample in 200 is 0.005, which rounds to 0)."""
    percent = round(100 * probability)
    if probability > 0 and percent == 0:
        return "<1 %"
    if probability < 1 and percent == 100:
        return ">99 %"
    return f"{percent} %"


def requirement_probabilities_split(
    answer: dict[str, Any], names: dict[str, str]
) -> dict[str, list]:
    """The requirements met in some samples (``probabilities``, lowest first) apart from those
    met in none (``never_met``, names): a long run of 0 % rows would push the requirements
    whose odds the pledges decide off the screen."""
    rows = requirement_probabilities(answer, names)
    never_met = [row["name"] for row in rows if row["probability"] == 0]
    by_sector: dict[str, list[str]] = {}
    for name in sorted(never_met):  # "Rafah · EOD team · Demilitarisation"
        sector, _, rest = name.partition(" · ")
        by_sector.setdefault(sector, []).append(rest or sector)
    return {
        "probabilities": [row for row in rows if row["probability"] > 0],
        "never_met": never_met,
        # the page lists them a sector per line: 53 names in one paragraph were unreadable
        "never_met_by_sector": list(by_sector.items()),
    }
