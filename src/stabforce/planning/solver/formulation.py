"""The deployment MILP over *unit classes* (symmetry-free), and its translation back to units.

Units that agree on everything the model can see (nation, capability, strength, availability
window, caveats, deployment limit) are interchangeable, so they are merged into one *class* and
the model decides integer *counts* ``x[k, d]`` of class ``k`` units filling demand ``d``. This
removes the permutation symmetry among identical units (dozens of identical infantry companies
otherwise give the branch-and-bound an astronomical number of equivalent solutions). A plan is
mapped back to concrete unit ids afterwards, keeping units in place between periods.

Variables (all integer)::

    x[k,d]   in 0..min(|k|, req_d)   units of class k in demand d (only eligible pairs)
    w[s,n]   in {0,1}                nation n present in sector s (cohesion)
    y[s,n]   in {0,1}                nation n is lead (framework) nation of sector s
    z[n,c,s,p] >= 0                  reduction of nation n's capability c in sector s at p
    v[t,p]   >= 0                    troops short of composition target t in period p

Constraints::

    sum_k x[k,d] <= req_d                               (demand slots)
    sum_{d in p} x[k,d] <= |k|                          (one task per unit per period)
    sum_d x[k,d] <= |k| * maxdep_k                      (deployment-length caveat)
    x[k,d] <= ub[k,d] * w[s(d), n(k)]                   (presence; ub is tiny, not a big-M)
    sum_{k in n, d in s} x[k,d] >= L_s * y[s,n]         (lead nation provides >= L_s)
    sum_n y[s,n] <= 1,   y[s,n] <= w[s,n]
    z[n,c,s,p] >= stay[n,c,s,p-1] - here[n,c,s,p]       (stay: units still available at p)
    sum_{k, d in p} (g_k - share_t) * str_k * x[k,d] + v[t,p] >= 0   (composition, soft)

Availability, capability, caveats and vetoes are enforced by not creating ineligible x.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from .eligibility import is_eligible, penalty
from .model import Demand, Instance, Plan, Unit


@dataclass
class UnitClass:
    """Interchangeable units (same nation, capability, strength, window, caveats, limit)."""

    index: int
    nation: str
    capability: str
    strength: int
    first: int
    last: int
    max_periods: int | None
    unit_ids: tuple[str, ...]
    groups: frozenset[str]
    representative: Unit

    @property
    def size(self) -> int:
        return len(self.unit_ids)


@dataclass
class LinearModel:
    """A solver-neutral MILP: maximise ``obj @ x`` s.t. ``lo <= A x <= hi``, bounds, integer."""

    names: list[str] = field(default_factory=list)
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    obj: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    row_idx: list[list[int]] = field(default_factory=list)
    row_val: list[list[float]] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)

    def add_var(self, name: str, lb: float, ub: float, obj: float, integer: bool = True) -> int:
        self.names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        self.obj.append(obj)
        self.integer.append(integer)
        return len(self.names) - 1

    def add_row(self, idx: list[int], val: list[float], lo: float, hi: float) -> None:
        self.row_idx.append(idx)
        self.row_val.append(val)
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    @property
    def num_vars(self) -> int:
        return len(self.names)

    @property
    def num_rows(self) -> int:
        return len(self.row_lo)

    def objective(self, values: list[float]) -> float:
        return sum(c * v for c, v in zip(self.obj, values, strict=True))

    def max_violation(self, values: list[float]) -> float:
        worst = 0.0
        for j, v in enumerate(values):
            worst = max(worst, self.lb[j] - v, v - self.ub[j])
        for idx, val, lo, hi in zip(
            self.row_idx, self.row_val, self.row_lo, self.row_hi, strict=True
        ):
            act = sum(a * values[j] for j, a in zip(idx, val, strict=True))
            worst = max(worst, lo - act, act - hi)
        return worst


INF = math.inf


def build_classes(instance: Instance) -> list[UnitClass]:
    groups = instance.nation_groups()
    buckets: dict[tuple, list[Unit]] = defaultdict(list)
    for u in instance.units:
        key = (
            u.nation,
            u.capability,
            u.strength,
            u.available_from,
            u.last_period(instance.periods),
            tuple(sorted(u.forbidden_lines)),
            tuple(sorted(u.forbidden_sectors)),
            u.max_deployment_periods,
            # same eligibility either way; kept apart so a class's representative explains
            # its units truly (offer or caveat)
            tuple(sorted(u.offer_excludes_lines)),
            tuple(sorted(u.offer_excludes_sectors)),
            tuple(sorted(u.caveat_also_excludes_lines)),
            tuple(sorted(u.caveat_also_excludes_sectors)),
        )
        buckets[key].append(u)
    classes = []
    for i, key in enumerate(sorted(buckets, key=repr)):
        us = sorted(buckets[key], key=lambda u: u.id)
        classes.append(
            UnitClass(
                index=i,
                nation=key[0],
                capability=key[1],
                strength=key[2],
                first=key[3],
                last=key[4],
                max_periods=key[7],
                unit_ids=tuple(u.id for u in us),
                groups=groups.get(key[0], frozenset()),
                representative=us[0],
            )
        )
    return classes


class Formulation:
    """The class-level MILP of an instance plus the maps between counts, vectors and plans."""

    def __init__(self, instance: Instance, aggregated_presence: bool = False) -> None:
        self.instance = instance
        self.aggregated_presence = aggregated_presence
        w = instance.weights
        self.classes = build_classes(instance)
        self.demands = sorted(instance.demands, key=lambda d: (d.period, d.sector, d.line, d.id))
        self.unit_class: dict[str, int] = {uid: k.index for k in self.classes for uid in k.unit_ids}
        m = LinearModel()
        self.model = m
        self.x: dict[tuple[int, int], int] = {}
        by_cap: dict[str, list[UnitClass]] = defaultdict(list)
        for k in self.classes:
            by_cap[k.capability].append(k)
        for di, d in enumerate(self.demands):
            for k in by_cap.get(d.capability, []):
                if d.units_required <= 0 or not is_eligible(k.representative, d, instance):
                    continue
                ub = min(k.size, d.units_required)
                coef = w.coverage * d.priority - penalty(k.representative, d, instance)
                self.x[(k.index, di)] = m.add_var(f"x[{k.index},{d.id}]", 0, ub, coef)

        # index helpers
        xs_by_demand: dict[int, list[tuple[int, int]]] = defaultdict(list)
        xs_by_kp: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        xs_by_k: dict[int, list[tuple[int, int]]] = defaultdict(list)
        xs_by_ksp: dict[tuple[int, str, int], list[tuple[int, int]]] = defaultdict(list)
        xs_by_sn: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        xs_by_p: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for k_i, di in self.x:
            d = self.demands[di]
            k = self.classes[k_i]
            xs_by_demand[di].append((k_i, di))
            xs_by_kp[(k_i, d.period)].append((k_i, di))
            xs_by_k[k_i].append((k_i, di))
            xs_by_ksp[(k_i, d.sector, d.period)].append((k_i, di))
            xs_by_sn[(d.sector, k.nation)].append((k_i, di))
            xs_by_p[d.period].append((k_i, di))
        self.xs_by_ksp = xs_by_ksp

        def ub(key: tuple[int, int]) -> float:
            return m.ub[self.x[key]]

        # demand slots
        for di, keys in sorted(xs_by_demand.items()):
            if sum(ub(q) for q in keys) > self.demands[di].units_required:
                m.add_row(
                    [self.x[q] for q in keys],
                    [1.0] * len(keys),
                    -INF,
                    self.demands[di].units_required,
                )
        # one task per unit per period
        for (k_i, _p), keys in sorted(xs_by_kp.items()):
            if sum(ub(q) for q in keys) > self.classes[k_i].size:
                m.add_row(
                    [self.x[q] for q in keys], [1.0] * len(keys), -INF, self.classes[k_i].size
                )
        # deployment-length caveat
        for k_i, keys in sorted(xs_by_k.items()):
            k = self.classes[k_i]
            if k.max_periods is None:
                continue
            per_p: dict[int, float] = defaultdict(float)
            for q in keys:
                per_p[self.demands[q[1]].period] += ub(q)
            reach = sum(min(k.size, v) for v in per_p.values())
            if reach > k.size * k.max_periods:
                m.add_row(
                    [self.x[q] for q in keys], [1.0] * len(keys), -INF, k.size * k.max_periods
                )

        # cohesion: presence and lead nation
        self.w: dict[tuple[str, str], int] = {}
        self.y: dict[tuple[str, str], int] = {}
        required_by_sector: dict[str, int] = defaultdict(int)
        for d in self.demands:
            required_by_sector[d.sector] += d.units_required
        self.lead_need = {s: max(1.0, w.lead_min_share * r) for s, r in required_by_sector.items()}
        if w.nation_in_sector or w.lead_nation:
            for (s, n), keys in sorted(xs_by_sn.items()):
                wj = m.add_var(f"w[{s},{n}]", 0, 1, -w.nation_in_sector)
                self.w[(s, n)] = wj
                if self.aggregated_presence:
                    by_p: dict[int, list[tuple[int, int]]] = defaultdict(list)
                    for q in keys:
                        by_p[self.demands[q[1]].period].append(q)
                    for _p, qs in sorted(by_p.items()):
                        big = sum(ub(q) for q in qs)
                        m.add_row(
                            [self.x[q] for q in qs] + [wj], [1.0] * len(qs) + [-big], -INF, 0.0
                        )
                else:
                    for q in keys:
                        m.add_row([self.x[q], wj], [1.0, -ub(q)], -INF, 0.0)
        if w.lead_nation:
            by_sector: dict[str, list[int]] = defaultdict(list)
            for (s, n), keys in sorted(xs_by_sn.items()):
                need = self.lead_need[s]
                # what the nation could provide at most in the sector
                cap: dict[tuple[int, int], float] = defaultdict(float)
                for q in keys:
                    cap[(q[0], self.demands[q[1]].period)] += ub(q)
                reach = sum(min(v, self.classes[kp[0]].size) for kp, v in cap.items())
                if reach < need - 1e-9:
                    continue
                yj = m.add_var(f"y[{s},{n}]", 0, 1, w.lead_nation)
                self.y[(s, n)] = yj
                by_sector[s].append(yj)
                m.add_row([self.x[q] for q in keys] + [yj], [1.0] * len(keys) + [-need], 0.0, INF)
                m.add_row([yj, self.w[(s, n)]], [1.0, -1.0], -INF, 0.0)
            for _s, ys in sorted(by_sector.items()):
                if len(ys) > 1:
                    m.add_row(ys, [1.0] * len(ys), -INF, 1.0)

        # continuity: reductions of a nation's presence of a capability in a sector between
        # consecutive periods, except units whose availability ended (like-for-like rotation
        # of identical companies is not a move)
        self.z: dict[tuple[str, str, str, int], int] = {}
        if w.continuity and instance.periods > 1:
            xs_by_ncsp: dict[tuple[str, str, str, int], list[tuple[int, int]]] = defaultdict(list)
            for (k_i, s, p), keys in xs_by_ksp.items():
                k = self.classes[k_i]
                xs_by_ncsp[(k.nation, k.capability, s, p)].extend(keys)
            for (n, cap, s, p), keys in sorted(xs_by_ncsp.items()):
                nxt = p + 1
                staying = [q for q in keys if _stays(self.classes[q[0]], nxt)]
                if not staying or nxt >= instance.periods:
                    continue
                later = xs_by_ncsp.get((n, cap, s, nxt), [])
                cap_ub = sum(ub(q) for q in staying)
                zj = m.add_var(f"z[{n},{cap},{s},{nxt}]", 0, cap_ub, -w.continuity)
                self.z[(n, cap, s, nxt)] = zj
                idx = [zj] + [self.x[q] for q in staying] + [self.x[q] for q in later]
                val = [1.0] + [-1.0] * len(staying) + [1.0] * len(later)
                m.add_row(idx, val, 0.0, INF)

        # composition targets (soft)
        self.v: dict[tuple[int, int], int] = {}
        for t_i, t in enumerate(instance.composition):
            for p, keys in sorted(xs_by_p.items()):
                coefs = []
                for q in keys:
                    k = self.classes[q[0]]
                    g = 1.0 if t.group in k.groups else 0.0
                    coefs.append((g - t.min_share) * k.strength)
                if all(c >= 0 for c in coefs):
                    continue
                worst = sum(-c * ub(q) for c, q in zip(coefs, keys, strict=True) if c < 0)
                vj = m.add_var(f"v[{t.group},{p}]", 0, math.ceil(worst), -w.composition_shortfall)
                self.v[(t_i, p)] = vj
                m.add_row([self.x[q] for q in keys] + [vj], coefs + [1.0], 0.0, INF)

    # ------------------------------------------------------------------ decomposition
    def coverage_model(self) -> tuple[LinearModel, list[int]]:
        """The *coverage part* of the MILP: only the ``x`` and ``v`` variables and the rows
        that use nothing else (demand slots, one task per period, tour limits, composition).

        Every feasible solution of the full model projects onto a feasible solution of this
        relaxation with the same ``x``/``v`` objective terms, so its (MIP) bound bounds the
        coverage part of the full objective. Returns the model and, for each of its columns,
        the column of the full model.
        """
        m = self.model
        keep = sorted(set(self.x.values()) | set(self.v.values()))
        pos = {j: i for i, j in enumerate(keep)}
        sub = LinearModel()
        for j in keep:
            sub.add_var(m.names[j], m.lb[j], m.ub[j], m.obj[j], m.integer[j])
        for idx, val, lo, hi in zip(m.row_idx, m.row_val, m.row_lo, m.row_hi, strict=True):
            if all(j in pos for j in idx):
                sub.add_row([pos[j] for j in idx], list(val), lo, hi)
        return sub, keep

    def cohesion_bound(self) -> float | None:
        """Upper bound of the objective terms outside the coverage part (w, y, z).

        Presence costs ``nation_in_sector >= 0`` per pair, departures cost ``continuity >= 0``
        and a sector has at most one lead nation, which needs presence (``y <= w``); so a
        sector contributes at most ``max(0, lead_nation - nation_in_sector)`` if it has a
        lead candidate and at most 0 otherwise. None if a weight has an unexpected sign.
        """
        w = self.instance.weights
        if w.nation_in_sector < 0 or w.continuity < 0 or w.lead_nation < 0:
            return None
        if self.y and not self.w:
            return None
        sectors = {s for (s, _n) in self.y}
        return len(sectors) * max(0.0, w.lead_nation - w.nation_in_sector)

    # ------------------------------------------------------------------ conversions
    def size(self) -> dict[str, int]:
        return {
            "units": len(self.instance.units),
            "classes": len(self.classes),
            "demands": len(self.demands),
            "vars": self.model.num_vars,
            "rows": self.model.num_rows,
            "x_vars": len(self.x),
        }

    def counts_from_vector(self, values: list[float]) -> dict[tuple[int, int], int]:
        out = {}
        for key, j in self.x.items():
            c = int(round(values[j]))
            if c > 0:
                out[key] = c
        return out

    def counts_from_plan(self, plan: Plan) -> dict[tuple[int, int], int]:
        d_index = {d.id: i for i, d in enumerate(self.demands)}
        out: dict[tuple[int, int], int] = defaultdict(int)
        for a in plan.assignments:
            out[(self.unit_class[a.unit_id], d_index[a.demand_id])] += 1
        return dict(out)

    def vector_from_counts(self, counts: dict[tuple[int, int], int]) -> list[float]:
        """A complete MILP solution for given x counts, with the best auxiliary values."""
        m = self.model
        vals = [0.0] * m.num_vars
        for key, c in counts.items():
            vals[self.x[key]] = float(c)
        sn: dict[tuple[str, str], int] = defaultdict(int)
        for (k_i, di), c in counts.items():
            d = self.demands[di]
            sn[(d.sector, self.classes[k_i].nation)] += c
        for key, j in self.w.items():
            vals[j] = 1.0 if sn.get(key, 0) > 0 else 0.0
        best: dict[str, tuple[int, str]] = {}
        for (s, n), _j in self.y.items():
            if sn.get((s, n), 0) >= self.lead_need[s] - 1e-9:
                cand = (sn[(s, n)], n)
                if s not in best or cand > best[s]:
                    best[s] = cand
        for s, (_, n) in best.items():
            vals[self.y[(s, n)]] = 1.0
        stay: dict[tuple[str, str, str, int], int] = defaultdict(int)
        here: dict[tuple[str, str, str, int], int] = defaultdict(int)
        for (k_i, di), c in counts.items():
            d = self.demands[di]
            k = self.classes[k_i]
            here[(k.nation, k.capability, d.sector, d.period)] += c
            if _stays(k, d.period + 1):
                stay[(k.nation, k.capability, d.sector, d.period + 1)] += c
        for key, j in self.z.items():
            vals[j] = float(max(0, stay.get(key, 0) - here.get(key, 0)))
        for (t_i, p), j in self.v.items():
            t = self.instance.composition[t_i]
            lhs = 0.0
            for (k_i, di), c in counts.items():
                if self.demands[di].period != p:
                    continue
                k = self.classes[k_i]
                lhs += ((1.0 if t.group in k.groups else 0.0) - t.min_share) * k.strength * c
            vals[j] = float(math.ceil(-lhs - 1e-9)) if lhs < -1e-9 else 0.0
        return vals

    def plan_from_counts(self, counts: dict[tuple[int, int], int]) -> Plan:
        """Map class counts to concrete units, keeping units in their sector between periods.

        Within a class all units are interchangeable for coverage, so the choice only matters
        for continuity and the deployment-length caveat: units already in a sector stay there;
        new slots go to the units with the most remaining deployment budget. A lookahead
        (Gale-Ryser condition) makes sure preferring continuity never exhausts the budgets.
        """
        P = self.instance.periods
        per_class: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for (k_i, di), c in sorted(counts.items()):
            per_class[k_i][self.demands[di].period].extend([di] * c)
        pairs: list[tuple[str, str]] = []
        for k_i, by_p in sorted(per_class.items()):
            k = self.classes[k_i]
            budget = {u: (k.max_periods if k.max_periods is not None else P) for u in k.unit_ids}
            where: dict[str, tuple[str, str]] = {}  # unit -> (sector, line) in previous period
            for p in range(P):
                slots = by_p.get(p, [])
                future = [len(by_p.get(q, [])) for q in range(p + 1, P) if by_p.get(q)]
                chosen = self._choose(k, slots, budget, where, future)
                new_where: dict[str, tuple[str, str]] = {}
                for uid, di in chosen:
                    d = self.demands[di]
                    pairs.append((uid, d.id))
                    budget[uid] -= 1
                    new_where[uid] = (d.sector, d.line)
                where = new_where
        return Plan.of(pairs)

    def _choose(
        self,
        k: UnitClass,
        slots: list[int],
        budget: dict[str, int],
        where: dict[str, tuple[str, str]],
        future: list[int],
    ) -> list[tuple[str, int]]:
        if not slots:
            return []
        avail = [u for u in k.unit_ids if budget[u] > 0]
        # slots sorted so that those whose (sector, line) has a continuing unit come first
        remaining = list(slots)
        chosen: list[tuple[str, int]] = []
        used: set[str] = set()
        # pass 1: same sector and line, pass 2: same sector
        for level in (2, 1):
            for di in list(remaining):
                d = self.demands[di]
                for u in avail:
                    if u in used or u not in where:
                        continue
                    s, line = where[u]
                    if s == d.sector and (level == 1 or line == d.line):
                        chosen.append((u, di))
                        used.add(u)
                        remaining.remove(di)
                        break
        rest = sorted((u for u in avail if u not in used), key=lambda u: (-budget[u], u))
        for di, u in zip(remaining, rest, strict=False):
            chosen.append((u, di))
            used.add(u)
        if len(chosen) == len(slots) and _gale_ryser_ok(budget, used, future):
            return chosen
        # fall back to pure "largest remaining budget first" (always feasible when possible)
        order = sorted(avail, key=lambda u: (-budget[u], u))
        return list(zip(order, slots, strict=False))


def _gale_ryser_ok(budget: dict[str, int], used: set[str], future: list[int]) -> bool:
    """Can the future per-period counts still be met with the budgets left after this period?"""
    if not future:
        return True
    left = [budget[u] - (1 if u in used else 0) for u in budget]
    cols = sorted(future, reverse=True)
    total = 0
    for j, c in enumerate(cols, start=1):
        total += c
        if total > sum(min(r, j) for r in left):
            return False
    return True


def _stays(k: UnitClass, period: int) -> bool:
    """Could units of class ``k`` still be in place in ``period`` (continuity applies)?

    Units on a limited tour (deployment-length caveat) rotate out by plan, so their departures
    are not counted; neither are departures at the end of a unit's availability.
    """
    return k.max_periods is None and k.last >= period


def keep_lines_steady(instance: Instance, plan: Plan) -> Plan:
    """The same plan with needless changes of line of operation undone.

    The objective counts departures from a *sector*; two units of one capability in one
    sector may trade lines between months (Border security ↔ Protection of civilians) at no
    cost, which reads as churn on the plan page and as noise in diffs. Swapping their tasks
    back in such a month changes no term of the objective — the same demands are filled by
    the same number of units, each nation stays in the same sectors, so presence, lead
    nations, departures and composition are unchanged — provided both units may fill the
    other's demand at the same objection penalty. Likewise a unit that alternates between two
    lines' demands of equal priority in one sector, when the demand of its previous line is
    short, is re-seated there: the same coverage value, the same sector and nation; and a
    whole stretch of months on another line goes back to the line before it when every month
    of the stretch has such a demand. A swap or a re-seating is made only when it strictly
    reduces the number of line changes over the horizon.
    """
    demands = instance.demand_map()
    units = {u.id: u for u in instance.units}
    task: dict[tuple[str, int], str] = {}  # (unit, period) -> demand id
    for a in plan.assignments:
        task[(a.unit_id, demands[a.demand_id].period)] = a.demand_id

    def change(before: str | None, after: str | None) -> int:
        """1 if a unit in demand ``before`` one month and ``after`` the next changes line."""
        if before is None or after is None or demands[before].sector != demands[after].sector:
            return 0  # arriving, leaving, or moving sector anyway: not a line change
        return int(demands[before].line != demands[after].line)

    def line_changes(unit_id: str, demand_id: str, period: int) -> int:
        return change(task.get((unit_id, period - 1)), demand_id)

    filled: dict[str, int] = defaultdict(int)
    for demand_id in task.values():
        filled[demand_id] += 1
    by_slot: dict[tuple[int, str, str], list[Demand]] = defaultdict(list)
    for d in sorted(instance.demands, key=lambda d: d.id):
        by_slot[(d.period, d.sector, d.capability)].append(d)

    def changes_around(unit_id: str, demand_id: str, period: int) -> int:
        """Line changes into ``period`` and out of it, were the unit in ``demand_id``."""
        return line_changes(unit_id, demand_id, period) + change(
            demand_id, task.get((unit_id, period + 1))
        )

    def reseat(unit_id: str, period: int) -> bool:
        current = demands[task[(unit_id, period)]]
        unit = units[unit_id]
        for d in by_slot[(period, current.sector, current.capability)]:
            if (
                d.line == current.line
                or d.priority != current.priority
                or filled[d.id] >= d.units_required
                or changes_around(unit_id, d.id, period)
                >= changes_around(unit_id, current.id, period)
                or not is_eligible(unit, d, instance)
                or penalty(unit, d, instance) != penalty(unit, current, instance)
            ):
                continue
            task[(unit_id, period)] = d.id
            filled[current.id] -= 1
            filled[d.id] += 1
            return True
        return False

    for period in range(1, instance.periods):
        here = sorted(uid for (uid, p) in task if p == period)
        improved = True
        while improved:
            improved = any([reseat(u, period) for u in here])
            for i, u in enumerate(here):
                for v in here[i + 1 :]:
                    du, dv = task[(u, period)], task[(v, period)]
                    a, b = demands[du], demands[dv]
                    if a.sector != b.sector or a.capability != b.capability or a.line == b.line:
                        continue
                    now = line_changes(u, du, period) + line_changes(v, dv, period)
                    swapped = line_changes(u, dv, period) + line_changes(v, du, period)
                    if swapped >= now:
                        continue
                    uu, vv = units[u], units[v]
                    if not (is_eligible(uu, b, instance) and is_eligible(vv, a, instance)):
                        continue
                    if penalty(uu, b, instance) + penalty(vv, a, instance) != penalty(
                        uu, a, instance
                    ) + penalty(vv, b, instance):
                        continue
                    task[(u, period)], task[(v, period)] = dv, du
                    improved = True
    # A stretch of months on another line, right after months on one line in the same sector,
    # goes back to that line when every month of it has a short demand there of the same
    # priority and penalty: one or two line changes fewer, and no term of the objective moves.
    # (Re-seating month by month cannot do this: inside the stretch each single month already
    # matches its neighbours.)
    for unit_id in sorted({uid for uid, _p in task}):
        unit = units[unit_id]
        period = 1
        while period < instance.periods:
            before, now = task.get((unit_id, period - 1)), task.get((unit_id, period))
            if (
                before is None
                or now is None
                or demands[before].sector != demands[now].sector
                or demands[before].line == demands[now].line
            ):
                period += 1
                continue
            home, away = demands[before], demands[now]
            stretch = []
            while (unit_id, period) in task and (
                demands[task[(unit_id, period)]].sector,
                demands[task[(unit_id, period)]].line,
            ) == (away.sector, away.line):
                stretch.append(period)
                period += 1
            moves = []
            for month in stretch:
                current = demands[task[(unit_id, month)]]
                target = next(
                    (
                        d
                        for d in by_slot[(month, home.sector, current.capability)]
                        if d.line == home.line
                        and d.priority == current.priority
                        and filled[d.id] < d.units_required
                        and is_eligible(unit, d, instance)
                        and penalty(unit, d, instance) == penalty(unit, current, instance)
                    ),
                    None,
                )
                if target is None:
                    break
                moves.append((month, current, target))
            if len(moves) == len(stretch):
                for month, current, target in moves:
                    task[(unit_id, month)] = target.id
                    filled[current.id] -= 1
                    filled[target.id] += 1
    return Plan.of((uid, did) for (uid, _p), did in task.items())
