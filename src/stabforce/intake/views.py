"""Web pages of the intake queue: submit a report, work through the queue, review a document.

Every page is for a signed-in user and reads through ``visible_to``; a document or update the
user may not see is a 404. Accept and reject are POST forms (CSRF-protected) that htmx submits
in place, returning just the updated card; without JavaScript they redirect back.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from stabforce.core.choices import Confidence
from stabforce.core.models import Mission
from stabforce.forcegen.choices import CaveatKind, ConditionKind, PledgeStatus, Stance
from stabforce.forcegen.models import Capability
from stabforce.intake import mappings, queries, services
from stabforce.intake.models import IntakeDocument, ProposedUpdate, UpdateKind, UpdateStatus


class SubmitForm(forms.Form):
    """Paste a statement or upload a file, with where and when it was published."""

    mission = forms.ModelChoiceField(queryset=Mission.objects.none(), empty_label=None)
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Paste the text of the statement or report.",
    )
    upload = forms.FileField(
        required=False,
        label="…or upload a file",
        help_text="Plain text (UTF-8) or an HTML page; at most "
        f"{services.MAX_DOCUMENT_BYTES:,} bytes.",
    )
    publisher = forms.CharField(max_length=200, required=False)
    published = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Anchors relative dates in the text (“on Sunday”, “last week”).",
    )
    url = forms.CharField(max_length=1000, required=False, label="URL")
    title = forms.CharField(max_length=500, required=False, help_text="Default: first line.")
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.MEDIUM)
    releasability = forms.ChoiceField(
        choices=[("all", "All mission members"), ("hq", "HQ only")], initial="all"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = Mission.objects.visible_to(user).order_by("name")


class QueueFilter(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *UpdateStatus.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *UpdateKind.choices])


def _choices(values, blank: str = "(as read)") -> list[tuple[str, str]]:
    return [("", blank), *[(v, v) if isinstance(v, str) else v for v in values]]


def edit_form(update: ProposedUpdate, data=None) -> forms.Form:
    """The fields a reviewer may change before accepting, pre-filled with the values read."""
    values = queries.defaults(update)
    form = forms.Form(data=data, prefix=f"u{update.pk}")
    capabilities = Capability.objects.filter(mission=update.mission).order_by("name")
    choice_fields = {
        "status": PledgeStatus.choices,
        "qualifier": [
            ("exact", "exact"),
            ("up_to", "up to"),
            ("about", "about"),
            ("estimate", "estimate"),
        ],
        "capability": [(c.key, c.name) for c in capabilities],
        "condition_kind": ConditionKind.choices,
        "caveat_kind": CaveatKind.choices,
        "stance": [(Stance.ACCEPTS, "accepts"), (Stance.OBJECTS, "objects")],
    }
    for name in queries.EDITABLE[update.kind]:
        initial = values.get(name)
        if isinstance(initial, list):
            initial = ", ".join(initial)
        if name == "qualifier" and initial == "":
            initial = "exact"
        if name in choice_fields:
            field = forms.ChoiceField(required=False, choices=_choices(choice_fields[name]))
        elif name in {"blocking", "choose_figure"}:
            field = forms.ChoiceField(
                required=False, choices=[("", "(default)"), ("true", "yes"), ("false", "no")]
            )
            initial = "" if initial is None else ("true" if initial else "false")
        elif name == "date":
            field = forms.DateField(
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        elif name in {"description", "quote"}:
            field = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
        else:
            field = forms.CharField(required=False)
        field.initial = initial
        field.label = name.replace("_", " ")
        form.fields[name] = field
    return form


def _edits(update: ProposedUpdate, form: forms.Form) -> dict[str, Any]:
    """Only the fields the reviewer actually changed count as edits."""
    if not form.is_valid():
        return {name: form.data.get(form.add_prefix(name)) for name in form.fields}
    edits = {}
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        initial = field.initial
        if value in (None, ""):
            continue
        if str(value) != str(initial if initial is not None else ""):
            edits[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return edits


def _card_context(user, update: ProposedUpdate, **extra) -> dict[str, Any]:
    plan = queries.plan_update(user, update) if update.is_pending else None
    return {
        "u": update,
        "plan": plan,
        "fields": queries.display_fields(update),
        "quote": queries.quote_segments(update),
        "can_review": update.is_pending and queries.may_review(user, update),
        "form": extra.pop("form", None) or (edit_form(update) if update.is_pending else None),
        **extra,
    }


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The review queue: pending updates first, filterable by kind and status."""
    user = request.user
    filters = QueueFilter(request.GET or None)
    status = kind = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        kind = filters.cleaned_data["kind"] or None
    shown = list(queries.updates(user, status=status, kind=kind)[:200])
    plans = queries.previews(user, shown)
    rows = [{"u": u, "plan": plans.get(u.pk)} for u in shown]
    return render(
        request,
        "intake/queue.html",
        {
            "filters": filters,
            "rows": rows,
            "documents": queries.documents(user)[:20],
            "may_submit": queries.may_submit(user),
        },
    )


@login_required
def submit(request: HttpRequest) -> HttpResponse:
    """Paste or upload a statement; the updates read from it go to the queue."""
    user = request.user
    if not queries.may_submit(user):
        raise PermissionDenied("Observers cannot submit documents.")
    form = SubmitForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("upload")
        try:
            result = services.submit_document(
                mission=data["mission"],
                user=user,
                text=None if upload else data["text"],
                data=upload.read(services.max_bytes() + 1) if upload else None,
                filename=upload.name if upload else "",
                publisher=data["publisher"],
                published=data["published"],
                url=data["url"],
                title=data["title"],
                confidence=data["confidence"],
                releasability=data["releasability"],
            )
        except services.SubmissionError as exc:
            target = "upload" if exc.field in {"file", "html"} else exc.field
            form.add_error(target if target in form.fields else None, exc.message)
        else:
            document = result.document
            if result.created:
                count = document.updates.count()
                messages.success(request, f"Read {count} proposed update(s) from the document.")
            else:
                messages.info(
                    request,
                    f"This document was already submitted on {document.created_at:%Y-%m-%d} "
                    "— showing that copy; nothing was stored twice.",
                )
            return redirect("intake:document", pk=document.pk)
    return render(request, "intake/submit.html", {"form": form})


def _document_or_404(user, pk: int) -> IntakeDocument:
    document = (
        IntakeDocument.objects.visible_to(user)
        .select_related("source", "mission", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document with each claim's words highlighted, and each proposed update to review."""
    user = request.user
    doc = _document_or_404(user, pk)
    shown = list(queries.updates(user, document=doc).order_by("position"))
    return render(
        request,
        "intake/document.html",
        {
            "doc": doc,
            "source": doc.source,
            "segments": queries.document_segments(doc, shown),
            "cards": [_card_context(user, update) for update in shown],
            "capability_defaults": mappings.CAPABILITY_FOR_FORCE_KIND,
        },
    )


def _update_or_404(user, pk: int) -> ProposedUpdate:
    update = (
        ProposedUpdate.objects.visible_to(user)
        .select_related("document__source", "mission", "nation", "reviewer")
        .filter(pk=pk)
        .first()
    )
    if update is None:
        raise Http404
    return update


def _respond(request, update: ProposedUpdate, error: str = "", form=None) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        update.refresh_from_db()
        context = _card_context(request.user, update, error=error, form=form)
        return render(request, "intake/_update.html", context)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('intake:document', args=[update.document_id])}#update-{update.pk}")


@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the update (with the reviewer's edits) to the register."""
    update = _update_or_404(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = edit_form(update, request.POST) if update.is_pending else None
    try:
        edits = _edits(update, form) if form is not None else {}
        services.accept_update(request.user, update, edits)
    except queries.ReviewError as exc:
        where = f" ({exc.field})" if exc.field else ""
        return _respond(request, update, f"Not applied{where}: {exc.message}", form)
    except PermissionDenied as exc:
        return _respond(request, update, str(exc))
    if request.headers.get("HX-Request") != "true":
        messages.success(request, "Accepted and applied to the register.")
    return _respond(request, update)


@login_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject the update, recording why."""
    update = _update_or_404(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.reject_update(request.user, update, request.POST.get("reason", ""))
    except queries.ReviewError as exc:
        return _respond(request, update, exc.message)
    except PermissionDenied as exc:
        return _respond(request, update, str(exc))
    return _respond(request, update)
