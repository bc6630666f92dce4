"""What-if helpers on the pure instance, and a structured diff between two plans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .model import Instance, Objection, Plan, Unit


def withdraw_nation(instance: Instance, nation: str) -> Instance:
    """The instance without any unit of ``nation`` (a contributor pulls out)."""
    return instance.with_(units=tuple(u for u in instance.units if u.nation != nation))


def add_unit(instance: Instance, unit: Unit) -> Instance:
    if any(u.id == unit.id for u in instance.units):
        raise ValueError(f"unit {unit.id} already exists")
    return instance.with_(units=instance.units + (unit,))


def remove_unit(instance: Instance, unit_id: str) -> Instance:
    return instance.with_(units=tuple(u for u in instance.units if u.id != unit_id))


def set_objection(
    instance: Instance,
    party: str,
    nations: Iterable[str],
    *,
    mode: str = "veto",
    weight: float = 0.0,
    consent_required: bool = True,
    sectors: Iterable[str] = (),
) -> Instance:
    """Replace ``party``'s objections by one objection (empty ``nations`` lifts them all)."""
    kept = tuple(o for o in instance.objections if o.party != party)
    nations = frozenset(nations)
    if nations:
        kept += (Objection(party, nations, mode, weight, consent_required, frozenset(sectors)),)
    return instance.with_(objections=kept)


def lift_objection(instance: Instance, party: str, nation: str | None = None) -> Instance:
    """Drop ``party``'s objection to ``nation`` (or all of ``party``'s objections)."""
    out = []
    for o in instance.objections:
        if o.party != party:
            out.append(o)
        elif nation is not None and nation in o.nations and len(o.nations) > 1:
            out.append(replace(o, nations=o.nations - {nation}))
        elif nation is not None and nation not in o.nations:
            out.append(o)
    return instance.with_(objections=tuple(out))


def slip_availability(
    instance: Instance,
    k: int,
    *,
    unit_ids: Iterable[str] | None = None,
    nation: str | None = None,
) -> Instance:
    """Delay arrival (and end) of the selected units by ``k`` periods (negative = earlier)."""
    ids = set(unit_ids) if unit_ids is not None else None

    def hit(u: Unit) -> bool:
        return (ids is None or u.id in ids) and (nation is None or u.nation == nation)

    units = tuple(
        replace(
            u,
            available_from=max(0, u.available_from + k),
            available_until=None if u.available_until is None else u.available_until + k,
        )
        if hit(u)
        else u
        for u in instance.units
    )
    return instance.with_(units=units)


@dataclass
class PlanDiff:
    """What changed between plan ``a`` and plan ``b``."""

    added: list[tuple[str, str]] = field(default_factory=list)  # (unit, demand) only in b
    removed: list[tuple[str, str]] = field(default_factory=list)  # only in a
    moved: list[tuple[str, int, str, str]] = field(default_factory=list)  # unit, period, a, b
    coverage_delta: dict[tuple[str, str], int] = field(default_factory=dict)  # (sector, LoO)
    nations_added: list[str] = field(default_factory=list)
    nations_removed: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed)


def diff_plans(
    a: Plan, b: Plan, instance: Instance, instance_b: Instance | None = None
) -> PlanDiff:
    """Structured and worded differences from plan ``a`` (on ``instance``) to plan ``b``.

    Unit by unit; the planning app's answer diff (``services.diff_answers``) compares units
    of one pledge as interchangeable instead.

    ``instance_b`` is the instance ``b`` was made for, when it differs (what-if); demands and
    units are looked up in both.
    """
    ib = instance_b or instance
    demands = {**instance.demand_map(), **ib.demand_map()}
    units = {**instance.unit_map(), **ib.unit_map()}
    pa = {(x.unit_id, x.demand_id) for x in a.assignments}
    pb = {(x.unit_id, x.demand_id) for x in b.assignments}
    diff = PlanDiff(added=sorted(pb - pa), removed=sorted(pa - pb))

    where_a = {(u, demands[d].period): d for u, d in pa if d in demands}
    where_b = {(u, demands[d].period): d for u, d in pb if d in demands}
    for key in sorted(set(where_a) & set(where_b)):
        if where_a[key] != where_b[key]:
            diff.moved.append((key[0], key[1], where_a[key], where_b[key]))

    def coverage(inst: Instance, plan: Plan) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        dm = inst.demand_map()
        for did, c in plan.covered(dm).items():
            out[(dm[did].sector, dm[did].line)] += c
        return out

    ca, cb = coverage(instance, a), coverage(ib, b)
    for key in sorted(set(ca) | set(cb)):
        delta = cb.get(key, 0) - ca.get(key, 0)
        if delta:
            diff.coverage_delta[key] = delta
    na = {units[u].nation for u, _ in pa if u in units}
    nb = {units[u].nation for u, _ in pb if u in units}
    diff.nations_added = sorted(nb - na)
    diff.nations_removed = sorted(na - nb)

    s = diff.sentences
    if diff.unchanged:
        s.append("The two plans are identical.")
        return diff
    s.append(
        f"{len(diff.added)} assignments added, {len(diff.removed)} removed, "
        f"{len(diff.moved)} unit-periods moved to another task."
    )
    for (sector, line), delta in diff.coverage_delta.items():
        verb = "gains" if delta > 0 else "loses"
        s.append(f"Sector {sector}, {line}: {verb} {abs(delta)} unit-periods of coverage.")
    if diff.nations_removed:
        s.append(f"No longer deployed: {', '.join(diff.nations_removed)}.")
    if diff.nations_added:
        s.append(f"Newly deployed: {', '.join(diff.nations_added)}.")
    return diff
