"""Which unit may fill which demand, and why not (shared by the model, greedy and explain)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Demand, Instance, Unit


@dataclass(frozen=True)
class Block:
    """One reason a unit cannot fill a demand.

    ``kind`` is one of ``capability``, ``too_early``, ``too_late``, ``line_caveat``,
    ``sector_caveat``, ``line_offer``, ``sector_offer`` (the pledge was offered for other
    lines or sectors only), ``veto``; ``detail`` carries the party for a veto and the number of
    periods of slip needed for availability.
    """

    kind: str
    detail: str = ""
    amount: int = 0


def blocks(unit: Unit, demand: Demand, instance: Instance) -> list[Block]:
    """Every reason ``unit`` may not fill ``demand`` (empty list = eligible)."""
    out: list[Block] = []
    if unit.capability != demand.capability:
        out.append(Block("capability", unit.capability))
    if demand.period < unit.available_from:
        out.append(Block("too_early", amount=unit.available_from - demand.period))
    last = unit.last_period(instance.periods)
    if demand.period > last:
        out.append(Block("too_late", amount=demand.period - last))
    for where, key, forbidden, by_offer, by_both in (
        ("line", demand.line, unit.forbidden_lines, unit.offer_excludes_lines,
         unit.caveat_also_excludes_lines),
        ("sector", demand.sector, unit.forbidden_sectors, unit.offer_excludes_sectors,
         unit.caveat_also_excludes_sectors),
    ):  # fmt: skip
        if key not in forbidden:
            continue
        if key in by_offer:
            out.append(Block(f"{where}_offer", key))
        if key not in by_offer or key in by_both:
            out.append(Block(f"{where}_caveat", key))
    for o in instance.objections:
        if o.is_veto and o.applies(unit.nation, demand.sector):
            out.append(Block("veto", o.party))
    return out


def is_eligible(unit: Unit, demand: Demand, instance: Instance) -> bool:
    if unit.capability != demand.capability:
        return False
    if not unit.available_in(demand.period, instance.periods):
        return False
    if demand.line in unit.forbidden_lines or demand.sector in unit.forbidden_sectors:
        return False
    return not any(o.is_veto and o.applies(unit.nation, demand.sector) for o in instance.objections)


def penalty(unit: Unit, demand: Demand, instance: Instance) -> float:
    """Objective cost of one unit-period of ``unit`` in ``demand`` from penalty objections."""
    return sum(
        o.weight
        for o in instance.objections
        if not o.is_veto and o.applies(unit.nation, demand.sector)
    )
