"""Statement intake API: /api/v1/intake/...

Submit a statement or report (text or HTML) and get the register updates read from it; list
and review the queue. Accepting applies the update through the force-generation services with
the document as evidence; a change the register refuses answers 409 with the register's own
message, and nothing is changed. Every read goes through ``visible_to(user)``.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import StringConstraints

from stabforce.core.api import (
    LOOKUP_ERRORS,
    WRITE_ERRORS,
    BodyDate,
    BodyText,
    InputSchema,
    Page,
    RecordId,
    SearchText,
    SerialisedPage,
    mission_or_404,
    printable_line,
    record_or_404,
)
from stabforce.core.api_auth import auth_user
from stabforce.core.choices import Confidence
from stabforce.intake import queries, services
from stabforce.intake.models import IntakeDocument, ProposedUpdate, UpdateKind, UpdateStatus

router = Router(tags=["intake"])


# --- Schemas ---------------------------------------------------------------------------------


Publisher = printable_line(200)
Url = printable_line(1000)
Title = printable_line(500)


class DocumentIn(InputSchema):
    """A statement or report to read. Give ``text`` or ``html`` (scripts and markup are
    dropped; the HTML is never shown). ``published`` anchors relative dates ("on Sunday")."""

    mission: Annotated[str, StringConstraints(max_length=64)] = Field(..., examples=["gaza-isf"])
    text: str | None = None
    html: str | None = None
    publisher: Publisher = ""
    published: BodyDate | None = None
    url: Url = ""
    title: Title = ""
    confidence: Confidence = Confidence.MEDIUM
    releasability: Literal["all", "hq"] = "all"


class UpdateOut(Schema):
    """A proposed register update: the claim as read (``payload``), where it is in the text
    (``spans``: [start, end, text]), the rule that produced it, and — while pending — the
    ``preview`` of what accepting it would change and what it corroborates or conflicts with."""

    id: int
    document_id: int
    mission: str
    kind: str
    status: str
    nation: str | None
    payload: dict[str, Any]
    quote: str
    spans: list[list[Any]]
    rule: str
    confidence: float
    date: dt.date | None
    date_text: str
    inconsistencies: list[str]
    reviewer: str | None
    reviewed_at: dt.datetime | None
    rejection_reason: str
    edits: dict[str, Any]
    applied: list[dict[str, Any]]
    preview: dict[str, Any] | None


class DocumentOut(Schema):
    id: int
    mission: str
    source_id: int
    source_key: str
    publisher: str
    title: str
    url: str
    published: dt.date | None
    content_type: str
    filename: str
    sha256: str
    size_bytes: int
    submitted_by: str | None
    created_at: dt.datetime
    inconsistencies: list[str]
    pending: int


class DocumentDetail(DocumentOut):
    """A document with its text, the names it mentions (context) and its proposed updates."""

    text: str
    context: list[dict[str, Any]]
    created: bool = True
    updates: list[UpdateOut]


class AcceptIn(InputSchema):
    """Optional edits before applying: e.g. ``{"personnel": 3000, "status": "offered",
    "date": "2025-12-21", "capability": "infantry-battalion", "nation": "PAK"}``. Editable
    fields per kind: force_offer — nation, capability, personnel, qualifier, status, date,
    choose_figure, pledge; condition — nation, condition_kind, blocking, description, date,
    pledge; caveat — nation, caveat_kind, line_of_operation, sector, max_months, description,
    date, pledge; consultation — nations, date, topic, officials; party_stance — party,
    nation, stance, date; statement — nation, date, quote."""

    edits: dict[str, Any] = {}


class RejectIn(InputSchema):
    reason: Annotated[BodyText, StringConstraints(min_length=1, max_length=2000)]


# --- Serialisation ---------------------------------------------------------------------------


def _update_out(user, update: ProposedUpdate, plan: queries.Plan | None = None) -> dict:
    if plan is None and update.status == UpdateStatus.PENDING:
        plan = queries.plan_update(user, update)
    return {
        "id": update.pk,
        "document_id": update.document_id,
        "mission": update.mission.slug,
        "kind": update.kind,
        "status": update.status,
        "nation": update.nation.iso3 if update.nation else None,
        "payload": update.payload,
        "quote": update.quote,
        "spans": update.spans,
        "rule": update.rule,
        "confidence": update.confidence,
        "date": update.claim_date,
        "date_text": update.date_text,
        "inconsistencies": update.inconsistencies,
        "reviewer": update.reviewer.username if update.reviewer else None,
        "reviewed_at": update.reviewed_at,
        "rejection_reason": update.rejection_reason,
        "edits": update.edits,
        "applied": update.applied,
        "preview": plan.as_dict() if plan else None,
    }


def _document_out(user, document: IntakeDocument) -> dict:
    source = document.source
    return {
        "id": document.pk,
        "mission": document.mission.slug,
        "source_id": source.pk,
        "source_key": source.key,
        "publisher": source.publisher,
        "title": source.title,
        "url": source.url,
        "published": source.published,
        "content_type": document.content_type,
        "filename": document.filename,
        "sha256": document.sha256,
        "size_bytes": document.size_bytes,
        "submitted_by": document.submitted_by.username if document.submitted_by else None,
        "created_at": document.created_at,
        "inconsistencies": document.inconsistencies,
        "pending": queries.updates(user, document=document, status=UpdateStatus.PENDING).count(),
    }


def _document_detail(user, document: IntakeDocument, created: bool = True) -> dict:
    shown = list(queries.updates(user, document=document).order_by("position"))
    return {
        **_document_out(user, document),
        "text": document.text,
        "context": document.context,
        "created": created,
        "updates": [_update_out(user, update) for update in shown],
    }


def _field_error(field: str, message: str, where: str = "body") -> NinjaValidationError:
    return NinjaValidationError([{"loc": [where, field], "msg": message}])


# --- Operations ------------------------------------------------------------------------------


@router.post(
    "/documents",
    response={200: DocumentDetail, 201: DocumentDetail, **WRITE_ERRORS},
    operation_id="submitIntakeDocument",
)
def submit_document(request: HttpRequest, body: DocumentIn):
    """Read a statement or report and queue the register updates it proposes. 201 with the
    new document; 200 with the existing one when the same text was submitted before in the
    mission (``created: false``). Bad input (empty, binary, too large, no readable text)
    is a 422 naming the field; nothing is stored."""
    user = auth_user(request)
    mission = mission_or_404(request, body.mission)
    try:
        result = services.submit_document(
            mission=mission,
            user=user,
            text=body.text,
            html=body.html,
            publisher=body.publisher,
            published=body.published,
            url=body.url,
            title=body.title,
            confidence=body.confidence,
            releasability=body.releasability,
        )
    except services.SubmissionError as exc:
        raise _field_error(exc.field, exc.message) from None
    status = 201 if result.created else 200
    return Status(status, _document_detail(user, result.document, result.created))


@router.get(
    "/documents",
    response={200: list[DocumentOut], **LOOKUP_ERRORS},
    operation_id="listIntakeDocuments",
)
@paginate(Page)
def list_documents(
    request: HttpRequest,
    mission: Annotated[SearchText | None, Query(description="Mission slug")] = None,
):
    """Submitted documents the caller may see, newest first."""
    user = auth_user(request)
    scope = mission_or_404(request, mission) if mission else None
    return SerialisedPage(queries.documents(user, scope), lambda d: _document_out(user, d))


@router.get(
    "/documents/{id}",
    response={200: DocumentDetail, **LOOKUP_ERRORS},
    operation_id="getIntakeDocument",
)
def get_document(request: HttpRequest, id: RecordId):
    """One document: its readable text, the names it mentions and its proposed updates."""
    document = record_or_404(request, IntakeDocument.objects.select_related("source"), pk=id)
    return _document_detail(auth_user(request), document)


@router.get(
    "/claims",
    response={200: list[UpdateOut], **LOOKUP_ERRORS},
    operation_id="listIntakeClaims",
)
@paginate(Page)
def list_claims(
    request: HttpRequest,
    mission: Annotated[SearchText | None, Query(description="Mission slug")] = None,
    status: UpdateStatus | None = None,
    kind: UpdateKind | None = None,
    document: Annotated[int | None, Query(ge=1, le=2**53, description="Document id")] = None,
):
    """The review queue: pending first; filter by status, kind, mission or document."""
    user = auth_user(request)
    scope = mission_or_404(request, mission) if mission else None
    doc = None
    if document is not None:
        doc = record_or_404(request, IntakeDocument.objects.all(), pk=document)
    shown = queries.updates(user, mission=scope, status=status, kind=kind, document=doc)
    return SerialisedPage(shown, lambda update: _update_out(user, update))


@router.get(
    "/claims/{id}",
    response={200: UpdateOut, **LOOKUP_ERRORS},
    operation_id="getIntakeClaim",
)
def get_claim(request: HttpRequest, id: RecordId):
    """One proposed update, with its preview while pending."""
    update = record_or_404(request, ProposedUpdate.objects.select_related("document"), pk=id)
    return _update_out(auth_user(request), update)


def _review_error(exc: queries.ReviewError, edits: dict[str, Any] | None) -> Exception:
    if exc.field and edits and exc.field in edits:
        return _field_error(exc.field, exc.message, "body.edits")
    return HttpError(409, exc.message)


@router.post(
    "/claims/{id}/accept",
    response={200: UpdateOut, **WRITE_ERRORS},
    operation_id="acceptIntakeClaim",
)
def accept_claim(request: HttpRequest, id: RecordId, body: AcceptIn | None = None):
    """Apply the update to the register (optionally edited), citing the document. 403 for a
    user who may not review it; 409 with the register's message when it refuses the change
    (e.g. committing with open blocking conditions); 422 for an unreadable edit."""
    user = auth_user(request)
    update = record_or_404(request, ProposedUpdate.objects.all(), pk=id)
    edits = body.edits if body else {}
    try:
        update = services.accept_update(user, update, edits)
    except queries.ReviewError as exc:
        raise _review_error(exc, edits) from None
    return _update_out(user, update)


@router.post(
    "/claims/{id}/reject",
    response={200: UpdateOut, **WRITE_ERRORS},
    operation_id="rejectIntakeClaim",
)
def reject_claim(request: HttpRequest, id: RecordId, body: RejectIn):
    """Reject the update and record why."""
    user = auth_user(request)
    update = record_or_404(request, ProposedUpdate.objects.all(), pk=id)
    try:
        update = services.reject_update(user, update, body.reason)
    except queries.ReviewError as exc:
        if exc.field == "reason":
            raise _field_error("reason", exc.message) from None
        raise HttpError(409, exc.message) from None
    return _update_out(user, update)
