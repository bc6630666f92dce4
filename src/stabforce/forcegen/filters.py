"""Filters of the force-generation lists (django-filter). The register's filters read the
page's as-of date: "status" is the status on that date, "condition" an open condition then."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from stabforce.core.filters import ANY, yes_no_filter
from stabforce.core.models import LineOfOperation, Nation, Sector
from stabforce.forcegen import queries
from stabforce.forcegen.choices import ConditionKind, PledgeStatus, Priority
from stabforce.forcegen.models import Capability, Engagement, Pledge, PledgeCondition, Requirement


class QuickSelect(forms.Select):
    """A select written in Python: Django renders every option through a template, which for
    the register's 200 nations costs more than the page's database work."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(item) for item in self.format_value(value)}
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), mark_safe(" selected") if str(key) in selected else "", label)  # noqa: S308
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class MissionFilterSet(filters.FilterSet):
    """A filter set bound to one mission, one user and one as-of date."""

    def __init__(self, *args, mission=None, user=None, as_of: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.user = user
        self.as_of = as_of or dt.date.today()


class PledgeFilterSet(MissionFilterSet):
    nation = filters.ModelChoiceFilter(
        field_name="nation",
        to_field_name="iso3",
        queryset=Nation.objects.none(),
        empty_label=ANY,
        label="Nation",
        widget=QuickSelect,
    )
    status = filters.ChoiceFilter(
        field_name="status_on", choices=PledgeStatus.choices, empty_label=ANY, label="Status"
    )
    capability = filters.ModelChoiceFilter(
        field_name="capability",
        to_field_name="key",
        queryset=Capability.objects.none(),
        empty_label=ANY,
        label="Capability",
    )
    condition = filters.ChoiceFilter(
        method="filter_condition",
        choices=ConditionKind.choices,
        empty_label=ANY,
        label="Open condition",
    )
    objected = yes_no_filter(method="filter_objected", label="Objected to")

    class Meta:
        model = Pledge
        fields = ["nation", "status", "capability", "condition", "objected"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.mission is not None:
            in_mission = Pledge.objects.visible_to(self.user).filter(mission=self.mission)
            self.filters["nation"].queryset = Nation.objects.filter(
                pk__in=in_mission.values("nation_id")
            ).order_by("name")
            self.filters["capability"].queryset = Capability.objects.visible_to(self.user).filter(
                mission=self.mission
            )

    def filter_condition(self, queryset, name, value):
        open_of_kind = (
            PledgeCondition.objects.visible_to(self.user)
            .open_on(self.as_of)
            .filter(pledge=OuterRef("pk"), kind=value)
        )
        return queryset.filter(Exists(open_of_kind))

    def filter_objected(self, queryset, name, value):
        if value is None:
            return queryset
        objected = list(queries.objections_on(self.user, self.mission, self.as_of))
        if value:
            return queryset.filter(nation__iso3__in=objected)
        return queryset.exclude(nation__iso3__in=objected)


class RequirementFilterSet(MissionFilterSet):
    capability = filters.ModelChoiceFilter(
        to_field_name="key", queryset=Capability.objects.none(), empty_label=ANY
    )
    line_of_operation = filters.ModelChoiceFilter(
        to_field_name="key",
        queryset=LineOfOperation.objects.none(),
        empty_label=ANY,
        label="Line of operation",
    )
    sector = filters.ModelChoiceFilter(
        to_field_name="key", queryset=Sector.objects.none(), empty_label=ANY
    )
    priority = filters.ChoiceFilter(choices=Priority.choices, empty_label=ANY)
    synthetic = yes_no_filter()

    class Meta:
        model = Requirement
        fields = ["capability", "line_of_operation", "sector", "priority", "synthetic"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.mission is not None:
            for name, model in [
                ("capability", Capability),
                ("line_of_operation", LineOfOperation),
                ("sector", Sector),
            ]:
                self.filters[name].queryset = model.objects.visible_to(self.user).filter(
                    mission=self.mission
                )


class EngagementFilterSet(MissionFilterSet):
    nation = filters.ModelChoiceFilter(
        field_name="nations",
        to_field_name="iso3",
        queryset=Nation.objects.none(),
        empty_label=ANY,
        label="Nation",
    )
    q = filters.CharFilter(method="filter_text", label="Topic or officials contain")

    class Meta:
        model = Engagement
        fields = ["nation", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.mission is not None:
            engagements = Engagement.objects.visible_to(self.user).filter(mission=self.mission)
            self.filters["nation"].queryset = Nation.objects.filter(
                pk__in=Engagement.nations.through.objects.filter(engagement__in=engagements).values(
                    "nation_id"
                )
            ).order_by("name")

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(topic__icontains=value) | Q(officials__icontains=value) | Q(outcome__icontains=value)
        )
