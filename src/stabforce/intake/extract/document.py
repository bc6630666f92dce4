"""The analysed document shared by all rules: sentences, dates, names and who is speaking.

Subject resolution (which nation a trigger word is about) lives here because every claim
kind needs it. The rule, in order:

1. Possessive before a noun trigger: "Pakistan's offer", "Indonesia's pledge"; "their offer"
   takes the nearest nation to the left in the sentence.
2. The nearest nation (or official/body with a nation) to the left of the trigger in the same
   clause that is not the object of a preposition ("to Gaza", "with Turkey", "ambassador to
   India"); nations joined to it by "and" / "," are co-subjects.
3. The same search over the part of the sentence before the clause ("Dar said Islamabad ...").
4. A pronoun subject ("it", "the country", "the government") or no subject at all: the
   document's *focus* — the contributor of the latest claim in an earlier sentence, or the
   nation of the official speaking — with lower confidence and rule suffix ``.focus``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from . import lexicon
from .dates import best_date, find_dates
from .gazetteer import NameHit, OfficialHit, find_nations, find_officials, find_organisations
from .model import DateRef, Span
from .text import Sentence, clause_bounds, find_quotes, split_sentences

_OBJECT_PREP = re.compile(
    r"\b(?:to|with|from|about|of|for|in|into|on|against|than|by|over|toward|towards|"
    r"including|like|via|at|between|and\s+(?:his|her|their))\s+(?:the\s+)?(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)
_POSSESSIVE_BEFORE = re.compile(r"(?:'s|’s)\s+(?:[a-z\-]+\s+){0,2}$")
_PRONOUN_POSSESSIVE = re.compile(r"\b(?:their|its)\s+(?:[a-z\-]+\s+){0,2}$", re.IGNORECASE)


_NATIONAL_ROLE = re.compile(
    r"minister|spokes|ambassador|envoy|president|foreign\s+secretary|army\s+chief|"
    r"chief\s+of\s+army|national\s+security|king|emir|crown\s+prince",
    re.IGNORECASE,
)


def _infer_nation(text: str, o: OfficialHit, nations: list[NameHit]) -> OfficialHit:
    """Give a national official whose nation the phrase omits ("Foreign Minister Ishaq Dar")
    the nation the text is about at that point: the subject-like nation of the same sentence
    before the title, else the nation mentioned most often before it (ties: most recent).
    Marked by rule suffix ``.inferred_nation`` and lower confidence."""
    if o.nation or not _NATIONAL_ROLE.search(o.role) or re.search(r"general", o.role, re.I):
        return o
    sentence_start = max(text.rfind(". ", 0, o.start), text.rfind("\n", 0, o.start)) + 1
    before = [n for n in nations if n.end <= o.start]
    same = [
        n
        for n in before
        if n.start >= sentence_start
        and not _OBJECT_PREP.search(text[max(0, n.start - 30) : n.start])
    ]
    pick = same[0].key if same else None
    if pick is None and not before:
        # nothing earlier in the text: the nation named later in the same sentence
        sentence_end = text.find(". ", o.end)
        sentence_end = len(text) if sentence_end < 0 else sentence_end
        later = [n for n in nations if o.end <= n.start < sentence_end]
        pick = later[0].key if later else None
    if pick is None and before:
        counts: dict[str, int] = {}
        for n in before:
            counts[n.key] = counts.get(n.key, 0) + 1
        best = max(counts.values())
        pick = next(n.key for n in reversed(before) if counts[n.key] == best)
    if pick is None:
        return o
    return replace(o, nation=pick, rule=o.rule + ".inferred_nation", confidence=0.6)


@dataclass(frozen=True)
class Actor:
    """A nation a trigger is attributed to, with the evidence and how it was found."""

    nation: str
    span: Span
    how: str  # possessive | subject | official | speaker | attribution | focus
    confidence: float


@dataclass
class Document:
    """A text prepared for the rules."""

    text: str
    published: date | None
    sentences: list[Sentence]
    dates: list[DateRef]
    nations: list[NameHit]
    organisations: list[NameHit]
    officials: list[OfficialHit]
    quotes: list[Span]
    surnames: dict[str, OfficialHit] = field(default_factory=dict)
    focus: dict[int, str] = field(default_factory=dict)  # sentence index -> nation

    @classmethod
    def build(cls, text: str, published: date | None) -> Document:
        orgs = find_organisations(text)
        nations = find_nations(text, orgs)
        officials = [_infer_nation(text, o, nations) for o in find_officials(text, nations, orgs)]
        # A nation that is only the destination of an ambassador ("to India") stays a mention
        # but is never a subject; remember those spans.
        doc = cls(
            text=text,
            published=published,
            sentences=split_sentences(text),
            dates=find_dates(text, published),
            nations=nations,
            organisations=orgs,
            officials=officials,
            quotes=find_quotes(text),
        )
        for o in officials:
            if o.name:
                doc.surnames.setdefault(o.name.split()[-1], o)
                doc.surnames.setdefault(o.name, o)
        return doc

    # ---------------------------------------------------------------------------------------
    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])

    def sentence_index(self, pos: int) -> int:
        for i, s in enumerate(self.sentences):
            if s.start <= pos < s.end:
                return i
        return max(0, len(self.sentences) - 1)

    def in_quote(self, pos: int) -> bool:
        return any(q.start <= pos < q.end for q in self.quotes)

    def same_quote(self, a: int, b: int) -> bool:
        """Whether positions ``a`` and ``b`` lie inside one and the same quotation."""
        return any(q.start <= a < q.end and q.start <= b < q.end for q in self.quotes)

    def date_for(self, sentence: Sentence, anchor: int | None = None) -> DateRef | None:
        return best_date(self.dates, sentence.start, sentence.end, anchor)

    def nations_in(self, start: int, end: int) -> list[NameHit]:
        return [n for n in self.nations if n.start >= start and n.end <= end]

    def officials_in(self, start: int, end: int) -> list[OfficialHit]:
        return [o for o in self.officials if o.start >= start and o.end <= end]

    def surname_refs(self, start: int, end: int) -> list[tuple[int, int, OfficialHit]]:
        """Later references to a named official by surname ("Dar said")."""
        out = []
        for key, official in self.surnames.items():
            if " " in key:
                continue
            for m in re.finditer(rf"(?<![\w\-]){re.escape(key)}(?![\w\-])", self.text[:end]):
                if m.start() < start:
                    continue
                if any(o.start <= m.start() < o.end for o in self.officials):
                    continue
                out.append((m.start(), m.end(), official))
        return sorted(out, key=lambda r: r[0])

    def _is_role_destination(self, hit: NameHit) -> bool:
        return any(
            o.role_span[0] <= hit.start and hit.end <= o.role_span[1] for o in self.officials
        )

    def _candidates(self, start: int, end: int) -> list[tuple[int, int, str, str]]:
        """(start, end, nation, how) for possible subjects in [start, end)."""
        out: list[tuple[int, int, str, str]] = []
        for n in self.nations_in(start, end):
            if self._is_role_destination(n) or self.in_quote(n.start):
                continue
            if _OBJECT_PREP.search(self.text[max(start, n.start - 30) : n.start]):
                continue
            out.append((n.start, n.end, n.key, "subject"))
        for o in self.officials_in(start, end):
            if o.nation and not self.in_quote(o.start):
                out.append((o.start, o.end, o.nation, "official"))
        for org in self.organisations:
            nation = lexicon.ORGANISATIONS[org.key][1]
            kind = lexicon.ORGANISATIONS[org.key][0]
            if start <= org.start and org.end <= end and nation and kind == "government":
                out.append((org.start, org.end, nation, "subject"))
        for a, b, official in self.surname_refs(start, end):
            if official.nation:
                out.append((a, b, official.nation, "official"))
        return sorted(out)

    def actors(self, sentence: Sentence, pos: int, *, noun_trigger: bool = False) -> list[Actor]:
        """Nations a trigger at ``pos`` is about (see module docstring for the rule)."""
        text = self.text
        before = text[sentence.start : pos]
        if noun_trigger:
            poss = _POSSESSIVE_BEFORE.search(before)
            if poss:
                hit = next(
                    (
                        n
                        for n in reversed(self.nations_in(sentence.start, pos))
                        if n.end == sentence.start + poss.start()
                    ),
                    None,
                )
                if hit:
                    return [Actor(hit.key, self.span(hit.start, hit.end), "possessive", 0.9)]
            if _PRONOUN_POSSESSIVE.search(before):
                # A nation inside a quotation is not the subject of a trigger outside it, but
                # "their offer" inside the same quotation refers back to it ("grateful to
                # Pakistan for their offer", said by a US official, is Pakistan's offer).
                hits = [
                    n
                    for n in self.nations_in(sentence.start, pos)
                    if not self.in_quote(n.start) or self.same_quote(n.start, pos)
                ]
                if hits:
                    h = hits[-1]
                    return [Actor(h.key, self.span(h.start, h.end), "possessive", 0.8)]
        c_start, _c_end = clause_bounds(sentence, pos)
        cands = self._candidates(c_start, pos)
        how_conf = 0.9
        if not cands:
            cands = self._candidates(sentence.start, c_start)
            how_conf = 0.75
        if cands:
            last = cands[-1]
            actors = [Actor(last[2], self.span(last[0], last[1]), last[3], how_conf)]
            # co-subjects: "Indonesia and Azerbaijan have offered"
            cursor = last[0]
            for cand in reversed(cands[:-1]):
                gap = text[cand[1] : cursor]
                if re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+|as\s+well\s+as\s+)\s*", gap):
                    actors.insert(0, Actor(cand[2], self.span(cand[0], cand[1]), cand[3], how_conf))
                    cursor = cand[0]
                else:
                    break
            return actors
        # the subject named only in the trailing attribution: "..., Malaysia's ministry said"
        for n in self.nations_in(pos, sentence.end):
            tail = text[n.end : min(sentence.end, n.end + 50)]
            if (
                not self.in_quote(n.start)
                and re.match(
                    rf"(?:'s|’s)?\s+(?:[\w\-]+\s+){{0,3}}?(?:{lexicon.SAY_VERBS}|announced)\b", tail
                )
                and re.search(
                    r",\s+(?:\w+\s+){0,2}$", text[max(sentence.start, n.start - 30) : n.start]
                )
            ):
                return [Actor(n.key, self.span(n.start, n.end), "attribution", 0.7)]
        focus = self.focus_before(sentence)
        if focus:
            return [Actor(focus, self.span(pos, pos), "focus", 0.6)]
        return []

    def focus_before(self, sentence: Sentence) -> str | None:
        index = self.sentences.index(sentence)
        for i in range(index, -1, -1):
            if i in self.focus:
                return self.focus[i]
        # no claim yet: a single contributor named earlier in the document
        earlier = {
            n.key
            for n in self.nations
            if n.end <= sentence.start and n.key not in lexicon.PARTY_STATES
        }
        earlier |= {o.nation for o in self.officials if o.end <= sentence.start and o.nation}
        if len(earlier) == 1:
            return next(iter(earlier))
        return None

    def set_focus(self, sentence: Sentence, nation: str) -> None:
        self.focus[self.sentences.index(sentence)] = nation
