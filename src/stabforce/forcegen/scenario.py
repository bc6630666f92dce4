"""Reads a scenario's ``forcegen.yaml`` (optional): capabilities, requirements, pledge
timelines, acceptability statements and engagements.

Pledge timelines are applied through :mod:`stabforce.forcegen.services` in date order, so the
lifecycle rules (e.g. no commitment while a blocking condition is open) hold for demo data too.
Re-loading applies only the events not yet recorded, so loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stabforce.core.importing import RecordReader
from stabforce.core.models import LineOfOperation, Party, Sector
from stabforce.forcegen import services
from stabforce.forcegen.choices import (
    CapabilityCategory,
    CaveatKind,
    ConditionKind,
    ConditionStatus,
    PledgeStatus,
    Priority,
    Readiness,
    Stance,
)
from stabforce.forcegen.models import (
    Acceptability,
    Capability,
    Caveat,
    Engagement,
    Pledge,
    PledgeCondition,
    PledgeFigure,
    PledgeStatusChange,
    Requirement,
)
from stabforce.scenarios.loader import (
    ScenarioContext,
    Section,
    attach,
    nation_field,
    read_release,
    read_sources,
    register_section,
    upsert,
)

FILE = "forcegen.yaml"
QUALIFIERS = ["", "up_to", "about", "estimate"]
EVENT_KINDS = ("status", "condition", "caveat", "figure", "evidence")


def _items(ctx: ScenarioContext, name: str) -> list[tuple[RecordReader, Any]]:
    document = ctx.read_yaml(FILE, required=False) or {}
    items = document.get(name) or []
    if not isinstance(items, list):
        ctx.problems.add(FILE, name, "", "expected a list")
        return []
    result = []
    for index, item in enumerate(items):
        key = item.get("key") if isinstance(item, dict) else None
        label = f"{name}[{index}]" + (f" ({key})" if key else "")
        result.append((RecordReader(ctx.problems, FILE, label, item), item))
    return result


def _keys_of(ctx: ScenarioContext, list_name: str) -> set[str]:
    return {values["key"] for values, _, _ in ctx.validated.get(list_name, [])}


def _sector_keys(ctx: ScenarioContext) -> set[str]:
    return {values["key"] for values, _, _ in ctx.validated.get("sectors", [])}


def _ref(reader: RecordReader, name: str, known: set[str], what: str, required=True):
    value = reader.get(name, required=required)
    if value and value not in known:
        reader._problem(name, f"no {what} with key {value!r}")
        return None
    return value


def _validate(ctx: ScenarioContext) -> None:
    if ctx.read_yaml(FILE, required=False) is None:
        ctx.validated["forcegen"] = None
        return
    loo_keys = _keys_of(ctx, "lines_of_operation")
    sector_keys = _sector_keys(ctx)
    party_keys = _keys_of(ctx, "parties")

    capabilities = []
    for reader, _item in _items(ctx, "capabilities"):
        values = {
            "key": reader.get("key"),
            "name": reader.get("name"),
            "category": reader.get("category", choices=CapabilityCategory.values),
            "unit_name": reader.get("unit_name"),
            "typical_strength": reader.get("typical_strength", int),
            "is_police": reader.get("is_police", bool, required=False, default=False),
            "description": reader.get("description", required=False, default=""),
        }
        reader.unknown_fields(set(values) | {"sources", "releasability", "releasable_to"})
        release = read_release(reader, ctx)
        sources = read_sources(reader, ctx, required=False)
        if reader.ok:
            capabilities.append((values, release, sources))
    capability_keys = {values["key"] for values, _, _ in capabilities}

    requirements = []
    for reader, _item in _items(ctx, "requirements"):
        values = {
            "key": reader.get("key"),
            "capability": _ref(reader, "capability", capability_keys, "capability"),
            "line_of_operation": _ref(reader, "line_of_operation", loo_keys, "line of operation"),
            "sector": _ref(reader, "sector", sector_keys, "sector", required=False),
            "units": reader.get("units", int, check=_positive),
            "personnel": reader.get("personnel", int),
            "needed_from": reader.get("needed_from", dt.date),
            "needed_until": reader.get("needed_until", dt.date, required=False),
            "priority": reader.get("priority", int, choices=Priority.values),
            "notes": reader.get("notes", required=False, default=""),
            "synthetic": reader.get("synthetic", bool, required=False, default=False),
        }
        reader.unknown_fields(set(values) | {"sources", "releasability", "releasable_to"})
        release = read_release(reader, ctx)
        sources = read_sources(reader, ctx)
        if reader.ok:
            requirements.append((values, release, sources))

    pledges = []
    pledge_keys = set()
    for reader, item in _items(ctx, "pledges"):
        values = {
            "key": reader.get("key"),
            "nation": nation_field(reader, ctx, "nation", required=True),
            "capability": _ref(reader, "capability", capability_keys, "capability"),
            "personnel": reader.get("personnel", int, check=_positive),
            "units": reader.get("units", int, required=False, default=1),
            "qualifier": reader.get("qualifier", required=False, default="", choices=QUALIFIERS),
            "roles": reader.get("roles", required=False, default=""),
            "equipment_notes": reader.get("equipment_notes", required=False, default=""),
            "line_of_operation": _ref(
                reader, "line_of_operation", loo_keys, "line of operation", required=False
            ),
            "sector": _ref(reader, "sector", sector_keys, "sector", required=False),
            "readiness": reader.get(
                "readiness", required=False, default=Readiness.L1, choices=Readiness.values
            ),
            "available_from": reader.get("available_from", dt.date, required=False),
            "duration_months": reader.get("duration_months", int, required=False),
            "figure_source": reader.get("figure_source", required=False),
            "figure_on": reader.get("figure_on", dt.date, required=False),
        }
        if values["figure_source"] and values["figure_source"] not in ctx.source_keys:
            reader._problem("figure_source", f"no source with key {values['figure_source']!r}")
        reader.unknown_fields(set(values) | {"timeline", "releasability", "releasable_to"})
        release = read_release(reader, ctx)
        events = _validate_timeline(ctx, reader, item, loo_keys, sector_keys)
        if values["key"] in pledge_keys:
            reader._problem("key", f"duplicate key {values['key']!r}")
        pledge_keys.add(values["key"])
        if reader.ok:
            pledges.append((values, release, events))

    acceptability = []
    for reader, _item in _items(ctx, "acceptability"):
        values = {
            "party": _ref(reader, "party", party_keys, "party"),
            "nation": nation_field(reader, ctx, "nation", required=True),
            "stance": reader.get("stance", choices=Stance.values),
            "on": reader.get("date", dt.date),
            "source": _source(reader, ctx, "source"),
            "quote": reader.get("quote", required=False, default=""),
            "note": reader.get("note", required=False, default=""),
        }
        reader.unknown_fields((set(values) - {"on"}) | {"date"})
        if reader.ok:
            acceptability.append(values)

    engagements = []
    for reader, _item in _items(ctx, "engagements"):
        values = {
            "key": reader.get("key"),
            "occurred_on": reader.get("date", dt.date),
            "date_note": reader.get("date_note", required=False, default=""),
            "officials": reader.get("officials", required=False, default=""),
            "topic": reader.get("topic"),
            "outcome": reader.get("outcome", required=False, default=""),
        }
        nations = reader.get("nations", list)
        for code in nations or []:
            if code not in ctx.nations:
                reader._problem("nations", f"unknown ISO alpha-3 nation code {code!r}")
        linked = reader.get("pledges", list, required=False, default=[])
        for key in linked:
            if key not in pledge_keys:
                reader._problem("pledges", f"no pledge with key {key!r}")
        reader.unknown_fields(
            {"key", "date", "date_note", "officials", "topic", "outcome", "nations", "pledges"}
            | {"sources", "releasability", "releasable_to"}
        )
        release = read_release(reader, ctx)
        sources = read_sources(reader, ctx)
        if reader.ok:
            engagements.append((values, release, sources, nations, linked))

    ctx.validated["forcegen"] = {
        "capabilities": capabilities,
        "requirements": requirements,
        "pledges": pledges,
        "acceptability": acceptability,
        "engagements": engagements,
    }


def _positive(value: int) -> str | None:
    return None if value > 0 else "must be at least 1"


def _source(reader: RecordReader, ctx: ScenarioContext, name: str, required=True):
    key = reader.get(name, required=required)
    if key and key not in ctx.source_keys:
        reader._problem(name, f"no source with key {key!r} in sources.yaml")
        return None
    return key


def _validate_timeline(ctx, pledge_reader, item, loo_keys, sector_keys) -> list[dict]:
    timeline = item.get("timeline") if isinstance(item, dict) else None
    if not isinstance(timeline, list) or not timeline:
        pledge_reader._problem("timeline", "a pledge needs a timeline starting with a status")
        return []
    events = []
    for index, raw in enumerate(timeline):
        reader = RecordReader(ctx.problems, FILE, f"{pledge_reader.record}.timeline[{index}]", raw)
        kinds = [kind for kind in EVENT_KINDS if isinstance(raw, dict) and kind in raw]
        if len(kinds) != 1:
            reader._problem("", f"each event has exactly one of: {', '.join(EVENT_KINDS)}")
            pledge_reader.ok = False
            continue
        kind = kinds[0]
        event = {
            "kind": kind,
            "on": reader.get("date", dt.date),
            "source": _source(reader, ctx, "source"),
            "quote": reader.get("quote", required=False, default=""),
            "note": reader.get("note", required=False, default=""),
        }
        allowed = {"date", "source", "quote", "note", kind}
        if kind == "status":
            event["status"] = reader.get("status", choices=PledgeStatus.values)
        elif kind == "condition":
            event["condition"] = reader.get("condition", choices=ConditionKind.values)
            event["description"] = reader.get("description", required=False, default="")
            event["blocking"] = reader.get("blocking", bool, required=False, default=True)
            event["resolved"] = reader.get(
                "resolved",
                required=False,
                choices=[ConditionStatus.MET, ConditionStatus.WAIVED],
            )
            event["resolved_on"] = reader.get("resolved_on", dt.date, required=False)
            event["resolution_source"] = _source(
                reader, ctx, "resolution_source", required=bool(event["resolved"])
            )
            if event["resolved"] and not event["resolved_on"]:
                reader._problem("resolved_on", "a resolved condition needs its date")
            allowed |= {"description", "blocking", "resolved", "resolved_on", "resolution_source"}
        elif kind == "caveat":
            event["caveat"] = reader.get("caveat", choices=CaveatKind.values)
            event["description"] = reader.get("description")
            event["line_of_operation"] = _ref(
                reader, "line_of_operation", loo_keys, "line of operation", required=False
            )
            event["sector"] = _ref(reader, "sector", sector_keys, "sector", required=False)
            event["max_months"] = reader.get("max_months", int, required=False)
            allowed |= {"description", "line_of_operation", "sector", "max_months"}
        elif kind == "figure":
            event["figure"] = reader.get("figure", int, check=_positive)
            event["qualifier"] = reader.get(
                "qualifier", required=False, default="", choices=QUALIFIERS
            )
            event["chosen"] = reader.get("chosen", bool, required=False, default=False)
            allowed |= {"qualifier", "chosen"}
        reader.unknown_fields(allowed)
        if not reader.ok:
            pledge_reader.ok = False
        events.append(event)
    if events and events[0]["kind"] != "status":
        pledge_reader._problem("timeline", "the first event must be a status")
    return events


def _write(ctx: ScenarioContext) -> None:
    data = ctx.validated.get("forcegen")
    if not data:
        return
    mission = ctx.mission
    loo = {obj.key: obj for obj in LineOfOperation.objects.filter(mission=mission)}
    sectors = {obj.key: obj for obj in Sector.objects.filter(mission=mission)}
    parties = {obj.key: obj for obj in Party.objects.filter(mission=mission)}

    capabilities = {}
    for values, release, sources in data["capabilities"]:
        values = dict(values)
        key = values.pop("key")
        capability = upsert(
            ctx,
            Capability,
            {"mission": mission, "key": key},
            {**values, "releasability": release["releasability"]},
            "capabilities",
        )
        capabilities[key] = capability
        attach(ctx, capability, release, sources)

    for values, release, sources in data["requirements"]:
        values = dict(values)
        key = values.pop("key")
        values["capability"] = capabilities[values["capability"]]
        values["line_of_operation"] = loo[values["line_of_operation"]]
        values["sector"] = sectors[values["sector"]] if values["sector"] else None
        requirement = upsert(
            ctx,
            Requirement,
            {"mission": mission, "key": key},
            {**values, "releasability": release["releasability"]},
            "requirements",
        )
        attach(ctx, requirement, release, sources)

    pledges = {}
    for values, release, events in data["pledges"]:
        pledges[values["key"]] = _write_pledge(
            ctx, values, release, events, capabilities, loo, sectors
        )

    for values in data["acceptability"]:
        party = parties[values["party"]]
        nation = ctx.nations[values["nation"]]
        source = ctx.sources[values["source"]]
        exists = Acceptability.objects.filter(
            mission=mission, party=party, nation=nation, effective=values["on"], source=source
        ).exists()
        if exists:
            ctx.report.count("acceptability statements", "unchanged")
            continue
        services.record_acceptability(
            mission=mission,
            party=party,
            nation=nation,
            stance=values["stance"],
            citation=services.Citation(source, values["on"], values["quote"], values["note"]),
        )
        ctx.report.count("acceptability statements", "created")

    for values, release, sources, nations, linked in data["engagements"]:
        values = dict(values)
        key = values.pop("key")
        engagement = upsert(
            ctx,
            Engagement,
            {"mission": mission, "key": key},
            {**values, "releasability": release["releasability"]},
            "engagements",
        )
        wanted = {ctx.nations[code].pk for code in nations}
        if set(engagement.nations.values_list("pk", flat=True)) != wanted:
            engagement.nations.set(wanted)
        wanted_pledges = {pledges[key].pk for key in linked}
        if set(engagement.pledges.values_list("pk", flat=True)) != wanted_pledges:
            engagement.pledges.set(wanted_pledges)
        attach(ctx, engagement, release, sources)


def _write_pledge(ctx, values, release, events, capabilities, loo, sectors) -> Pledge:
    mission = ctx.mission
    pledge = Pledge.objects.filter(mission=mission, key=values["key"]).first()

    def citation(event: dict, source_field: str = "source") -> services.Citation:
        return services.Citation(
            ctx.sources[event[source_field]], event["on"], event["quote"], event["note"]
        )

    ordered = sorted(enumerate(events), key=lambda pair: (pair[1]["on"], pair[0]))
    if pledge is None:
        first = events[0]
        figure_citation = None
        if values["figure_source"]:
            figure_citation = services.Citation(
                ctx.sources[values["figure_source"]], values["figure_on"] or first["on"]
            )
        pledge = services.create_pledge(
            mission=mission,
            key=values["key"],
            nation=ctx.nations[values["nation"]],
            capability=capabilities[values["capability"]],
            personnel=values["personnel"],
            units=values["units"],
            qualifier=values["qualifier"],
            status=first["status"],
            citation=citation(first),
            figure_citation=figure_citation,
            roles=values["roles"],
            equipment_notes=values["equipment_notes"],
            line_of_operation=loo.get(values["line_of_operation"]),
            sector=sectors.get(values["sector"]),
            readiness=values["readiness"],
            available_from=values["available_from"],
            duration_months=values["duration_months"],
            releasability=release["releasability"],
        )
        attach(ctx, pledge, release, [])
        ctx.report.count("pledges", "created")
        ordered = [pair for pair in ordered if pair[0] != 0]
    else:
        ctx.report.count("pledges", "unchanged")

    for _index, event in ordered:
        if _already_recorded(pledge, event, ctx):
            continue
        kind = event["kind"]
        if kind == "status":
            services.change_status(pledge, event["status"], citation(event))
        elif kind == "condition":
            condition = services.add_condition(
                pledge,
                event["condition"],
                citation(event),
                blocking=event["blocking"],
                description=event["description"],
            )
            if event["resolved"]:
                services.resolve_condition(
                    condition,
                    event["resolved"],
                    services.Citation(
                        ctx.sources[event["resolution_source"]], event["resolved_on"]
                    ),
                )
        elif kind == "caveat":
            services.add_caveat(
                pledge,
                event["caveat"],
                citation(event),
                description=event["description"],
                line_of_operation=loo.get(event["line_of_operation"]),
                sector=sectors.get(event["sector"]),
                max_months=event["max_months"],
            )
        elif kind == "figure":
            services.record_figure(
                pledge,
                event["figure"],
                citation(event),
                qualifier=event["qualifier"],
                choose=event["chosen"],
            )
        elif kind == "evidence":
            services.add_evidence(pledge, citation(event))
        pledge.refresh_from_db()
        ctx.report.count("pledge events", "created")
    if pledge.releasability != "all":
        services.sync_child_release(pledge)
    return pledge


def _already_recorded(pledge: Pledge, event: dict, ctx: ScenarioContext) -> bool:
    """Events are matched by what they say, their date and their source."""
    source = ctx.sources[event["source"]]
    kind = event["kind"]
    if kind == "status":
        found = PledgeStatusChange.objects.filter(
            pledge=pledge, to_status=event["status"], effective=event["on"], source=source
        )
    elif kind == "condition":
        found = PledgeCondition.objects.filter(
            pledge=pledge, kind=event["condition"], raised_on=event["on"], source=source
        )
    elif kind == "caveat":
        found = Caveat.objects.filter(
            pledge=pledge, kind=event["caveat"], description=event["description"]
        )
    elif kind == "figure":
        found = PledgeFigure.objects.filter(
            pledge=pledge, personnel=event["figure"], reported_on=event["on"], source=source
        )
    else:
        from django.contrib.contenttypes.models import ContentType

        from stabforce.core.models import Evidence

        found = Evidence.objects.filter(
            content_type=ContentType.objects.get_for_model(Pledge),
            object_id=pledge.pk,
            source=source,
        )
    return found.exists()


register_section(Section("forcegen", _validate, _write))
