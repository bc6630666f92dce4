"""Forms of the planning pages: ask a question (a scenario and its first run), run a sweep,
compare two runs. What-ifs are checked line by line against the register as of the chosen date,
so that a mistyped nation is a form error naming the line, not a failed run."""

from __future__ import annotations

from django import forms

from stabforce.planning import building, solver
from stabforce.planning.models import PlanScenario
from stabforce.planning.presenters import SOLVER_LABELS

STATUS_LABELS = {
    "deployed": "Deployed",
    "committed": "Committed",
    "offered": "Offered",
    "considering": "Considering",
    "interest": "Interest expressed",
}
#: Bounds on a run's parameters, the same for the web forms and the API (planning.api reads
#: them from here; only the CLI, run by an operator, may go further).
MIN_TIME_LIMIT = 0.5
MAX_TIME_LIMIT = 600
DEFAULT_TIME_LIMIT = 10
MIN_SAMPLES = 1
MAX_SAMPLES = 5000
DEFAULT_SAMPLES = 200
#: Seconds per sweep sample: the planner re-plans each sample within this (greedy ignores it).
MIN_SAMPLE_TIME_LIMIT = 0.1
MAX_SAMPLE_TIME_LIMIT = 5
#: A sweep's sampling seed (stored with the run; 32-bit, as numpy takes it)
MAX_SEED = 2**31 - 1
DEFAULT_SAMPLE_TIME_LIMIT = 1.0
DEMO_AS_OF = "2026-02-20"
SOLVER_CHOICES = [(name, SOLVER_LABELS.get(name, name)) for name in solver.SOLVERS]
#: An HTML date input reads and writes only ISO dates, whatever the active locale.
ISO_DATE = "%Y-%m-%d"


def iso_date_input() -> forms.DateInput:
    """A browser date picker: renders ``YYYY-MM-DD`` (not the locale's format, e.g. en-gb's
    dd/mm/yyyy, which a date input shows as blank and submits as nothing)."""
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


def what_if_help() -> str:
    kinds = "; ".join(f"{kind}=… — {text}" for kind, text in building.WHAT_IF_KINDS.items())
    return f"One per line, e.g. withdraw=PAK or slip=IDN:2. {kinds}."


class ScenarioChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlanScenario) -> str:
        # several scenarios may share a name ("Baseline — as of 2026-02-20"): the number tells
        # them apart (it is the number in the scenario's address)
        as_of = obj.as_of.isoformat()
        name = obj.name if as_of in obj.name else f"{obj.name} (as of {as_of})"
        return f"Scenario #{obj.pk}: {name}"


class ScenarioForm(forms.Form):
    """A planning question and how to answer it; saving it starts the first run."""

    name = forms.CharField(
        max_length=200, required=False,
        help_text="Optional; e.g. “Pakistan withdraws”. A name is made from the what-ifs.",
    )  # fmt: skip
    as_of = forms.DateField(
        label="As of",
        input_formats=[ISO_DATE],
        widget=iso_date_input(),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-02-20."},
        help_text=f"The register as it stood on this date. The demo plan is as of {DEMO_AS_OF}.",
    )
    statuses = forms.MultipleChoiceField(
        label="Pledges to count",
        choices=[(status, STATUS_LABELS[status]) for status in building.ALL_PLANNABLE],
        widget=forms.CheckboxSelectMultiple,
        initial=list(building.DEFAULT_STATUSES),
        help_text="Default: deployed, committed, offered. Considering and interest are optional.",
        error_messages={"required": "Count at least one pledge status."},
    )
    what_ifs = forms.CharField(
        label="What-ifs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "withdraw=PAK"}),
        help_text=what_if_help(),
    )
    base = ScenarioChoiceField(
        label="Compare with",
        queryset=PlanScenario.objects.none(),
        required=False,
        empty_label="— no base scenario —",
        help_text="The run page shows how this answer differs from the base's latest plan.",
    )
    time_limit = forms.FloatField(
        label="Time limit (s)", min_value=MIN_TIME_LIMIT, max_value=MAX_TIME_LIMIT,
        initial=DEFAULT_TIME_LIMIT,
        help_text=f"{MIN_TIME_LIMIT} to {MAX_TIME_LIMIT} s. The solver stops here and reports "
        "the proven gap.",
    )  # fmt: skip
    solver = forms.ChoiceField(
        choices=SOLVER_CHOICES,
        initial="auto",
    )

    def __init__(self, *args, user=None, mission=None, scenarios=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.mission = user, mission
        self.built: building.BuiltInstance | None = None  # the question, once checked
        if scenarios is not None:
            self.fields["base"].queryset = scenarios

    def clean_what_ifs(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["what_ifs"].splitlines()]
        return [line for line in lines if line]

    def clean(self) -> dict:
        data = super().clean()
        # Every line is checked and every bad one named: its form always, its sense in the
        # register on the date (a nation with units, a party that objects) when the date can
        # be planned.
        lines = data.get("what_ifs", [])
        built = None
        if not any(name != "what_ifs" for name in self.errors) and self.user and self.mission:
            try:
                built = building.build_instance(
                    self.user, self.mission, data["as_of"], statuses=tuple(data["statuses"])
                )
            except building.PlanningInputError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        built, problems = building.what_if_errors(built, lines)
        for index, message in problems.items():
            self.add_error("what_ifs", f"Line {index + 1}: {message}")
        self.built = built
        return data

    def scenario_name(self) -> str:
        data = self.cleaned_data
        if data.get("name"):
            return data["name"]
        if self.built is None:  # no mission to read the what-ifs against
            what = ", ".join(data["what_ifs"]) or "Baseline"
            return f"{what} — as of {data['as_of'].isoformat()}"
        return building.default_scenario_name(self.built, data["as_of"])


class SweepForm(forms.Form):
    """A Monte Carlo sweep over pledge conversion for a saved scenario."""

    samples = forms.IntegerField(
        min_value=MIN_SAMPLES, max_value=MAX_SAMPLES, initial=DEFAULT_SAMPLES,
        help_text=f"{MIN_SAMPLES} to {MAX_SAMPLES}. Each sample draws which pledges convert, "
        "then re-plans.",
    )  # fmt: skip
    # not required: left out (a script posting only ``samples``), they take their defaults
    solver = forms.ChoiceField(
        label="Planner per sample",
        choices=SOLVER_CHOICES,
        initial="auto",
        required=False,
        help_text="Greedy is much faster but places units differently from the optimal plan.",
    )
    sample_time_limit = forms.FloatField(
        label="Time limit per sample (s)",
        min_value=MIN_SAMPLE_TIME_LIMIT, max_value=MAX_SAMPLE_TIME_LIMIT,
        initial=DEFAULT_SAMPLE_TIME_LIMIT, required=False,
        help_text=f"{MIN_SAMPLE_TIME_LIMIT} to {MAX_SAMPLE_TIME_LIMIT} s.",
    )  # fmt: skip
    seed = forms.IntegerField(
        min_value=0, max_value=MAX_SEED, initial=0, required=False,
        help_text=f"0 to {MAX_SEED}. The same seed draws the same samples; another seed draws "
        "others.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        # the scenario page holds the plan form too: its own ids, so labels find their input
        kwargs.setdefault("auto_id", "id_sweep_%s")
        super().__init__(*args, **kwargs)

    def clean_solver(self) -> str:
        return self.cleaned_data["solver"] or "auto"

    def clean_sample_time_limit(self) -> float:
        value = self.cleaned_data["sample_time_limit"]
        return DEFAULT_SAMPLE_TIME_LIMIT if value is None else value

    def clean_seed(self) -> int:
        return self.cleaned_data["seed"] or 0


class RerunForm(forms.Form):
    """Answer a saved scenario again (a different time limit or solver)."""

    time_limit = forms.FloatField(
        label="Time limit (s)", min_value=MIN_TIME_LIMIT, max_value=MAX_TIME_LIMIT,
        initial=DEFAULT_TIME_LIMIT, help_text=f"{MIN_TIME_LIMIT} to {MAX_TIME_LIMIT} s.",
    )  # fmt: skip
    solver = forms.ChoiceField(
        choices=SOLVER_CHOICES,
        initial="auto",
    )
