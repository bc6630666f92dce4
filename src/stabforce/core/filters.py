"""Filters for the list pages (django-filter). Each offers the few questions a user asks of
that list, not every column."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q

from stabforce.core.choices import (
    Confidence,
    ControlFeatureKind,
    CrossingKind,
    CrossingStatus,
    OrganisationKind,
    PartyKind,
    PositionPrecision,
    Releasability,
)
from stabforce.core.models import (
    ControlLine,
    Crossing,
    LineOfOperation,
    Nation,
    NationGroup,
    Organisation,
    Party,
    Sector,
    Source,
)

ANY = "Any"


def yes_no_filter(**kwargs) -> filters.BooleanFilter:
    """A yes/no/any select; django-filter's default offers "Unknown", which reads as a value."""
    choices = [("", ANY), ("true", "Yes"), ("false", "No")]
    return filters.BooleanFilter(widget=forms.Select(choices=choices), **kwargs)


class RecordFilterSet(filters.FilterSet):
    """Name search and releasability, which every mission record list offers."""

    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    releasability = filters.ChoiceFilter(
        empty_label=ANY, choices=Releasability.choices, label="Releasable to"
    )


class SectorFilterSet(RecordFilterSet):
    class Meta:
        model = Sector
        fields = ["q", "releasability"]


class CrossingFilterSet(RecordFilterSet):
    status = filters.ChoiceFilter(empty_label=ANY, choices=CrossingStatus.choices)
    kind = filters.ChoiceFilter(empty_label=ANY, choices=CrossingKind.choices)
    position_precision = filters.ChoiceFilter(
        empty_label=ANY, choices=PositionPrecision.choices, label="Position"
    )

    class Meta:
        model = Crossing
        fields = ["q", "status", "kind", "position_precision", "releasability"]


class PartyFilterSet(RecordFilterSet):
    kind = filters.ChoiceFilter(empty_label=ANY, choices=PartyKind.choices)
    consent_required = yes_no_filter()

    class Meta:
        model = Party
        fields = ["q", "kind", "consent_required", "releasability"]


class OrganisationFilterSet(RecordFilterSet):
    kind = filters.ChoiceFilter(empty_label=ANY, choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["q", "kind", "releasability"]


class LineOfOperationFilterSet(RecordFilterSet):
    class Meta:
        model = LineOfOperation
        fields = ["q", "releasability"]


class ControlLineFilterSet(RecordFilterSet):
    kind = filters.ChoiceFilter(empty_label=ANY, choices=ControlFeatureKind.choices)
    schematic = yes_no_filter()
    valid_on = filters.DateFilter(
        method="filter_valid_on", label="In force on (YYYY-MM-DD)", input_formats=["%Y-%m-%d"]
    )

    class Meta:
        model = ControlLine
        fields = ["q", "kind", "schematic", "valid_on", "releasability"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class SourceFilterSet(RecordFilterSet):
    q = filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
    publisher = filters.CharFilter(lookup_expr="icontains", label="Publisher contains")
    confidence = filters.ChoiceFilter(empty_label=ANY, choices=Confidence.choices)
    synthetic = yes_no_filter()

    class Meta:
        model = Source
        fields = ["q", "publisher", "confidence", "synthetic", "releasability"]


class NationFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_name_or_code", label="Name or code")
    group = filters.ModelChoiceFilter(
        field_name="groups",
        queryset=NationGroup.objects.all(),
        to_field_name="code",
        label="Group",
        empty_label=ANY,
    )

    class Meta:
        model = Nation
        fields = ["q", "group"]

    def filter_name_or_code(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(iso3__iexact=value) | Q(iso2__iexact=value)
        )
