"""Plain, immutable input and output types of the deployment planner.

Vocabulary used throughout the package:

* a **unit** is a company- or battalion-sized contingent a nation has pledged; it provides one
  *capability* (``"infantry_coy"``, ``"engineer_coy"``, ...) and fills one demand slot of that
  capability per period;
* a **demand** (requirement) asks for ``units_required`` units of one capability in one
  *sector* (area of operations), for one *line of operation* (LoO: security, border,
  humanitarian access, ...), in one *period* (an index 0..periods-1; monthly labels such as
  ``"2026-04"`` are the caller's concern and may be passed as ``period_labels``);
* **caveats** are national restrictions on a unit: lines of operation and sectors it may not be
  used for, and the maximum number of periods it may be deployed within the horizon;
* an **objection** is a party to the agreement (e.g. a host or neighbouring state) objecting to
  units of some nations. With ``mode="veto"`` and ``consent_required=True`` the nations are
  ineligible (in the listed sectors, or everywhere); otherwise each unit-period of such a nation
  costs ``weight`` in the objective;
* a **composition target** asks that at least ``min_share`` of deployed troops in each period
  come from nations in a group (e.g. ``"OIC"``). It is soft: a large penalty per troop of
  shortfall, so the planner never reports "infeasible" but reports the violation.

Nothing here imports Django; the Django layer converts its models to these types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

#: Pledge statuses, from firmest to softest. Monte Carlo samples by these.
STATUSES: tuple[str, ...] = ("committed", "offered", "considering", "interest")


@dataclass(frozen=True)
class Unit:
    """One pledged contingent (company/battalion) that can fill one demand slot per period."""

    id: str
    nation: str  # ISO 3166-1 alpha-3
    capability: str
    strength: int = 150  # troops
    available_from: int = 0  # first period the unit can be on the ground
    available_until: int | None = None  # last period (inclusive); None = end of horizon
    forbidden_lines: frozenset[str] = frozenset()  # caveat: lines of operation excluded
    forbidden_sectors: frozenset[str] = frozenset()  # caveat: sectors excluded
    max_deployment_periods: int | None = None  # caveat: total periods deployed in the horizon
    pledge_id: str | None = None
    status: str = "committed"
    # the part of forbidden_lines / forbidden_sectors that comes from the offer itself (a
    # pledge made for one line of operation or sector only), not from a caveat: the two are
    # changed by different people, so explanations name them apart
    offer_excludes_lines: frozenset[str] = frozenset()
    offer_excludes_sectors: frozenset[str] = frozenset()
    # the part of offer_excludes_* that a caveat excludes as well: both must change before the
    # unit may serve there, so an explanation names both
    caveat_also_excludes_lines: frozenset[str] = frozenset()
    caveat_also_excludes_sectors: frozenset[str] = frozenset()

    def last_period(self, periods: int) -> int:
        """Last period index the unit is available in, clipped to the horizon."""
        last = periods - 1 if self.available_until is None else self.available_until
        return min(last, periods - 1)

    def available_in(self, period: int, periods: int) -> bool:
        return self.available_from <= period <= self.last_period(periods)


@dataclass(frozen=True)
class Demand:
    """A requirement: ``units_required`` units of a capability in a sector/LoO/period."""

    id: str
    sector: str
    line: str  # line of operation
    capability: str
    period: int = 0
    units_required: int = 1
    priority: float = 1.0  # multiplies the coverage weight; higher = more important


@dataclass(frozen=True)
class Nation:
    """Attributes of a contributing nation relevant to composition targets."""

    iso3: str
    groups: frozenset[str] = frozenset()  # e.g. {"OIC", "AU"}
    name: str = ""


@dataclass(frozen=True)
class Objection:
    """A party's objection to units of some nations.

    ``mode="veto"`` with ``consent_required=True`` makes the nations ineligible; any other
    combination subtracts ``weight`` per unit-period deployed. ``sectors`` limits the objection
    to those sectors (empty = everywhere).
    """

    party: str
    nations: frozenset[str]
    mode: str = "veto"  # "veto" | "penalty"
    weight: float = 0.0
    consent_required: bool = True
    sectors: frozenset[str] = frozenset()

    @property
    def is_veto(self) -> bool:
        return self.mode == "veto" and self.consent_required

    def applies(self, nation: str, sector: str) -> bool:
        return nation in self.nations and (not self.sectors or sector in self.sectors)


@dataclass(frozen=True)
class CompositionTarget:
    """At least ``min_share`` of the troops deployed in every period from nations in ``group``."""

    group: str
    min_share: float


@dataclass(frozen=True)
class Weights:
    """Objective weights. Coverage dominates; cohesion and continuity break ties.

    The objective (maximised) is::

        coverage * sum(priority_d * units covered in d)
        - nation_in_sector * (number of distinct (sector, nation) pairs)
        + lead_nation * (sectors with a lead nation)
        - continuity * (departures: drops in a nation's units of a capability in a sector
                        between consecutive periods, except units whose availability ended
                        or that are on a limited tour)
        - composition_shortfall * (troops short of each composition target, per period)
        - objection weights * (unit-periods of objected nations, penalty mode)

    A *lead nation* of a sector provides at least ``lead_min_share`` of the unit-periods the
    sector requires over the horizon (a framework nation).
    """

    coverage: float = 100.0
    nation_in_sector: float = 2.0
    lead_nation: float = 10.0
    lead_min_share: float = 0.25
    continuity: float = 1.0
    composition_shortfall: float = 10.0


@dataclass(frozen=True)
class Instance:
    """Everything the planner needs: who offered what, what is required, who objects."""

    units: tuple[Unit, ...]
    demands: tuple[Demand, ...]
    nations: tuple[Nation, ...] = ()
    objections: tuple[Objection, ...] = ()
    composition: tuple[CompositionTarget, ...] = ()
    weights: Weights = field(default_factory=Weights)
    periods: int = 1
    period_labels: tuple[str, ...] = ()
    name: str = ""
    #: What a period is called in explanations ("month" when periods are calendar months).
    period_unit: str = "period"

    def label(self, period: int) -> str:
        """Human label of a period: ``"period 3 (2026-04)"`` when labels are known; just the
        label (``"2026-04"``) when periods have a name of their own, such as months."""
        if 0 <= period < len(self.period_labels):
            if self.period_unit != "period":
                return self.period_labels[period]
            return f"period {period} ({self.period_labels[period]})"
        if self.period_unit != "period" and self.period_labels and period >= 0:
            return f"after {self.period_labels[-1]} (beyond the horizon)"
        return f"period {period}"

    def groups_of(self, nation: str) -> frozenset[str]:
        for n in self.nations:
            if n.iso3 == nation:
                return n.groups
        return frozenset()

    def nation_groups(self) -> dict[str, frozenset[str]]:
        return {n.iso3: n.groups for n in self.nations}

    def unit(self, unit_id: str) -> Unit:
        for u in self.units:
            if u.id == unit_id:
                return u
        raise KeyError(unit_id)

    def demand_map(self) -> dict[str, Demand]:
        return {d.id: d for d in self.demands}

    def unit_map(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    def with_(self, **changes: object) -> Instance:
        """A copy with some fields replaced (what-if helpers build on this)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Assignment:
    """Unit ``unit_id`` fills one slot of demand ``demand_id`` (in the demand's period)."""

    unit_id: str
    demand_id: str


@dataclass(frozen=True)
class Plan:
    """A deployment: a set of unit-to-demand assignments."""

    assignments: frozenset[Assignment] = frozenset()

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Plan:
        return cls(frozenset(Assignment(u, d) for u, d in pairs))

    def by_demand(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for a in sorted(self.assignments, key=lambda a: (a.demand_id, a.unit_id)):
            out.setdefault(a.demand_id, []).append(a.unit_id)
        return out

    def by_unit(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for a in sorted(self.assignments, key=lambda a: (a.unit_id, a.demand_id)):
            out.setdefault(a.unit_id, []).append(a.demand_id)
        return out

    def covered(self, demands: Mapping[str, Demand]) -> dict[str, int]:
        """Units counted towards each demand (capped at the requirement)."""
        counts: dict[str, int] = {d: 0 for d in demands}
        for a in self.assignments:
            if a.demand_id in counts:
                counts[a.demand_id] += 1
        return {d: min(c, demands[d].units_required) for d, c in counts.items()}

    def __len__(self) -> int:
        return len(self.assignments)


@dataclass
class TracePoint:
    """An improving incumbent found at ``time`` seconds (objective in the planner's units)."""

    time: float
    objective: float
    bound: float | None = None


@dataclass
class SolveResult:
    """Outcome of one planner call, with honest optimality information.

    ``objective`` is always recomputed from the returned plan by the independent checker.
    ``bound`` is the best upper bound the solver proved (None for greedy), ``gap`` the relative
    gap ``(bound - objective) / max(1, |bound|)``. ``time_to_1pct`` is the first time an
    incumbent was within 1 % of the final bound (from the solver's incumbent callback where it
    has one, otherwise the time of the final answer); ``time_to_proof`` is set only when
    optimality was proved.
    """

    status: str  # "optimal" | "feasible" | "time_limit" | "infeasible" | "error"
    solver: str
    plan: Plan
    objective: float
    bound: float | None = None
    gap: float | None = None
    time_to_first: float | None = None
    time_to_1pct: float | None = None
    time_to_proof: float | None = None
    wall_time: float = 0.0
    greedy_objective: float | None = None
    used_greedy_fallback: bool = False
    violations: list[str] = field(default_factory=list)
    trace: list[TracePoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    model_size: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """A JSON-friendly summary (no plan)."""
        return {
            "status": self.status,
            "solver": self.solver,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "time_to_first": self.time_to_first,
            "time_to_1pct": self.time_to_1pct,
            "time_to_proof": self.time_to_proof,
            "wall_time": self.wall_time,
            "greedy_objective": self.greedy_objective,
            "used_greedy_fallback": self.used_greedy_fallback,
            "violations": list(self.violations),
            "assignments": len(self.plan),
            "notes": list(self.notes),
            "model_size": dict(self.model_size),
        }
