"""Why is a requirement (partly) uncovered, and what is the smallest change that would help?

For every demand the plan leaves short, every unit of the right capability is examined - the
units in the instance and, optionally, *potential units* from pledges whose status is not yet
included (e.g. "considering") - and the binding reasons are put into words: not available in
time, caveats, vetoes, busy with higher-priority demands, tour limit used up. The smallest
change is found greedily over the per-candidate change sets (lift a veto, relax a caveat, bring
a unit forward, convert a pledge), preferring changes that unlock several candidates at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .eligibility import blocks
from .model import Demand, Instance, Plan, Unit
from .words import capability_words, counted, plural, sentence


@dataclass
class Explanation:
    """Why demand ``demand_id`` is short by ``missing`` units, in words and as data."""

    demand_id: str
    sector: str
    line: str
    capability: str
    period: int
    required: int
    covered: int
    reasons: list[str] = field(default_factory=list)
    suggestion: str | None = None
    changes: list[str] = field(default_factory=list)
    alternatives: list[list[str]] = field(default_factory=list)  # other changes as small
    reason_kinds: set[str] = field(default_factory=set)

    @property
    def missing(self) -> int:
        return self.required - self.covered

    @property
    def text(self) -> str:
        head = (
            f"{self.capability} for {self.line} in sector {self.sector}, period {self.period}: "
            f"{self.missing} of {self.required} uncovered"
        )
        body = sentence("; ".join(self.reasons))
        tail = f" Smallest change: {self.suggestion}." if self.suggestion else ""
        return f"{head}. {body}.{tail}"


def explain_uncovered(
    instance: Instance,
    plan: Plan,
    potential_units: Iterable[Unit] = (),
    period_labels: Sequence[str] | None = None,
    *,
    proven_optimal: bool = False,
    heuristic: bool = False,
    withdrawn_units: Iterable[Unit] = (),
    withdrawn_uncounted_units: Iterable[Unit] = (),
    scenario_vetoes: Iterable[tuple[str, str]] = (),
) -> list[Explanation]:
    """One :class:`Explanation` for every demand the plan does not fully cover.

    ``proven_optimal`` says whether ``plan`` is proved optimal: only then is an eligible unit
    left idle beside a short demand a trade-off (objection penalty, composition target) rather
    than where the search stopped; ``heuristic`` that the plan is the greedy heuristic's (which
    a longer run would not change). ``withdrawn_units`` are the units a what-if removed from
    the question that the plan counted: a capability only they offered is missing because of
    the what-if. ``withdrawn_uncounted_units`` are the units a what-if removed that the plan
    would not have counted anyway (their pledge's status is outside the status set), so
    dropping the what-if alone brings none of them back. ``scenario_vetoes`` are the
    (party, nation) objections a what-if added: the change that undoes one is dropping that
    what-if, not asking the party to lift it.
    """
    if period_labels is not None:
        instance = instance.with_(period_labels=tuple(period_labels))
    demands = instance.demand_map()
    units = instance.unit_map()
    potential = [u for u in potential_units if u.id not in units]
    covered = plan.covered(demands)
    assigned_at: dict[tuple[str, int], str] = {}
    periods_used: dict[str, int] = defaultdict(int)
    for a in plan.assignments:
        d = demands.get(a.demand_id)
        if d is None:
            continue
        assigned_at[(a.unit_id, d.period)] = a.demand_id
        periods_used[a.unit_id] += 1
    by_cap: dict[str, list[Unit]] = defaultdict(list)
    for u in instance.units:
        by_cap[u.capability].append(u)
    pot_by_cap: dict[str, list[Unit]] = defaultdict(list)
    for u in potential:
        pot_by_cap[u.capability].append(u)
    withdrawn_by_cap: dict[str, list[Unit]] = defaultdict(list)
    for u in withdrawn_units:
        withdrawn_by_cap[u.capability].append(u)
    uncounted = {u.id for u in withdrawn_uncounted_units}
    for u in withdrawn_uncounted_units:
        withdrawn_by_cap[u.capability].append(u)

    out = []
    for d in sorted(instance.demands, key=lambda d: (d.period, -d.priority, d.sector, d.id)):
        if covered.get(d.id, 0) >= d.units_required:
            continue
        out.append(
            _explain_one(
                instance,
                d,
                covered[d.id],
                by_cap[d.capability],
                pot_by_cap[d.capability],
                assigned_at,
                periods_used,
                demands,
                proven_optimal,
                heuristic,
                withdrawn_by_cap[d.capability],
                uncounted,
                frozenset(scenario_vetoes),
            )
        )
    return out


def _explain_one(
    instance: Instance,
    d: Demand,
    covered: int,
    cands: list[Unit],
    potential: list[Unit],
    assigned_at: dict[tuple[str, int], str],
    periods_used: dict[str, int],
    demands: dict[str, Demand],
    proven_optimal: bool,
    heuristic: bool,
    withdrawn: list[Unit],
    uncounted: set[str],
    scenario_vetoes: frozenset[tuple[str, str]],
) -> Explanation:
    e = Explanation(d.id, d.sector, d.line, d.capability, d.period, d.units_required, covered)
    cap = capability_words(d.capability)
    missing = d.units_required - covered
    if not cands and not potential and withdrawn:
        offers = sorted({f"{_subject(u)} ({u.nation})" for u in withdrawn})
        removed = (
            f"no pledge of {plural(cap)} is left in this scenario: its what-ifs removed "
            + ("the only offer, " if len(offers) == 1 else "every offer: ")
            + ", ".join(offers)
        )
        e.reason_kinds.add("withdrawn")
        e.suggestion = f"seek a new pledge of {counted(missing, cap)}"
        e.changes = ["new pledge"]
        could_serve = [u for u in withdrawn if not blocks(u, d, instance)]
        counted_back = [u for u in could_serve if u.id not in uncounted]
        if counted_back:
            e.reasons.append(removed)
            e.suggestion = (
                f"drop the what-if that removed {_pledges(counted_back)}, or {e.suggestion}"
            )
            e.changes = ["drop the what-if"]
        elif could_serve:  # they would be back, but only as pledges still to be made firm
            e.reasons.append(f"{removed}, which the plan did not count anyway")
            conversions = sorted(
                {f"convert pledge {u.pledge_id or u.id} ({u.nation}, {u.status})"
                 for u in could_serve}
            )  # fmt: skip
            e.suggestion = (
                f"drop the what-if that removed {_pledges(could_serve)} and "
                f"{' or '.join(conversions)}, or {e.suggestion}"
            )
            e.changes = ["drop the what-if", conversions[0]]
            e.alternatives = [["drop the what-if", other] for other in conversions[1:]]
        else:  # without the what-if it would still be short: do not advise dropping it
            e.reasons.append(f"{removed}, which could not have served here either")
        return e
    if not cands and not potential:
        e.reasons.append(f"no nation has offered {plural(cap)}")
        e.reason_kinds.add("none_offered")
        e.suggestion = f"seek a new pledge of {counted(missing, cap)}"
        e.changes = ["new pledge"]
        return e

    groups: dict[str, list[Unit]] = defaultdict(list)
    veto_by_party: dict[str, set[str]] = defaultdict(set)
    change_sets: list[tuple[Unit, frozenset[str]]] = []
    busy_higher: list[tuple[Unit, Demand]] = []
    busy_other: list[tuple[Unit, Demand]] = []
    in_this = 0
    for u in cands:
        bs = [b for b in blocks(u, d, instance) if b.kind != "capability"]
        other = assigned_at.get((u.id, d.period))
        if other == d.id:
            in_this += 1
            continue
        for b in bs:
            groups[b.kind].append(u)
            if b.kind == "veto":
                veto_by_party[b.detail].add(u.nation)
        if other is not None:
            od = demands[other]
            if not bs:
                (busy_higher if od.priority > d.priority else busy_other).append((u, od))
            continue
        if (
            not bs
            and u.max_deployment_periods is not None
            and (periods_used.get(u.id, 0) >= u.max_deployment_periods)
        ):
            groups["tour_used"].append(u)
            change_sets.append((u, frozenset({f"extend {_subject(u)}'s tour limit"})))
            continue
        if bs:
            change_sets.append((u, frozenset(_change(instance, u, b, scenario_vetoes) for b in bs)))
        else:
            groups["idle"].append(u)
    for u in potential:
        bs = [b for b in blocks(u, d, instance) if b.kind != "capability"]
        pledge = u.pledge_id or u.id
        ch = {f"convert pledge {pledge} ({u.nation}, {u.status})"}
        ch |= {_change(instance, u, b, scenario_vetoes) for b in bs}
        change_sets.append((u, frozenset(ch)))
        groups["potential"].append(u)

    n = len(cands)
    if groups.get("too_early"):
        early = groups["too_early"]
        first = min(u.available_from for u in early)
        if len(early) == n:
            e.reasons.append(f"no {cap} available before {instance.label(first)}")
        else:
            k = len(early)
            e.reasons.append(
                f"{counted(k, 'candidate')} {'arrives' if k == 1 else 'arrive'} only from "
                f"{instance.label(first)}"
            )
    if groups.get("too_late"):
        k = len(groups["too_late"])
        whose = "one candidate's" if k == 1 else f"{k} candidates'"
        e.reasons.append(f"{whose} availability ends before {instance.label(d.period)}")
    for party, nations in sorted(veto_by_party.items()):
        k = len({u.id for u in groups["veto"] if u.nation in nations})
        word = (
            ("the candidate is" if n == 1 else "one candidate is")
            if k == 1
            else (f"{counted(k, 'candidate')} are")
        )
        if k == 2:
            word = "the two candidates are" if n == 2 else "two candidates are"
        whose = "a nation" if len(nations) == 1 else "nations"
        e.reasons.append(
            f"{word} from {whose} objected to by {party} ({', '.join(sorted(nations))})"
        )
    for where, thing in (("sector", f"sector {d.sector}"), ("line", f"line of operation {d.line}")):
        by_caveat = {u.id for u in groups.get(f"{where}_caveat", [])}
        by_offer = {u.id for u in groups.get(f"{where}_offer", [])}
        both = by_caveat & by_offer  # one unit, two conditions: said once, naming both
        other = "another sector" if where == "sector" else "another line of operation"
        if k := len(by_caveat - both):
            whose = (
                "one candidate's caveat excludes" if k == 1 else f"{k} candidates' caveats exclude"
            )
            e.reasons.append(f"{whose} {thing}")
        if k := len(by_offer - both):
            who = "one candidate was" if k == 1 else f"{k} candidates were"
            e.reasons.append(f"{who} offered for {other} only, not {thing}")
        if k := len(both):
            who, whose = (
                ("one candidate was", "its caveat excludes")
                if k == 1
                else (f"{k} candidates were", "their caveats exclude")
            )
            e.reasons.append(f"{who} offered for {other} only, and {whose} {thing} as well")
    if groups.get("tour_used"):
        e.reasons.append(
            f"{counted(len(groups['tour_used']), 'candidate')} already used their "
            "deployment-length limit"
        )
    free_eligible = len(groups.get("idle", []))
    eligible = len(busy_higher) + len(busy_other) + free_eligible
    if busy_higher and not busy_other and not free_eligible:
        e.reasons.append(
            "all eligible candidates are assigned to higher-priority demands: "
            + _where_busy(busy_higher)
        )
        e.reason_kinds.add("busy_higher")
    elif busy_higher or busy_other:
        busy = len(busy_higher) + len(busy_other)
        e.reasons.append(
            f"{counted(busy, 'eligible candidate')} {'is' if busy == 1 else 'are'} busy "
            f"elsewhere in the same {instance.period_unit}: "
            + _where_busy(busy_higher + busy_other)
        )
        e.reason_kinds.add("busy")
    if free_eligible:
        if proven_optimal:
            e.reasons.append(
                f"{counted(free_eligible, 'eligible unit')} left unused: in the optimal plan an "
                "objection penalty or a composition target outweighs the coverage"
            )
        elif heuristic:
            e.reasons.append(
                f"{counted(free_eligible, 'eligible unit')} not placed here: this is the greedy "
                "heuristic's plan, which fills requirements in priority order; the planner may "
                "use " + ("it" if free_eligible == 1 else "them")
            )
        else:
            e.reasons.append(
                f"{counted(free_eligible, 'eligible unit')} not placed here: the plan is not "
                "proved optimal, a longer run may use " + ("it" if free_eligible == 1 else "them")
            )
    if eligible == 0 and not groups:
        if in_this:
            e.reasons.append(
                "the only eligible unit is already assigned here"
                if in_this == 1
                else f"all {in_this} eligible units are already assigned here"
            )
        else:
            e.reasons.append(f"no {cap} can serve here")
    if groups.get("potential"):
        e.reasons.append(
            f"{counted(len(groups['potential']), 'further unit')} pledged but not yet firm ("
            + _not_yet_firm(groups["potential"], d, instance)
            + ")"
        )
    e.reason_kinds |= set(groups)

    chosen, unlocked = _smallest_change(change_sets, missing)
    if chosen:
        e.changes = sorted(chosen)
        enough = "" if unlocked >= missing else f" ({missing} needed)"
        e.suggestion = (
            " and ".join(e.changes) + f": {counted(unlocked, 'more candidate')} eligible{enough}"
        )
        seen = {frozenset(chosen)}
        for _, cs in change_sets:
            if len(cs) <= len(chosen) and cs not in seen:
                gain = sum(1 for _, cs2 in change_sets if cs2 <= cs)
                if gain >= min(missing, unlocked):
                    seen.add(cs)
                    e.alternatives.append(sorted(cs))
        if e.alternatives:
            alts = ["; ".join(a) for a in e.alternatives[:3]]
            e.suggestion += " (or: " + " / ".join(alts) + ")"
    elif not free_eligible:  # nothing to relax: every unit that could serve does, somewhere
        in_use = " (all eligible units are in use)" if busy_higher or busy_other or in_this else ""
        e.suggestion = f"seek a new pledge of {counted(missing, cap)}{in_use}"
        e.changes = ["new pledge"]
    return e


def _subject(u: Unit) -> str:
    """What a change applies to: caveats, dates and tours are set per pledge, so changing one
    applies to all of its units (and the smallest-change search counts them together)."""
    return f"pledge {u.pledge_id}" if u.pledge_id else f"unit {u.id}"


def _where_busy(busy: list[tuple[Unit, Demand]], limit: int = 4) -> str:
    """``2 units of pledge P3 (PAK) in north, security; unit U1 (IDN) in south, aid ...``"""
    groups: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for u, od in busy:
        groups[(_subject(u), u.nation, od.sector, od.line)] += 1
    parts = []
    for (subject, nation, sector, line), n in list(groups.items())[:limit]:
        head = subject if n == 1 else f"{n} units of {subject}"
        parts.append(f"{head} ({nation}) in {sector}, {line}")
    return "; ".join(parts) + (" ..." if len(groups) > limit else "")


def _not_yet_firm(units: list[Unit], d: Demand, instance: Instance) -> str:
    """``pledge pak-troops (PAK, considering), which Israel also vetoes``: whose the pledges
    not yet counted are, and what else keeps each from serving here, so a planner sees why
    converting one alone is not offered as the change."""
    parts = []
    for pledge in sorted({u.pledge_id or u.id for u in units}):
        mine = [u for u in units if (u.pledge_id or u.id) == pledge]
        first = mine[0]
        vetoes = sorted(
            {b.detail for u in mine for b in blocks(u, d, instance) if b.kind == "veto"}
        )
        also = f", which {' and '.join(vetoes)} also {'veto' if len(vetoes) > 1 else 'vetoes'}"
        parts.append(f"pledge {pledge} ({first.nation}, {first.status})" + (also if vetoes else ""))
    return "; ".join(parts)


def _pledges(units: Iterable[Unit]) -> str:
    """``pledge kaz-troops (KAZ)``, ``pledges a (KAZ) and b (ALB)``: what a what-if removed."""
    named = sorted({f"{u.pledge_id or u.id} ({u.nation})" for u in units})
    head = "pledge " if len(named) == 1 else "pledges "
    return head + (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1])


def _change(  # noqa: ANN001 - b is an eligibility.Block
    instance: Instance, u: Unit, b, scenario_vetoes: frozenset[tuple[str, str]] = frozenset()
) -> str:
    if b.kind == "veto":
        if (b.detail, u.nation) in scenario_vetoes:
            return f"drop the what-if that makes {b.detail} object to {u.nation}"
        return f"lift {b.detail}'s veto on {u.nation}"
    if b.kind == "sector_caveat":
        return f"relax the caveat of {_subject(u)} ({u.nation}) excluding sector {b.detail}"
    if b.kind == "line_caveat":
        return f"relax the caveat of {_subject(u)} ({u.nation}) excluding {b.detail}"
    if b.kind == "sector_offer":
        return f"ask {u.nation} to extend the offer of {_subject(u)} to sector {b.detail}"
    if b.kind == "line_offer":
        return f"ask {u.nation} to extend the offer of {_subject(u)} to {b.detail}"
    if b.kind == "too_early":
        return f"bring {_subject(u)} forward by {counted(b.amount, instance.period_unit)}"
    if b.kind == "too_late":
        return f"extend {_subject(u)}'s availability by {counted(b.amount, instance.period_unit)}"
    return b.kind


def _smallest_change(
    change_sets: list[tuple[Unit, frozenset[str]]], missing: int
) -> tuple[set[str], int]:
    """Greedy smallest set of changes unlocking ``missing`` candidates."""
    chosen: set[str] = set()
    if not change_sets:
        return chosen, 0

    def unlocked() -> int:
        return sum(1 for _, cs in change_sets if cs <= chosen)

    while unlocked() < missing:
        best = None
        for u, cs in change_sets:
            new = cs - chosen
            if not new:
                continue
            gain = sum(1 for _, cs2 in change_sets if cs2 <= chosen | cs and not cs2 <= chosen)
            key = (len(new), -gain, u.id)
            if best is None or key < best[0]:
                best = (key, new)
        if best is None:
            break
        chosen |= best[1]
    return chosen, unlocked()
