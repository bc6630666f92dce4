"""The entry point: :func:`extract`."""

from __future__ import annotations

from datetime import date

from . import rules
from .document import Document
from .model import Claim, Extraction

#: Rule families in the order they run. Order matters only for the document focus (the
#: contributor a sentence without a named nation is about): offers set it first.
RULE_FAMILIES = (
    rules.mentions,
    rules.force_offers,
    rules.conditions,
    rules.caveats,
    rules.consultations,
    rules.party_stances,
    rules.statements,
)


def extract(
    text: str, *, published: date | None = None, publisher: str | None = None
) -> Extraction:
    """Extract claims from ``text``.

    ``published`` anchors relative dates ("on Sunday", "last week"); without it they stay
    unresolved. ``publisher`` is recorded on the result for provenance only. Deterministic:
    the same input gives the same claims in the same order. Never raises on any ``str``.
    """
    if not isinstance(text, str):
        raise TypeError("extract() needs a str; decode bytes with decode_upload() first")
    doc = Document.build(text, published)
    claims: list[Claim] = []
    for family in RULE_FAMILIES:
        claims.extend(family(doc))
    claims.sort(key=lambda c: (c.quote_span.start, CLAIM_ORDER.get(c.kind, 99)))
    return Extraction(
        text=text,
        published=published,
        publisher=publisher,
        claims=tuple(claims),
        dates=tuple(doc.dates),
        sentences=tuple(s.span for s in doc.sentences),
    )


CLAIM_ORDER = {
    "nation_mention": 0,
    "organisation_mention": 1,
    "official": 2,
    "statement": 3,
    "force_offer": 4,
    "condition": 5,
    "caveat": 6,
    "consultation": 7,
    "party_stance": 8,
}
