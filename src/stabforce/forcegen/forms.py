"""Forms of the force-generation pages. Each records one thing a force-generation officer does,
citing a source; the services decide whether it is allowed and say why not."""

from __future__ import annotations

from django import forms

from stabforce.core.models import Source
from stabforce.forcegen.choices import ConditionStatus
from stabforce.forcegen.services import Citation

DATE_ERRORS = {"invalid": "Enter the date as YYYY-MM-DD, e.g. 2025-12-20."}


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
        help_text="When it was true in the world (valid time), from the source.",
    )


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Source) -> str:
        when = obj.published.isoformat() if obj.published else "undated"
        return f"{when} · {obj.publisher} — {obj.title[:90]}"


class CitationForm(forms.Form):
    """A source the user may see in the pledge's mission, a date and the words relied on."""

    source = SourceChoiceField(queryset=Source.objects.none(), empty_label="Choose a source…")
    effective = _date_field("Effective date")

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sources is not None:
            self.fields["source"].queryset = sources

    def citation(self) -> Citation:
        data = self.cleaned_data
        return Citation(
            data["source"], data["effective"], data.get("quote", ""), data.get("note", "")
        )


class StatusChangeForm(CitationForm):
    """Move a pledge through its lifecycle (services.change_status)."""

    to_status = forms.ChoiceField(label="New status")
    quote = forms.CharField(
        label="Quote", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The source's words this change rests on.",
    )  # fmt: skip
    note = forms.CharField(label="Note", required=False, max_length=500)
    field_order = ["to_status", "source", "effective", "quote", "note"]

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = list(statuses)


class ResolveConditionForm(CitationForm):
    """Mark a condition met or waived (services.resolve_condition)."""

    status = forms.ChoiceField(
        label="Resolution",
        choices=[(ConditionStatus.MET, "Met"), (ConditionStatus.WAIVED, "Waived")],
    )
    field_order = ["status", "source", "effective"]


class ImportForm(forms.Form):
    """Upload a CSV or XLSX file of requirements or pledges (all rows or none)."""

    kind = forms.ChoiceField(
        label="Table",
        choices=[("pledges", "Pledges"), ("requirements", "Requirements")],
        widget=forms.RadioSelect,
        initial="pledges",
    )
    file = forms.FileField(
        label="File (.csv or .xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
