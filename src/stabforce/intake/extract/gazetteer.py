"""Finding nations, organisations and officials in text.

The nation table is built once from pycountry (``name``, ``official_name``, ``common_name``;
names written "Iran, Islamic Republic of" are skipped as no text writes them so) and the
curated metonyms and demonyms in :mod:`.lexicon`. Matching is case-sensitive and longest-first,
so "Security Council" is not read as "Council" and "Turkish" is not read as "Turk".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from . import lexicon

#: Capitals whose metonymic reading needs the capital to act (followed by a verb or "'s"),
#: because the city is claimed by more than one party.
CAREFUL_CAPITALS: frozenset[str] = frozenset({"Jerusalem"})

_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|to|from|near|via|around|East|West)\s+$")
_ACTS_AFTER = re.compile(
    r"^(?:'s|’s|\s+(?:has|have|had|is|was|said|says|will|would|objects|"
    r"rejected|rejects|opposes|vetoed|insists|wants|told|welcomed))\b"
)


@dataclass(frozen=True)
class NameHit:
    """A surface form found in text: what it refers to and how."""

    start: int
    end: int
    text: str
    key: str  # ISO3 for nations, organisation key for organisations
    via: str
    confidence: float


@lru_cache(maxsize=1)
def nation_table() -> dict[str, tuple[str, str]]:
    """Surface form -> (ISO3, via). Curated entries win over pycountry on conflicts."""
    table: dict[str, tuple[str, str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if not name or "," in name or name in lexicon.UNSAFE_NAMES:
                continue
            if name.lower().startswith("the "):
                name = name[4:]
            table.setdefault(name, (country.alpha_3, attr))
    for iso3, entry in lexicon.NATIONS.items():
        for via, key in (
            ("alias", "aliases"),
            ("demonym", "demonyms"),
            ("capital", "capitals"),
            ("government", "governments"),
        ):
            for surface in entry.get(key, ()):
                table[surface] = (iso3, via)
    return table


def _alternation(surfaces: list[str]) -> str:
    return "|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True))


@lru_cache(maxsize=1)
def _nation_re() -> re.Pattern[str]:
    # (?<![\w.]) stops "U.S." matching inside "AU.S."; the lookahead allows "U.S." to end in a
    # full stop and still be followed by anything.
    return re.compile(rf"(?<![\w\-])(?:{_alternation(list(nation_table()))})(?![\w\-])")


@lru_cache(maxsize=1)
def _org_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, (_kind, _nation, surfaces) in lexicon.ORGANISATIONS.items():
        for surface in surfaces:
            table[surface] = key
    return table


@lru_cache(maxsize=1)
def _org_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w\-])(?:{_alternation(list(_org_table()))})(?![\w\-])")


def find_organisations(text: str) -> list[NameHit]:
    """Organisations named in ``text``."""
    table = _org_table()
    return [
        NameHit(m.start(), m.end(), m.group(0), table[m.group(0)], "name", 0.9)
        for m in _org_re().finditer(text)
    ]


def find_nations(text: str, organisations: list[NameHit] | None = None) -> list[NameHit]:
    """Nation mentions. Mentions inside a media outlet's name ("Jerusalem Post") are dropped."""
    table = nation_table()
    media = [o for o in (organisations or []) if lexicon.ORGANISATIONS[o.key][0] == "media"]
    out: list[NameHit] = []
    for m in _nation_re().finditer(text):
        surface = m.group(0)
        if any(o.start <= m.start() and m.end() <= o.end for o in media):
            continue
        iso3, via = table[surface]
        confidence = 0.95 if via in {"name", "official_name", "common_name", "alias"} else 0.9
        if via == "capital":
            after = text[m.end() : m.end() + 20]
            if any(after.lstrip().startswith(b) for b in lexicon.CAPITAL_BLOCKERS):
                continue
            acts = bool(_ACTS_AFTER.match(after))
            if surface in CAREFUL_CAPITALS and (
                not acts
                or re.search(r"\b(?:East|West)\s+$", text[max(0, m.start() - 6) : m.start()])
            ):
                continue
            if _LOCATIVE_BEFORE.search(text[max(0, m.start() - 8) : m.start()]):
                confidence = 0.6
            else:
                confidence = 0.85 if acts else 0.75
        if surface == "US" and text[max(0, m.start() - 1) : m.start()] == "-":
            continue
        out.append(NameHit(m.start(), m.end(), surface, iso3, via, confidence))
    return out


# --------------------------------------------------------------------------------------------
# Officials
# --------------------------------------------------------------------------------------------

_NAME_PART = r"[A-Z][a-zà-ÿ]+(?:[\-'’][A-Za-zà-ÿ]+)*"
_NAME = rf"{_NAME_PART}(?:\s+(?:al-|bin\s+|van\s+|de\s+)?{_NAME_PART}){{0,2}}"


@lru_cache(maxsize=1)
def _role_re() -> re.Pattern[str]:
    roles = sorted(lexicon.ROLES, key=len, reverse=True)
    alternation = "|".join(re.escape(r).replace(r"\ ", r"\s+") for r in roles)
    return re.compile(rf"(?<![\w\-])(?:{alternation})(?![\w\-])", re.IGNORECASE)


@dataclass(frozen=True)
class OfficialHit:
    """An official found in text: name (may be None), role, nation and their offsets."""

    start: int
    end: int
    name: str | None
    name_span: tuple[int, int] | None
    role: str
    role_span: tuple[int, int]
    nation: str | None
    organisation: str | None
    rule: str
    confidence: float


def _clean_name(candidate: str) -> str | None:
    tokens = candidate.split()
    while tokens and tokens[0] in lexicon.NAME_STOPWORDS:
        tokens.pop(0)
    kept: list[str] = []
    for tok in tokens:
        if tok in lexicon.NAME_STOPWORDS or tok in nation_table():
            break
        kept.append(tok)
    return " ".join(kept) if kept else None


def _nation_before(
    text: str, pos: int, nations: list[NameHit], orgs: list[NameHit]
) -> tuple[str | None, str | None, int]:
    """Nation (and organisation) modifying a title that starts at ``pos``.

    Accepts "US Secretary", "Pakistan's Foreign Minister", "Israel's ambassador", "the
    Turkish foreign minister", "Pakistan's Foreign Office spokesperson".
    """
    start = pos
    nation = None
    organisation = None
    for o in orgs:
        if 0 <= pos - o.end <= 1 and lexicon.ORGANISATIONS[o.key][0] != "media":
            organisation = o.key
            nation = lexicon.ORGANISATIONS[o.key][1]
            start = o.start
            pos = o.start
            break
    for n in nations:
        gap = text[n.end : pos]
        if n.end <= pos and re.fullmatch(r"(?:'s|’s)?\s*(?:own\s+)?", gap):
            return n.key, organisation, n.start
    return nation, organisation, start


def find_officials(text: str, nations: list[NameHit], orgs: list[NameHit]) -> list[OfficialHit]:
    """Officials: "Role Name", "Name, (the) Role", and role-only "Israel's ambassador to India"."""
    out: list[OfficialHit] = []
    taken: list[tuple[int, int]] = []
    for m in _role_re().finditer(text):
        role_text = m.group(0)
        if role_text[0].islower() and role_text.lower() in {"general", "king"}:
            continue
        role_end = m.end()
        # "ambassador to India" / "envoy to the UN": keep the destination in the role.
        dest = re.match(
            r"\s+(?:to|at)\s+(?:the\s+)?([A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)", text[role_end:]
        )
        role = re.sub(r"\s+", " ", role_text)
        if dest and role.lower() in {
            "ambassador",
            "envoy",
            "special envoy",
            "permanent representative",
        }:
            role_end += dest.end()
            role = f"{role} to {dest.group(1)}"
        nation, organisation, start = _nation_before(text, m.start(), nations, orgs)
        if organisation == "FOREIGN_OFFICE":
            role = f"Foreign Office {role}"
        # Pattern A: Role Name
        after = re.match(rf"\s+({_NAME})|,\s+({_NAME})(?=,)", text[role_end:])
        group = 1 if after and after.group(1) else 2
        name = _clean_name(after.group(group)) if after else None
        if name and after:
            a = role_end + after.start(group)
            out.append(
                OfficialHit(
                    start,
                    a + len(name),
                    name,
                    (a, a + len(name)),
                    role,
                    (m.start(), role_end),
                    nation,
                    organisation,
                    "official.role_name",
                    0.9,
                )
            )
            taken.append((start, a + len(name)))
            continue
        # Pattern B: Name, (the|a) [nation] Role
        before = re.search(
            rf"({_NAME}),\s+(?:the\s+|a\s+|an\s+)?(?:[\w'’.]+\s+){{0,3}}$",
            text[max(0, start - 80) : start],
        )
        base = max(0, start - 80)
        if before and _clean_name(before.group(1)) == before.group(1):
            name = before.group(1)
            a = base + before.start(1)
            if nation is None:
                nation, _o, _s = _nation_before(text, m.start(), nations, orgs)
            out.append(
                OfficialHit(
                    a,
                    role_end,
                    name,
                    (a, a + len(name)),
                    role,
                    (m.start(), role_end),
                    nation,
                    organisation,
                    "official.name_role",
                    0.85,
                )
            )
            taken.append((a, role_end))
            continue
        # Role without a name: only when a nation or body qualifies it.
        if nation or organisation or re.match(r"Foreign\s+(?:Office|Ministry)\s", role):
            out.append(
                OfficialHit(
                    start,
                    role_end,
                    None,
                    None,
                    role,
                    (m.start(), role_end),
                    nation,
                    organisation,
                    "official.role_only",
                    0.7,
                )
            )
    return out
