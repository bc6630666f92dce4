"""What the force-generation pages show, shaped for templates: the as-of date a page reads,
the register's per-page extras, the gap matrix laid out as a heat map, the trend chart's
geometry. Pure shaping over :mod:`stabforce.forcegen.queries`; every read goes through the
visibility gate, and nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, OuterRef, QuerySet, Subquery

from stabforce.core.models import Evidence, Mission, Nation, Party, Source
from stabforce.forcegen import gaps, queries
from stabforce.forcegen.choices import ConditionStatus, PledgeStatus
from stabforce.forcegen.models import (
    Acceptability,
    Caveat,
    Pledge,
    PledgeCondition,
    PledgeFigure,
    PledgeStatusChange,
)

#: The first month the trend chart shows: the force was first discussed in October 2025.
TREND_START = dt.date(2025, 10, 1)
CLOSED = ("withdrawn", "declined", "rotated_out")
PENDING = ("offered", "considering", "interest")
QUALIFIER_PREFIX = {"up_to": "up to ", "about": "about ", "estimate": "≈ "}


# --- The as-of date ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AsOf:
    """The valid-time date a page shows, and what went wrong reading it, if anything."""

    day: dt.date
    today: dt.date
    raw: str = ""
    error: str = ""

    @property
    def is_today(self) -> bool:
        return self.day == self.today

    @property
    def query(self) -> str:
        """``as_of=YYYY-MM-DD`` for links between pages (empty when showing today)."""
        return "" if self.is_today else f"as_of={self.day.isoformat()}"


#: Dates outside this range are typing errors; date arithmetic near year 1 or 9999 overflows.
EARLIEST_AS_OF = dt.date(1900, 1, 1)
LATEST_AS_OF = dt.date(2200, 12, 31)


def read_as_of(params: Mapping[str, str], today: dt.date) -> AsOf:
    """The ``as_of`` GET parameter as a date; a bad value falls back to today with a message
    the page shows, never an error page."""
    raw = (params.get("as_of") or "").strip()
    if not raw:
        return AsOf(today, today)
    try:
        day = dt.date.fromisoformat(raw)
        if len(raw) != 10 or not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
            raise ValueError(raw)
    except ValueError:
        return AsOf(
            today,
            today,
            raw,
            f"Could not read the date “{raw[:40]}”: enter it as YYYY-MM-DD between 1900 and "
            f"2200, e.g. 2025-12-20. "
            f"Showing today ({today.isoformat()}).",
        )
    return AsOf(day, today, raw)


def personnel_label(personnel: int | None, qualifier: str) -> str:
    """'up to 3,500', 'about 800', '≈ 800' (a planning estimate), '1,200'."""
    if personnel is None:
        return "—"
    return f"{QUALIFIER_PREFIX.get(qualifier, '')}{personnel:,}"


# --- The pledge register ----------------------------------------------------------------------


def register_queryset(user, mission: Mission, day: dt.date) -> QuerySet[Pledge]:
    """Pledges as of ``day`` (status and figure on that day) plus the date of that status."""
    since = PledgeStatusChange.objects.visible_to(user).filter(
        pledge=OuterRef("pk"), effective__lte=day
    )
    return queries.pledges_as_of(user, mission, day).annotate(
        status_since_on=Subquery(since.order_by("-effective", "-pk").values("effective")[:1])
    )


@dataclass
class RegisterRow:
    """What one register row shows beyond the pledge's own fields, as of the page's date."""

    qualifier: str = ""
    open_conditions: int = 0
    caveats: int = 0
    stale: bool = False
    evidence_on: dt.date | None = None
    objected_by: list[str] = field(default_factory=list)


def register_extras(
    user, mission: Mission, day: dt.date, pledges: Iterable[Pledge]
) -> dict[int, RegisterRow]:
    """Per-pledge extras for one page of the register, in a handful of grouped queries (never
    one per row): the figure's qualifier on the date, open conditions and caveats counted on
    the date, the stale flag (same rule as :func:`queries.stale_pledges`) and objections."""
    pledges = list(pledges)
    ids = [pledge.pk for pledge in pledges]
    rows = {pk: RegisterRow() for pk in ids}
    if not ids:
        return rows
    # The qualifier of the figure shown: the chosen one if reported by then, else the newest.
    figures: dict[int, list[tuple[dt.date, int, bool, str]]] = defaultdict(list)
    for pledge_id, reported_on, pk, chosen, qualifier in (
        PledgeFigure.objects.visible_to(user)
        .filter(pledge_id__in=ids, reported_on__lte=day)
        .order_by("pledge_id", "reported_on", "pk")
        .values_list("pledge_id", "reported_on", "pk", "chosen", "qualifier")
    ):
        figures[pledge_id].append((reported_on, pk, chosen, qualifier))
    for pledge in pledges:
        known = figures.get(pledge.pk)
        if not known:
            rows[pledge.pk].qualifier = pledge.personnel_qualifier
            continue
        chosen = [row for row in known if row[2]]
        rows[pledge.pk].qualifier = (chosen[0] if chosen else known[-1])[3]

    open_conditions = (
        PledgeCondition.objects.visible_to(user).filter(pledge_id__in=ids).open_on(day)
    )
    for pledge_id in open_conditions.order_by().values_list("pledge_id", flat=True):
        rows[pledge_id].open_conditions += 1
    caveats = Caveat.objects.visible_to(user).filter(pledge_id__in=ids, effective_from__lte=day)
    for pledge_id in caveats.order_by().values_list("pledge_id", flat=True):
        rows[pledge_id].caveats += 1

    newest: dict[int, dt.date] = {}
    for model, date_field in [
        (PledgeStatusChange, "effective"),
        (PledgeFigure, "reported_on"),
        (PledgeCondition, "raised_on"),
        (Caveat, "effective_from"),
    ]:
        for pledge_id, latest in (
            model.objects.visible_to(user)
            .filter(pledge_id__in=ids, **{f"{date_field}__lte": day})
            .order_by()
            .values("pledge_id")
            .annotate(latest=Max(date_field))
            .values_list("pledge_id", "latest")
        ):
            if latest and (pledge_id not in newest or latest > newest[pledge_id]):
                newest[pledge_id] = latest
    cutoff = day - dt.timedelta(days=mission.renewal_period_days)
    objections = queries.objections_on(user, mission, day)
    for pledge in pledges:
        row = rows[pledge.pk]
        row.evidence_on = newest.get(pledge.pk)
        status = getattr(pledge, "status_on", pledge.status)
        row.stale = bool(row.evidence_on and row.evidence_on < cutoff and status not in CLOSED)
        row.objected_by = sorted(objections.get(pledge.nation.iso3, ()))
    return rows


# --- One pledge -------------------------------------------------------------------------------


def condition_status_on(condition: PledgeCondition, day: dt.date) -> str:
    """'open', 'met', 'waived' on ``day``, or 'not yet raised' (valid time)."""
    if condition.raised_on > day:
        return "not yet raised"
    if condition.status != ConditionStatus.OPEN and condition.resolved_on <= day:
        return condition.status
    return ConditionStatus.OPEN


@dataclass(frozen=True)
class PartyStance:
    """A party's latest statement on a nation, as of a date (None: nothing said yet)."""

    party: Party
    statement: Acceptability | None

    @property
    def stance(self) -> str:
        return self.statement.stance if self.statement else "unknown"


def latest_statements(user, mission: Mission, day: dt.date) -> dict[tuple[int, int], Acceptability]:
    """(party pk, nation pk) → the party's latest statement on the nation by ``day``."""
    latest: dict[tuple[int, int], Acceptability] = {}
    for statement in (
        Acceptability.objects.visible_to(user)
        .filter(mission=mission, effective__lte=day)
        .select_related("source")
        .order_by("effective", "pk")
    ):
        latest[(statement.party_id, statement.nation_id)] = statement
    return latest


def nation_stances(user, mission: Mission, nation: Nation, day: dt.date) -> list[PartyStance]:
    """Each consent-giving party's stance on ``nation`` on ``day``, with its evidence."""
    latest: dict[int, Acceptability] = {}
    for statement in (
        Acceptability.objects.visible_to(user)
        .filter(mission=mission, nation=nation, effective__lte=day)
        .select_related("source")
        .order_by("effective", "pk")
    ):
        latest[statement.party_id] = statement
    parties = Party.objects.visible_to(user).filter(mission=mission, consent_required=True)
    return [PartyStance(party, latest.get(party.pk)) for party in parties]


def allowed_statuses(pledge: Pledge) -> list[tuple[str, str]]:
    """The statuses the pledge may move to next, in lifecycle order, as form choices."""
    from stabforce.forcegen.choices import allowed_transitions

    allowed = allowed_transitions(pledge.status)
    return [(value, label) for value, label in PledgeStatus.choices if value in allowed]


def sources_of(user, records: Iterable[Any]) -> dict[int, list[Source]]:
    """Record pk → the visible sources attached to it as evidence (one query for a page)."""
    records = list(records)
    if not records:
        return {}
    content_type = ContentType.objects.get_for_model(records[0])
    found: dict[int, list[Source]] = defaultdict(list)
    for item in (
        Evidence.objects.visible_to(user)
        .filter(content_type=content_type, object_id__in=[record.pk for record in records])
        .filter(source__in=Source.objects.visible_to(user))
        .select_related("source")
        .order_by("source__published", "pk")
    ):
        found[item.object_id].append(item.source)
    return found


def nation_pledges(user, nation: Nation) -> list[Pledge]:
    """The nation's pledges the user may see, in every mission the user belongs to."""
    return list(
        Pledge.objects.visible_to(user)
        .filter(nation=nation)
        .select_related("mission", "capability")
        .order_by("mission__name", "capability__name")
    )


# --- The gap matrix ---------------------------------------------------------------------------


def coverage_band(required: int, firm: int) -> int:
    """0 (nothing firm) … 5 (fully covered): the heat map's colour step."""
    if required <= 0:
        return 5
    share = firm / required
    if share >= 1:
        return 5
    if share <= 0:
        return 0
    return 1 + min(3, int(share * 4))


@dataclass
class MatrixCell:
    """Required, firm and pending personnel in one heat-map cell."""

    required: int = 0
    firm: int = 0
    pending: int = 0
    shortfall: int = 0
    units: int = 0
    pledges: list[str] = field(default_factory=list)

    def add(self, cell: gaps.GapCell) -> None:
        self.required += cell.required_personnel
        self.units += cell.required_units
        self.firm += cell.firm
        self.pending += sum(cell.allocated[status] for status in PENDING)
        self.shortfall += cell.shortfall
        self.pledges.extend(cell.pledge_keys)

    @property
    def band(self) -> int:
        return coverage_band(self.required, self.firm)

    @property
    def coverage_percent(self) -> int:
        return round(100 * self.firm / self.required) if self.required else 100


@dataclass
class MatrixRow:
    capability: str
    capability_name: str
    line_of_operation: str
    line_name: str
    priority: int
    cells: list[MatrixCell | None]
    total: MatrixCell


@dataclass
class GapMatrix:
    """Rows capability × line of operation, columns sectors then force-wide."""

    columns: list[tuple[str | None, str]]
    rows: list[MatrixRow]
    column_totals: list[MatrixCell]
    total: MatrixCell


def gap_matrix(report: queries.GapReport, sector_order: list[str]) -> GapMatrix:
    """Lay the gap analysis out as a heat map (sectors in ``sector_order``, force-wide last)."""
    cells = report.analysis.cells
    sectors_used = {cell.sector for cell in cells}
    columns: list[tuple[str | None, str]] = [
        (key, report.sector_names.get(key, key)) for key in sector_order if key in sectors_used
    ]
    columns += [
        (key, report.sector_names.get(key, key))
        for key in sorted(sectors_used - set(sector_order) - {None})
    ]
    if None in sectors_used:
        columns.append((None, "Force-wide"))
    index = {key: position for position, (key, _label) in enumerate(columns)}
    rows: dict[tuple[str, str], MatrixRow] = {}
    column_totals = [MatrixCell() for _ in columns]
    total = MatrixCell()
    for cell in cells:
        key = (cell.capability, cell.line_of_operation)
        row = rows.get(key)
        if row is None:
            row = rows[key] = MatrixRow(
                cell.capability,
                report.capability_names.get(cell.capability, cell.capability),
                cell.line_of_operation,
                report.line_names.get(cell.line_of_operation, cell.line_of_operation),
                cell.priority,
                [None] * len(columns),
                MatrixCell(),
            )
        row.priority = min(row.priority, cell.priority)
        position = index[cell.sector]
        if row.cells[position] is None:
            row.cells[position] = MatrixCell()
        for target in (row.cells[position], row.total, column_totals[position], total):
            target.add(cell)
    ordered = sorted(
        rows.values(), key=lambda row: (row.priority, row.capability_name, row.line_name)
    )
    return GapMatrix(columns, ordered, column_totals, total)


# --- Totals over time (inline SVG) ------------------------------------------------------------


def month_points(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first of every month from ``start`` up to ``end``, and ``end`` itself."""
    points = []
    day = start.replace(day=1)
    while day <= end:
        points.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    if not points or points[-1] != end:
        points.append(end)
    return points


@dataclass(frozen=True)
class ChartLayer:
    status: str
    label: str
    points: str  # SVG polygon points
    last: int


@dataclass(frozen=True)
class ChartTick:
    position: float
    label: str


@dataclass
class TrendChart:
    """Geometry of the stacked-area "totals over time" chart, drawn by the template as SVG."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    layers: list[ChartLayer]
    required_points: str
    required: int
    y_ticks: list[ChartTick]
    x_ticks: list[ChartTick]
    series: list[dict]
    statuses: list[tuple[str, str]]

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def table_rows(self) -> list[tuple[str, list[int], int]]:
        """(date, personnel per status in legend order, required) for the data table."""
        return [
            (
                point["date"],
                [point["pledged"].get(status, 0) for status, _label in self.statuses],
                point["required"],
            )
            for point in self.series
        ]


def _nice_ceiling(value: float) -> int:
    if value <= 0:
        return 1000
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)


def trend_chart(series: list[dict], *, width: int = 760, height: int = 250) -> TrendChart:
    """Stacked personnel by status (firmest at the bottom) and the required line."""
    left, right, top, bottom = 58, 12, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    stack_order = gaps.STATUS_ORDER  # deployed, committed, offered, considering, interest
    labels = dict(PledgeStatus.choices)
    totals = [sum(point["pledged"].get(s, 0) for s in stack_order) for point in series]
    required = max((point["required"] for point in series), default=0)
    y_max = 4 * _nice_ceiling(max([required, *totals, 1]) * 1.05 / 4)  # four round steps
    days = [dt.date.fromisoformat(point["date"]) for point in series]
    span = max(1, (days[-1] - days[0]).days) if days else 1

    def x(day: dt.date) -> float:
        return round(left + plot_w * ((day - days[0]).days / span if len(days) > 1 else 0.5), 1)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - value / y_max), 1)

    layers = []
    base = [0] * len(series)
    for status in stack_order:
        upper = [base[i] + series[i]["pledged"].get(status, 0) for i in range(len(series))]
        if len(series) == 1:  # one date: draw a bar-width band rather than a line
            x0, x1 = left + plot_w * 0.4, left + plot_w * 0.6
            outline = [(x0, y(upper[0])), (x1, y(upper[0])), (x1, y(base[0])), (x0, y(base[0]))]
        else:
            outline = [(x(days[i]), y(upper[i])) for i in range(len(series))]
            outline += [(x(days[i]), y(base[i])) for i in reversed(range(len(series)))]
        layers.append(
            ChartLayer(
                status,
                labels[status],
                " ".join(f"{px},{py}" for px, py in outline),
                series[-1]["pledged"].get(status, 0) if series else 0,
            )
        )
        base = upper
    if len(series) == 1:
        required_points = f"{left},{y(required)} {width - right},{y(required)}"
    else:
        required_points = " ".join(
            f"{x(day)},{y(point['required'])}" for day, point in zip(days, series, strict=True)
        )
    y_ticks = [ChartTick(y(y_max * i / 4), f"{round(y_max * i / 4):,}") for i in range(5)]
    x_ticks = []
    for day in days:
        label = day.strftime("%b %Y") if day.day == 1 else day.strftime("%d %b")
        x_ticks.append(ChartTick(x(day), label))
    if len(x_ticks) > 8:  # keep labels readable: every other month, always the last point
        x_ticks = [tick for i, tick in enumerate(x_ticks) if i % 2 == 0 or i == len(x_ticks) - 1]
    return TrendChart(
        width, height, left, right, top, bottom, layers, required_points, required,
        y_ticks, x_ticks, series, [(s, labels[s]) for s in stack_order],
    )  # fmt: skip
