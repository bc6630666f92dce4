"""Saved planning scenarios and their runs.

A scenario is a question a plans officer asks ("the force as of 20 February, committed and
offered pledges, if Pakistan withdraws"); a run is one answer to it — the plan, its proven
quality and the explanations — kept so that two answers can be compared side by side.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from stabforce.core.models import Mission, MissionRecord
from stabforce.planning.solver.montecarlo import DEFAULT_PROBABILITIES

#: Longest planning horizon, in months (a model of months × units stays solvable in minutes).
MAX_HORIZON_MONTHS = 36

_WEIGHT = [MinValueValidator(0.0)]
_SHARE = [MinValueValidator(0.0), MaxValueValidator(1.0)]


def validate_conversion_probabilities(value) -> None:
    """``{"offered": 0.8}``: known statuses only, each a number from 0 to 1 (a string or an
    unknown status would otherwise fail every sweep, or sample a status at 0)."""
    if not isinstance(value, dict):
        raise ValidationError('expected an object such as {"offered": 0.8}')
    problems = []
    for status, probability in value.items():
        if status not in DEFAULT_PROBABILITIES:
            problems.append(
                f"{status!r} is not a status a sweep samples; "
                f"use {', '.join(DEFAULT_PROBABILITIES)}"
            )
        elif isinstance(probability, bool) or not isinstance(probability, int | float):
            problems.append(f"{status}: {probability!r} is not a number from 0 to 1")
        elif not 0 <= probability <= 1:
            problems.append(f"{status}: {probability} is not from 0 to 1")
    if problems:
        raise ValidationError("; ".join(problems))


class PlanningSettings(models.Model):
    """A mission's planning weights and targets (defaults match the solver's). Weights are
    not negative (a negative cost would reward what it should penalise) and shares are
    fractions: the admin form refuses other values by name."""

    mission = models.OneToOneField(
        Mission, on_delete=models.CASCADE, related_name="planning_settings"
    )
    coverage_weight = models.FloatField(default=100.0, validators=_WEIGHT)
    nation_in_sector_weight = models.FloatField(
        default=2.0,
        help_text="Cost of each extra nation in a sector (cohesion).",
        validators=_WEIGHT,
    )
    lead_nation_weight = models.FloatField(
        default=10.0,
        help_text="Reward for a sector with a framework (lead) nation.",
        validators=_WEIGHT,
    )
    lead_min_share = models.FloatField(default=0.25, validators=_SHARE)
    continuity_weight = models.FloatField(
        default=1.0,
        help_text="Cost of moving a unit between sectors from one month to the next.",
        validators=_WEIGHT,
    )
    composition_group = models.CharField(
        max_length=16, blank=True, default="OIC", help_text="e.g. OIC: regional legitimacy."
    )
    composition_min_share = models.FloatField(
        default=0.0,
        help_text="Minimum share of deployed troops from the group (0 = none).",
        validators=_SHARE,
    )
    composition_shortfall_weight = models.FloatField(default=10.0, validators=_WEIGHT)
    objection_mode = models.CharField(
        max_length=8,
        choices=[("veto", "Hard veto"), ("penalty", "Penalty")],
        default="veto",
    )
    objection_penalty = models.FloatField(
        default=50.0,
        help_text="Cost per unit-month of an objected nation in penalty mode.",
        validators=_WEIGHT,
    )
    horizon_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(MAX_HORIZON_MONTHS)]
    )
    conversion_probabilities = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Probability a pledge of each status converts (Monte Carlo), e.g. "
            '{"offered": 0.8}; statuses left out keep their defaults ('
            + ", ".join(f"{status} {p}" for status, p in DEFAULT_PROBABILITIES.items())
            + ")."
        ),
        validators=[validate_conversion_probabilities],
    )

    def __str__(self) -> str:
        return f"Planning settings of {self.mission}"


class PlanScenario(MissionRecord):
    """A saved what-if: the as-of date, the pledge statuses counted and the changes made."""

    name = models.CharField(max_length=200)
    as_of = models.DateField()
    statuses = models.JSONField(default=list, help_text="Pledge statuses that provide units.")
    what_ifs = models.JSONField(
        default=list, help_text='e.g. [{"withdraw": "PAK"}, {"lift_objection": "Israel"}]'
    )
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variants"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class PlanRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class PlanRun(MissionRecord):
    """One solve (or Monte Carlo sweep) of a scenario, with its full result."""

    scenario = models.ForeignKey(PlanScenario, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(
        max_length=12, choices=[("plan", "Plan"), ("sweep", "Monte Carlo sweep")], default="plan"
    )
    status = models.CharField(
        max_length=12, choices=PlanRunStatus.choices, default=PlanRunStatus.QUEUED
    )
    parameters = models.JSONField(default=dict)
    progress = models.FloatField(default=0.0, help_text="0..1")
    message = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    worker_pid = models.IntegerField(
        null=True, blank=True, help_text="process executing the run (to resume it if it dies)"
    )
    worker_machine = models.CharField(
        max_length=64,
        blank=True,
        help_text="machine (and boot) of that process: a process id means nothing elsewhere",
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="last sign of life of the process executing the run"
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="times the run was started (it is given up after a few)"
    )
    stopped_attempts = models.PositiveSmallIntegerField(
        default=0,
        help_text="attempts ended by an orderly server stop (a restart, an upgrade): they do "
        "not count toward giving the run up",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scenario} — {self.kind} {self.status}"
