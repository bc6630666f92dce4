"""Seeded SYNTHETIC planning instances for tests, demos and benchmarks.

Nothing here is real force-generation data: nation codes are real ISO3 codes so that group
memberships (OIC, EU, AU, ...) look familiar, but every pledge, strength, date, caveat and
objection is invented by a random generator.

* ``gaza``   ~100 units, 5 sectors, 6 lines of operation, 12 monthly periods (demo size);
* ``large``  300 units, 30 sectors, 1 period;
* ``stress`` 400 units, 40 sectors, 6 periods.
"""

from __future__ import annotations

import random

from .model import (
    CompositionTarget,
    Demand,
    Instance,
    Nation,
    Objection,
    Unit,
)

LINES = ("security", "border", "humanitarian_access", "reconstruction", "medical", "policing")
#: capabilities each line of operation asks for (capability, typical units per sector)
LINE_NEEDS: dict[str, tuple[tuple[str, int], ...]] = {
    "security": (("infantry_coy", 3), ("mech_infantry_coy", 1)),
    "border": (("infantry_coy", 1), ("mp_coy", 1)),
    "humanitarian_access": (("logistics_coy", 1), ("mp_coy", 1)),
    "reconstruction": (("engineer_coy", 1), ("eod_team", 1)),
    "medical": (("medical_coy", 1),),
    "policing": (("mp_coy", 1),),
}
CAPABILITIES = (
    "infantry_coy",
    "mech_infantry_coy",
    "mp_coy",
    "logistics_coy",
    "engineer_coy",
    "eod_team",
    "medical_coy",
)
STRENGTH = {
    "infantry_coy": 150,
    "mech_infantry_coy": 170,
    "mp_coy": 120,
    "logistics_coy": 130,
    "engineer_coy": 140,
    "eod_team": 40,
    "medical_coy": 90,
}
NATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("IDN", ("OIC",)),
    ("AZE", ("OIC",)),
    ("PAK", ("OIC",)),
    ("EGY", ("OIC", "AU")),
    ("TUR", ("OIC", "NATO")),
    ("QAT", ("OIC",)),
    ("JOR", ("OIC",)),
    ("MAR", ("OIC", "AU")),
    ("BGD", ("OIC",)),
    ("MYS", ("OIC",)),
    ("ITA", ("EU", "NATO")),
    ("FRA", ("EU", "NATO")),
    ("DEU", ("EU", "NATO")),
    ("ESP", ("EU", "NATO")),
    ("GBR", ("NATO",)),
    ("NOR", ("NATO",)),
    ("BRA", ()),
    ("KEN", ("AU",)),
    ("RWA", ("AU",)),
    ("NPL", ()),
)
GAZA_SECTORS = ("north", "gaza_city", "central", "khan_younis", "rafah")
MONTHS = tuple(f"{2026 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(36))


def _instance(
    name: str,
    *,
    n_units: int,
    sectors: tuple[str, ...],
    periods: int,
    seed: int,
    supply_ratio: float,
) -> Instance:
    rng = random.Random(f"{name}:{seed}")
    nations = tuple(Nation(iso, frozenset(g)) for iso, g in NATIONS)
    # demands: every sector needs every line, with a ramp-up over the first periods
    demands: list[Demand] = []
    for s_i, s in enumerate(sectors):
        hot = rng.random() < 0.4  # some sectors need more security
        for line in LINES:
            if line == "border" and s_i % 3 != 0 and s != "rafah":
                continue
            prio = {"security": 5, "border": 4, "medical": 4, "humanitarian_access": 3}.get(line, 2)
            for cap, base in LINE_NEEDS[line]:
                req = base + (1 if hot and line == "security" else 0)
                for p in range(periods):
                    ramp = 1.0 if periods < 4 else min(1.0, 0.5 + 0.25 * p)
                    early = periods >= 4 and p == 0 and line != "security"
                    r = 0 if early else max(1, round(req * ramp))
                    if r == 0:
                        continue
                    demands.append(
                        Demand(
                            id=f"{s}/{line}/{cap}/p{p}",
                            sector=s,
                            line=line,
                            capability=cap,
                            period=p,
                            units_required=r,
                            priority=float(prio),
                        )
                    )
    # supply: pledges of 1-4 identical companies per nation and capability
    need_by_cap: dict[str, int] = {c: 0 for c in CAPABILITIES}
    for d in demands:
        if d.period == periods - 1:
            need_by_cap[d.capability] += d.units_required
    total_need = sum(need_by_cap.values())
    units: list[Unit] = []
    pledge = 0
    status_pick = ("committed",) * 5 + ("offered",) * 3 + ("considering", "interest")
    while len(units) < n_units:
        pledge += 1
        cap = rng.choices(CAPABILITIES, weights=[need_by_cap[c] + 1 for c in CAPABILITIES])[0]
        iso, _g = NATIONS[min(int(rng.paretovariate(1.1)) - 1, len(NATIONS) - 1)]
        iso = iso if rng.random() < 0.6 else rng.choice(NATIONS)[0]
        size = min(n_units - len(units), rng.choice((1, 1, 2, 2, 3, 4)))
        start = 0 if periods == 1 else rng.choice((0, 0, 0, 1, 1, 2, 3, 4))
        until = None
        if periods > 4 and rng.random() < 0.15:
            until = rng.randrange(periods // 2, periods)
        max_dep = rng.choice((None, None, None, periods // 2)) if periods > 3 else None
        fl: frozenset[str] = frozenset()
        fs: frozenset[str] = frozenset()
        if rng.random() < 0.25:
            fl = frozenset(rng.sample(("security", "border", "policing"), 1))
        if rng.random() < 0.2:
            fs = frozenset(rng.sample(sectors, 1))
        status = rng.choice(status_pick)
        for i in range(size):
            units.append(
                Unit(
                    id=f"{iso}-{cap}-{pledge}-{i + 1}",
                    nation=iso,
                    capability=cap,
                    strength=STRENGTH[cap],
                    available_from=start,
                    available_until=until,
                    forbidden_lines=fl,
                    forbidden_sectors=fs,
                    max_deployment_periods=max_dep,
                    pledge_id=f"P{pledge:03d}",
                    status=status,
                )
            )
    del total_need, supply_ratio
    objections = (
        Objection("ISR", frozenset({"TUR", "QAT"}), mode="veto", consent_required=True),
        Objection(
            "EGY",
            frozenset({"PAK"}),
            mode="penalty",
            weight=30.0,
            consent_required=False,
            sectors=frozenset(sectors[-1:]),
        ),
    )
    return Instance(
        units=tuple(units),
        demands=tuple(demands),
        nations=nations,
        objections=objections,
        composition=(CompositionTarget("OIC", 0.4),),
        periods=periods,
        period_labels=MONTHS[:periods],
        name=f"{name} (synthetic, seed {seed})",
    )


def gaza(seed: int = 1) -> Instance:
    """Demo-sized synthetic instance: ~100 units, 5 sectors, 6 LoOs, 12 monthly periods."""
    return _instance(
        "gaza", n_units=100, sectors=GAZA_SECTORS, periods=12, seed=seed, supply_ratio=1.0
    )


def large(seed: int = 1) -> Instance:
    """Synthetic: 300 units, 30 sectors, one period."""
    return _instance(
        "large",
        n_units=300,
        sectors=tuple(f"s{i:02d}" for i in range(30)),
        periods=1,
        seed=seed,
        supply_ratio=1.0,
    )


def stress(seed: int = 1) -> Instance:
    """Synthetic: 400 units, 40 sectors, 6 periods."""
    return _instance(
        "stress",
        n_units=400,
        sectors=tuple(f"s{i:02d}" for i in range(40)),
        periods=6,
        seed=seed,
        supply_ratio=1.0,
    )


GENERATORS = {"gaza": gaza, "large": large, "stress": stress}
