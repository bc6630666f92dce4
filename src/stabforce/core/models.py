"""Core records every domain app builds on: missions, nations, parties, geography, sources,
users and the one visibility gate.

Every mission-owned record inherits :class:`MissionRecord`, which carries the mission, the
releasability, timestamps and the audit history. Read paths go through
``Model.objects.visible_to(user)``; nothing else decides who sees what.
"""

from __future__ import annotations

import hashlib
import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stabforce.core import geo
from stabforce.core.choices import (
    HQ_ROLES,
    Confidence,
    ControlFeatureKind,
    CrossingKind,
    CrossingStatus,
    DatePrecision,
    OrganisationKind,
    PartyKind,
    PositionPrecision,
    Releasability,
    Role,
)


class NationGroup(models.Model):
    """A club of states whose membership the mission cares about (OIC, UN, EU, ...)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(
        max_length=500, help_text="Where the membership list comes from (package or document)."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


#: An ISO 3166 alpha-3 code as people type it (any case): ``PAK``, ``pak``.
ISO3_CODE = re.compile(r"[A-Za-z]{3}")


class Nation(models.Model):
    """A state, keyed by ISO 3166-1 alpha-3. Names and codes are loaded from pycountry."""

    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True)
    numeric = models.CharField("ISO numeric", max_length=3, blank=True)
    name = models.CharField(max_length=200)
    official_name = models.CharField(max_length=300, blank=True)
    groups = models.ManyToManyField(NationGroup, related_name="members", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"

    def in_group(self, code: str) -> bool:
        return any(group.code == code for group in self.groups.all())


class User(AbstractUser):
    """A person using stabforce: belongs to one nation, has one role, sees some missions."""

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.OBSERVER)
    nation = models.ForeignKey(
        Nation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    missions = models.ManyToManyField("Mission", related_name="members", blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    @property
    def is_hq(self) -> bool:
        return self.is_superuser or self.role in HQ_ROLES

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class MissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> MissionQuerySet:
        """Missions the user is a member of (administrators see all)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin_role:
            return self
        return self.filter(members=user)


class Mission(models.Model):
    """A mandated operation: everything else in stabforce hangs off one."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=32, blank=True)
    mandate = models.TextField(help_text="The mandate's operative text or a faithful summary.")
    mandate_reference = models.CharField(max_length=200, blank=True)
    area_of_operations = models.JSONField(null=True, blank=True)
    authorised_from = models.DateField()
    authorised_until = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    renewal_period_days = models.PositiveIntegerField(
        default=182, help_text="Evidence older than this marks a fact stale."
    )
    synthetic = models.BooleanField(
        default=False, help_text="Generated demo or benchmark data, not real-world facts."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = MissionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:mission_detail", args=[self.slug])

    def clean(self) -> None:
        if self.authorised_until and self.authorised_until < self.authorised_from:
            raise ValidationError(
                {"authorised_until": "The authorisation cannot end before it starts."}
            )
        if self.area_of_operations:
            try:
                geo.shape_from_geojson(self.area_of_operations, allowed=geo.AREAL)
            except geo.GeometryError as exc:
                raise ValidationError({"area_of_operations": str(exc)}) from exc


class MissionRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> MissionRecordQuerySet:
        """The one visibility gate: role, mission membership and nation releasability.

        - administrators see everything;
        - everyone else only records of missions they belong to;
        - HQ planners see every releasability, including HQ-only;
        - observers see what is released to all mission members;
        - other roles see what is released to all, to a list naming their nation, and the
          records their own nation owns (a liaison officer always sees their nation's pledges).
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin_role:
            return self
        scoped = self.filter(mission__members=user)
        if user.role in HQ_ROLES:
            return scoped
        released = Q(releasability=Releasability.ALL)
        if user.role != Role.OBSERVER and user.nation_id:
            through = self.model.releasable_to.through
            record_column = f"{self.model._meta.model_name}_id"
            listed = through.objects.filter(nation_id=user.nation_id).values(record_column)
            released |= Q(releasability=Releasability.NATIONS, pk__in=listed)
            released |= Q(owner_nation_id=user.nation_id)
        return scoped.filter(released)


class MissionRecord(models.Model):
    """Base of every mission-owned domain record: mission, releasability, audit history."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    releasability = models.CharField(
        max_length=16, choices=Releasability.choices, default=Releasability.ALL
    )
    releasable_to = models.ManyToManyField(
        Nation, blank=True, related_name="+", help_text="Nations a 'listed nations' record goes to."
    )
    owner_nation = models.ForeignKey(
        Nation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The nation whose record this is; its users always see it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(inherit=True)

    objects = MissionRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        name = f"{self._meta.app_label}:{self._meta.model_name}_detail"
        try:
            return reverse(name, args=[self.pk])
        except NoReverseMatch:
            return ""


class Source(MissionRecord):
    """Where a fact came from: a statement, article, note verbale or dataset."""

    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    speaker = models.CharField(max_length=200, blank=True)
    quote = models.TextField(blank=True, help_text="The exact words, where there are any.")
    summary = models.TextField(blank=True)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    synthetic = models.BooleanField(default=False)
    key = models.SlugField(
        max_length=100, help_text="Stable identifier within the mission (scenario files)."
    )

    class Meta:
        ordering = ["-published", "publisher"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "key"], name="source_unique_key"),
        ]

    def __str__(self) -> str:
        when = self.published.isoformat() if self.published else "undated"
        return f"{self.publisher}, {when}: {self.title}"


class Evidence(MissionRecord):
    """A source attached to a record, with the passage that supports it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    quote = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id"], name="evidence_once_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.content_type.model} #{self.object_id}"


class Party(MissionRecord):
    """An actor whose consent matters to the mission (a state, an authority, ...)."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=PartyKind.choices)
    nation = models.ForeignKey(Nation, null=True, blank=True, on_delete=models.PROTECT)
    consent_required = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="party_key")]

    def __str__(self) -> str:
        return self.name


class Organisation(MissionRecord):
    """A UN agency, NGO, coordination body or other organisation the mission deals with."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=24, choices=OrganisationKind.choices)
    nation = models.ForeignKey(Nation, null=True, blank=True, on_delete=models.PROTECT)
    url = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="organisation_key")]

    def __str__(self) -> str:
        return self.acronym or self.name


class LineOfOperation(MissionRecord):
    """One of the mandate's tasks (border security, protection of civilians, ...)."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    mandate_reference = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "line of operation"
        verbose_name_plural = "lines of operation"
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="loo_key")]

    def __str__(self) -> str:
        return self.name


class GeometryRecord(MissionRecord):
    """A mission record with a GeoJSON geometry (WGS84) and its bounding box for prefiltering."""

    geometry = models.JSONField()
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)

    #: Geometry types this model accepts.
    allowed_geometry: frozenset[str] = geo.ANY

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        shape = geo.shape_from_geojson(self.geometry, allowed=self.allowed_geometry)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = shape.bounds
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            geo.shape_from_geojson(self.geometry, allowed=self.allowed_geometry)
        except geo.GeometryError as exc:
            raise ValidationError({"geometry": str(exc)}) from exc


class Sector(GeometryRecord):
    """An area of responsibility (in the Gaza demo, one per governorate)."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    name_local = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=100, blank=True, help_text="e.g. geoBoundaries ID")
    area_km2 = models.FloatField(editable=False, default=0)
    attribution = models.CharField(max_length=500, blank=True)
    allowed_geometry = geo.AREAL

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="sector_key")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.area_km2 = round(geo.geodesic_area_km2(geo.shape_from_geojson(self.geometry)), 2)
        super().save(*args, **kwargs)


class ControlLineQuerySet(MissionRecordQuerySet):
    def valid_on(self, day) -> ControlLineQuerySet:
        """Versions in force on ``day`` (valid time, from evidence)."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day)
        )


class ControlLine(GeometryRecord):
    """A control line or zone, versioned by validity dates (e.g. the IDF withdrawal line).

    Each row is one version; a line that moves gets a new row with its own valid_from and the
    old row's valid_until set, so the map for any date shows the line as it then was.
    """

    key = models.SlugField(max_length=64, help_text="Same key for every version of one line.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=ControlFeatureKind.choices)
    controlled_by = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Exclusive; empty = in force.")
    description = models.TextField(blank=True)
    schematic = models.BooleanField(
        default=False, help_text="Drawn for illustration, not from a published trace."
    )

    objects = ControlLineQuerySet.as_manager()

    class Meta:
        ordering = ["key", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "key", "valid_from"], name="control_line_version"
            )
        ]

    def __str__(self) -> str:
        until = self.valid_until.isoformat() if self.valid_until else "…"
        return f"{self.name} ({self.valid_from.isoformat()} – {until})"

    def clean(self) -> None:
        super().clean()
        if self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": "Must be after valid_from."})


class Crossing(GeometryRecord):
    """A border crossing, corridor or hub through which people and goods pass."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=CrossingKind.choices)
    border_nation = models.ForeignKey(
        Nation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The state on the other side.",
    )
    status = models.CharField(
        max_length=16, choices=CrossingStatus.choices, default=CrossingStatus.UNKNOWN
    )
    status_since = models.DateField(null=True, blank=True)
    position_precision = models.CharField(max_length=16, choices=PositionPrecision.choices)
    position_note = models.TextField(blank=True)
    allowed_geometry = geo.POINT

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="crossing_key")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approximate(self) -> bool:
        return self.position_precision != PositionPrecision.SURVEYED


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @staticmethod
    def digest_of(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()
