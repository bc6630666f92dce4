"""Typed results of extraction.

Every claim is evidence, not a decision: it says *what the text asserts*, points at the exact
characters that assert it (``spans``), carries the sentence it came from (``quote``), a
confidence in 0..1 and the ``rule`` that produced it, so an analyst can see why the machine
thinks so and overrule it.

Offsets are Python string indices into the text given to :func:`extract` (code points, not
bytes); for every span ``text[span.start:span.end] == span.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, ClassVar

#: Lifecycle stages a public statement can put a pledge in (weakest to strongest, then exits).
STANCES: tuple[str, ...] = (
    "interest",
    "considering",
    "offered",
    "committed",
    "deployed",
    "rotated_out",
    "withdrawn",
    "declined",
)

#: What a pledge can be conditional on.
CONDITION_KINDS: tuple[str, ...] = (
    "mandate",
    "rules_of_engagement",
    "international_backing",
    "domestic_approval",
    "funding",
    "ceasefire",
    "other",
)

#: How a contributor limits the use of its contingent.
CAVEAT_KINDS: tuple[str, ...] = (
    "forbidden_task",
    "forbidden_sector",
    "max_duration",
    "role_restriction",
)

#: What is offered.
FORCE_KINDS: tuple[str, ...] = (
    "troops",
    "police",
    "logistics",
    "equipment",
    "funding",
    "training",
    "medical",
    "engineers",
)


class IntakeInputError(ValueError):
    """An upload or document cannot be read as text; the message says why, for the user."""


@dataclass(frozen=True)
class Span:
    """A run of characters in the source text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, kw_only=True)
class DateRef:
    """A date expression found in the text and what it resolves to.

    ``value`` is the single day the expression names when it names one (for a weekday that
    contradicts its written date, the date *as written*). ``earliest``/``latest`` bound
    ranges ("last week"). ``candidates`` lists every day the text could mean when it is
    inconsistent (e.g. the written date and the nearest day with the written weekday);
    ``inconsistency`` says what is wrong, in words, and is never silently fixed.
    """

    span: Span
    form: str  # absolute | weekday_absolute | weekday | relative | range
    rule: str
    value: date | None = None
    earliest: date | None = None
    latest: date | None = None
    candidates: tuple[date, ...] = ()
    inconsistency: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Claim:
    """Base of every claim. ``kind`` names the claim type (see subclasses)."""

    kind: ClassVar[str] = "claim"

    spans: tuple[Span, ...]
    quote: str
    quote_span: Span
    confidence: float
    rule: str
    date: DateRef | None = None
    inconsistencies: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain values for comparison, JSON and display (dates as ISO strings)."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            if f.name in {"spans", "quote_span"}:
                continue
            out[f.name] = _plain(getattr(self, f.name))
        out["date"] = self.date.value.isoformat() if self.date and self.date.value else None
        out["inconsistent"] = bool(self.inconsistencies)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, DateRef):
        return value.value.isoformat() if value.value else None
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class NationMention(Claim):
    """A state named directly or through a metonym: name, capital, government or demonym.

    ``via`` says how: ``name``, ``official_name``, ``common_name``, ``alias``, ``demonym``,
    ``capital`` or ``government``. A capital in locative use ("talks in Cairo") is still a
    mention of the state but with lower confidence.
    """

    kind: ClassVar[str] = "nation_mention"
    nation: str  # ISO 3166 alpha-3
    surface: str
    via: str


@dataclass(frozen=True, kw_only=True)
class OrganisationMention(Claim):
    """A named organisation (UN Security Council, Board of Peace, OIC, Hamas, ...).

    ``organisation`` is a stable key from the lexicon; ``nation`` is set for national bodies
    ("Foreign Office" of Pakistan when the text says so, IDF → ISR).
    """

    kind: ClassVar[str] = "organisation_mention"
    organisation: str
    name: str
    nation: str | None = None


@dataclass(frozen=True, kw_only=True)
class Official:
    """Identity of a person who speaks for a state or body (also used as a speaker)."""

    name: str | None
    role: str | None
    nation: str | None
    organisation: str | None = None

    @property
    def label(self) -> str:
        """Name, else role and nation ("ambassador to India (ISR)")."""
        if self.name:
            return self.name
        return f"{self.role or 'official'} ({self.nation or '?'})"


@dataclass(frozen=True, kw_only=True)
class OfficialMention(Claim):
    """A named (or role-only) official with role and nation where the text says so."""

    kind: ClassVar[str] = "official"
    name: str | None
    role: str | None
    nation: str | None
    organisation: str | None = None

    def official(self) -> Official:
        return Official(
            name=self.name, role=self.role, nation=self.nation, organisation=self.organisation
        )


@dataclass(frozen=True, kw_only=True)
class ForceOffer(Claim):
    """What a nation is said to offer and how firmly (``stance`` is a lifecycle stage).

    Size: ``size`` is the single figure the text gives (``None`` for ranges and vague
    amounts); ``qualifier`` is ``exact``, ``up_to``, ``approx``, ``at_least``, ``range``,
    ``unit`` (a formation word such as "a brigade", with ``unit_word`` and a planning
    ``size_estimate``) or ``vague`` ("thousands"). ``size_min``/``size_max`` bound it.
    ``hedges`` keeps the words that weaken the statement; ``speaker`` is set when a third
    party (e.g. the US Secretary of State) says it about the nation.
    """

    kind: ClassVar[str] = "force_offer"
    nation: str
    stance: str
    force_kind: str | None = None
    size: int | None = None
    size_min: int | None = None
    size_max: int | None = None
    size_estimate: int | None = None
    qualifier: str | None = None
    unit_word: str | None = None
    hedges: tuple[str, ...] = ()
    speaker: str | None = None


@dataclass(frozen=True, kw_only=True)
class Condition(Claim):
    """Something a nation's participation depends on (``condition_kind``, see CONDITION_KINDS)."""

    kind: ClassVar[str] = "condition"
    nation: str | None
    condition_kind: str
    trigger: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class Caveat(Claim):
    """A limit a nation puts on its contingent.

    ``caveat_kind``: ``forbidden_task`` (``task`` e.g. demilitarisation, peace_enforcement,
    combat), ``forbidden_sector`` (``sector``), ``max_duration`` (``max_months``) or
    ``role_restriction`` (``roles``).
    """

    kind: ClassVar[str] = "caveat"
    nation: str | None
    caveat_kind: str
    task: str | None = None
    sector: str | None = None
    max_months: float | None = None
    roles: str | None = None


@dataclass(frozen=True, kw_only=True)
class Consultation(Claim):
    """Who spoke with whom, when and on what. ``participants`` are ISO3 codes (sorted)."""

    kind: ClassVar[str] = "consultation"
    participants: tuple[str, ...]
    officials: tuple[str, ...] = ()
    topic: str | None = None


@dataclass(frozen=True, kw_only=True)
class PartyStance(Claim):
    """A party to the conflict objecting to, or accepting, a contributor.

    ``party`` is ISO3 for states (ISR, EGY) or ``PA``/``HAMAS``; ``nation`` is the
    contributor the stance is about; ``stance`` is ``objects`` or ``accepts``.
    """

    kind: ClassVar[str] = "party_stance"
    party: str
    nation: str | None
    stance: str
    speaker: str | None = None


@dataclass(frozen=True, kw_only=True)
class Statement(Claim):
    """A quoted utterance and who said it (name, role and nation where known)."""

    kind: ClassVar[str] = "statement"
    speaker: str | None
    speaker_role: str | None
    speaker_nation: str | None
    utterance: str


@dataclass(frozen=True, kw_only=True)
class Extraction:
    """Everything found in one text."""

    text: str
    published: date | None
    publisher: str | None
    claims: tuple[Claim, ...] = ()
    dates: tuple[DateRef, ...] = ()
    sentences: tuple[Span, ...] = field(default=(), repr=False)

    def of_kind(self, kind: str) -> list[Claim]:
        """Claims of one kind, in text order."""
        return [c for c in self.claims if c.kind == kind]

    @property
    def inconsistencies(self) -> list[str]:
        """Every inconsistency found (dates whose weekday contradicts the day, ...)."""
        return [d.inconsistency for d in self.dates if d.inconsistency]


CLAIM_TYPES: dict[str, type[Claim]] = {
    cls.kind: cls
    for cls in (
        NationMention,
        OrganisationMention,
        OfficialMention,
        ForceOffer,
        Condition,
        Caveat,
        Consultation,
        PartyStance,
        Statement,
    )
}
CLAIM_KINDS: tuple[str, ...] = tuple(CLAIM_TYPES)
