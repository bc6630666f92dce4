"""Sentences, clauses and quotations, with exact offsets into the original text.

Nothing here changes the text: no normalisation, no lower-casing (lower-casing can change the
length of a string, e.g. "İ" becomes two code points, which would shift every offset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Span

#: Tokens that end with a full stop without ending the sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Gen",
        "Maj",
        "Lt",
        "Col",
        "Capt",
        "Sgt",
        "Adm",
        "St",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "U.S",
        "U.N",
        "U.K",
        "U.A.E",
        "approx",
        "e.g",
        "i.e",
        "vs",
        "etc",
        "No",
    }
)

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n\s*\n")
_TOKEN_BEFORE = re.compile(r"([\w.]+)\.$")
_OPENERS = "\"'“‘([«"


@dataclass(frozen=True)
class Sentence:
    """A sentence and its offsets (``text == source[start:end]``)."""

    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)


def split_sentences(text: str) -> list[Sentence]:
    """Split into sentences, keeping offsets; leading and trailing whitespace is excluded.

    A full stop ends a sentence unless it follows a known abbreviation ("Dec.", "U.S.") or a
    single capital letter (an initial), or the next character is lower-case or a digit.
    """
    out: list[Sentence] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if not m.group(0).startswith("\n"):
            token = _TOKEN_BEFORE.search(text, max(0, m.start() - 12), m.start() + 1)
            if m.group(0).startswith(".") and token:
                word = token.group(1)
                if word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS:
                    # "No." ends a sentence when it is a one-word answer in quotes.
                    if not (word == "No" and m.group(0) != "."):
                        continue
                if len(word) == 1 and word.isupper():
                    continue
            nxt = _next_visible(text, end)
            if nxt is not None and (text[nxt].islower() or text[nxt].isdigit()):
                continue
        _append(out, text, start, m.start() if m.group(0).startswith("\n") else end)
        start = end
    _append(out, text, start, len(text))
    return out


def _next_visible(text: str, pos: int) -> int | None:
    while pos < len(text) and (text[pos].isspace() or text[pos] in _OPENERS):
        pos += 1
    return pos if pos < len(text) else None


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))


_CLAUSE_BREAK = re.compile(
    r";|:\s|\s+but\s+|\s+while\s+|\s+whereas\s+|\s+although\s+|,\s+(?:and|but)\s+|"
    r"\s+before\s+|\s+after\s+|\s+until\s+|\s+unless\s+|,\s+which\s+|\s+—\s+|\s+-\s+",
)


def clause_bounds(sentence: Sentence, pos: int) -> tuple[int, int]:
    """Absolute (start, end) of the clause of ``sentence`` that contains absolute ``pos``."""
    start, end = sentence.start, sentence.end
    for m in _CLAUSE_BREAK.finditer(sentence.text):
        a, b = sentence.start + m.start(), sentence.start + m.end()
        if b <= pos:
            start = b
        elif a >= pos:
            end = a
            break
    return start, end


_QUOTE = re.compile(r"\"([^\"\n]{1,600}?)\"|“([^”\n]{1,600}?)”")


def find_quotes(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Quoted passages between double quotes (straight or curly), inner text only."""
    end = len(text) if end is None else end
    out = []
    for m in _QUOTE.finditer(text, start, end):
        group = 1 if m.group(1) is not None else 2
        a, b = m.start(group), m.end(group)
        if text[a:b].strip():
            out.append(Span(a, b, text[a:b]))
    return out


def span_of(text: str, start: int, end: int) -> Span:
    """A span of ``text`` (helper that keeps ``Span.text`` honest)."""
    return Span(start, end, text[start:end])
