"""Read models of the core domain, shared by the web UI, the API and the CLI so that all three
show the same thing. Every function takes the user and reads through the visibility gate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from stabforce.core import geo
from stabforce.core.models import ControlLine, Crossing, Evidence, Mission, Sector

GEOBOUNDARIES_CREDIT = (
    "Governorate boundaries: geoBoundaries PSE ADM2 (gbOpen, Open Data Watch 2017), CC BY 4.0, "
    "Runfola et al. 2020, doi:10.1371/journal.pone.0231866"
)


def sector_collection(user, mission: Mission) -> dict[str, Any]:
    """The mission's sectors as a GeoJSON FeatureCollection, with their attribution."""
    sectors = Sector.objects.visible_to(user).filter(mission=mission).order_by("name")
    features = [
        geo.feature(
            sector.geometry,
            {
                "key": sector.key,
                "name": sector.name,
                "name_local": sector.name_local,
                "area_km2": sector.area_km2,
                "url": sector.get_absolute_url(),
            },
            sector.pk,
        )
        for sector in sectors
    ]
    attributions = sorted({sector.attribution for sector in sectors if sector.attribution})
    return geo.feature_collection(features, attribution="; ".join(attributions))


def crossing_collection(user, mission: Mission) -> dict[str, Any]:
    """The mission's crossings and hubs; approximate positions are flagged as such."""
    crossings = (
        Crossing.objects.visible_to(user)
        .filter(mission=mission)
        .select_related("border_nation")
        .order_by("name")
    )
    features = [
        geo.feature(
            crossing.geometry,
            {
                "key": crossing.key,
                "name": crossing.name,
                "kind": crossing.kind,
                "kind_label": crossing.get_kind_display(),
                "status": crossing.status,
                "status_label": crossing.get_status_display(),
                "status_since": crossing.status_since.isoformat()
                if crossing.status_since
                else None,
                "border_nation": crossing.border_nation.iso3 if crossing.border_nation else None,
                "position_precision": crossing.position_precision,
                "approximate": crossing.is_approximate,
                "position_note": crossing.position_note,
                "url": crossing.get_absolute_url(),
            },
            crossing.pk,
        )
        for crossing in crossings
    ]
    return geo.feature_collection(features)


def control_line_collection(user, mission: Mission, as_of: dt.date | None = None) -> dict:
    """Control lines and zones in force on ``as_of`` (valid time; default: today)."""
    as_of = as_of or dt.date.today()
    lines = (
        ControlLine.objects.visible_to(user)
        .filter(mission=mission)
        .valid_on(as_of)
        .select_related("controlled_by")
    )
    features = [
        geo.feature(
            line.geometry,
            {
                "key": line.key,
                "name": line.name,
                "kind": line.kind,
                "controlled_by": line.controlled_by.name if line.controlled_by else None,
                "valid_from": line.valid_from.isoformat(),
                "valid_until": line.valid_until.isoformat() if line.valid_until else None,
                "schematic": line.schematic,
                "url": line.get_absolute_url(),
            },
            line.pk,
        )
        for line in lines
    ]
    return geo.feature_collection(features, as_of=as_of.isoformat())


def evidence_for(user, record: models.Model) -> models.QuerySet[Evidence]:
    """The sources supporting ``record`` that the user may see."""
    return (
        Evidence.objects.visible_to(user)
        .filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .filter(source__in=record_sources_visible(user))
        .select_related("source")
        .order_by("-source__published")
    )


def record_sources_visible(user):
    from stabforce.core.models import Source

    return Source.objects.visible_to(user)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: who, when, what kind, and the fields before and after."""

    when: dt.datetime
    who: str
    kind: str  # created / changed / deleted
    reason: str
    changes: list[FieldChange]


_KINDS = {"+": "created", "~": "changed", "-": "deleted"}
_HIDDEN_FIELDS = {"updated_at", "created_at", "min_lon", "min_lat", "max_lon", "max_lat"}


def record_history(record: models.Model) -> list[HistoryEntry]:
    """The record's audit history, newest first (record time: when it was entered)."""
    entries = []
    records = list(record.history.select_related("history_user").order_by("-history_date"))
    for index, historical in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = historical.diff_against(previous)
            changes = [
                FieldChange(change.field, change.old, change.new)
                for change in delta.changes
                if change.field not in _HIDDEN_FIELDS
            ]
        entries.append(
            HistoryEntry(
                when=historical.history_date,
                who=historical.history_user.username if historical.history_user else "system",
                kind=_KINDS.get(historical.history_type, historical.history_type),
                reason=historical.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def as_recorded(model: type[models.Model], user, when: dt.datetime) -> list[models.Model]:
    """What the database said on ``when`` (record time), filtered by today's visibility.

    Valid-time questions ("what was true on D") are answered by each app's own as-of queries;
    this answers "what did we know on D", from the audit history.
    """
    visible_ids = set(model.objects.visible_to(user).values_list("pk", flat=True))
    return [instance for instance in model.history.as_of(when) if instance.pk in visible_ids]
