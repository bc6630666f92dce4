"""Rule-based extraction of claims from public statements about the stabilisation force.

Usage::

    from stabforce.intake.extract import extract
    result = extract(text, published=date(2025, 12, 22), publisher="Dawn")
    for claim in result.of_kind("force_offer"):
        print(claim.nation, claim.stance, claim.size, claim.qualifier, claim.hedges, claim.rule)

Pure Python (no Django), deterministic, no learned model. See ``docs/intake.md`` for the
rules, the claim kinds and the evaluation figures.
"""

from .evaluation import EvaluationReport, evaluate, format_report
from .inputs import DEFAULT_LIMIT_BYTES, decode_upload, text_from_html
from .model import (
    CAVEAT_KINDS,
    CLAIM_KINDS,
    CONDITION_KINDS,
    FORCE_KINDS,
    STANCES,
    Caveat,
    Claim,
    Condition,
    Consultation,
    DateRef,
    Extraction,
    ForceOffer,
    IntakeInputError,
    NationMention,
    OfficialMention,
    OrganisationMention,
    PartyStance,
    Span,
    Statement,
)
from .pipeline import extract

__all__ = [
    "CAVEAT_KINDS",
    "CLAIM_KINDS",
    "CONDITION_KINDS",
    "DEFAULT_LIMIT_BYTES",
    "FORCE_KINDS",
    "STANCES",
    "Caveat",
    "Claim",
    "Condition",
    "Consultation",
    "DateRef",
    "EvaluationReport",
    "Extraction",
    "ForceOffer",
    "IntakeInputError",
    "NationMention",
    "OfficialMention",
    "OrganisationMention",
    "PartyStance",
    "Span",
    "Statement",
    "decode_upload",
    "evaluate",
    "extract",
    "format_report",
    "text_from_html",
]
