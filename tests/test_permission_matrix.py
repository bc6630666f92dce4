"""The security property: no page and no API operation shows a user a record they may not see.

Records carrying unique marker strings are created with every releasability, inside the Gaza
mission and inside a second mission none of the test users belongs to. Then every URL pattern
of the project (walked from the resolver, so new pages are picked up the day they land) and
every GET operation of the OpenAPI schema is requested by every role, with its path parameters
filled from the markers' own keys. For each response:

- no marker the user may not see appears anywhere in the body;
- a URL naming an invisible record or mission answers 404 (anonymous: 401 from the API, a
  login redirect or 404 from a page);
- nothing answers 5xx.

And, so that the test cannot pass by seeing nothing, every marker a user may see must appear
in at least one response.

The expected visibility is computed here from the rule table in the docstring of
``MissionRecordQuerySet.visible_to``, written out independently (``visible_to`` is the thing
under test). A URL with a path parameter this file cannot fill fails the test: add the
parameter to ``PARAM_VALUES`` rather than leave an endpoint unchecked.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from stabforce.api import api
from stabforce.core.api import HISTORY_MODELS
from stabforce.core.choices import Role
from stabforce.core.models import (
    ControlLine,
    Crossing,
    Evidence,
    LineOfOperation,
    Mission,
    Nation,
    Organisation,
    Party,
    Sector,
    Source,
)

# --- The rule table, written independently of visible_to ----------------------------------

HQ = {Role.ADMIN, Role.HQ_PLANNER}


@dataclass(frozen=True)
class Viewer:
    """A test user as the rules see it."""

    name: str
    role: str | None  # None: anonymous
    nation: str | None = None
    missions: frozenset[str] = frozenset()


@dataclass
class Marked:
    """Something carrying a marker: a mission or a mission record."""

    marker: str
    mission: str  # slug
    releasability: str = "all"
    listed: tuple[str, ...] = ()
    owner: str | None = None
    is_mission: bool = False
    pk: int | None = None
    slug: str | None = None
    model: type | None = None


def may_see(viewer: Viewer, thing: Marked) -> bool:
    """Administrators see everything; others only their missions; HQ planners every
    releasability; observers only 'all'; other roles 'all', lists naming their nation, and
    records their nation owns."""
    if viewer.role is None:
        return False
    if viewer.role == Role.ADMIN:
        return True
    if thing.mission not in viewer.missions:
        return False
    if thing.is_mission or viewer.role in HQ:
        return True
    if thing.releasability == "all":
        return True
    if viewer.role == Role.OBSERVER or viewer.nation is None:
        return False
    if thing.releasability == "nations" and viewer.nation in thing.listed:
        return True
    return thing.owner == viewer.nation


GAZA = "gaza-isf"
HIDDEN = "matrix-hidden"

VIEWERS = {
    "anonymous": Viewer("anonymous", None),
    "admin": Viewer("admin", Role.ADMIN, None, frozenset({GAZA})),
    "hq": Viewer("hq", Role.HQ_PLANNER, "USA", frozenset({GAZA})),
    "lno_pak": Viewer("lno_pak", Role.NATIONAL_LIAISON, "PAK", frozenset({GAZA})),
    "lno_idn": Viewer("lno_idn", Role.NATIONAL_LIAISON, "IDN", frozenset({GAZA})),
    "humlo": Viewer("humlo", Role.HUMANITARIAN_LIAISON, "NOR", frozenset({GAZA})),
    "commander": Viewer("commander", Role.CONTINGENT_COMMANDER, "IDN", frozenset({GAZA})),
    "observer": Viewer("observer", Role.OBSERVER, None, frozenset({GAZA})),
    "outsider": Viewer("outsider", Role.HQ_PLANNER, "FRA", frozenset()),
}


def test_the_viewers_match_the_users_fixture(users):
    """The rule table must describe the users the requests are made as."""
    for name, user in users.items():
        viewer = VIEWERS[name]
        assert user.role == viewer.role, name
        assert (user.nation.iso3 if user.nation else None) == viewer.nation, name
        assert set(user.missions.values_list("slug", flat=True)) == set(viewer.missions), name


# --- The marked records ----------------------------------------------------------------------

#: Primary keys far from the scenario's, and distinct across models, so that a detail URL of
#: one model filled with another model's key finds nothing rather than a different record.
PK_BASE = {
    Source: 910_000,
    Party: 920_000,
    Organisation: 930_000,
    LineOfOperation: 940_000,
    Sector: 950_000,
    Crossing: 960_000,
    ControlLine: 970_000,
}
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[34.30, 31.30], [34.31, 31.30], [34.31, 31.31], [34.30, 31.31], [34.30, 31.30]]
    ],
}
POINT = {"type": "Point", "coordinates": [34.35, 31.35]}
LINE = {"type": "LineString", "coordinates": [[34.30, 31.30], [34.40, 31.40]]}


def marker(label: str) -> str:
    # Letters, digits and dashes only: HTML and JSON leave them as they are.
    return f"MARKER-{label}-END"


def _create(model, mission, thing: Marked, index: int, nations: dict[str, Nation], **values):
    record = model.objects.create(
        pk=PK_BASE[model] + index,
        mission=mission,
        releasability=thing.releasability,
        owner_nation=nations.get(thing.owner) if thing.owner else None,
        **values,
    )
    record.releasable_to.set([nations[code] for code in thing.listed])
    thing.pk = record.pk
    thing.model = model
    return record


@pytest.fixture
def marked(gaza, users) -> dict[str, Marked]:
    """Every marked thing, created in the database, by label."""
    nations = {n.iso3: n for n in Nation.objects.filter(iso3__in=["PAK", "IDN", "NOR", "USA"])}
    hidden = Mission.objects.create(
        slug=HIDDEN,
        name=marker("hidden-mission"),
        mandate=marker("hidden-mandate"),
        authorised_from="2024-01-01",
    )
    missions = {GAZA: gaza, HIDDEN: hidden}
    things: dict[str, Marked] = {
        "hidden-mission": Marked(marker("hidden-mission"), HIDDEN, is_mission=True, slug=HIDDEN),
        # No marker of its own (its name is everywhere); its records carry markers instead.
        "gaza-mission": Marked("", GAZA, is_mission=True, slug=GAZA),
    }
    # (model, label, releasability, listed, owner, mission)
    plan = [
        (Source, "source-all", "all", (), None, GAZA),
        (Source, "source-hq", "hq", (), None, GAZA),
        (Source, "source-to-idn", "nations", ("IDN",), None, GAZA),
        (Source, "source-pak-owned", "hq", (), "PAK", GAZA),
        (Source, "source-hidden-mission", "all", (), None, HIDDEN),
        (Party, "party-all", "all", (), None, GAZA),
        (Party, "party-hq", "hq", (), None, GAZA),
        (Party, "party-to-pak", "nations", ("PAK",), None, GAZA),
        (Party, "party-hidden-mission", "all", (), None, HIDDEN),
        (Organisation, "organisation-to-idn", "nations", ("IDN",), None, GAZA),
        (Organisation, "organisation-hq", "hq", (), None, GAZA),
        (LineOfOperation, "loo-hq", "hq", (), None, GAZA),
        (LineOfOperation, "loo-pak-owned", "nations", ("NOR",), "PAK", GAZA),
        (Sector, "sector-hq", "hq", (), None, GAZA),
        (Sector, "sector-hidden-mission", "all", (), None, HIDDEN),
        (Crossing, "crossing-to-idn", "nations", ("IDN",), None, GAZA),
        (Crossing, "crossing-pak-owned", "hq", (), "PAK", GAZA),
        (Crossing, "crossing-hidden-mission", "all", (), None, HIDDEN),
        (ControlLine, "controlline-hq", "hq", (), None, GAZA),
        (ControlLine, "controlline-hidden-mission", "all", (), None, HIDDEN),
    ]
    records = {}
    for index, (model, label, releasability, listed, owner, slug) in enumerate(plan):
        thing = Marked(marker(label), slug, releasability, listed, owner)
        text = thing.marker
        values = {
            Source: {"key": label, "publisher": text, "title": text, "confidence": "low"},
            Party: {"key": label, "name": text, "kind": "state", "notes": text},
            Organisation: {"key": label, "name": text, "kind": "ngo", "notes": text},
            LineOfOperation: {"key": label, "name": text, "description": text},
            Sector: {"key": label, "name": text, "geometry": SQUARE},
            Crossing: {
                "key": label,
                "name": text,
                "kind": "land_crossing",
                "geometry": POINT,
                "position_precision": "approximate",
            },
            ControlLine: {
                "key": label,
                "name": text,
                "kind": "line",
                "geometry": LINE,
                "valid_from": "2020-01-01",
            },
        }[model]
        records[label] = _create(model, missions[slug], thing, index, nations, **values)
        things[label] = thing

    # Evidence crossing releasabilities: a visible record citing an HQ-only source, and a
    # visible source supporting HQ-only records. Neither link may reveal the hidden side.
    for source, record in [
        ("source-hq", "party-all"),
        ("source-all", "party-hq"),
        ("source-all", "crossing-pak-owned"),
        ("source-to-idn", "sector-hq"),
    ]:
        Evidence.objects.create(
            mission=gaza, source=records[source], record=records[record], quote="q", note="n"
        )
    return things


# --- Filling URLs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One value for a path parameter, and the marked thing it names (if any)."""

    text: str
    names: str | None = None  # label in `marked`


def record_values(marked: dict[str, Marked]) -> list[Value]:
    return [Value(str(thing.pk), label) for label, thing in marked.items() if thing.pk]


def mission_values(marked: dict[str, Marked]) -> list[Value]:
    return [Value(thing.slug, label) for label, thing in marked.items() if thing.is_mission]


#: Path parameter name -> the values it is filled with. A URL with any other parameter name
#: fails the test: add the parameter here (with the marked things it can name).
PARAM_VALUES = {
    "slug": mission_values,
    "pk": record_values,
    "id": record_values,
    # Nations are reference data every authenticated user sees.
    "iso3": lambda marked: [Value("PAK"), Value("idn")],
    "model": lambda marked: [Value(name) for name in HISTORY_MODELS],
    # Force-generation import/export tables.
    "table": lambda marked: [Value("requirements"), Value("pledges")],
    # Planning: the second run of a comparison; an id that names no marked record.
    "other": lambda marked: [Value("999999")],
}

#: URL patterns given as regular expressions cannot be filled generically; each one must be
#: listed here with the concrete paths that exercise it.
REGEX_PROBES = {
    "api-v1:api-not-found": ["/api/v1/no/such/path", "/api/v1/missions/x/y/z"],
}

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_OPENAPI_PARAM = re.compile(r"\{(?:(?P<converter>[^}:]+):)?(?P<name>[^}]+)\}")


@dataclass(frozen=True)
class Target:
    """A concrete URL to request, with the marked things its path names."""

    url: str
    pattern: str
    names: tuple[str, ...]


def walk_patterns(resolvers, prefix="", namespace=""):
    """Every (route, name, is_regex) below ``resolvers``; the admin is checked separately."""
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            route = str(entry.pattern)
            if route == "admin/":
                continue
            child_ns = namespace
            if entry.namespace:
                child_ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            regex = not isinstance(entry.pattern, RoutePattern)
            for child_route, name, child_regex in walk_patterns(
                entry.url_patterns, prefix + route, child_ns
            ):
                yield child_route, name, child_regex or regex
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            regex = not isinstance(entry.pattern, RoutePattern)
            yield prefix + str(entry.pattern), name or "", regex


def fill(template: str, marked: dict[str, Marked], params: re.Pattern):
    """Every way of filling ``template``'s parameters; KeyError names an unknown parameter."""
    names = [match.group("name") for match in params.finditer(template)]
    unknown = [name for name in names if name not in PARAM_VALUES]
    if unknown:
        raise KeyError(", ".join(unknown))
    choices = [PARAM_VALUES[name](marked) for name in names]
    for combination in itertools.product(*choices):
        chosen = dict(zip(names, combination, strict=True))
        url = params.sub(lambda match, c=chosen: c[match.group("name")].text, template)
        yield url, tuple(value.names for value in combination if value.names)


def ui_targets(marked) -> tuple[list[Target], list[str]]:
    targets, problems = [], []
    for route, name, regex in walk_patterns(get_resolver().url_patterns):
        if regex:
            if name not in REGEX_PROBES:
                problems.append(f"regex URL pattern {route!r} ({name}) has no REGEX_PROBES entry")
                continue
            targets += [Target(url, route, ()) for url in REGEX_PROBES[name]]
            continue
        try:
            for url, names in fill(route, marked, _ROUTE_PARAM):
                targets.append(Target("/" + url, route, names))
        except KeyError as exc:
            problems.append(f"URL {route!r} ({name}): no PARAM_VALUES for parameter {exc}")
    return targets, problems


def api_targets(marked) -> tuple[list[Target], list[str]]:
    """Every GET operation of the OpenAPI schema, asking for the largest page."""
    targets, problems = [], []
    for path, methods in api.get_openapi_schema()["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        query = {}
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] == "limit":
                query["limit"] = 1000
        suffix = f"?{urlencode(query)}" if query else ""
        try:
            for url, names in fill(path, marked, _OPENAPI_PARAM):
                targets.append(Target(url + suffix, path, names))
        except KeyError as exc:
            problems.append(f"API {path!r}: no PARAM_VALUES for parameter {exc}")
    return targets, problems


# --- The property ----------------------------------------------------------------------------


def _expectation_problems(viewer: Viewer, target: Target, response, marked) -> list[str]:
    problems = []
    body = response.content.decode("utf-8", errors="replace")
    status = response.status_code
    where = f"{viewer.name} GET {target.url} -> {status}"
    if status >= 500:
        problems.append(f"{where}: server error")
    for label, thing in marked.items():
        if thing.marker and not may_see(viewer, thing) and thing.marker in body:
            problems.append(f"{where}: shows {label} ({thing.marker})")
    hidden = [label for label in target.names if not may_see(viewer, marked[label])]
    if hidden:
        is_api = target.url.startswith("/api/")
        # 405: the route has no GET at all — decided by the method before any lookup, so it
        # says nothing about the record (the write operations are not exercised here).
        if viewer.role is None:
            allowed = {401, 405} if is_api else {302, 404, 405}
            if status == 302 and "login" not in response.get("Location", ""):
                problems.append(f"{where}: redirects to {response['Location']}, not to login")
        else:
            allowed = {404, 405}
        if status not in allowed:
            problems.append(f"{where}: names invisible {hidden}, expected {sorted(allowed)}")
    return problems


@pytest.fixture
def clients(users, token_for):
    """Per viewer: a browser client (session) and an API client (bearer token only)."""
    result = {"anonymous": (Client(), Client())}
    for name, user in users.items():
        browser = Client()
        browser.force_login(user)
        script = Client(HTTP_AUTHORIZATION=token_for(user))
        result[name] = (browser, script)
    return result


def test_every_url_can_be_filled(marked):
    """A URL whose parameters this test cannot fill would go unchecked: that is a failure."""
    problems = ui_targets(marked)[1] + api_targets(marked)[1]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", sorted(VIEWERS))
def test_no_page_or_operation_reveals_what_the_user_may_not_see(who, marked, clients):
    viewer = VIEWERS[who]
    browser, script = clients[who]
    ui, ui_problems = ui_targets(marked)
    operations, api_problems = api_targets(marked)
    assert not ui_problems + api_problems, "\n".join(ui_problems + api_problems)
    targets = {target.url: target for target in ui + operations}
    assert any(url.startswith("/api/") for url in targets) and len(targets) > 50

    problems: list[str] = []
    seen_markers: set[str] = set()
    for target in targets.values():
        client = script if target.url.startswith("/api/") else browser
        response = client.get(target.url)
        problems += _expectation_problems(viewer, target, response, marked)
        body = response.content.decode("utf-8", errors="replace")
        seen_markers |= {t.marker for t in marked.values() if t.marker and t.marker in body}

    # The control: everything the user may see shows up somewhere, so the test cannot pass
    # merely because every request failed.
    expected = {t.marker for t in marked.values() if t.marker and may_see(viewer, t)}
    missing = expected - seen_markers
    if missing:
        problems.append(f"{who}: visible markers never shown anywhere: {sorted(missing)}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


# --- The admin: administrators only ----------------------------------------------------------


@pytest.mark.parametrize("who", sorted(VIEWERS))
def test_the_admin_is_for_administrators_only(who, marked, clients):
    viewer = VIEWERS[who]
    browser, _script = clients[who]
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        for thing in marked.values():
            if thing.model is model:
                urls.append(reverse("admin:{}_{}_change".format(*info), args=[thing.pk]))
                urls.append(reverse("admin:{}_{}_history".format(*info), args=[thing.pk]))
    problems = []
    for url in urls:
        response = browser.get(url)
        body = response.content.decode("utf-8", errors="replace")
        if viewer.role == Role.ADMIN:
            if response.status_code >= 400:
                problems.append(f"admin GET {url} -> {response.status_code}")
            continue
        if response.status_code != 302 or "/admin/login/" not in response["Location"]:
            problems.append(f"{who} GET {url} -> {response.status_code}, not a login redirect")
        leaked = [label for label, t in marked.items() if t.marker and t.marker in body]
        if leaked:
            problems.append(f"{who} GET {url} shows {leaked}")
    assert not problems, "\n".join(problems)
