"""The force-generation register: what the force needs, who offers what, on which conditions
and caveats, acceptable to which parties — every fact dated in valid time and sourced.

Valid time lives on the facts (effective dates of status changes, condition dates, objection
dates, reported-on dates of figures); record time is the audit history. "As of D" pages read
valid time (see ARCHITECTURE.md, "Two clocks").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from stabforce.core.models import (
    LineOfOperation,
    MissionRecord,
    MissionRecordQuerySet,
    Nation,
    Party,
    Sector,
    Source,
)
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


class Capability(MissionRecord):
    """A kind of unit the force asks for (infantry battalion, EOD team, formed police unit)."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=CapabilityCategory.choices)
    unit_name = models.CharField(max_length=64, help_text="e.g. battalion, company, team")
    typical_strength = models.PositiveIntegerField(help_text="Personnel in one typical unit.")
    is_police = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name_plural = "capabilities"
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="capability_key")]

    def __str__(self) -> str:
        return self.name


class Requirement(MissionRecord):
    """One line of the force's statement of requirements."""

    key = models.SlugField(max_length=64)
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    line_of_operation = models.ForeignKey(
        LineOfOperation, on_delete=models.PROTECT, related_name="+"
    )
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    units = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    personnel = models.PositiveIntegerField()
    needed_from = models.DateField()
    needed_until = models.DateField(null=True, blank=True, help_text="Exclusive; empty = open.")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    notes = models.TextField(blank=True)
    synthetic = models.BooleanField(
        default=False, help_text="A planning assumption, not a published requirement."
    )

    class Meta:
        ordering = ["priority", "capability__name"]
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="requirement_key")]
        indexes = [models.Index(fields=["mission", "needed_from"])]

    def __str__(self) -> str:
        where = self.sector.name if self.sector_id else "force-wide"
        return f"{self.units} × {self.capability} — {self.line_of_operation}, {where}"

    def clean(self) -> None:
        if self.needed_until and self.needed_from and self.needed_until <= self.needed_from:
            raise ValidationError({"needed_until": "Must be after needed_from."})


class Pledge(MissionRecord):
    """A nation's offer (or prospect of one) of a capability, with its lifecycle status.

    ``status`` is the status today; the status on any date comes from the dated
    :class:`PledgeStatusChange` rows. ``personnel`` and ``units`` are the chosen figures; every
    reported figure is kept as a :class:`PledgeFigure`, so conflicting sources stay visible.
    """

    key = models.SlugField(max_length=64)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="pledges")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    personnel = models.PositiveIntegerField()
    units = models.PositiveIntegerField(default=1)
    personnel_qualifier = models.CharField(
        max_length=16,
        blank=True,
        choices=[
            ("", "exact"),
            ("up_to", "up to"),
            ("about", "about"),
            ("estimate", "planning estimate (no figure published)"),
        ],
    )
    equipment_notes = models.TextField(blank=True)
    roles = models.TextField(blank=True, help_text="Roles the nation intends, in its words.")
    line_of_operation = models.ForeignKey(
        LineOfOperation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Intended line of operation, if the offer names one.",
    )
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    readiness = models.CharField(max_length=4, choices=Readiness.choices, default=Readiness.L1)
    available_from = models.DateField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=PledgeStatus.choices, editable=False)
    status_since = models.DateField(editable=False)
    first_reported = models.DateField(editable=False)
    last_evidence = models.DateField(
        editable=False, help_text="Date of the newest evidence; old evidence makes a pledge stale."
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["nation__name", "capability__name"]
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="pledge_key")]
        indexes = [models.Index(fields=["mission", "status"])]

    def __str__(self) -> str:
        qualifier = {"up_to": "up to ", "about": "about ", "estimate": "≈"}.get(
            self.personnel_qualifier, ""
        )
        return f"{self.nation.name}: {qualifier}{self.personnel:,} — {self.capability}"

    def is_stale(self, on: dt.date, renewal_days: int) -> bool:
        """No new evidence for longer than the mission's renewal period."""
        return (on - self.last_evidence).days > renewal_days


class PledgeStatusChange(MissionRecord):
    """A dated move of a pledge through its lifecycle, citing the evidence for it.

    ``effective`` is valid time (when it happened in the world, from the source); the audit
    history records when it was entered and by whom.
    """

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=PledgeStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PledgeStatus.choices)
    effective = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    quote = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pledge", "effective", "pk"]
        indexes = [models.Index(fields=["pledge", "effective"])]

    def __str__(self) -> str:
        return f"{self.pledge}: {self.from_status or '∅'} → {self.to_status} on {self.effective}"


class PledgeFigure(MissionRecord):
    """One reported figure for a pledge. Several sources may disagree; all are kept and one is
    marked chosen (the pledge's value)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="figures")
    personnel = models.PositiveIntegerField()
    qualifier = models.CharField(max_length=16, blank=True)
    reported_on = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    chosen = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pledge", "reported_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge"], condition=Q(chosen=True), name="one_chosen_figure_per_pledge"
            )
        ]

    def __str__(self) -> str:
        return f"{self.personnel:,} per {self.source.publisher} ({self.reported_on})"


class ConditionQuerySet(MissionRecordQuerySet):
    def open_on(self, day: dt.date) -> ConditionQuerySet:
        """Conditions raised by ``day`` and not met or waived by then (valid time)."""
        return self.filter(raised_on__lte=day).filter(
            Q(resolved_on__isnull=True) | Q(resolved_on__gt=day)
        )


class PledgeCondition(MissionRecord):
    """A condition a nation attaches to its pledge (mandate clarity, parliament, ...).

    A blocking condition that is open keeps the pledge from becoming committed.
    """

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(max_length=24, choices=ConditionKind.choices)
    description = models.TextField(blank=True)
    blocking = models.BooleanField(default=True)
    status = models.CharField(
        max_length=8, choices=ConditionStatus.choices, default=ConditionStatus.OPEN
    )
    raised_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True, help_text="When met or waived.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    resolution_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["pledge", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    def clean(self) -> None:
        resolved = self.status != ConditionStatus.OPEN
        if resolved and not self.resolved_on:
            raise ValidationError({"resolved_on": "A met or waived condition needs the date."})
        if not resolved and self.resolved_on:
            raise ValidationError({"resolved_on": "An open condition has no resolution date."})


class Caveat(MissionRecord):
    """A restriction a contingent works under. Structured, because the planner obeys it."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="caveats")
    kind = models.CharField(max_length=20, choices=CaveatKind.choices)
    line_of_operation = models.ForeignKey(
        LineOfOperation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    max_months = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField()
    effective_from = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pledge", "kind"]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        needs = {
            CaveatKind.FORBIDDEN_TASK: ("line_of_operation", self.line_of_operation_id),
            CaveatKind.FORBIDDEN_SECTOR: ("sector", self.sector_id),
            CaveatKind.MAX_DEPLOYMENT: ("max_months", self.max_months),
        }
        if self.kind in needs and not needs[self.kind][1]:
            field = needs[self.kind][0]
            raise ValidationError({field: f"A '{self.get_kind_display()}' caveat names {field}."})


class Acceptability(MissionRecord):
    """A party's stance on a nation's participation, from a dated statement."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(max_length=8, choices=Stance.choices)
    effective = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    quote = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["party", "nation", "effective"]
        verbose_name_plural = "acceptability statements"
        indexes = [models.Index(fields=["mission", "effective"])]

    def __str__(self) -> str:
        return f"{self.party} {self.stance} {self.nation.iso3} ({self.effective})"


class Engagement(MissionRecord):
    """A diplomatic consultation about the force: who spoke with whom, when, on what."""

    key = models.SlugField(max_length=64)
    occurred_on = models.DateField()
    date_note = models.TextField(
        blank=True, help_text="Disagreements between sources about the date, kept visible."
    )
    nations = models.ManyToManyField(Nation, related_name="+")
    officials = models.TextField(blank=True)
    topic = models.CharField(max_length=300)
    outcome = models.TextField(blank=True)
    pledges = models.ManyToManyField(Pledge, blank=True, related_name="engagements")

    class Meta:
        ordering = ["-occurred_on"]
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="engagement_key")]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.topic}"
