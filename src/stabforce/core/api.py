"""The core part of the REST API: who am I, missions, nations, parties, organisations, lines of
operation, sources and the mission's geography.

Every read goes through ``visible_to(user)``: a mission the user does not belong to, or a record
not released to them, is a 404 exactly like one that does not exist. The error body, the
pagination envelope and the error responses declared here are shared by every app's router.
"""

import datetime as dt
import re
import unicodedata
from functools import partial
from typing import Annotated, Any, Literal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Strict, StringConstraints

from stabforce.core import queries
from stabforce.core.api_auth import auth_user
from stabforce.core.choices import Confidence, OrganisationKind, PartyKind
from stabforce.core.models import (
    ISO3_CODE,
    ControlLine,
    Crossing,
    Evidence,
    LineOfOperation,
    Mission,
    MissionRecord,
    Nation,
    Organisation,
    Party,
    Sector,
    Source,
)

router = Router()

#: Largest primary key / offset accepted: beyond it the database would overflow, not answer.
MAX_ID = 2**53
MAX_OFFSET = 2**31 - 1
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,64}")


# --- Shared contract: errors and pagination --------------------------------------------------


class ErrorItem(Schema):
    """One problem with the request; ``field`` is a path such as ``query.as_of``."""

    field: str
    message: str


class ErrorOut(Schema):
    """The body of every error response of the API."""

    detail: str
    errors: list[ErrorItem] = []


#: Error responses every authenticated operation may give.
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut}
#: ... plus a 404 (unknown or invisible object) and a 422 (invalid parameter).
LOOKUP_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: Responses of an operation that changes the register (409: refused given its state).
WRITE_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                422: ErrorOut}  # fmt: skip
QUERY_ERRORS: dict[int, Any] = {401: ErrorOut, 422: ErrorOut}


class Page(LimitOffsetPagination):
    """``?limit=&offset=``; the answer is ``{"count": total, "items": [...]}``."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="Items per page (at most 1000).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=1000, **kwargs)


class Conflict(HttpError):
    """A 409 about one request field (``path.other``): the client learns which value to
    change, as a 422 tells it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(409, message)
        self.field = field


class SerialisedPage:
    """A queryset serialised page by page for :class:`Page`: the paginator slices it and only
    the rows of that page are serialised (some serialisers read more of the register)."""

    def __init__(self, queryset: QuerySet, serialise) -> None:
        self.queryset, self.serialise = queryset, serialise

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        rows = self.queryset[index]
        if isinstance(index, slice):
            return [self.serialise(row) for row in rows]
        return self.serialise(rows)  # pragma: no cover


#: Bidirectional embeddings, overrides and isolates: shown in a page, one turns the text after
#: it around ("Trojan source"). Marks (LRM, RLM) and joiners stay: names in Arabic script need
#: them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _no_control_characters(value: str, *, allowed: str = "") -> str:
    for char in value:
        if char in allowed:
            continue
        # Cc: C0 (NUL breaks PostgreSQL), DEL and C1; Zl/Zp: line and paragraph separators.
        # (A lone surrogate never gets here: pydantic refuses it when it reads the JSON.)
        if unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in _BIDI_CONTROLS:
            raise ValueError(f"must not contain control characters (U+{ord(char):04X})")
    return value


def printable_line(max_length: int) -> Any:
    """One line of text of at most ``max_length`` characters, without control characters
    (NUL would break PostgreSQL)."""
    return Annotated[
        str, StringConstraints(max_length=max_length), AfterValidator(_no_control_characters)
    ]


#: Free text in a query parameter: bounded, printable.
SearchText = printable_line(200)
#: Free text in a request body (quotes, notes, descriptions): line breaks and tabs allowed.
BodyText = Annotated[
    str,
    StringConstraints(max_length=5000),
    AfterValidator(partial(_no_control_characters, allowed="\n\r\t")),
]
RecordId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="The record's id.")]
MissionSlug = Annotated[
    str, Path(..., description="The mission's short name in URLs", example="gaza-isf")
]


# --- Request bodies --------------------------------------------------------------------------


class InputSchema(Schema):
    """The base of every request body. A field the operation does not know is a 422 naming
    it: otherwise a misspelt optional field (``sampel_time_limit``) would be dropped without a
    word and its default used."""

    model_config = ConfigDict(extra="forbid")


_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:  # 2025-13-45
            raise ValueError(f"must be a date written YYYY-MM-DD: {exc}") from None
    raise ValueError("must be a date written YYYY-MM-DD")


#: A date in a request body, as YYYY-MM-DD. JSON has no date type, and pydantic would otherwise
#: read a number as seconds since 1970 (``0`` → 1970-01-01) and take a midnight timestamp.
BodyDate = Annotated[dt.date, BeforeValidator(_date_text)]
#: A whole number in a request body: ``true`` or ``2.0`` is an error, not 1 or 2.
BodyInt = Annotated[int, Strict()]
#: A number in a request body: ``true`` and ``"5"`` are errors, whole numbers are fine.
BodyFloat = Annotated[float, Strict()]


# --- Helpers ---------------------------------------------------------------------------------


def mission_or_404(request: HttpRequest, slug: str) -> Mission:
    """The mission the user may see under ``slug``; otherwise 404, whatever the reason."""
    if not _SLUG.fullmatch(slug):
        raise Http404
    mission = Mission.objects.visible_to(auth_user(request)).filter(slug=slug).first()
    if mission is None:
        raise Http404
    return mission


def record_or_404(request: HttpRequest, queryset: QuerySet, **lookup: Any):
    """One record through the visibility gate; 404 when missing or not released to the user."""
    record = queryset.visible_to(auth_user(request)).filter(**lookup).first()
    if record is None:
        raise Http404
    return record


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence the user may see, citing a source the user may also see."""
    return Evidence.objects.visible_to(user).filter(source__in=Source.objects.visible_to(user))


def with_evidence_count(queryset: QuerySet, user) -> QuerySet:
    """Annotate ``evidence_count``: how many visible sources support each record."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    counted = (
        visible_evidence(user)
        .filter(content_type=content_type, object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        evidence_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    )


def iso3_of(nation: Nation | None) -> str | None:
    return nation.iso3 if nation else None


# --- Schemas ---------------------------------------------------------------------------------


class HealthOut(Schema):
    status: str
    database: str
    version: str


class MissionRef(Schema):
    slug: str
    name: str


class NationRef(Schema):
    iso3: str
    name: str


class MeOut(Schema):
    """The caller: who they are, what role and nation they act for, which missions they see."""

    username: str
    full_name: str
    role: str
    role_label: str
    is_hq: bool
    is_admin: bool
    nation: NationRef | None
    missions: list[MissionRef]


class MissionSummary(Schema):
    slug: str
    name: str
    short_name: str
    mandate_reference: str
    authorised_from: dt.date
    authorised_until: dt.date | None
    timezone: str
    synthetic: bool


class MissionCounts(Schema):
    """How many records of each kind the caller can see in the mission."""

    parties: int
    organisations: int
    lines_of_operation: int
    sectors: int
    crossings: int
    control_lines: int
    sources: int


class MissionDetail(MissionSummary):
    mandate: str
    renewal_period_days: int
    has_area_of_operations: bool
    counts: MissionCounts


class NationGroupOut(Schema):
    code: str
    name: str
    source: str


class NationOut(Schema):
    iso3: str
    iso2: str
    numeric: str
    name: str
    official_name: str
    groups: list[str]

    @staticmethod
    def resolve_groups(nation: Nation) -> list[str]:
        return [group.code for group in nation.groups.all()]


class NationDetail(NationOut):
    group_details: list[NationGroupOut]

    @staticmethod
    def resolve_group_details(nation: Nation) -> list[NationGroupOut]:
        return list(nation.groups.all())


class RecordOut(Schema):
    """Fields every mission record shows: id, its key, its marking and evidence count."""

    id: int
    key: str
    releasability: str
    owner_nation: str | None
    evidence_count: int

    @staticmethod
    def resolve_owner_nation(record: MissionRecord) -> str | None:
        return iso3_of(record.owner_nation)


class PartyOut(RecordOut):
    name: str
    kind: str
    kind_label: str
    nation: str | None
    consent_required: bool
    notes: str

    @staticmethod
    def resolve_kind_label(party: Party) -> str:
        return party.get_kind_display()

    @staticmethod
    def resolve_nation(party: Party) -> str | None:
        return iso3_of(party.nation)


class OrganisationOut(RecordOut):
    name: str
    acronym: str
    kind: str
    kind_label: str
    nation: str | None
    url: str
    notes: str

    @staticmethod
    def resolve_kind_label(organisation: Organisation) -> str:
        return organisation.get_kind_display()

    @staticmethod
    def resolve_nation(organisation: Organisation) -> str | None:
        return iso3_of(organisation.nation)


class LineOfOperationOut(RecordOut):
    name: str
    description: str
    mandate_reference: str
    order: int


class SourceOut(RecordOut):
    """A source; ``evidence_count`` is how many visible records cite it."""

    publisher: str
    title: str
    url: str
    published: dt.date | None
    published_precision: str
    speaker: str
    quote: str
    summary: str
    confidence: str
    synthetic: bool


class CitedRecord(Schema):
    """A record that a source supports, with the passage quoted for it."""

    record_type: str
    record_id: int
    label: str
    quote: str
    note: str


class SourceDetail(SourceOut):
    cited_by: list[CitedRecord]


class EvidenceOut(Schema):
    """A source supporting a record, with the passage that supports it."""

    source_id: int
    publisher: str
    title: str
    url: str
    published: dt.date | None
    confidence: str
    quote: str
    note: str


class Feature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: dict[str, Any]
    properties: dict[str, Any]


class SectorCollection(Schema):
    """The mission's sectors as GeoJSON (WGS84) with the boundary data's attribution."""

    type: Literal["FeatureCollection"]
    features: list[Feature]
    attribution: str


class CrossingCollection(Schema):
    """Crossings and hubs as GeoJSON points; ``properties.approximate`` flags rough positions."""

    type: Literal["FeatureCollection"]
    features: list[Feature]


class ControlLineCollection(Schema):
    """Control lines and zones in force on ``as_of`` (valid time)."""

    type: Literal["FeatureCollection"]
    features: list[Feature]
    as_of: dt.date


class HistoryChange(Schema):
    field: str
    before: Any
    after: Any


class HistoryEntryOut(Schema):
    """One recorded change (record time): who entered it, when, and the fields that changed."""

    when: dt.datetime
    who: str
    kind: str
    reason: str
    changes: list[HistoryChange]


# --- System ----------------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, tags=["system"], operation_id="getMe")
def me(request: HttpRequest):
    """The caller's identity, role, nation and the missions they belong to."""
    user = auth_user(request)
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "role_label": user.get_role_display(),
        "is_hq": user.is_hq,
        "is_admin": user.is_admin_role,
        "nation": user.nation,
        "missions": list(Mission.objects.visible_to(user).order_by("name")),
    }


# --- Missions --------------------------------------------------------------------------------


@router.get(
    "/missions",
    response={200: list[MissionSummary], **QUERY_ERRORS},
    tags=["missions"],
    operation_id="listMissions",
)
@paginate(Page)
def list_missions(request: HttpRequest):
    """The missions the caller belongs to (administrators: every mission)."""
    return Mission.objects.visible_to(auth_user(request)).order_by("name")


@router.get(
    "/missions/{slug}",
    response={200: MissionDetail, **LOOKUP_ERRORS},
    tags=["missions"],
    operation_id="getMission",
)
def get_mission(request: HttpRequest, slug: MissionSlug):
    """One mission: its mandate, authorisation dates, time zone, whether it is synthetic demo
    data, and how many records of each kind the caller can see in it."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)

    def count(model) -> int:
        return model.objects.visible_to(user).filter(mission=mission).count()

    mission.counts = {
        "parties": count(Party),
        "organisations": count(Organisation),
        "lines_of_operation": count(LineOfOperation),
        "sectors": count(Sector),
        "crossings": count(Crossing),
        "control_lines": count(ControlLine),
        "sources": count(Source),
    }
    mission.has_area_of_operations = bool(mission.area_of_operations)
    return mission


@router.get(
    "/missions/{slug}/parties",
    response={200: list[PartyOut], **LOOKUP_ERRORS},
    tags=["missions"],
    operation_id="listParties",
)
@paginate(Page)
def list_parties(
    request: HttpRequest,
    slug: MissionSlug,
    kind: PartyKind | None = None,
    consent_required: bool | None = None,
):
    """Actors whose consent matters to the mission (states, authorities, armed groups...)."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    parties = Party.objects.visible_to(user).filter(mission=mission)
    if kind:
        parties = parties.filter(kind=kind)
    if consent_required is not None:
        parties = parties.filter(consent_required=consent_required)
    parties = parties.select_related("nation", "owner_nation").order_by("name", "pk")
    return with_evidence_count(parties, user)


@router.get(
    "/missions/{slug}/organisations",
    response={200: list[OrganisationOut], **LOOKUP_ERRORS},
    tags=["missions"],
    operation_id="listOrganisations",
)
@paginate(Page)
def list_organisations(
    request: HttpRequest,
    slug: MissionSlug,
    kind: OrganisationKind | None = None,
    q: Annotated[SearchText | None, Query(description="Name or acronym contains")] = None,
):
    """UN agencies, NGOs, coordination bodies and other organisations the mission deals with."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    organisations = Organisation.objects.visible_to(user).filter(mission=mission)
    if kind:
        organisations = organisations.filter(kind=kind)
    if q:
        organisations = organisations.filter(Q(name__icontains=q) | Q(acronym__icontains=q))
    organisations = organisations.select_related("nation", "owner_nation").order_by("name", "pk")
    return with_evidence_count(organisations, user)


@router.get(
    "/missions/{slug}/lines-of-operation",
    response={200: list[LineOfOperationOut], **LOOKUP_ERRORS},
    tags=["missions"],
    operation_id="listLinesOfOperation",
)
@paginate(Page)
def list_lines_of_operation(request: HttpRequest, slug: MissionSlug):
    """The mandate's tasks (border security, protection of civilians, ...) in mandate order."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    lines = (
        LineOfOperation.objects.visible_to(user)
        .filter(mission=mission)
        .select_related("owner_nation")
        .order_by("order", "name", "pk")
    )
    return with_evidence_count(lines, user)


# --- Sources ---------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/sources",
    response={200: list[SourceOut], **LOOKUP_ERRORS},
    tags=["sources"],
    operation_id="listSources",
)
@paginate(Page)
def list_sources(
    request: HttpRequest,
    slug: MissionSlug,
    confidence: Confidence | None = None,
    publisher: Annotated[SearchText | None, Query(description="Publisher contains")] = None,
    q: Annotated[SearchText | None, Query(description="Title, summary or quote contains")] = None,
    published_from: Annotated[
        dt.date | None, Query(description="Published on or after (YYYY-MM-DD)")
    ] = None,
    published_to: Annotated[
        dt.date | None, Query(description="Published on or before (YYYY-MM-DD)")
    ] = None,
):
    """Where the mission's facts come from: statements, articles, notes verbales, datasets;
    newest first. ``evidence_count`` is how many records each one supports."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    sources = Source.objects.visible_to(user).filter(mission=mission)
    if confidence:
        sources = sources.filter(confidence=confidence)
    if publisher:
        sources = sources.filter(publisher__icontains=publisher)
    if q:
        sources = sources.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(quote__icontains=q)
        )
    if published_from:
        sources = sources.filter(published__gte=published_from)
    if published_to:
        sources = sources.filter(published__lte=published_to)
    sources = sources.select_related("owner_nation").order_by("-published", "publisher", "pk")
    return _with_citation_count(sources, user)


def _with_citation_count(sources: QuerySet, user) -> QuerySet:
    counted = (
        visible_evidence(user)
        .filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return sources.annotate(
        evidence_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    )


@router.get(
    "/missions/{slug}/sources/{id}",
    response={200: SourceDetail, **LOOKUP_ERRORS},
    tags=["sources"],
    operation_id="getSource",
)
def get_source(request: HttpRequest, slug: MissionSlug, id: RecordId):
    """One source and the records it supports (only those the caller may see)."""
    mission = mission_or_404(request, slug)
    user = auth_user(request)
    sources = _with_citation_count(Source.objects.filter(mission=mission), user)
    source = record_or_404(request, sources.select_related("owner_nation"), pk=id)
    source.cited_by = _cited_records(user, source)
    # Count what is listed: a citation of a record the user may not see is not theirs to count.
    source.evidence_count = len(source.cited_by)
    return source


def _cited_records(user, source: Source) -> list[dict[str, Any]]:
    """Records citing ``source``, each checked against its own model's visibility gate."""
    evidence = list(visible_evidence(user).filter(source=source).select_related("content_type"))
    by_type: dict[int, list[Evidence]] = {}
    for item in evidence:
        by_type.setdefault(item.content_type_id, []).append(item)
    cited = []
    for items in by_type.values():
        content_type = items[0].content_type
        model = content_type.model_class()
        if model is None:
            continue
        records = model._default_manager.filter(pk__in=[item.object_id for item in items])
        if hasattr(records, "visible_to"):
            records = records.visible_to(user)
        elif issubclass(model, MissionRecord):  # a mission record without the gate: hide it
            continue
        labels = {record.pk: str(record) for record in records}
        cited.extend(
            {
                "record_type": content_type.model,
                "record_id": item.object_id,
                "label": labels[item.object_id],
                "quote": item.quote,
                "note": item.note,
            }
            for item in items
            if item.object_id in labels
        )
    return sorted(cited, key=lambda row: (row["record_type"], row["label"]))


def _evidence(user, record) -> list[dict[str, Any]]:
    return [
        {
            "source_id": item.source_id,
            "publisher": item.source.publisher,
            "title": item.source.title,
            "url": item.source.url,
            "published": item.source.published,
            "confidence": item.source.confidence,
            "quote": item.quote or item.source.quote,
            "note": item.note,
        }
        for item in queries.evidence_for(user, record)
    ]


# --- Reference data --------------------------------------------------------------------------


@router.get(
    "/nations",
    response={200: list[NationOut], **QUERY_ERRORS},
    tags=["reference"],
    operation_id="listNations",
)
@paginate(Page)
def list_nations(
    request: HttpRequest,
    group: Annotated[
        SearchText | None, Query(description="Member of group, e.g. OIC", example="OIC")
    ] = None,
    q: Annotated[SearchText | None, Query(description="Name or code contains")] = None,
    iso3: Annotated[
        list[Annotated[str, StringConstraints(max_length=3)]] | None,
        Query(description="Only these ISO alpha-3 codes (repeat the parameter)"),
    ] = None,
):
    """States by ISO 3166 code with the groups they belong to (OIC, UN, EU, ...). Reference
    data: every authenticated user sees all of them."""
    nations = Nation.objects.all()
    if group:
        nations = nations.filter(groups__code__iexact=group)
    if q:
        nations = nations.filter(
            Q(name__icontains=q) | Q(official_name__icontains=q) | Q(iso3__iexact=q)
        )
    if iso3:
        nations = nations.filter(iso3__in=[code.upper() for code in iso3])
    return nations.prefetch_related("groups").order_by("name", "iso3")


@router.get(
    "/nations/{iso3}",
    response={200: NationDetail, **LOOKUP_ERRORS},
    tags=["reference"],
    operation_id="getNation",
)
def get_nation(
    request: HttpRequest,
    iso3: Annotated[str, Path(..., description="ISO 3166 alpha-3 code", example="PAK")],
):
    """One state and the groups it belongs to, with where each membership list comes from."""
    if not ISO3_CODE.fullmatch(iso3):
        raise Http404
    nation = Nation.objects.prefetch_related("groups").filter(iso3=iso3.upper()).first()
    if nation is None:
        raise Http404
    return nation


# --- Geography -------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/sectors",
    response={200: SectorCollection, **LOOKUP_ERRORS},
    tags=["geography"],
    operation_id="listSectorFeatures",
)
def sector_features(request: HttpRequest, slug: MissionSlug):
    """The mission's sectors (areas of responsibility) as a GeoJSON FeatureCollection."""
    return queries.sector_collection(auth_user(request), mission_or_404(request, slug))


@router.get(
    "/missions/{slug}/crossings",
    response={200: CrossingCollection, **LOOKUP_ERRORS},
    tags=["geography"],
    operation_id="listCrossingFeatures",
)
def crossing_features(request: HttpRequest, slug: MissionSlug):
    """Crossings, corridors and hubs as GeoJSON points with their status; positions that are
    only approximate carry ``approximate: true``."""
    return queries.crossing_collection(auth_user(request), mission_or_404(request, slug))


@router.get(
    "/missions/{slug}/control-lines",
    response={200: ControlLineCollection, **LOOKUP_ERRORS},
    tags=["geography"],
    operation_id="listControlLineFeatures",
)
def control_line_features(
    request: HttpRequest,
    slug: MissionSlug,
    as_of: Annotated[
        dt.date | None,
        Query(
            description="Show the lines in force on this day (YYYY-MM-DD); default today",
            example="2025-12-20",
        ),
    ] = None,
):
    """Control lines and zones as they stood on ``as_of`` (valid time: when they were true in
    the world, according to the evidence)."""
    mission = mission_or_404(request, slug)
    return queries.control_line_collection(auth_user(request), mission, as_of)


def _record_feature(user, record, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": record.pk,
        "geometry": record.geometry,
        "properties": {
            "mission": record.mission.slug,
            "releasability": record.releasability,
            "evidence": _evidence(user, record),
            **properties,
            "url": record.get_absolute_url(),
        },
    }


@router.get(
    "/sectors/{id}",
    response={200: Feature, **LOOKUP_ERRORS},
    tags=["geography"],
    operation_id="getSector",
)
def get_sector(request: HttpRequest, id: RecordId):
    """One sector as a GeoJSON Feature, with its area, attribution and supporting sources."""
    sector = record_or_404(request, Sector.objects.select_related("mission"), pk=id)
    return _record_feature(
        auth_user(request),
        sector,
        {
            "key": sector.key,
            "name": sector.name,
            "name_local": sector.name_local,
            "external_id": sector.external_id,
            "area_km2": sector.area_km2,
            "attribution": sector.attribution,
        },
    )


@router.get(
    "/crossings/{id}",
    response={200: Feature, **LOOKUP_ERRORS},
    tags=["geography"],
    operation_id="getCrossing",
)
def get_crossing(request: HttpRequest, id: RecordId):
    """One crossing or hub as a GeoJSON Feature: status, since when, how precise its position
    is, and the sources behind it."""
    crossing = record_or_404(
        request, Crossing.objects.select_related("mission", "border_nation"), pk=id
    )
    return _record_feature(
        auth_user(request),
        crossing,
        {
            "key": crossing.key,
            "name": crossing.name,
            "kind": crossing.kind,
            "kind_label": crossing.get_kind_display(),
            "status": crossing.status,
            "status_label": crossing.get_status_display(),
            "status_since": crossing.status_since,
            "border_nation": iso3_of(crossing.border_nation),
            "position_precision": crossing.position_precision,
            "approximate": crossing.is_approximate,
            "position_note": crossing.position_note,
        },
    )


@router.get(
    "/control-lines/{id}",
    response={200: Feature, **LOOKUP_ERRORS},
    tags=["geography"],
    operation_id="getControlLine",
)
def get_control_line(request: HttpRequest, id: RecordId):
    """One version of a control line or zone, with its validity dates and sources."""
    line = record_or_404(
        request, ControlLine.objects.select_related("mission", "controlled_by"), pk=id
    )
    return _record_feature(
        auth_user(request),
        line,
        {
            "key": line.key,
            "name": line.name,
            "kind": line.kind,
            "controlled_by": line.controlled_by.name if line.controlled_by else None,
            "valid_from": line.valid_from,
            "valid_until": line.valid_until,
            "schematic": line.schematic,
            "description": line.description,
        },
    )


# --- Audit history ---------------------------------------------------------------------------

#: Record kinds whose history the API shows, by the name used in URLs.
HISTORY_MODELS: dict[str, type[MissionRecord]] = {
    "parties": Party,
    "organisations": Organisation,
    "lines-of-operation": LineOfOperation,
    "sources": Source,
    "sectors": Sector,
    "crossings": Crossing,
    "control-lines": ControlLine,
}
HistoryModel = Literal[
    "parties",
    "organisations",
    "lines-of-operation",
    "sources",
    "sectors",
    "crossings",
    "control-lines",
]


@router.get(
    "/records/{model}/{id}/history",
    response={200: list[HistoryEntryOut], **LOOKUP_ERRORS},
    tags=["sources"],
    operation_id="getRecordHistory",
)
def record_history(request: HttpRequest, model: HistoryModel, id: RecordId):
    """Who entered or changed this record, when, and what changed (record time, newest
    first). The record must be visible to the caller."""
    record = record_or_404(request, HISTORY_MODELS[model].objects.all(), pk=id)
    return [
        {
            "when": entry.when,
            "who": entry.who,
            "kind": entry.kind,
            "reason": entry.reason,
            "changes": [vars(change) for change in entry.changes],
        }
        for entry in queries.record_history(record)
    ]
