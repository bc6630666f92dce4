"""Date expressions and how they resolve against the publication date.

Rules (documented in docs/intake.md):

- Absolute dates ("December 19, 2025", "19 December 2025", "2025-12-19", "Dec. 19") resolve
  to that day. A date without a year takes the publication year, or the previous year when
  that would put it more than 31 days after publication (a January report about "Dec. 28").
  Without a publication date a year-less date stays unresolved.
- A weekday attached to a date ("Friday (December 19, 2025)", "on Sunday, December 20") is
  checked. When it contradicts the date the expression keeps the date *as written* as its
  value, lists both candidates (the written date and the nearest day with the written
  weekday) and carries an ``inconsistency`` message. Nothing is silently corrected.
- A weekday alone ("on Sunday") means the most recent such day on or before publication
  (publication day included). "last Sunday" means the most recent one strictly before the
  publication day. "next Sunday", or a bare weekday in a clause with a future marker
  ("will", "is due to", "is set to", "is scheduled to") means the first one after.
- "today", "yesterday", "the day before yesterday", "tomorrow" are exact; "last week" is the
  previous Monday–Sunday week, "this week" is Monday to publication, "earlier this month" is
  the first of the month to the day before publication, "last month" the previous calendar
  month (across the year boundary). Ranges have ``earliest``/``latest`` and no ``value``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from .model import DateRef, Span

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

# Month-day-year, day-month-year, ISO. Named groups are shared by position below.
_MDY = rf"(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"
_DMY = (
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?(?:,?\s+(?P<y2>\d{{4}}))?"
)
_ISO = r"(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})"
_ABS = rf"(?:{_MDY}|{_DMY}|{_ISO})"

_DATE_RE = re.compile(
    # weekday before the date: "Sunday (December 20, 2025)", "on Sunday, December 20"
    rf"\b(?:on\s+)?(?P<wd_a>{_WD})\s*(?:,\s*|\(\s*|\s+)(?:the\s+)?{_ABS}\b\)?"
    # date followed by a weekday: "December 20 (Sunday)"
    rf"|\b{_ABS.replace('(?P<', '(?P<b_')}\s*\(\s*(?P<wd_b>{_WD})\s*\)"
    rf"|\b{_ABS.replace('(?P<', '(?P<c_')}\b"
    rf"|\b(?P<rel_wd>(?:last|next|this\s+(?:coming|past)|on|past)\s+)?(?P<wd>{_WD})\b"
    r"|\b(?P<rel>the\s+day\s+before\s+yesterday|yesterday|today|tomorrow|last\s+week|"
    r"this\s+week|earlier\s+this\s+week|next\s+week|next\s+month|earlier\s+this\s+month|"
    r"this\s+month|last\s+month|"
    r"earlier\s+this\s+year)\b",
    re.IGNORECASE,
)

_FUTURE = re.compile(
    r"\b(?:will|is\s+due\s+to|are\s+due\s+to|is\s+set\s+to|are\s+set\s+to|is\s+scheduled\s+"
    r"to|are\s+scheduled\s+to|plans\s+to|is\s+expected\s+to)\b",
    re.IGNORECASE,
)


_PAST_REPORT = re.compile(
    r"\b(?:said|told|announced|confirmed|reported|added|stated|declared|wrote)\b", re.IGNORECASE
)


def _abs_parts(m: re.Match[str], prefix: str) -> tuple[int | None, int, int] | None:
    g = m.groupdict()
    for mk, dk, yk in (("m1", "d1", "y1"), ("m2", "d2", "y2")):
        if g.get(prefix + mk):
            month = MONTHS[g[prefix + mk].lower().rstrip(".")]
            year = g.get(prefix + yk)
            return (int(year) if year else None, month, int(g[prefix + dk]))
    if g.get(prefix + "y3"):
        return (int(g[prefix + "y3"]), int(g[prefix + "m3"]), int(g[prefix + "d3"]))
    return None


def _make(year: int | None, month: int, day: int, published: date | None) -> date | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        try:
            if date(year, month, day) > published + timedelta(days=31):
                year -= 1
        except (ValueError, OverflowError):
            return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_weekday(day: date, weekday: int) -> date:
    """The day with ``weekday`` nearest to ``day`` (ties go forward; the calendar's ends
    fall back to the other direction)."""
    forward = (weekday - day.weekday()) % 7
    backward = (day.weekday() - weekday) % 7
    try:
        if forward <= backward:
            return day + timedelta(days=forward)
        return day - timedelta(backward)
    except OverflowError:
        return day - timedelta(backward) if forward <= backward else day + timedelta(forward)


def find_dates(text: str, published: date | None = None) -> list[DateRef]:
    """Every date expression in ``text`` with its resolution."""
    out: list[DateRef] = []
    for m in _DATE_RE.finditer(text):
        span = Span(m.start(), m.end(), m.group(0))
        g = m.groupdict()
        if g["wd_a"] or g.get("wd_b"):
            if g["wd_a"]:  # "on Sunday (December 20, 2025)": the expression starts at "Sunday"
                span = Span(m.start("wd_a"), m.end(), text[m.start("wd_a") : m.end()])
            prefix = "" if g["wd_a"] else "b_"
            wd_name = g["wd_a"] or g["wd_b"]
            parts = _abs_parts(m, prefix)
            if parts is None:  # pragma: no cover - regex guarantees parts
                continue
            out.append(_weekday_date(span, wd_name, parts, published))
        elif _abs_parts(m, "c_") is not None:
            year, month, day = _abs_parts(m, "c_")  # type: ignore[misc]
            value = _make(year, month, day, published)
            note = None
            if value is None:
                note = "no year and no publication date" if year is None else "not a real day"
            elif year is None:
                note = f"year {value.year} inferred from the publication date"
            out.append(
                DateRef(span=span, form="absolute", rule="date.absolute", value=value, note=note)
            )
        elif g["wd"]:
            out.append(_guard(span, _bare_weekday, text, m, span, published))
        elif g["rel"]:
            out.append(_guard(span, _relative, span, g["rel"], published))
    return out


def _guard(span: Span, resolve: Callable[..., DateRef], *args: Any) -> DateRef:
    """Resolve, or leave unresolved when the arithmetic leaves the calendar (year 1 / 9999)."""
    try:
        return resolve(*args)
    except (OverflowError, ValueError):
        return DateRef(span=span, form="relative", rule="date.out_of_range", note="out of range")


def _weekday_date(
    span: Span, wd_name: str, parts: tuple[int | None, int, int], published: date | None
) -> DateRef:
    year, month, day = parts
    value = _make(year, month, day, published)
    if value is None:
        return DateRef(
            span=span, form="weekday_absolute", rule="date.weekday_absolute", note="unresolved"
        )
    weekday = WEEKDAYS[wd_name.lower()]
    if value.weekday() == weekday:
        return DateRef(
            span=span, form="weekday_absolute", rule="date.weekday_absolute", value=value
        )
    other = _nearest_weekday(value, weekday)
    message = (
        f"{span.text}: {value.isoformat()} was a {WEEKDAY_NAMES[value.weekday()]}, not a "
        f"{WEEKDAY_NAMES[weekday]}; the nearest {WEEKDAY_NAMES[weekday]} is {other.isoformat()}"
    )
    return DateRef(
        span=span,
        form="weekday_absolute",
        rule="date.weekday_contradiction",
        value=value,
        candidates=(value, other),
        inconsistency=message,
    )


def _bare_weekday(text: str, m: re.Match[str], span: Span, published: date | None) -> DateRef:
    wd = WEEKDAYS[m.group("wd").lower()]
    modifier = (m.group("rel_wd") or "").strip().lower()
    if published is None:
        return DateRef(span=span, form="weekday", rule="date.weekday", note="no publication date")
    line_start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
    future = modifier.startswith("next") or "coming" in modifier
    if not modifier.startswith(("last", "past", "this past")) and not future:
        markers = list(_FUTURE.finditer(text, line_start, m.start()))
        # "X will send troops, the ministry announced on Saturday": the weekday belongs to the
        # past reporting verb between the future marker and the weekday.
        future = bool(markers) and not _PAST_REPORT.search(text, markers[-1].end(), m.start())
    if future:
        delta = (wd - published.weekday()) % 7 or 7
        return DateRef(
            span=span,
            form="weekday",
            rule="date.weekday_next",
            value=published + timedelta(days=delta),
        )
    back = (published.weekday() - wd) % 7
    if modifier.startswith(("last", "past", "this past")) and back == 0:
        back = 7
    return DateRef(
        span=span, form="weekday", rule="date.weekday_recent", value=published - timedelta(back)
    )


def _relative(span: Span, rel: str, published: date | None) -> DateRef:
    key = re.sub(r"\s+", " ", rel.lower())
    if published is None:
        return DateRef(span=span, form="relative", rule="date.relative", note="no publication date")
    p = published
    exact = {
        "today": p,
        "yesterday": p - timedelta(1),
        "the day before yesterday": p - timedelta(2),
        "tomorrow": p + timedelta(1),
    }
    if key in exact:
        return DateRef(span=span, form="relative", rule=f"date.{key}", value=exact[key])
    monday = p - timedelta(p.weekday())
    first = p.replace(day=1)
    prev_last = first - timedelta(1)
    ranges = {
        "last week": (monday - timedelta(7), monday - timedelta(1)),
        "this week": (monday, p),
        "earlier this week": (monday, p - timedelta(1) if p > monday else p),
        "earlier this month": (first, p - timedelta(1) if p > first else p),
        "this month": (first, p),
        "last month": (prev_last.replace(day=1), prev_last),
        "earlier this year": (p.replace(month=1, day=1), p),
        "next week": (monday + timedelta(7), monday + timedelta(13)),
        "next month": _next_month(p),
    }
    lo, hi = ranges[key]
    return DateRef(
        span=span, form="range", rule=f"date.{key.replace(' ', '_')}", earliest=lo, latest=hi
    )


def _next_month(p: date) -> tuple[date, date]:
    first = (p.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
    return first, last


def best_date(
    dates: list[DateRef], start: int, end: int, anchor: int | None = None
) -> DateRef | None:
    """The date expression in [start, end) nearest to ``anchor`` (default: the first one).

    Exact days are preferred over ranges.
    """
    inside = [d for d in dates if d.span.start >= start and d.span.end <= end]
    if not inside:
        return None
    exact = [d for d in inside if d.value is not None or d.inconsistency] or inside
    if anchor is None:
        return exact[0]
    return min(exact, key=lambda d: min(abs(d.span.start - anchor), abs(d.span.end - anchor)))
