"""The only code that writes the intake queue, and the one path from a reviewed claim into the
force-generation register (through :mod:`stabforce.forcegen.services`).

- :func:`submit_document`: a pasted text, HTML page or uploaded file becomes a core
  :class:`~stabforce.core.models.Source` with its :class:`IntakeDocument`, read by the
  extractor; every claim that could change the register is queued as a
  :class:`ProposedUpdate`. Bad input is refused with a message the user can act on, and
  nothing is stored.
- :func:`accept_update`: applies the plan of :func:`stabforce.intake.queries.plan_update`
  (optionally with the reviewer's edits), citing the document's source and the quote, in one
  transaction: either every change is made or none.
- :func:`reject_update`: records who rejected it and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from stabforce.core.choices import Confidence, Releasability
from stabforce.core.models import Mission, Nation, Source
from stabforce.forcegen import services as forcegen
from stabforce.forcegen.models import Engagement
from stabforce.intake import queries
from stabforce.intake.extract import (
    DEFAULT_LIMIT_BYTES,
    Extraction,
    IntakeInputError,
    decode_upload,
    extract,
    text_from_html,
)
from stabforce.intake.extract.evaluation import IDENTITY
from stabforce.intake.extract.lexicon import PARTY_STATES
from stabforce.intake.models import (
    DocumentFormat,
    IntakeDocument,
    ProposedUpdate,
    UpdateKind,
    UpdateStatus,
)
from stabforce.intake.queries import ReviewError

#: Largest document accepted, in bytes of UTF-8 (setting ``STABFORCE_INTAKE_MAX_BYTES``).
MAX_DOCUMENT_BYTES: int = getattr(settings, "STABFORCE_INTAKE_MAX_BYTES", DEFAULT_LIMIT_BYTES)

#: Claim kinds shown as context on the document, never reviewable on their own.
CONTEXT_KINDS = ("nation_mention", "organisation_mention", "official")

_HTML_SNIFF = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<p[\s>]|<div[\s>])", re.I)


class SubmissionError(IntakeInputError):
    """A submission refused before anything was stored; ``field`` names what to correct."""

    def __init__(self, message: str, field: str = "text"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Submission:
    """The outcome of a submission: the document, and whether it is new or was already queued
    (the same bytes submitted before in this mission are reported, not stored twice)."""

    document: IntakeDocument
    created: bool


def max_bytes() -> int:
    return getattr(settings, "STABFORCE_INTAKE_MAX_BYTES", MAX_DOCUMENT_BYTES)


def read_input(
    *,
    text: str | None = None,
    html: str | None = None,
    data: bytes | None = None,
    filename: str = "",
) -> tuple[str, str, str]:
    """(raw, readable text, content type) of a submission, or :class:`SubmissionError`.

    Exactly one of ``text`` (pasted), ``html`` (a page) or ``data`` (an uploaded file's bytes)
    is given. Uploads ending in .htm/.html, or starting like a page, are read as HTML: scripts,
    styles and markup are dropped and the raw HTML is kept only for the record.
    """
    given = [
        name
        for name, value in (("text", text), ("html", html), ("file", data))
        if value not in (None, "", b"")
    ]
    if not given:
        raise SubmissionError(
            "The document is empty; paste the text of a statement or upload a file."
        )
    if len(given) > 1:
        raise SubmissionError(
            f"Give one of text, html or file, not {' and '.join(given)}.", given[1]
        )
    field = given[0]
    raw_bytes = data if data is not None and field == "file" else (text or html or "").encode()
    try:
        raw = decode_upload(raw_bytes, limit_bytes=max_bytes())
    except IntakeInputError as exc:
        raise SubmissionError(str(exc), field) from None
    if field == "file" and any(ch in raw for ch in "\x00"):
        raise SubmissionError("The upload looks binary.", field)  # pragma: no cover
    is_html = field == "html" or (
        field == "file"
        and (filename.lower().endswith((".htm", ".html")) or bool(_HTML_SNIFF.match(raw)))
    )
    if is_html:
        readable = text_from_html(raw)
        if not readable.strip():
            raise SubmissionError("The HTML has no readable text (only markup or scripts).", field)
        return raw, readable, DocumentFormat.HTML
    readable = raw.replace("\r\n", "\n").replace("\r", "\n")
    return raw, readable, DocumentFormat.TEXT


def submit_document(
    *,
    mission: Mission,
    user,
    text: str | None = None,
    html: str | None = None,
    data: bytes | None = None,
    filename: str = "",
    publisher: str = "",
    published: dt.date | None = None,
    url: str = "",
    title: str = "",
    confidence: str = Confidence.MEDIUM,
    releasability: str = Releasability.ALL,
) -> Submission:
    """Store a statement or report as a Source and queue the register updates read from it.

    The publication date anchors relative dates in the text ("on Sunday", "last week") and is
    the valid time of any claim whose own date the text does not give.
    """
    if not queries.may_submit(user):
        raise PermissionDenied("Observers cannot submit documents.")
    if not Mission.objects.visible_to(user).filter(pk=mission.pk).exists():
        raise PermissionDenied("You are not a member of this mission.")
    raw, readable, content_type = read_input(text=text, html=html, data=data, filename=filename)
    publisher = (publisher or "").strip()[:200] or "Unknown publisher"
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise SubmissionError(f"Not a web address: {url[:100]!r}.", "url") from None
        if len(url) > 1000:
            raise SubmissionError("The web address is longer than 1,000 characters.", "url")
    if confidence not in Confidence.values:
        raise SubmissionError(
            f"Confidence must be one of {', '.join(Confidence.values)}.", "confidence"
        )
    if releasability not in (Releasability.ALL, Releasability.HQ):
        raise SubmissionError("Releasability must be 'all' or 'hq'.", "releasability")
    raw_bytes = raw.encode("utf-8")
    digest = hashlib.sha256(raw_bytes).hexdigest()
    # Only a twin the user may see counts as "already submitted": naming one they may not
    # see would disclose it, so such a text is stored again under the user's own release.
    existing = (
        IntakeDocument.objects.visible_to(user).filter(mission=mission, sha256=digest).first()
    )
    if existing is not None:
        return Submission(existing, created=False)

    extraction = extract(readable, published=published, publisher=publisher)
    title = (title or "").strip() or _first_line(readable)
    try:
        with transaction.atomic():
            source = Source.objects.create(
                mission=mission,
                releasability=releasability,
                owner_nation=user.nation,
                key=_source_key(mission, digest),
                publisher=publisher,
                title=title[:500],
                url=url,
                published=published,
                confidence=confidence,
                summary=f"Submitted through intake by {user.username}"
                + (f" ({filename})" if filename else "")
                + ".",
            )
            document = IntakeDocument.objects.create(
                mission=mission,
                releasability=releasability,
                owner_nation=user.nation,
                source=source,
                raw=raw,
                text=readable,
                content_type=content_type,
                filename=filename[:255],
                sha256=digest,
                size_bytes=len(raw_bytes),
                submitted_by=user,
                context=_context(extraction),
                inconsistencies=extraction.inconsistencies,
            )
            _queue_claims(document, extraction)
    except IntegrityError:
        raise SubmissionError(
            "The same text was submitted at the same moment; submit it again.", "text"
        ) from None
    return Submission(document, created=True)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 200 else line[:199] + "…"
    return "Untitled document"


def _source_key(mission: Mission, digest: str) -> str:
    base = f"intake-{digest[:12]}"
    key, copy = base, 2
    while Source.objects.filter(mission=mission, key=key).exists():
        key, copy = f"{base}-{copy}", copy + 1
    return key


def _spans(claim) -> list[list[Any]]:
    return [[s.start, s.end, s.text] for s in claim.spans]


def _context(extraction: Extraction) -> list[dict[str, Any]]:
    """Who and what the text names: shown as context, never applied to the register."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for claim in extraction.claims:
        if claim.kind not in CONTEXT_KINDS:
            continue
        if claim.kind == "nation_mention":
            label = claim.nation
        elif claim.kind == "organisation_mention":
            label = claim.name + (f" ({claim.nation})" if claim.nation else "")
        else:
            who = claim.name or claim.role or "official"
            extra = ", ".join(
                part
                for part in (claim.role if claim.name else None, claim.nation, claim.organisation)
                if part
            )
            label = f"{who} ({extra})" if extra else who
        row = seen.setdefault(
            (claim.kind, label),
            {
                "kind": claim.kind,
                "label": label,
                "rule": claim.rule,
                "confidence": claim.confidence,
                "spans": [],
            },
        )
        row["spans"].extend(_spans(claim))
    return list(seen.values())


def _statement_nation(extraction: Extraction, claim) -> str | None:
    """The contributor a quoted statement is about: the nation of an offer, condition or
    caveat in the same sentence, else another nation the sentence names, else the report's
    first contributor, else the speaker's own."""
    same = [c for c in extraction.claims if c.quote_span == claim.quote_span and c is not claim]
    for c in same:
        if c.kind in ("force_offer", "condition", "caveat", "party_stance") and c.nation:
            return c.nation
    for c in same:
        if c.kind == "nation_mention" and c.nation != claim.speaker_nation:
            if c.nation not in PARTY_STATES:
                return c.nation
    offers = extraction.of_kind("force_offer")
    if offers:
        return offers[0].nation
    return claim.speaker_nation


def _queue_claims(document: IntakeDocument, extraction: Extraction) -> None:
    nations = {n.iso3: n for n in Nation.objects.all()}
    rows = []
    for position, claim in enumerate(extraction.claims):
        if claim.kind not in UpdateKind.values:
            continue
        payload = claim.as_dict()
        for name in ("kind", "quote", "confidence", "rule", "inconsistencies", "inconsistent"):
            payload.pop(name, None)
        nation_code = getattr(claim, "nation", None)
        if claim.kind == UpdateKind.STATEMENT:
            nation_code = _statement_nation(extraction, claim)
            payload["about"] = nation_code
        day = None
        if claim.date:
            day = claim.date.value or claim.date.latest
            payload["date_candidates"] = [d.isoformat() for d in claim.date.candidates]
            if claim.date.note:
                payload["date_note"] = claim.date.note
        rows.append(
            ProposedUpdate(
                mission=document.mission,
                releasability=document.releasability,
                owner_nation=nations.get(nation_code) if nation_code else None,
                document=document,
                position=position,
                kind=claim.kind,
                nation=nations.get(nation_code) if nation_code else None,
                payload=payload,
                quote=claim.quote,
                quote_start=claim.quote_span.start,
                quote_end=claim.quote_span.end,
                spans=_spans(claim),
                rule=claim.rule,
                confidence=round(claim.confidence, 3),
                claim_date=day,
                date_text=claim.date.span.text[:200] if claim.date else "",
                inconsistencies=list(claim.inconsistencies),
            )
        )
    for row in rows:  # one by one: the audit history records each
        row.save()


# --- Review ----------------------------------------------------------------------------------


def _locked(update: ProposedUpdate, user) -> ProposedUpdate:
    locked = (
        ProposedUpdate.objects.select_for_update(of=("self",))
        .select_related("document__source", "mission", "nation")
        .get(pk=update.pk)
    )
    if not ProposedUpdate.objects.visible_to(user).filter(pk=locked.pk).exists():
        raise PermissionDenied("You may not see this proposed update.")
    if locked.status != UpdateStatus.PENDING:
        raise ReviewError(
            f"This update was already {locked.get_status_display().lower()}"
            + (f" by {locked.reviewer.username}" if locked.reviewer else "")
            + ".",
            "status",
        )
    return locked


def _check_reviewer(user, update: ProposedUpdate, nation_iso3: str | None) -> None:
    if not queries.may_review(user, update):
        raise PermissionDenied(_refusal(user))
    if nation_iso3 is not None and not queries.may_review(user, update, nation_iso3):
        raise PermissionDenied(_refusal(user))


def _refusal(user) -> str:
    if getattr(user, "role", None) == "national_liaison":
        return "A national liaison officer may review only claims about their own nation."
    return "Only HQ planners, administrators and national liaison officers review the queue."


def accept_update(user, update: ProposedUpdate, edits: dict[str, Any] | None = None):
    """Apply a proposed update to the register, citing the document's source and quote.

    ``edits`` override the extracted fields (nation, personnel, status, date, capability...).
    Raises :class:`ReviewError` with the register's own message when a service refuses (e.g.
    committing while blocking conditions are open); then nothing at all has changed.
    """
    try:
        with transaction.atomic():
            locked = _locked(update, user)
            plan = queries.plan_update(user, locked, edits)
            nation = plan.values.get("nation") if "nation" in plan.values else None
            _check_reviewer(user, locked, nation)
            if plan.problem:
                raise ReviewError(plan.problem, plan.problem_field)
            applied = [_execute(step, locked, plan) for step in plan.steps]
            locked.status = UpdateStatus.ACCEPTED
            locked.reviewer = user
            locked.reviewed_at = timezone.now()
            locked.edits = queries._plain(
                {k: v for k, v in (edits or {}).items() if v not in (None, "", [])}
            )
            locked.applied = [ref for refs in applied for ref in refs]
            locked.save()
            _supersede_twins(locked)
            return locked
    except forcegen.ForcegenError as exc:
        raise ReviewError(exc.message, exc.field) from exc
    except ValidationError as exc:
        raise ReviewError("; ".join(exc.messages)) from exc


def reject_update(user, update: ProposedUpdate, reason: str) -> ProposedUpdate:
    """Record that the claim is wrong or not worth recording, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Say why the claim is rejected.", "reason")
    with transaction.atomic():
        locked = _locked(update, user)
        _check_reviewer(user, locked, None)
        locked.status = UpdateStatus.REJECTED
        locked.reviewer = user
        locked.reviewed_at = timezone.now()
        locked.rejection_reason = reason[:2000]
        locked.save()
    return locked


def _identity(update: ProposedUpdate) -> tuple | None:
    fields = IDENTITY.get(update.kind)
    if not fields or update.kind == UpdateKind.STATEMENT:
        return None
    return tuple(str(update.payload.get(name)) for name in fields)


def _supersede_twins(update: ProposedUpdate) -> None:
    """The same claim stated twice in one document is applied once: the other copies are
    marked superseded by the accepted one."""
    identity = _identity(update)
    if identity is None:
        return
    twins = ProposedUpdate.objects.filter(
        document=update.document, kind=update.kind, status=UpdateStatus.PENDING
    ).exclude(pk=update.pk)
    for twin in twins:
        if _identity(twin) == identity:
            twin.status = UpdateStatus.SUPERSEDED
            twin.superseded_by = update
            twin.save()


def _citation(update: ProposedUpdate, plan: queries.Plan) -> forcegen.Citation:
    quote = update.quote
    if update.kind == UpdateKind.STATEMENT:
        quote = plan.values.get("quote") or quote
    speaker = update.payload.get("speaker")
    note = f"From intake (proposed update #{update.pk}, rule {update.rule})"
    if speaker:
        note += f"; said by {speaker}"
    return forcegen.Citation(update.document.source, plan.values["date"], quote, note + ".")


def _ref(record, action: str) -> list[dict[str, Any]]:
    return [
        {"type": record._meta.model_name, "id": record.pk, "action": action, "label": str(record)}
    ]


def _execute(step: queries.Step, update: ProposedUpdate, plan: queries.Plan) -> list[dict]:
    """Carry out one planned change through the force-generation services."""
    citation = _citation(update, plan)
    f, refs = step.fields, step.refs
    if step.action == "create_pledge":
        pledge = forcegen.create_pledge(
            mission=update.mission,
            key=f["key"],
            nation=refs["nation"],
            capability=refs["capability"],
            personnel=f["personnel"],
            units=f["units"],
            qualifier=f["qualifier"],
            status=f["status"],
            citation=citation,
            releasability=update.document.releasability,
        )
        return _ref(pledge, "created")
    if step.action == "change_status":
        change = forcegen.change_status(refs["pledge"], f["to"], citation)
        return _ref(refs["pledge"], "status changed") + _ref(change, "created")
    if step.action == "record_figure":
        figure = forcegen.record_figure(
            refs["pledge"], f["personnel"], citation, qualifier=f["qualifier"], choose=f["chosen"]
        )
        return _ref(refs["pledge"], "figure recorded") + _ref(figure, "created")
    if step.action == "add_evidence":
        forcegen.add_evidence(refs["pledge"], citation)
        return _ref(refs["pledge"], "evidence attached")
    if step.action == "add_condition":
        condition = forcegen.add_condition(
            refs["pledge"],
            f["kind"],
            citation,
            blocking=f["blocking"],
            description=f["description"],
        )
        return _ref(refs["pledge"], "condition added") + _ref(condition, "created")
    if step.action == "add_caveat":
        caveat = forcegen.add_caveat(
            refs["pledge"],
            f["kind"],
            citation,
            description=f["description"],
            line_of_operation=refs.get("line_of_operation"),
            sector=refs.get("sector"),
            max_months=f["max_months"],
        )
        return _ref(refs["pledge"], "caveat added") + _ref(caveat, "created")
    if step.action == "record_acceptability":
        record = forcegen.record_acceptability(
            mission=update.mission,
            party=refs["party"],
            nation=refs["nation"],
            stance=f["stance"],
            citation=citation,
        )
        return _ref(record, "created")
    if step.action == "link_acceptability":
        forcegen.cite(refs["acceptability"], citation)
        return _ref(refs["acceptability"], "evidence attached")
    if step.action == "link_engagement":
        forcegen.cite(refs["engagement"], citation)
        return _ref(refs["engagement"], "evidence attached")
    if step.action == "record_engagement":
        engagement = _record_engagement(update, f, refs, citation)
        return _ref(engagement, "created")
    raise ReviewError(f"Unknown change '{step.action}'.")  # pragma: no cover


def _record_engagement(update, f, refs, citation: forcegen.Citation) -> Engagement:
    """Record a consultation between nations as an engagement, keeping any date
    inconsistency the extractor found in its date note."""
    inconsistencies = "; ".join(update.inconsistencies)
    return forcegen.record_engagement(
        mission=update.mission,
        key=f["key"],
        occurred_on=f["occurred_on"],
        topic=f["topic"],
        officials=f["officials"],
        nations=refs["nations"],
        pledges=refs["pledges"],
        citation=citation,
        releasability=update.document.releasability,
        date_note=(
            f"{update.document.source.publisher}: {inconsistencies}" if inconsistencies else ""
        ),
    )
