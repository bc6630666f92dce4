"""The intake queue: documents submitted for reading and the register updates proposed from them.

An :class:`IntakeDocument` is one statement, wire report or web page exactly as submitted, tied
to the core :class:`~stabforce.core.models.Source` it becomes once in the system. Each claim
the extractor finds that could change the force-generation register becomes a
:class:`ProposedUpdate` waiting for an officer's decision; names of nations, officials and
organisations are kept on the document as context only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stabforce.core.models import MissionRecord, Nation, Source


class DocumentFormat(models.TextChoices):
    TEXT = "text/plain", "Plain text"
    HTML = "text/html", "HTML (scripts and markup dropped; never shown raw)"


class UpdateKind(models.TextChoices):
    """Extracted claim kinds that map to a change in the register."""

    FORCE_OFFER = "force_offer", "Force offer (pledge)"
    CONDITION = "condition", "Condition on a pledge"
    CAVEAT = "caveat", "Caveat"
    CONSULTATION = "consultation", "Consultation (engagement)"
    PARTY_STANCE = "party_stance", "Party stance (acceptability)"
    STATEMENT = "statement", "Statement (evidence)"


class UpdateStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class IntakeDocument(MissionRecord):
    """A statement or report as it was submitted, and the text the claims point into.

    ``raw`` is kept verbatim for the record (HTML included) and is never rendered; ``text`` is
    the readable text extracted from it, and every claim's character offsets refer to it.
    ``sha256`` of the raw submission finds the same document submitted twice.
    """

    source = models.OneToOneField(Source, on_delete=models.PROTECT, related_name="intake_document")
    raw = models.TextField(help_text="The submission as received (never rendered).")
    text = models.TextField(help_text="The readable text the claims' offsets refer to.")
    content_type = models.CharField(max_length=16, choices=DocumentFormat.choices)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    context = models.JSONField(
        default=list,
        blank=True,
        help_text="Nations, officials and organisations named (context, not reviewable).",
    )
    inconsistencies = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["mission", "sha256"])]

    def __str__(self) -> str:
        return str(self.source)


class ProposedUpdate(MissionRecord):
    """One claim read from a document that would change the register, awaiting review.

    ``payload`` holds the claim's structured fields as the extractor found them (nation,
    stance, size, condition kind, participants, speaker...); ``edits`` what the reviewer
    changed before accepting; ``applied`` what accepting changed in the register (record type,
    id, action, label), so every register fact can be traced back to the words it came from.
    """

    document = models.ForeignKey(IntakeDocument, on_delete=models.CASCADE, related_name="updates")
    position = models.PositiveIntegerField(help_text="Order of the claim in the document.")
    kind = models.CharField(max_length=16, choices=UpdateKind.choices)
    nation = models.ForeignKey(
        Nation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The contributing nation the claim is about.",
    )
    payload = models.JSONField(default=dict)
    quote = models.TextField(help_text="The sentence the claim came from.")
    quote_start = models.PositiveIntegerField(default=0)
    quote_end = models.PositiveIntegerField(default=0)
    spans = models.JSONField(default=list, help_text="[[start, end, text], ...] in the text.")
    rule = models.CharField(max_length=120, help_text="The extraction rule that produced it.")
    confidence = models.FloatField()
    claim_date = models.DateField(
        null=True, blank=True, help_text="The date the text gives for it, resolved."
    )
    date_text = models.CharField(max_length=200, blank=True)
    inconsistencies = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=12, choices=UpdateStatus.choices, default=UpdateStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    edits = models.JSONField(default=dict, blank=True)
    applied = models.JSONField(default=list, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "position"]
        indexes = [models.Index(fields=["mission", "status", "kind"])]
        verbose_name = "proposed update"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.document.source.publisher} (#{self.pk})"

    @property
    def is_pending(self) -> bool:
        return self.status == UpdateStatus.PENDING
