"""The rules that turn a prepared :class:`Document` into claims.

Each function handles one claim kind, works sentence by sentence, and names itself in the
``rule`` field of what it produces ("force_offer.stance", "condition.trigger", ...). The
rules are deliberately simple and general: they were written against the phenomena (hedges,
negation, third-party attribution, enumerations of conditions), not against particular
sentences of the evaluation corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from . import lexicon
from .document import Actor, Document
from .gazetteer import OfficialHit
from .model import (
    Caveat,
    Claim,
    Condition,
    Consultation,
    DateRef,
    ForceOffer,
    NationMention,
    OfficialMention,
    OrganisationMention,
    PartyStance,
    Span,
    Statement,
)
from .quantities import SizeHit, find_sizes
from .text import Sentence, clause_bounds

I = re.IGNORECASE  # noqa: E741 - short alias used in every pattern below

STRENGTH = {"interest": 0, "considering": 1, "offered": 2, "committed": 3, "deployed": 4}
NOUN_TRIGGERS = re.compile(
    r"^(?:offer|offers|pledge|pledges|commitment|decision|consideration|interest|"
    r"contribution|participation|withdrawal)\b",
    I,
)


def _w(pattern: str) -> str:
    return rf"(?<![\w\-])(?:{pattern})(?![\w\-])"


@lru_cache(maxsize=1)
def _stance_res() -> list[tuple[str, re.Pattern[str]]]:
    return [(stance, re.compile(_w(p), I)) for stance, p in lexicon.STANCE_PATTERNS]


@lru_cache(maxsize=1)
def _hedge_res() -> list[re.Pattern[str]]:
    return [re.compile(_w(p), I) for p in lexicon.HEDGE_PATTERNS]


@lru_cache(maxsize=1)
def _force_context_re() -> re.Pattern[str]:
    nouns = "|".join(
        re.escape(n).replace(r"\ ", r"\s+")
        for n in sorted(lexicon.FORCE_NOUNS, key=len, reverse=True)
    )
    return re.compile(_w("|".join([nouns, *lexicon.FORCE_CONTEXT])), I)


_TASK_RES = [(task, re.compile(_w(p), I)) for task, p in lexicon.TASKS]
_FORBID_RE = re.compile(_w("|".join(lexicon.FORBID_PATTERNS)), I)
_SECTOR_RE = re.compile(
    "|".join(re.escape(s) for s in sorted(lexicon.SECTORS, key=len, reverse=True))
)


def _base(doc: Document, sentence: Sentence, spans: list[Span], anchor: int) -> dict:
    """Fields every claim carries: spans, quote, date and date inconsistencies."""
    when: DateRef | None = doc.date_for(sentence, anchor)
    return {
        "spans": tuple(sorted(set(spans), key=lambda s: (s.start, s.end))),
        "quote": sentence.text,
        "quote_span": sentence.span,
        "date": when,
        "inconsistencies": (when.inconsistency,) if when and when.inconsistency else (),
    }


# --------------------------------------------------------------------------------------------
# Mentions
# --------------------------------------------------------------------------------------------


def mentions(doc: Document) -> Iterator[Claim]:
    """Nation, organisation and official mentions."""
    for s in doc.sentences:
        for n in doc.nations_in(s.start, s.end):
            yield NationMention(
                nation=n.key,
                surface=n.text,
                via=n.via,
                confidence=n.confidence,
                rule=f"nation.{n.via}",
                **_base(doc, s, [doc.span(n.start, n.end)], n.start),
            )
        for o in doc.organisations:
            if not (s.start <= o.start and o.end <= s.end):
                continue
            nation = lexicon.ORGANISATIONS[o.key][1]
            if o.key == "FOREIGN_OFFICE":
                nation = _adjacent_nation(doc, o.start)
            yield OrganisationMention(
                organisation=o.key,
                name=o.text,
                nation=nation,
                confidence=o.confidence,
                rule="organisation.name",
                **_base(doc, s, [doc.span(o.start, o.end)], o.start),
            )
    named = {(o.role or "").lower(): o for o in doc.officials if o.name}
    for o in doc.officials:
        if not o.name and any(
            n.nation == o.nation and (n.role or "").lower() == (o.role or "").lower()
            for n in named.values()
        ):
            continue  # "Pakistan's foreign minister" after "Foreign Minister Ishaq Dar"
        s = doc.sentences[doc.sentence_index(o.start)]
        spans = [doc.span(*o.role_span)]
        if o.name_span:
            spans.append(doc.span(*o.name_span))
        yield OfficialMention(
            name=o.name,
            role=o.role,
            nation=o.nation,
            organisation=o.organisation,
            confidence=o.confidence,
            rule=o.rule,
            **_base(doc, s, spans, o.start),
        )


def _adjacent_nation(doc: Document, pos: int) -> str | None:
    for n in doc.nations:
        if n.end <= pos and re.fullmatch(r"(?:'s|’s)?\s*", doc.text[n.end : pos]):
            return n.key
    return None


# --------------------------------------------------------------------------------------------
# Force offers
# --------------------------------------------------------------------------------------------


def _stance_matches(doc: Document, sentence: Sentence) -> list[tuple[str, re.Match[str]]]:
    """Stance triggers in a sentence; overlapping matches keep the longest.

    Words inside quotation marks count: a minister quoting his own position ("We are ready
    to contribute") is the nation's stance; the speaker resolves the nation.
    """
    found: list[tuple[str, re.Match[str]]] = []
    for stance, rx in _stance_res():
        for m in rx.finditer(doc.text, sentence.start, sentence.end):
            found.append((stance, m))
    found.sort(key=lambda f: (-(f[1].end() - f[1].start()), f[1].start()))
    kept: list[tuple[str, re.Match[str]]] = []
    for stance, m in found:
        if any(m.start() < k.end() and k.start() < m.end() for _s, k in kept):
            continue
        kept.append((stance, m))
    return sorted(kept, key=lambda f: f[1].start())


def _is_irrealis(doc: Document, sentence: Sentence, m: re.Match[str]) -> bool:
    """A trigger after "to", "before", "would", "asking ... to" is not (yet) realised."""
    before = doc.text[max(sentence.start, m.start() - 40) : m.start()]
    return bool(re.search(lexicon.IRREALIS_BEFORE, before, I))


def _hedges(doc: Document, start: int, end: int) -> list[re.Match[str]]:
    found = []
    for rx in _hedge_res():
        found.extend(rx.finditer(doc.text, start, end))
    found.sort(key=lambda m: (-(m.end() - m.start()), m.start()))
    kept: list[re.Match[str]] = []
    for m in found:
        if not any(m.start() < k.end() and k.start() < m.end() for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start())


def force_offers(doc: Document) -> Iterator[Claim]:
    """Offers and their lifecycle stance, size, kind, hedges and third-party speaker.

    One claim per nation, sentence and date: triggers in clauses carrying different date
    expressions ("said on Dec. 30 that ..., and confirmed yesterday that ...") are separate
    claims; otherwise the triggers of a sentence are merged by :func:`_choose`.
    """
    context = _force_context_re()
    for s in doc.sentences:
        if not context.search(doc.text, s.start, s.end) and not any(
            o.key == "ISF" and s.start <= o.start < s.end for o in doc.organisations
        ):
            continue
        triggers = _stance_matches(doc, s)
        if not triggers:
            continue
        sizes = find_sizes(doc.text, s.start, s.end)
        groups: dict[tuple[str, int], list[tuple[str, re.Match[str], Actor, list[str]]]] = {}
        for stance, m in triggers:
            c_start, c_end = clause_bounds(s, m.start())
            after = doc.text[m.end() : c_end]
            notes: list[str] = []
            if stance == "declined" and (
                any(rx.search(after) for _t, rx in _TASK_RES)
                or re.match(r"\s+(?:\w+\s+){0,3}?(?:in|into|to)\s+", after)
                and _SECTOR_RE.search(after)
            ):
                continue  # a caveat ("will not take part in disarming"), not a refusal
            if stance == "declined":
                cond = re.search(lexicon.CONDITIONAL_REFUSAL, doc.text[m.end() : s.end], I)
                if cond:
                    notes.append(doc.text[m.start() : m.end()] + " ... " + cond.group(0))
                    stance = "considering"  # "would not join until ..." is a condition
            clause_text = doc.text[c_start : m.start()]
            if re.search(lexicon.INDEFINITE_SUBJECTS, clause_text, I) and stance in STRENGTH:
                continue  # "before asking anyone to firmly commit"
            if stance in {"committed", "deployed", "offered"} and _is_irrealis(doc, s, m):
                notes.append(doc.text[m.start() : m.end()])
                stance = "considering"
            noun = bool(NOUN_TRIGGERS.match(m.group(0)))
            actors = doc.actors(s, m.start(), noun_trigger=noun)
            if doc.in_quote(m.start()) and all(a.how == "focus" for a in actors):
                speaker = _quote_speaker(doc, s, m.start())
                if speaker and speaker.nation:
                    actors = [
                        Actor(speaker.nation, doc.span(speaker.start, speaker.end), "speaker", 0.8)
                    ]
            own_date = best_date_in(doc, c_start, c_end)
            date_key = own_date.span.start if own_date else -1
            for actor in actors:
                if actor.nation in {"ISR", "PSE"}:
                    continue
                groups.setdefault((actor.nation, date_key), []).append((stance, m, actor, notes))
        # a group without its own date joins the dated group of the same nation, if only one
        for (nation, key), items in list(groups.items()):
            dated = [k for k in groups if k[0] == nation and k[1] >= 0]
            if key < 0 and len(dated) == 1:
                groups[dated[0]].extend(items)
                del groups[(nation, key)]
        for (nation, _key), items in groups.items():
            yield _offer_claim(doc, s, nation, items, sizes)
            doc.set_focus(s, nation)


def best_date_in(doc: Document, start: int, end: int) -> DateRef | None:
    """The first date expression inside [start, end), if any."""
    inside = [d for d in doc.dates if d.span.start >= start and d.span.end <= end]
    return inside[0] if inside else None


def _quote_speaker(doc: Document, s: Sentence, pos: int) -> OfficialHit | None:
    for q in doc.quotes:
        if q.start <= pos < q.end:
            return _statement_speaker(doc, s, q)
    return None


_Trigger = tuple[str, re.Match[str], Actor, list[str]]  # stance, match, actor, hedge notes


def _choose(items: list[_Trigger], doc: Document) -> _Trigger:
    """Pick one stance per nation and sentence.

    Exits (declined, withdrawn) win. "or at least" introduces a weaker fallback that wins
    over what precedes it. Otherwise the weakest realised stance wins, because wires pile up
    strong verbs ("offered ... but no decision has been taken") and the hedge is the news.
    """
    exits = [i for i in items if i[0] in {"declined", "withdrawn"}]
    if exits:
        # the exit whose subject is in its own clause is the stronger evidence
        return max(exits, key=lambda i: (i[2].confidence, -i[1].start()))
    for item in items:
        before = doc.text[max(0, item[1].start() - 60) : item[1].start()]
        if re.search(r"\bor\s+at\s+least\b", before, I):
            return item
    return min(items, key=lambda i: STRENGTH.get(i[0], 9))


def _offer_claim(
    doc: Document, s: Sentence, nation: str, items: list[_Trigger], sizes: list[SizeHit]
) -> Claim:
    stance, m, actor, _notes = _choose(items, doc)
    notes = [n for item in items for n in item[3]]
    # size: in the trigger's clause if any, else the first after the actor, else the nearest
    size = None
    c_start, c_end = clause_bounds(s, m.start())
    in_clause = [z for z in sizes if c_start <= z.start < c_end]
    if in_clause:
        size = in_clause[0]
    elif sizes:
        after = [z for z in sizes if z.start >= actor.span.start]
        size = after[0] if after else min(sizes, key=lambda z: abs(z.start - m.start()))
    hedges = [h for h in _hedges(doc, s.start, s.end)]
    hedge_texts = [h.group(0).strip() for h in hedges] + notes
    spans = [doc.span(m.start(), m.end())]
    if actor.span.end > actor.span.start:
        spans.append(actor.span)
    spans += [doc.span(h.start(), h.end()) for h in hedges]
    kind = size.force_kind if size else _first_kind(doc, s, m.start())
    if size:
        spans.append(doc.span(size.start, size.end))
    speaker = _third_party_speaker(doc, s, nation)
    confidence = actor.confidence * (0.85 if hedge_texts else 1.0)
    rule = f"force_offer.{actor.how}"
    return ForceOffer(
        nation=nation,
        stance=stance,
        force_kind=kind,
        size=size.size if size else None,
        size_min=size.size_min if size else None,
        size_max=size.size_max if size else None,
        size_estimate=size.size_estimate if size else None,
        qualifier=size.qualifier if size else None,
        unit_word=size.unit_word if size else None,
        hedges=tuple(dict.fromkeys(hedge_texts)),
        speaker=speaker,
        confidence=round(confidence, 3),
        rule=rule,
        **_base(doc, s, spans, m.start()),
    )


def _first_kind(doc: Document, s: Sentence, pos: int) -> str | None:
    if re.match(r"\w*\s+to\s+(?:help\s+)?train\b", doc.text[pos : pos + 40], I):
        return "training"  # "offered to train ..."
    nouns = sorted(lexicon.FORCE_NOUNS, key=len, reverse=True)
    rx = re.compile(_w("|".join(re.escape(n).replace(r"\ ", r"\s+") for n in nouns)), I)
    hits = list(rx.finditer(doc.text, s.start, s.end))
    if not hits:
        return None
    after = [h for h in hits if h.start() >= pos] or hits
    return lexicon.FORCE_NOUNS.get(re.sub(r"\s+", " ", after[0].group(0).lower()), "troops")


def _speakers_in(doc: Document, s: Sentence) -> list[tuple[int, int, OfficialHit]]:
    out = [(o.start, o.end, o) for o in doc.officials_in(s.start, s.end) if o.name or o.role]
    out += doc.surname_refs(s.start, s.end)
    return sorted(out, key=lambda r: r[0])


def _third_party_speaker(doc: Document, s: Sentence, nation: str) -> str | None:
    """Name of an official of another nation who says this in the sentence."""
    if not re.search(_w(lexicon.SAY_VERBS + r"|grateful|thanked|welcomed"), s.text, I):
        return None
    for _a, _b, o in _speakers_in(doc, s):
        if o.nation and o.nation != nation:
            return o.name or o.role
    return None


# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------

_COND_TRIGGER_RE = re.compile(_w("|".join(lexicon.CONDITION_TRIGGERS)), I)
_COND_KW_RES = [(kind, re.compile(_w(p), I)) for kind, p in lexicon.CONDITION_KEYWORDS]
_COND_STANDALONE_RES = [(kind, re.compile(_w(p), I)) for kind, p in lexicon.CONDITION_STANDALONE]
_SCOPE_END = re.compile(
    r";|\s+but\s+|\s+while\s+|\s+whereas\s+|\s+—\s+|"
    # the attribution closes the scope: ", Prime Minister Anwar Ibrahim told parliament"
    rf",\s+(?:[\w'’.\-]+\s+){{0,6}}?(?:{lexicon.SAY_VERBS}|announced|reported)\b",
    I,
)


def conditions(doc: Document) -> Iterator[Claim]:
    """What participation depends on; one claim per condition kind and sentence."""
    for s in doc.sentences:
        found: dict[str, tuple[str, int, int, int, int]] = {}  # kind -> trigger, spans
        for t in _COND_TRIGGER_RE.finditer(doc.text, s.start, s.end):
            end_m = _SCOPE_END.search(doc.text, t.end(), s.end)
            scope_end = end_m.start() if end_m else s.end
            taken: list[tuple[int, int]] = []
            for kind, rx in _COND_KW_RES:
                for k in rx.finditer(doc.text, t.start(), scope_end):
                    if any(k.start() < b and a < k.end() for a, b in taken):
                        continue
                    taken.append((k.start(), k.end()))
                    if kind not in found:
                        found[kind] = (t.group(0), t.start(), t.end(), k.start(), k.end())
        for kind, rx in _COND_STANDALONE_RES:
            for k in rx.finditer(doc.text, s.start, s.end):
                found.setdefault(kind, (k.group(0), k.start(), k.end(), k.start(), k.end()))
        if not found:
            continue
        first = min(v[1] for v in found.values())
        actors = doc.actors(s, first, noun_trigger=False)
        contributors: list[Actor | None] = [a for a in actors if a.nation not in {"ISR", "PSE"}]
        for actor in contributors or [None]:
            for kind, (trigger, ta, tb, ka, kb) in found.items():
                spans = [doc.span(ta, tb), doc.span(ka, kb)]
                if actor and actor.span.end > actor.span.start:
                    spans.append(actor.span)
                yield Condition(
                    nation=actor.nation if actor else None,
                    condition_kind=kind,
                    trigger=re.sub(r"\s+", " ", trigger.strip()),
                    detail=doc.text[ka:kb],
                    confidence=round((actor.confidence if actor else 0.5) * 0.95, 3),
                    rule=f"condition.{'trigger' if ta != ka else 'standalone'}"
                    + (f".{actor.how}" if actor else ".no_nation"),
                    **_base(doc, s, spans, ta),
                )
            if actor:
                doc.set_focus(s, actor.nation)


# --------------------------------------------------------------------------------------------
# Caveats
# --------------------------------------------------------------------------------------------

_PK_RE = re.compile(_w(lexicon.PEACEKEEPING_NOT_ENFORCEMENT), I)
_ROLE_RE = re.compile(lexicon.ROLE_RESTRICTION, I)
_SECTOR_REFUSAL_RE = re.compile(_w(lexicon.SECTOR_REFUSAL), I)
_DURATION_RE = re.compile(_w(lexicon.DURATION), I)
_NUM_MONTHS = {"a": 1, "an": 1, **{k: v for k, v in lexicon.NUMBER_WORDS.items()}}
_JOB_AFTER = re.compile(
    r"\s+(?:[\w'’\-]+\s+){0,3}?(?:is|was|are)\s+not\s+(?:our|their|its|[A-Z]\w+(?:'s|’s))\s+"
    r"(?:job|role|task|business)",
)


def caveats(doc: Document) -> Iterator[Claim]:
    """Forbidden tasks, forbidden sectors, maximum durations and role restrictions."""
    for s in doc.sentences:
        found: list[tuple[str, dict, int, int, int, int]] = []
        seen_tasks: set[str] = set()
        for task, rx in _TASK_RES:
            for t in rx.finditer(doc.text, s.start, s.end):
                c_start, _ = clause_bounds(s, t.start())
                window_start = max(s.start, t.start() - 90)
                neg = None
                for f in _FORBID_RE.finditer(doc.text, window_start, t.start()):
                    between = doc.text[f.end() : t.start()]
                    if len(between.split()) <= 6 and not re.search(r"[;.]", between):
                        neg = f
                if neg is None:
                    j = _JOB_AFTER.match(doc.text, t.end(), s.end)
                    if j:
                        neg = j
                if neg is None or task in seen_tasks:
                    continue
                seen_tasks.add(task)
                found.append(
                    ("forbidden_task", {"task": task}, neg.start(), neg.end(), t.start(), t.end())
                )
        for m in _PK_RE.finditer(doc.text, s.start, s.end):
            if "peace_enforcement" not in seen_tasks:
                seen_tasks.add("peace_enforcement")
                found.append(
                    (
                        "forbidden_task",
                        {"task": "peace_enforcement"},
                        m.start(),
                        m.end(),
                        m.start(),
                        m.end(),
                    )
                )
        for m in _ROLE_RE.finditer(doc.text, s.start, s.end):
            roles = m.group("roles") or m.group("roles2")
            if m.group("roles2") and not re.search(
                r"health|medical|construction|engineer|humanitarian|logistic|training|police|"
                r"non-combat|support",
                roles,
                I,
            ):
                continue
            found.append(
                ("role_restriction", {"roles": roles}, m.start(), m.end(), m.start(), m.end())
            )
        for m in _SECTOR_REFUSAL_RE.finditer(doc.text, s.start, s.end):
            sec = _SECTOR_RE.match(doc.text, m.end() + 1) or _SECTOR_RE.search(
                doc.text, m.end(), min(s.end, m.end() + 30)
            )
            if sec:
                found.append(
                    (
                        "forbidden_sector",
                        {"sector": lexicon.SECTORS[sec.group(0)]},
                        m.start(),
                        m.end(),
                        sec.start(),
                        sec.end(),
                    )
                )
        for m in _DURATION_RE.finditer(doc.text, s.start, s.end):
            n = m.group("n") or m.group("n2")
            unit = (m.group("unit") or m.group("unit2")).lower()
            count = float(n) if n.isdigit() else float(_NUM_MONTHS.get(n.lower(), 1))
            months = count * (12 if unit.startswith("year") else 1)
            if unit.startswith("week"):
                months = round(count / 4.345, 2)
            if not _force_context_re().search(doc.text, s.start, s.end) and not re.search(
                r"deploy|mission|stay|serve", s.text, I
            ):
                continue
            found.append(
                ("max_duration", {"max_months": months}, m.start(), m.end(), m.start(), m.end())
            )
        for kind, extra, ta, tb, ka, kb in found:
            actors = [a for a in doc.actors(s, ta) if a.nation not in {"ISR", "PSE"}]
            for actor in actors or [None]:
                spans = [doc.span(ta, tb), doc.span(ka, kb)]
                if actor and actor.span.end > actor.span.start:
                    spans.append(actor.span)
                yield Caveat(
                    nation=actor.nation if actor else None,
                    caveat_kind=kind,
                    confidence=round((actor.confidence if actor else 0.5) * 0.9, 3),
                    rule=f"caveat.{kind}" + (f".{actor.how}" if actor else ".no_nation"),
                    **extra,
                    **_base(doc, s, spans, ta),
                )
                if actor:
                    doc.set_focus(s, actor.nation)


# --------------------------------------------------------------------------------------------
# Consultations
# --------------------------------------------------------------------------------------------

_CONSULT_RE = re.compile(_w(lexicon.CONSULTATION_TRIGGERS), I)
_TOPIC_RE = re.compile(lexicon.TOPIC_INTRODUCERS + r"(?P<topic>[^,.;()]+)", I)


def consultations(doc: Document) -> Iterator[Claim]:
    """Calls and meetings: participants (ISO3), officials, topic and date."""
    for s in doc.sentences:
        for m in _CONSULT_RE.finditer(doc.text, s.start, s.end):
            if doc.in_quote(m.start()):
                continue
            c_start, c_end = clause_bounds(s, m.start())
            topic, t_span = _topic(doc, m.end(), s.end)
            participants: dict[str, None] = {}
            officials: dict[str, None] = {}
            spans = [doc.span(m.start(), m.end())]
            for actor in doc.actors(s, m.start()):
                if actor.how != "focus":
                    participants[actor.nation] = None
                    spans.append(actor.span)
            for a, b, o in _speakers_in(doc, s):
                if b <= m.start() or (t_span is None or a < t_span[0]):
                    if o.name:
                        officials[o.name] = None
                    if o.nation:
                        participants[o.nation] = None
                    spans.append(doc.span(a, b))
            for n in doc.nations_in(m.end(), c_end):
                if t_span and t_span[0] <= n.start < t_span[1]:
                    continue
                if any(o.role_span[0] <= n.start < o.role_span[1] for o in doc.officials):
                    if not any(
                        o.start <= n.start < o.end and o.nation == n.key for o in doc.officials
                    ):
                        continue
                participants[n.key] = None
                spans.append(doc.span(n.start, n.end))
            if len(participants) < 2:
                continue
            if t_span:
                spans.append(doc.span(*t_span))
            yield Consultation(
                participants=tuple(sorted(participants)),
                officials=tuple(officials),
                topic=topic,
                confidence=0.85,
                rule="consultation.trigger",
                **_base(doc, s, spans, m.start()),
            )
            break  # one consultation per sentence


def _topic(doc: Document, start: int, end: int) -> tuple[str | None, tuple[int, int] | None]:
    for t in _TOPIC_RE.finditer(doc.text, start, end):
        a, b = t.start("topic"), t.end("topic")
        # cut at a following date or "on ..." and drop leading date words
        for d in doc.dates:
            if a <= d.span.start < b:
                b = d.span.start
            if d.span.start <= a < d.span.end:
                a = -1
                break
        if a < 0:
            continue
        cut = re.search(r"\s+(?:on|in|at|and\s+(?:said|told))\s+|\s+$", doc.text[a:b])
        if cut:
            b = a + cut.start()
        if b > a and doc.text[a:b].strip():
            return doc.text[a:b], (a, b)
    return None, None


# --------------------------------------------------------------------------------------------
# Party stances
# --------------------------------------------------------------------------------------------

_OBJ_RE = re.compile(_w(lexicon.PARTY_OBJECTS), I)
_ACC_RE = re.compile(_w(lexicon.PARTY_ACCEPTS), I)
_ASKED_RE = re.compile(r"\basked\s+(?:[\w,]+\s+){0,4}?(?:about|whether|if|on)\b", I)


def _party_of(doc: Document, s: Sentence, pos: int) -> tuple[str, Span, str | None] | None:
    """The party (ISR, EGY, PSE, PA, HAMAS) acting as subject before ``pos``."""
    c_start, _ = clause_bounds(s, pos)
    cands: list[tuple[int, int, str, str | None]] = []
    for org in doc.organisations:
        if c_start <= org.start and org.end <= pos and org.key in lexicon.PARTY_ORGANISATIONS:
            cands.append((org.start, org.end, lexicon.PARTY_ORGANISATIONS[org.key], None))
    for actor in doc.actors(s, pos):
        if actor.nation in lexicon.PARTY_STATES and actor.how != "focus":
            cands.append((actor.span.start, actor.span.end, actor.nation, None))
    for o in doc.officials_in(s.start, pos):
        if o.nation in lexicon.PARTY_STATES:
            cands.append((o.start, o.end, o.nation, o.name or o.role))
    if not cands:
        return None
    # The rightmost candidate; compare positions only (speakers may be None, not orderable).
    a, b, party, speaker = max(cands, key=lambda cand: (cand[0], cand[1]))
    return party, doc.span(a, b), speaker


def _coordinated(doc: Document, hits: list) -> list:
    """The first nation and those joined to it by "and" / "or" / ","."""
    if not hits:
        return []
    out = [hits[0]]
    for h in hits[1:]:
        gap = doc.text[out[-1].end : h.start]
        if re.fullmatch(r"\s*(?:,\s*)?(?:and|or|,)\s*", gap):
            out.append(h)
        else:
            break
    return out


def _negated(doc: Document, s: Sentence, m: re.Match[str]) -> bool:
    before = doc.text[max(s.start, m.start() - 12) : m.start()]
    return bool(re.search(r"(?:\bnot|n't)\s+(?:\w+\s+)?$", before))


def party_stances(doc: Document) -> Iterator[Claim]:
    """Objections and acceptance by a party to the conflict about a contributor."""
    for s in doc.sentences:
        done: set[tuple[str, str | None, str]] = set()
        accepts = [a for a in _ACC_RE.finditer(doc.text, s.start, s.end) if not _negated(doc, s, a)]
        for stance, rx in (("objects", _OBJ_RE), ("accepts", _ACC_RE)):
            for m in rx.finditer(doc.text, s.start, s.end):
                if stance == "objects" and any(
                    a.start() < m.end() and m.start() < a.end() for a in accepts
                ):
                    continue  # "has no objection to" is acceptance
                party = _party_of(doc, s, m.start())
                if not party:
                    continue
                if stance == "accepts" and _negated(doc, s, m):
                    continue  # "will not accept" is an objection, found by the other pattern
                _c, c_end = clause_bounds(s, m.end())
                targets = _coordinated(
                    doc, [n for n in doc.nations_in(m.end(), c_end) if n.key != party[0]]
                )
                for target in targets:
                    key = (party[0], target.key, stance)
                    if key in done:
                        continue
                    done.add(key)
                    yield PartyStance(
                        party=party[0],
                        nation=target.key,
                        stance=stance,
                        speaker=party[2],
                        confidence=0.8,
                        rule=f"party_stance.{stance}",
                        **_base(
                            doc,
                            s,
                            [
                                doc.span(m.start(), m.end()),
                                party[1],
                                doc.span(target.start, target.end),
                            ],
                            m.start(),
                        ),
                    )
        # A one-word answer: 'Asked about Pakistani troops, Israel's ambassador said: "No."'
        for q in doc.quotes:
            if not (s.start <= q.start < s.end) or not re.match(r"\s*No\b", q.text):
                continue
            asked = _ASKED_RE.search(doc.text, s.start, s.end)
            if not asked:
                continue
            speaker = _statement_speaker(doc, s, q)
            if not speaker or speaker.nation not in lexicon.PARTY_STATES:
                continue
            targets = [
                n
                for n in doc.nations_in(asked.end(), s.end)
                if n.key != speaker.nation
                and not doc.in_quote(n.start)
                and not any(o.role_span[0] <= n.start < o.role_span[1] for o in doc.officials)
            ]
            if not targets:
                continue
            key = (speaker.nation, targets[0].key, "objects")
            if key in done:
                continue
            done.add(key)
            yield PartyStance(
                party=speaker.nation,
                nation=targets[0].key,
                stance="objects",
                speaker=speaker.name or speaker.role,
                confidence=0.75,
                rule="party_stance.answer_no",
                **_base(
                    doc,
                    s,
                    [
                        q,
                        doc.span(asked.start(), asked.end()),
                        doc.span(targets[0].start, targets[0].end),
                    ],
                    q.start,
                ),
            )


# --------------------------------------------------------------------------------------------
# Statements
# --------------------------------------------------------------------------------------------

_SAY_RE = re.compile(_w(lexicon.SAY_VERBS), I)
_PRONOUN_SAY = re.compile(r"\b(?:he|she|they)\s+(?:said|added|told|says)\b", I)


def _statement_speaker(doc: Document, s: Sentence, q: Span) -> OfficialHit | None:
    """Who said the quotation ``q`` in sentence ``s``."""
    outside = [m for m in _SAY_RE.finditer(doc.text, s.start, s.end) if not doc.in_quote(m.start())]
    if not outside:
        return None
    speakers = [r for r in _speakers_in(doc, s) if not doc.in_quote(r[0])]
    if speakers:
        say = min(outside, key=lambda m: abs(m.start() - q.start))
        return min(speakers, key=lambda r: abs(r[0] - say.start()))[2]
    if _PRONOUN_SAY.search(doc.text, s.start, s.end):
        index = doc.sentences.index(s)
        for prev in reversed(doc.sentences[:index]):
            earlier = _speakers_in(doc, prev)
            if earlier:
                return earlier[-1][2]
    return None


def statements(doc: Document) -> Iterator[Claim]:
    """Each quoted utterance whose speaker the sentence names."""
    for q in doc.quotes:
        s = doc.sentences[doc.sentence_index(q.start)]
        speaker = _statement_speaker(doc, s, q)
        if speaker is None:
            continue
        name = speaker.name
        if name and name in doc.surnames:
            name = doc.surnames[name].name
        yield Statement(
            speaker=name or speaker.role,
            speaker_role=speaker.role,
            speaker_nation=speaker.nation,
            utterance=q.text,
            confidence=0.85 if speaker.name else 0.7,
            rule="statement.quote",
            **_base(doc, s, [q, doc.span(speaker.start, speaker.end)], q.start),
        )
