"""The gap analysis core (pure: no Django import): how far the pledges on a date go towards
the statement of requirements, cell by cell, and what the force would look like.

Allocation rule (documented in docs/forcegen.md): for each capability, requirement cells are
served in priority order (then earliest need, then key); pledges give their personnel firmest
status first (deployed, committed, offered, considering, interest), larger offers first within
a status. A pledge never fills a cell its caveats forbid (task or sector) or outside the line
of operation or sector it was offered for. The rule is a transparent read model for the brief,
not the optimised deployment — that is the planner's job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

STATUS_ORDER = ["deployed", "committed", "offered", "considering", "interest"]
FIRM = ("deployed", "committed")


@dataclass(slots=True)
class RequirementLine:
    key: str
    capability: str
    line_of_operation: str
    sector: str | None
    personnel: int
    units: int
    priority: int
    needed_from: str  # ISO date; sorts like a date
    is_police: bool = False


@dataclass(slots=True)
class PledgeOnDate:
    """A pledge as the evidence says it stood on the analysis date."""

    key: str
    nation: str
    capability: str
    personnel: int
    status: str
    is_police: bool = False
    line_of_operation: str | None = None
    sector: str | None = None
    forbidden_tasks: frozenset[str] = frozenset()
    forbidden_sectors: frozenset[str] = frozenset()
    nation_groups: frozenset[str] = frozenset()
    objected_by: frozenset[str] = frozenset()


@dataclass
class GapCell:
    """One capability × line of operation × sector cell of the gap matrix."""

    capability: str
    line_of_operation: str
    sector: str | None
    required_personnel: int = 0
    required_units: int = 0
    priority: int = 9
    allocated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))
    requirement_keys: list[str] = field(default_factory=list)
    pledge_keys: list[str] = field(default_factory=list)
    filled: int = 0  # personnel allocated, all statuses (kept as a running total)

    @property
    def firm(self) -> int:
        return sum(self.allocated[status] for status in FIRM)

    @property
    def shortfall(self) -> int:
        """What is missing counting only committed and deployed force."""
        return max(0, self.required_personnel - self.firm)

    @property
    def shortfall_if_all_convert(self) -> int:
        """What would still be missing if every open pledge became a commitment."""
        return max(0, self.required_personnel - self.filled)

    @property
    def coverage(self) -> float:
        return self.firm / self.required_personnel if self.required_personnel else 1.0

    def as_dict(self) -> dict:
        return {
            "capability": self.capability,
            "line_of_operation": self.line_of_operation,
            "sector": self.sector,
            "priority": self.priority,
            "required_personnel": self.required_personnel,
            "required_units": self.required_units,
            "pledged": dict(self.allocated),
            "committed": self.allocated["committed"],
            "deployed": self.allocated["deployed"],
            "firm": self.firm,
            "shortfall": self.shortfall,
            "shortfall_if_all_convert": self.shortfall_if_all_convert,
            "coverage": round(self.coverage, 4),
            "requirements": list(self.requirement_keys),
            "pledges": list(self.pledge_keys),
        }


@dataclass
class ForceTotals:
    required_troops: int = 0
    required_police: int = 0
    pledged_by_status: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0)
    )
    firm_troops: int = 0
    firm_police: int = 0
    contributing_nations_firm: int = 0
    contributing_nations_any: int = 0
    oic_share_firm: float | None = None
    oic_share_any: float | None = None
    unobjected_firm: int = 0
    unobjected_any: int = 0
    unallocated_by_status: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0)
    )

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class GapAnalysis:
    cells: list[GapCell]
    totals: ForceTotals

    def as_dict(self) -> dict:
        return {
            "cells": [cell.as_dict() for cell in self.cells],
            "totals": self.totals.as_dict(),
        }


def _may_fill(pledge: PledgeOnDate, cell: GapCell) -> bool:
    if cell.line_of_operation in pledge.forbidden_tasks:
        return False
    if cell.sector is not None and cell.sector in pledge.forbidden_sectors:
        return False
    if pledge.line_of_operation and pledge.line_of_operation != cell.line_of_operation:
        return False
    return not (pledge.sector and pledge.sector != cell.sector)


def analyse(
    requirements: Iterable[RequirementLine],
    pledges: Iterable[PledgeOnDate],
    *,
    composition_group: str = "OIC",
) -> GapAnalysis:
    """Allocate pledges to requirement cells and compute the force totals."""
    cells: dict[tuple[str, str, str | None], GapCell] = {}
    order_key: dict[tuple, tuple] = {}
    totals = ForceTotals()
    for line in requirements:
        if line.is_police:
            totals.required_police += line.personnel
        else:
            totals.required_troops += line.personnel
        index = (line.capability, line.line_of_operation, line.sector)
        cell = cells.get(index)
        if cell is None:
            cell = cells[index] = GapCell(line.capability, line.line_of_operation, line.sector)
            order_key[index] = (line.priority, line.needed_from, line.sector or "", line.key)
        cell.required_personnel += line.personnel
        cell.required_units += line.units
        cell.priority = min(cell.priority, line.priority)
        cell.requirement_keys.append(line.key)
        order_key[index] = min(
            order_key[index], (line.priority, line.needed_from, line.sector or "", line.key)
        )

    open_cells: dict[str, list[GapCell]] = defaultdict(list)
    for index in sorted(cells, key=lambda index: order_key[index]):
        open_cells[index[0]].append(cells[index])

    status_rank = {status: rank for rank, status in enumerate(STATUS_ORDER)}
    ordered = sorted(
        (pledge for pledge in pledges if pledge.status in status_rank),
        key=lambda pledge: (status_rank[pledge.status], -pledge.personnel, pledge.key),
    )
    nations_firm: set[str] = set()
    nations_any: set[str] = set()
    group_firm = group_any = troops_firm = troops_any = 0
    for pledge in ordered:
        totals.pledged_by_status[pledge.status] += pledge.personnel
        firm = pledge.status in FIRM
        nations_any.add(pledge.nation)
        if firm:
            nations_firm.add(pledge.nation)
            if pledge.is_police:
                totals.firm_police += pledge.personnel
            else:
                totals.firm_troops += pledge.personnel
        if not pledge.is_police:
            troops_any += pledge.personnel
            in_group = composition_group in pledge.nation_groups
            group_any += pledge.personnel if in_group else 0
            if firm:
                troops_firm += pledge.personnel
                group_firm += pledge.personnel if in_group else 0
        if not pledge.objected_by:
            totals.unobjected_any += pledge.personnel
            if firm:
                totals.unobjected_firm += pledge.personnel

        remaining = pledge.personnel
        candidates = open_cells.get(pledge.capability, [])
        for cell in candidates:
            if remaining == 0:
                break
            need = cell.required_personnel - cell.filled
            if need <= 0 or not _may_fill(pledge, cell):
                continue
            take = min(need, remaining)
            cell.allocated[pledge.status] += take
            cell.filled += take
            cell.pledge_keys.append(pledge.key)
            remaining -= take
        if candidates:
            open_cells[pledge.capability] = [
                cell for cell in candidates if cell.filled < cell.required_personnel
            ]
        totals.unallocated_by_status[pledge.status] += remaining

    totals.contributing_nations_firm = len(nations_firm)
    totals.contributing_nations_any = len(nations_any)
    totals.oic_share_firm = round(group_firm / troops_firm, 4) if troops_firm else None
    totals.oic_share_any = round(group_any / troops_any, 4) if troops_any else None
    ordered_cells = sorted(
        cells.values(),
        key=lambda cell: order_key[(cell.capability, cell.line_of_operation, cell.sector)],
    )
    return GapAnalysis(ordered_cells, totals)
