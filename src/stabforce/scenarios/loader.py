"""Load a mission scenario (a directory of YAML and GeoJSON files) into the database.

A scenario is data, not code: the Gaza ISF demo lives in ``scenarios/gaza_isf/`` and another
mission is another directory of the same shape. Loading validates every file first and writes
nothing when any record is wrong (each problem names file, record and field); loading the same
scenario twice changes nothing (records are matched by their keys and only saved when a field
differs, so the audit history stays clean).

Domain apps add their own files with :func:`register_section`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from stabforce.core import geo
from stabforce.core.choices import (
    Confidence,
    ControlFeatureKind,
    CrossingKind,
    CrossingStatus,
    DatePrecision,
    OrganisationKind,
    PartyKind,
    PositionPrecision,
    Releasability,
)
from stabforce.core.importing import Problems, RecordReader
from stabforce.core.models import (
    ControlLine,
    Crossing,
    LineOfOperation,
    Mission,
    MissionRecord,
    Nation,
    Organisation,
    Party,
    Sector,
    Source,
)
from stabforce.core.services import cite_record

SCENARIO_DIR = Path(__file__).resolve().parent
GAZA_ISF = SCENARIO_DIR / "gaza_isf"


@dataclass
class LoadReport:
    """What a load did, for the command line and the tests."""

    mission: Mission | None = None
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, outcome: str) -> None:
        bucket = getattr(self, outcome)
        bucket[label] = bucket.get(label, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        parts = []
        for outcome in ("created", "updated", "unchanged"):
            bucket = getattr(self, outcome)
            if bucket:
                listed = ", ".join(f"{n} {label}" for label, n in sorted(bucket.items()))
                parts.append(f"{outcome}: {listed}")
        return "; ".join(parts) or "nothing to load"


@dataclass
class ScenarioContext:
    """Shared state of one load: parsed files, validated records, lookups."""

    directory: Path
    problems: Problems
    report: LoadReport
    files: dict[str, Any] = field(default_factory=dict)
    nations: dict[str, Nation] = field(default_factory=dict)
    source_keys: set[str] = field(default_factory=set)
    validated: dict[str, Any] = field(default_factory=dict)
    mission: Mission | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    objects: dict[tuple[str, str], models.Model] = field(default_factory=dict)

    def read_yaml(self, name: str, required: bool = True) -> Any:
        if name in self.files:
            return self.files[name]
        path = self.directory / name
        if not path.exists():
            if required:
                self.problems.add(name, "", "", "file is missing")
            self.files[name] = None
            return None
        try:
            self.files[name] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.problems.add(name, "", "", f"not valid YAML: {exc}")
            self.files[name] = None
        return self.files[name]

    def read_geojson(self, name: str, referenced_from: str, record: str) -> dict | None:
        path = self.directory / name
        if not path.exists():
            self.problems.add(referenced_from, record, "file", f"{name} does not exist")
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.problems.add(name, "", "", f"not valid JSON: {exc}")
            return None
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            self.problems.add(name, "", "type", "expected a GeoJSON FeatureCollection")
            return None
        return data


@dataclass(frozen=True)
class Section:
    """A part of a scenario a domain app knows how to validate and write."""

    name: str
    validate: Callable[[ScenarioContext], None]
    write: Callable[[ScenarioContext], None]


_SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    """Domain apps call this from ``AppConfig.ready``; sections run in registration order."""
    if all(existing.name != section.name for existing in _SECTIONS):
        _SECTIONS.append(section)


def load_scenario(directory: Path | str = GAZA_ISF) -> LoadReport:
    """Validate and load a scenario directory; raise ImportFailed, writing nothing, on problems."""
    ctx = ScenarioContext(Path(directory), Problems(), LoadReport())
    ctx.nations = {nation.iso3: nation for nation in Nation.objects.all()}
    if not ctx.nations:
        ctx.problems.add("", "", "", "no nations loaded: run the nation sync first")
    for section in _SECTIONS:
        section.validate(ctx)
    ctx.problems.raise_if_any()
    with transaction.atomic():
        for section in _SECTIONS:
            section.write(ctx)
    ctx.report.mission = ctx.mission
    return ctx.report


# --- helpers shared by every section --------------------------------------------------------


def upsert(
    ctx: ScenarioContext,
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    label: str,
) -> models.Model:
    """Create or update one record by its natural key, saving only when something differs."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save()
        ctx.report.count(label, "created")
        return instance
    differs = [name for name, value in values.items() if getattr(instance, name) != value]
    if differs:
        for name in differs:
            setattr(instance, name, values[name])
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save()
        ctx.report.count(label, "updated")
    else:
        ctx.report.count(label, "unchanged")
    return instance


def read_release(reader: RecordReader, ctx: ScenarioContext) -> dict[str, Any]:
    """The optional releasability fields every record may carry."""
    releasability = reader.get(
        "releasability", required=False, default=Releasability.ALL, choices=Releasability.values
    )
    listed = reader.get("releasable_to", list, required=False, default=[])
    for code in listed:
        if code not in ctx.nations:
            reader._problem("releasable_to", f"unknown ISO alpha-3 nation code {code!r}")
    return {"releasability": releasability, "releasable_to": listed}


def read_sources(reader: RecordReader, ctx: ScenarioContext, required: bool = True) -> list[str]:
    keys = reader.get("sources", list, required=required, default=[])
    for key in keys:
        if key not in ctx.source_keys:
            reader._problem("sources", f"no source with key {key!r} in sources.yaml")
    return keys


def nation_field(reader: RecordReader, ctx: ScenarioContext, name: str, required: bool = False):
    code = reader.get(name, required=required)
    if code and code not in ctx.nations:
        reader._problem(name, f"unknown ISO alpha-3 nation code {code!r}")
        return None
    return code


def attach(ctx: ScenarioContext, record: MissionRecord, release: dict, source_keys: list[str]):
    """Apply releasability and link the record's sources as evidence."""
    wanted = {ctx.nations[code].pk for code in release["releasable_to"]}
    if set(record.releasable_to.values_list("pk", flat=True)) != wanted:
        record.releasable_to.set(wanted)
    for key in source_keys:
        cite_record(record, ctx.sources[key])


def mission_records(ctx: ScenarioContext, name: str) -> list[tuple[RecordReader, Any]]:
    """Readers for each item of a list in mission.yaml, labelled for error messages."""
    document = ctx.read_yaml("mission.yaml") or {}
    items = document.get(name) or []
    if not isinstance(items, list):
        ctx.problems.add("mission.yaml", name, "", "expected a list")
        return []
    readers = []
    for index, item in enumerate(items):
        key = item.get("key") if isinstance(item, dict) else None
        label = f"{name}[{index}]" + (f" ({key})" if key else "")
        readers.append((RecordReader(ctx.problems, "mission.yaml", label, item), item))
    return readers


# --- core sections --------------------------------------------------------------------------


def _validate_sources(ctx: ScenarioContext) -> None:
    document = ctx.read_yaml("sources.yaml") or {}
    validated = []
    for index, item in enumerate(document.get("sources") or []):
        key = item.get("key") if isinstance(item, dict) else None
        reader = RecordReader(ctx.problems, "sources.yaml", f"sources[{index}] ({key})", item)
        reader.unknown_fields(SOURCE_FIELDS)
        values = {
            "key": reader.get("key"),
            "publisher": reader.get("publisher"),
            "title": reader.get("title"),
            "url": reader.get("url", required=False, default=""),
            "published": reader.get("published", dt.date, required=False),
            "published_precision": reader.get(
                "published_precision",
                required=False,
                default=DatePrecision.DAY,
                choices=DatePrecision.values,
            ),
            "speaker": reader.get("speaker", required=False, default=""),
            "quote": reader.get("quote", required=False, default=""),
            "summary": reader.get("summary", required=False, default=""),
            "confidence": reader.get("confidence", choices=Confidence.values),
            "synthetic": reader.get("synthetic", bool, required=False, default=False),
        }
        release = read_release(reader, ctx)
        if values["key"] in ctx.source_keys:
            reader._problem("key", f"duplicate source key {values['key']!r}")
        ctx.source_keys.add(values["key"])
        if reader.ok:
            validated.append((values, release))
    ctx.validated["sources"] = validated


SOURCE_FIELDS = {
    "key", "publisher", "title", "url", "published", "published_precision", "speaker",
    "quote", "summary", "confidence", "synthetic", "releasability", "releasable_to",
}  # fmt: skip


def _validate_mission(ctx: ScenarioContext) -> None:
    document = ctx.read_yaml("mission.yaml")
    if document is None:
        return
    reader = RecordReader(ctx.problems, "mission.yaml", "mission", document.get("mission"))
    values = {
        "slug": reader.get("slug"),
        "name": reader.get("name"),
        "short_name": reader.get("short_name", required=False, default=""),
        "mandate": reader.get("mandate"),
        "mandate_reference": reader.get("mandate_reference", required=False, default=""),
        "authorised_from": reader.get("authorised_from", dt.date),
        "authorised_until": reader.get("authorised_until", dt.date, required=False),
        "timezone": reader.get("timezone", required=False, default="UTC"),
        "renewal_period_days": reader.get("renewal_period_days", int, required=False, default=182),
        "synthetic": reader.get("synthetic", bool, required=False, default=False),
    }
    aoo_file = reader.get("area_of_operations_file", required=False)
    if aoo_file:
        collection = ctx.read_geojson(aoo_file, "mission.yaml", "mission")
        if collection:
            try:
                geometry = collection["features"][0]["geometry"]
                geo.shape_from_geojson(geometry, allowed=geo.AREAL)
                values["area_of_operations"] = geometry
            except (KeyError, IndexError, TypeError) as exc:
                ctx.problems.add(aoo_file, "features[0]", "geometry", f"missing ({exc})")
            except geo.GeometryError as exc:
                ctx.problems.add(aoo_file, "features[0]", "geometry", str(exc))
    ctx.validated["mission"] = (values, read_sources(reader, ctx, required=False))


def _write_core(ctx: ScenarioContext) -> None:
    values, mission_sources = ctx.validated["mission"]
    ctx.mission = upsert(ctx, Mission, {"slug": values.pop("slug")}, values, "missions")
    for source_values, release in ctx.validated["sources"]:
        key = source_values.pop("key")
        source = upsert(
            ctx,
            Source,
            {"mission": ctx.mission, "key": key},
            {**source_values, "releasability": release["releasability"]},
            "sources",
        )
        ctx.sources[key] = source
        attach(ctx, source, release, [])
    for key in mission_sources:
        cite_record(ctx.mission, ctx.sources[key])
    for spec in CORE_LISTS:
        for values, release, source_keys in ctx.validated[spec.name]:
            resolved = spec.resolve(ctx, dict(values))
            key = resolved.pop("key")
            lookup = {"mission": ctx.mission, "key": key}
            if spec.model is ControlLine:
                lookup["valid_from"] = resolved.pop("valid_from")
            record = upsert(
                ctx,
                spec.model,
                lookup,
                {**resolved, "releasability": release["releasability"]},
                spec.name.replace("_", " "),
            )
            ctx.objects[(spec.name, key)] = record
            attach(ctx, record, release, source_keys)


@dataclass(frozen=True)
class ListSpec:
    """One list in mission.yaml and how its items become records."""

    name: str
    model: type[MissionRecord]
    read: Callable[[RecordReader, ScenarioContext, Any], dict[str, Any]]
    resolve: Callable[[ScenarioContext, dict[str, Any]], dict[str, Any]] = lambda ctx, values: (
        values
    )
    common: tuple[str, ...] = ("key", "sources", "releasability", "releasable_to")


def _read_party(reader: RecordReader, ctx: ScenarioContext, item: Any) -> dict[str, Any]:
    return {
        "key": reader.get("key"),
        "name": reader.get("name"),
        "kind": reader.get("kind", choices=PartyKind.values),
        "nation": nation_field(reader, ctx, "nation"),
        "consent_required": reader.get("consent_required", bool, required=False, default=True),
        "notes": reader.get("notes", required=False, default=""),
    }


def _read_organisation(reader: RecordReader, ctx: ScenarioContext, item: Any) -> dict[str, Any]:
    return {
        "key": reader.get("key"),
        "name": reader.get("name"),
        "acronym": reader.get("acronym", required=False, default=""),
        "kind": reader.get("kind", choices=OrganisationKind.values),
        "nation": nation_field(reader, ctx, "nation"),
        "url": reader.get("url", required=False, default=""),
        "notes": reader.get("notes", required=False, default=""),
    }


def _read_line_of_operation(reader: RecordReader, ctx: ScenarioContext, item: Any):
    return {
        "key": reader.get("key"),
        "name": reader.get("name"),
        "description": reader.get("description", required=False, default=""),
        "mandate_reference": reader.get("mandate_reference", required=False, default=""),
    }


def _check_position(value: list) -> str | None:
    if (
        len(value) != 2
        or not all(isinstance(number, (int, float)) for number in value)
        or not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90)
    ):
        return "expected [longitude, latitude] in WGS84 degrees"
    return None


def _read_crossing(reader: RecordReader, ctx: ScenarioContext, item: Any) -> dict[str, Any]:
    position = reader.get("position", list, check=_check_position)
    return {
        "key": reader.get("key"),
        "name": reader.get("name"),
        "kind": reader.get("kind", choices=CrossingKind.values),
        "border_nation": nation_field(reader, ctx, "border_nation"),
        "status": reader.get(
            "status", required=False, default=CrossingStatus.UNKNOWN, choices=CrossingStatus.values
        ),
        "status_since": reader.get("status_since", dt.date, required=False),
        "geometry": {"type": "Point", "coordinates": position} if position else None,
        "position_precision": reader.get("position_precision", choices=PositionPrecision.values),
        "position_note": reader.get("position_note", required=False, default=""),
    }


def _resolve_nations(*names: str) -> Callable[[ScenarioContext, dict[str, Any]], dict[str, Any]]:
    def resolve(ctx: ScenarioContext, values: dict[str, Any]) -> dict[str, Any]:
        for name in names:
            values[name] = ctx.nations[values[name]] if values[name] else None
        return values

    return resolve


GENERIC_LISTS = [
    ListSpec("parties", Party, _read_party, _resolve_nations("nation")),
    ListSpec("organisations", Organisation, _read_organisation, _resolve_nations("nation")),
    ListSpec("lines_of_operation", LineOfOperation, _read_line_of_operation),
    ListSpec("crossings", Crossing, _read_crossing, _resolve_nations("border_nation")),
]


def _validate_lists(ctx: ScenarioContext) -> None:
    for spec in GENERIC_LISTS:
        validated = []
        seen: set[str] = set()
        for order, (reader, item) in enumerate(mission_records(ctx, spec.name)):
            values = spec.read(reader, ctx, item)
            reader.unknown_fields(set(values) | set(spec.common) | {"position"})
            if spec.model is LineOfOperation:
                values["order"] = order
            release = read_release(reader, ctx)
            source_keys = read_sources(reader, ctx)
            if values.get("key") in seen:
                reader._problem("key", f"duplicate key {values['key']!r}")
            seen.add(values.get("key"))
            if reader.ok:
                validated.append((values, release, source_keys))
        ctx.validated[spec.name] = validated
    _validate_sectors(ctx)
    _validate_control_lines(ctx)


def _features_by(collection: dict, prop: str) -> dict[str, dict]:
    return {
        str(feature.get("properties", {}).get(prop)): feature
        for feature in collection.get("features", [])
        if isinstance(feature, dict)
    }


def _validate_sectors(ctx: ScenarioContext) -> None:
    document = ctx.read_yaml("mission.yaml") or {}
    spec = document.get("sectors") or {}
    reader = RecordReader(ctx.problems, "mission.yaml", "sectors", spec)
    file_name = reader.get("file")
    attribution_source = reader.get("attribution_source", required=False)
    if attribution_source and attribution_source not in ctx.source_keys:
        reader._problem("attribution_source", f"no source with key {attribution_source!r}")
    collection = ctx.read_geojson(file_name, "mission.yaml", "sectors") if file_name else None
    features = _features_by(collection, "shapeID") if collection else {}
    attribution = (collection or {}).get("attribution", "")
    validated = []
    for index, item in enumerate(spec.get("features") or []):
        label = f"sectors.features[{index}]"
        item_reader = RecordReader(ctx.problems, "mission.yaml", label, item)
        values = {
            "key": item_reader.get("key"),
            "name": item_reader.get("name"),
        }
        feature_id = item_reader.get("feature_id")
        feature = features.get(str(feature_id))
        if collection is not None and feature_id and feature is None:
            item_reader._problem(
                "feature_id", f"no feature with shapeID {feature_id} in {file_name}"
            )
        if feature is not None:
            try:
                geo.shape_from_geojson(feature.get("geometry"), allowed=geo.AREAL)
            except geo.GeometryError as exc:
                ctx.problems.add(file_name, f"feature {feature_id}", "geometry", str(exc))
                continue
            properties = feature.get("properties", {})
            values.update(
                geometry=feature["geometry"],
                external_id=str(feature_id),
                name_local=properties.get("name_ar", ""),
                attribution=attribution,
            )
        release = read_release(item_reader, ctx)
        if item_reader.ok and feature is not None:
            sources = [attribution_source] if attribution_source else []
            validated.append((values, release, sources))
    ctx.validated["sectors"] = validated


def _validate_control_lines(ctx: ScenarioContext) -> None:
    document = ctx.read_yaml("mission.yaml") or {}
    spec = document.get("control_lines")
    if not spec:
        ctx.validated["control_lines"] = []
        return
    reader = RecordReader(ctx.problems, "mission.yaml", "control_lines", spec)
    file_name = reader.get("file")
    collection = ctx.read_geojson(file_name, "mission.yaml", "control_lines") if file_name else None
    features = _features_by(collection, "key") if collection else {}
    party_keys = {values["key"] for values, _, _ in ctx.validated.get("parties", [])}
    validated = []
    for index, item in enumerate(spec.get("versions") or []):
        item_reader = RecordReader(ctx.problems, "mission.yaml", f"control_lines[{index}]", item)
        key = item_reader.get("key")
        values = {
            "key": key,
            "name": item_reader.get("name"),
            "kind": item_reader.get("kind", choices=ControlFeatureKind.values),
            "controlled_by": item_reader.get("controlled_by", required=False),
            "valid_from": item_reader.get("valid_from", dt.date),
            "valid_until": item_reader.get("valid_until", dt.date, required=False),
            "schematic": item_reader.get("schematic", bool, required=False, default=False),
            "description": item_reader.get("description", required=False, default=""),
        }
        if values["controlled_by"] and values["controlled_by"] not in party_keys:
            item_reader._problem("controlled_by", f"no party with key {values['controlled_by']!r}")
        feature = features.get(str(key))
        if collection is not None and feature is None:
            item_reader._problem("key", f"no feature with key {key!r} in {file_name}")
        elif feature is not None:
            allowed = geo.LINEAR if values["kind"] == ControlFeatureKind.LINE else geo.AREAL
            try:
                geo.shape_from_geojson(feature.get("geometry"), allowed=allowed)
                values["geometry"] = feature["geometry"]
            except geo.GeometryError as exc:
                ctx.problems.add(file_name, f"feature {key}", "geometry", str(exc))
        if (
            values["valid_until"]
            and values["valid_from"]
            and (values["valid_until"] <= values["valid_from"])
        ):
            item_reader._problem("valid_until", "must be after valid_from")
        release = read_release(item_reader, ctx)
        sources = read_sources(item_reader, ctx)
        if item_reader.ok and "geometry" in values:
            validated.append((values, release, sources))
    ctx.validated["control_lines"] = validated


def _resolve_control_line(ctx: ScenarioContext, values: dict[str, Any]) -> dict[str, Any]:
    party = values["controlled_by"]
    values["controlled_by"] = ctx.objects[("parties", party)] if party else None
    return values


#: Written in this order: control lines refer to parties.
CORE_LISTS = GENERIC_LISTS + [
    ListSpec("sectors", Sector, lambda reader, ctx, item: {}),
    ListSpec("control_lines", ControlLine, lambda reader, ctx, item: {}, _resolve_control_line),
]


def _validate_core(ctx: ScenarioContext) -> None:
    _validate_sources(ctx)
    _validate_mission(ctx)
    _validate_lists(ctx)


register_section(Section("core", _validate_core, _write_core))
