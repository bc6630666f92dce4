"""Force sizes: "3,500 troops", "up to 3,500", "around 3,500", "3,000-4,000", "a brigade".

A figure counts as a force size only when a force noun ("troops", "police officers", "a
brigade", ...) follows it within two words, so years, dates and casualty counts are not read
as pledges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon


@dataclass(frozen=True)
class SizeHit:
    """A size expression and what it means. ``start``/``end`` cover figure and noun."""

    start: int
    end: int
    force_kind: str
    size: int | None
    size_min: int | None
    size_max: int | None
    size_estimate: int | None
    qualifier: str
    unit_word: str | None


_NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_QUAL = "|".join(
    re.escape(q).replace(r"\ ", r"\s+")
    for q in sorted(lexicon.SIZE_QUALIFIERS, key=len, reverse=True)
)
_NUMWORD = "|".join(sorted(lexicon.NUMBER_WORDS, key=len, reverse=True))
_UNITS = "|".join(lexicon.UNIT_SIZES)
_VAGUE = "|".join(
    re.escape(v).replace(r"\ ", r"\s+")
    for v in sorted(lexicon.VAGUE_AMOUNTS, key=len, reverse=True)
)


@lru_cache(maxsize=1)
def _noun_re() -> str:
    nouns = sorted(lexicon.FORCE_NOUNS, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in nouns)


@lru_cache(maxsize=1)
def _size_re() -> re.Pattern[str]:
    noun = _noun_re()
    filler = r"(?:[A-Za-z][\w\-]*\s+){0,2}?"
    return re.compile(
        rf"(?:\b(?P<q>{_QUAL})\s+)?(?:between\s+)?(?P<a>{_NUM})(?:\s*(?P<k>thousand|k)\b)?"
        rf"(?:\s*(?:-|–|to|and)\s*(?P<b>{_NUM}))?\s+{filler}(?P<noun>{noun})\b"
        rf"(?:\s+(?P<post>or\s+more|or\s+so|plus))?"
        rf"|\b(?P<uq>{_NUMWORD})\s+(?:(?P<uadj>[\w\-]+)\s+)?(?P<unit>{_UNITS})s?\b"
        rf"(?:\s+(?:of\s+)?(?:[\w\-]+\s+)?(?P<unoun>{noun})\b)?"
        rf"|\b(?P<vague>{_VAGUE})\s+(?:of\s+)?{filler}(?P<vnoun>{noun})\b",
        re.IGNORECASE,
    )


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _kind(noun: str | None) -> str:
    if not noun:
        return "troops"
    key = re.sub(r"\s+", " ", noun.lower())
    return lexicon.FORCE_NOUNS.get(key, "troops")


def find_sizes(text: str, start: int, end: int) -> list[SizeHit]:
    """Size expressions in ``text[start:end]``."""
    out: list[SizeHit] = []
    for m in _size_re().finditer(text, start, end):
        g = m.groupdict()
        if g["a"]:
            scale = 1000 if g["k"] else 1
            a = int(_num(g["a"]) * scale)
            qualifier = lexicon.SIZE_QUALIFIERS.get(re.sub(r"\s+", " ", (g["q"] or "").lower()))
            if g["b"]:
                b = int(_num(g["b"]) * scale)
                lo, hi = min(a, b), max(a, b)
                out.append(
                    SizeHit(
                        m.start(),
                        m.end(),
                        _kind(g["noun"]),
                        None,
                        lo,
                        hi,
                        (lo + hi) // 2,
                        "range",
                        None,
                    )
                )
                continue
            post = re.sub(r"\s+", " ", (g["post"] or "").lower())
            if post in {"or more", "plus"}:
                qualifier = "at_least"
            elif post == "or so":
                qualifier = "approx"
            qualifier = qualifier or "exact"
            lo = a if qualifier in {"exact", "at_least"} else None
            hi = a if qualifier in {"exact", "up_to"} else None
            out.append(SizeHit(m.start(), m.end(), _kind(g["noun"]), a, lo, hi, a, qualifier, None))
        elif g["unit"]:
            unit = g["unit"].lower()
            count = lexicon.NUMBER_WORDS.get(g["uq"].lower(), 1)
            lo, hi, est = (v * count for v in lexicon.UNIT_SIZES[unit])
            kind = lexicon.UNIT_ADJECTIVES.get((g["uadj"] or "").lower()) or _kind(g["unoun"])
            out.append(SizeHit(m.start(), m.end(), kind, None, lo, hi, est, "unit", unit))
        else:
            lo, hi = lexicon.VAGUE_AMOUNTS[re.sub(r"\s+", " ", g["vague"].lower())]
            out.append(
                SizeHit(m.start(), m.end(), _kind(g["vnoun"]), None, lo, hi, None, "vague", None)
            )
    return out
