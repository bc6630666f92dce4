"""Read side of the intake queue: what each proposed update would change in the register.

:func:`plan_update` is the one place that decides what accepting a claim does — which pledge it
is about, whether it corroborates or conflicts with what the register already holds, and the
list of register changes. The review page shows that plan as "what would change"; accepting
executes exactly that plan (``services.accept_update``), so the preview cannot drift from the
effect. Every lookup goes through ``visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from stabforce.core.importing import convert
from stabforce.core.models import (
    Evidence,
    LineOfOperation,
    Mission,
    Nation,
    Party,
    Sector,
)
from stabforce.forcegen.choices import (
    CLOSED_STATUSES,
    LIFECYCLE,
    CaveatKind,
    ConditionKind,
    ConditionStatus,
    PledgeStatus,
    Stance,
)
from stabforce.forcegen.models import (
    Acceptability,
    Capability,
    Caveat,
    Engagement,
    Pledge,
    PledgeCondition,
)
from stabforce.intake import mappings
from stabforce.intake.models import IntakeDocument, ProposedUpdate, UpdateKind, UpdateStatus

QUALIFIER_WORDS = {"up_to": "up to ", "about": "about ", "estimate": "≈ "}


class ReviewError(Exception):
    """A reviewer's edit or decision that cannot be applied; ``field`` names what to fix."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


# --- The queue -------------------------------------------------------------------------------


def documents(user, mission: Mission | None = None) -> QuerySet[IntakeDocument]:
    """Submitted documents the user may see, newest first."""
    queryset = IntakeDocument.objects.visible_to(user).select_related("source", "mission")
    if mission is not None:
        queryset = queryset.filter(mission=mission)
    return queryset.order_by("-created_at", "-pk")


def updates(
    user,
    *,
    mission: Mission | None = None,
    status: str | None = None,
    kind: str | None = None,
    document: IntakeDocument | None = None,
) -> QuerySet[ProposedUpdate]:
    """Proposed updates the user may see: pending first, then newest documents first."""
    queryset = ProposedUpdate.objects.visible_to(user).select_related(
        "document__source", "nation", "reviewer", "mission"
    )
    if mission is not None:
        queryset = queryset.filter(mission=mission)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if document is not None:
        queryset = queryset.filter(document=document)
    from django.db.models import Case, IntegerField, Value, When

    pending_first = Case(
        When(status=UpdateStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return queryset.annotate(pending_first=pending_first).order_by(
        "pending_first", "-document__created_at", "document_id", "position"
    )


def may_review(user, update: ProposedUpdate, nation_iso3: str | None = None) -> bool:
    """Whether ``user`` may accept or reject ``update``: whoever may change the register about
    the claim's nation (forcegen's rule: HQ planners and administrators; a national liaison
    officer for their own nation). A consultation counts for each participating nation."""
    from stabforce.forcegen.services import may_write_for_nation

    if update.kind == UpdateKind.CONSULTATION:
        nations = update.payload.get("participants") or []
        own = user.nation.iso3 if getattr(user, "nation_id", None) else None
        return may_write_for_nation(user, None) or (
            own in nations and may_write_for_nation(user, user.nation_id)
        )
    if nation_iso3 is not None:
        nation_id = Nation.objects.filter(iso3=nation_iso3).values_list("pk", flat=True).first()
    else:
        nation_id = update.nation_id
    return may_write_for_nation(user, nation_id)


def may_submit(user) -> bool:
    """Observers only read; every other role may put a document into the queue."""
    from stabforce.core.choices import WRITER_ROLES

    return bool(user and user.is_authenticated and (user.is_superuser or user.role in WRITER_ROLES))


# --- Highlighting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of the document's text; ``claims`` are the proposed updates asserting it."""

    text: str
    claims: tuple[int, ...] = ()


def segments(text: str, marks: list[tuple[int, int, int]]) -> list[Segment]:
    """Cut ``text`` at every mark boundary; marks are (start, end, claim id). The template
    escapes each segment, so nothing in the text is ever rendered as markup."""
    cuts = {0, len(text)}
    for start, end, _ in marks:
        if 0 <= start < end <= len(text):
            cuts.update((start, end))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:], strict=False):
        ids = tuple(sorted({cid for s, e, cid in marks if s <= a and b <= e}))
        out.append(Segment(text[a:b], ids))
    return out


def document_segments(document: IntakeDocument, shown: list[ProposedUpdate]) -> list[Segment]:
    """The document's text with every shown claim's asserting words marked."""
    marks = [(s[0], s[1], update.pk) for update in shown for s in update.spans]
    return segments(document.text, marks)


def quote_segments(update: ProposedUpdate) -> list[Segment]:
    """The claim's sentence with the words that assert it marked."""
    offset = update.quote_start
    marks = [(s[0] - offset, s[1] - offset, update.pk) for s in update.spans]
    return segments(update.quote, marks)


# --- Effective values: the claim as extracted, with the reviewer's edits ----------------------

EDITABLE: dict[str, tuple[str, ...]] = {
    UpdateKind.FORCE_OFFER: (
        "nation",
        "capability",
        "personnel",
        "qualifier",
        "status",
        "date",
        "choose_figure",
        "pledge",
    ),
    UpdateKind.CONDITION: ("nation", "condition_kind", "blocking", "description", "date", "pledge"),
    UpdateKind.CAVEAT: (
        "nation",
        "caveat_kind",
        "line_of_operation",
        "sector",
        "max_months",
        "description",
        "date",
        "pledge",
    ),
    UpdateKind.CONSULTATION: ("nations", "date", "topic", "officials"),
    UpdateKind.PARTY_STANCE: ("party", "nation", "stance", "date"),
    UpdateKind.STATEMENT: ("nation", "date", "quote"),
}


def valid_time(update: ProposedUpdate) -> dt.date:
    """When the claim was true in the world: the date the text gives, else publication day,
    else the day it was submitted."""
    source = update.document.source
    return update.claim_date or source.published or update.document.created_at.date()


def defaults(update: ProposedUpdate) -> dict[str, Any]:
    """The values accepting would use without edits, from the extracted claim."""
    p = update.payload
    nation = update.nation.iso3 if update.nation else None
    day = valid_time(update)
    if update.kind == UpdateKind.FORCE_OFFER:
        force_kind = p.get("force_kind") or mappings.DEFAULT_FORCE_KIND
        qualifier_in = p.get("qualifier") or "exact"
        personnel = p.get("size")
        if personnel is None:
            personnel = p.get("size_estimate")
        if personnel is None and p.get("size_min") and p.get("size_max"):
            personnel = (p["size_min"] + p["size_max"]) // 2
        if personnel is None:
            personnel = p.get("size_max") or p.get("size_min")
        return {
            "nation": nation,
            "capability": mappings.CAPABILITY_FOR_FORCE_KIND.get(force_kind),
            "personnel": personnel,
            "qualifier": mappings.FIGURE_QUALIFIER.get(qualifier_in, "estimate"),
            "status": p.get("stance"),
            "date": day,
            "choose_figure": None,
            "pledge": None,
        }
    if update.kind == UpdateKind.CONDITION:
        return {
            "nation": nation,
            "condition_kind": p.get("condition_kind") or ConditionKind.OTHER,
            "blocking": True,
            "description": update.quote,
            "date": day,
            "pledge": None,
        }
    if update.kind == UpdateKind.CAVEAT:
        task = p.get("task")
        kind = mappings.CAVEAT_KIND.get(p.get("caveat_kind"), CaveatKind.OTHER)
        line = mappings.LINE_OF_OPERATION_FOR_TASK.get(task) if task else None
        if kind == CaveatKind.FORBIDDEN_TASK and not line:
            kind = CaveatKind.OTHER
        sector = None
        if kind == CaveatKind.FORBIDDEN_SECTOR:
            sector = _sector_key(update.mission, p.get("sector"))
            if not sector:
                kind = CaveatKind.OTHER
        months = p.get("max_months")
        return {
            "nation": nation,
            "caveat_kind": kind,
            "line_of_operation": line,
            "sector": sector,
            "max_months": int(round(months)) if months else None,
            "description": update.quote,
            "date": day,
            "pledge": None,
        }
    if update.kind == UpdateKind.CONSULTATION:
        return {
            "nations": list(p.get("participants") or []),
            "date": day,
            "topic": p.get("topic") or "",
            "officials": ", ".join(p.get("officials") or []),
        }
    if update.kind == UpdateKind.PARTY_STANCE:
        return {
            "party": _party_key(update.mission, p.get("party")),
            "nation": nation,
            "stance": p.get("stance"),
            "date": day,
        }
    return {  # statement
        "nation": nation,
        "date": day,
        "quote": p.get("utterance") or update.quote,
    }


def _sector_key(mission: Mission, name: str | None) -> str | None:
    if not name:
        return None
    sector = Sector.objects.filter(mission=mission, name__iexact=name.strip()).first()
    return sector.key if sector else None


def _party_key(mission: Mission, code: str | None) -> str | None:
    if not code:
        return None
    key = mappings.PARTY_KEY_FOR_CODE.get(code)
    parties = Party.objects.filter(mission=mission)
    party = parties.filter(key=key).first() if key else parties.filter(nation__iso3=code).first()
    return party.key if party else None


def effective_values(update: ProposedUpdate, edits: dict[str, Any] | None) -> dict[str, Any]:
    """The claim's values with the reviewer's edits applied and checked.

    Blank edits keep the extracted value. Raises :class:`ReviewError` naming the field.
    """
    values = defaults(update)
    allowed = EDITABLE[update.kind]
    for name, raw in (edits or {}).items():
        if name not in allowed:
            raise ReviewError(f"'{name}' cannot be edited on a {update.kind} claim.", name)
        if raw is None or raw == "" or raw == []:
            continue
        values[name] = _convert_edit(name, raw)
    return values


def _convert_edit(name: str, raw: Any) -> Any:
    try:
        if name in {"personnel", "max_months", "pledge"}:
            value = convert(raw, int)
            if value < 1:
                raise ValueError(f"expected a positive whole number, got {raw!r}")
            return value
        if name == "date":
            return convert(raw, dt.date)
        if name in {"blocking", "choose_figure"}:
            return convert(raw, bool)
        if name == "nations":
            items = raw if isinstance(raw, list) else re.split(r"[\s,]+", str(raw))
            return sorted({str(item).strip().upper() for item in items if str(item).strip()})
        if name == "nation":
            return convert(raw, str).upper()
        if name == "qualifier":
            value = convert(raw, str)
            return "" if value == "exact" else value
        return convert(raw, str)
    except (TypeError, ValueError) as exc:
        raise ReviewError(str(exc), name) from None


# --- The plan --------------------------------------------------------------------------------


@dataclass
class Step:
    """One change to the register: ``action`` names the forcegen service it calls."""

    action: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "text": self.text, "fields": _plain(self.fields)}


@dataclass
class Relation:
    """How the claim stands to an existing register fact."""

    kind: str  # "corroborates" | "conflicts with"
    fact: str
    source: str = ""
    day: dt.date | None = None

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.source, self.day and self.day.isoformat()) if part)
        return f"{self.kind} {self.fact}" + (f" ({where})" if where else "")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "fact": self.fact, "source": self.source, "date": self.day}


@dataclass
class Plan:
    """What accepting a proposed update would do, in words and as a structured diff."""

    update: ProposedUpdate
    values: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    problem: str = ""
    problem_field: str = ""

    @property
    def summary(self) -> str:
        if self.problem:
            return f"Cannot be applied as it stands: {self.problem}"
        return " ".join(step.text for step in self.steps) or "Nothing would change."

    @property
    def corroborates(self) -> bool:
        return any(r.kind == "corroborates" for r in self.relations)

    @property
    def conflicts(self) -> bool:
        return any(r.kind == "conflicts with" for r in self.relations)

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "problem": self.problem,
            "values": _plain(self.values),
            "changes": [step.as_dict() for step in self.steps],
            "relations": [str(r) for r in self.relations],
            "corroborates": [str(r) for r in self.relations if r.kind == "corroborates"],
            "conflicts": [str(r) for r in self.relations if r.kind == "conflicts with"],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def plan_update(user, update: ProposedUpdate, edits: dict[str, Any] | None = None) -> Plan:
    """What accepting ``update`` (with ``edits``) would change, seen by ``user``.

    Raises :class:`ReviewError` for an edit that cannot be read; a claim that cannot be applied
    for a reason in the register (no pledge to attach a condition to, an unknown nation) gives
    a plan with ``problem`` set instead, so the queue can still show it.
    """
    values = effective_values(update, edits)
    plan = Plan(update, values)
    explicit = set(k for k, v in (edits or {}).items() if v not in (None, "", []))
    try:
        builder = _BUILDERS[update.kind]
        builder(user, plan, explicit)
    except ReviewError as exc:
        plan.problem, plan.problem_field = exc.message, exc.field
        plan.steps = []
    return plan


def previews(user, shown: list[ProposedUpdate]) -> dict[int, Plan]:
    """Plans for pending updates (for the queue and document pages)."""
    return {u.pk: plan_update(user, u) for u in shown if u.status == UpdateStatus.PENDING}


# --- Builders, one per claim kind ------------------------------------------------------------


def _nation(values: dict[str, Any], name: str = "nation") -> Nation:
    iso3 = values.get(name)
    if not iso3:
        raise ReviewError("The claim names no contributing nation; choose one.", name)
    nation = Nation.objects.filter(iso3=iso3).first()
    if nation is None:
        raise ReviewError(f"Unknown nation code '{iso3}' (use ISO 3166 alpha-3).", name)
    return nation


def _visible_pledges(user, mission: Mission, nation: Nation) -> QuerySet[Pledge]:
    return (
        Pledge.objects.visible_to(user)
        .filter(mission=mission, nation=nation)
        .select_related("capability", "nation")
        .order_by("-last_evidence", "pk")
    )


def _source_label(source) -> str:
    return source.publisher if source else ""


def _pledge_label(pledge: Pledge) -> str:
    return f"pledge {pledge.key} ({pledge}; {pledge.get_status_display().lower()})"


def _explicit_pledge(user, plan: Plan, nation: Nation) -> Pledge | None:
    pk = plan.values.get("pledge")
    if not pk:
        return None
    pledge = _visible_pledges(user, plan.update.mission, nation).filter(pk=pk).first()
    if pledge is None:
        raise ReviewError(f"No pledge #{pk} of {nation.name} in this mission.", "pledge")
    return pledge


def _pledge_for(user, plan: Plan, nation: Nation) -> Pledge:
    """The pledge a condition, caveat or statement is about: the one chosen, else the one an
    accepted offer of the same document created or corroborated, else the nation's open pledge
    with the newest evidence."""
    chosen = _explicit_pledge(user, plan, nation)
    if chosen:
        return chosen
    pledges = _visible_pledges(user, plan.update.mission, nation)
    offered = [
        ref["id"]
        for sibling in plan.update.document.updates.filter(
            kind=UpdateKind.FORCE_OFFER, status=UpdateStatus.ACCEPTED, nation=nation
        )
        for ref in sibling.applied
        if ref.get("type") == "pledge"
    ]
    pledge = pledges.filter(pk__in=offered).first() if offered else None
    pledge = pledge or pledges.exclude(status__in=CLOSED_STATUSES).first() or pledges.first()
    if pledge is None:
        raise ReviewError(
            f"{nation.name} has no pledge in the register to attach this to; accept the "
            "force offer from this report first (or record the pledge).",
            "nation",
        )
    return pledge


def _capability(mission: Mission, key: str | None) -> Capability:
    if not key:
        raise ReviewError(
            "The offer's kind (e.g. equipment or funding) has no default capability; choose one.",
            "capability",
        )
    capability = Capability.objects.filter(mission=mission, key=key).first()
    if capability is None:
        raise ReviewError(f"The mission has no capability '{key}'.", "capability")
    return capability


def _figure_text(personnel: int | None, qualifier: str) -> str:
    if personnel is None:
        return "no figure"
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{personnel:,}"


def _stage(status: str) -> int:
    return LIFECYCLE.index(status) if status in LIFECYCLE else len(LIFECYCLE)


def _plan_force_offer(user, plan: Plan, explicit: set[str]) -> None:
    values, update = plan.values, plan.update
    mission = update.mission
    nation = _nation(values)
    status = values.get("status")
    if status not in PledgeStatus.values:
        raise ReviewError(f"Unknown pledge status '{status}'.", "status")
    capability = _capability(mission, values.get("capability"))
    pledge = _explicit_pledge(user, plan, nation)
    if pledge is None:
        pledges = _visible_pledges(user, mission, nation)
        pledge = pledges.filter(capability=capability).first()
        if pledge is None and "capability" not in explicit and not update.payload.get("force_kind"):
            # "Pakistan weighs sending troops": no kind given, the nation's one open pledge.
            open_pledges = list(pledges.exclude(status__in=CLOSED_STATUSES)[:2])
            pledge = open_pledges[0] if len(open_pledges) == 1 else None
    personnel = values.get("personnel")
    qualifier = values.get("qualifier") or ""
    if qualifier not in mappings.FIGURE_QUALIFIERS:
        raise ReviewError(f"Unknown figure qualifier '{qualifier}'.", "qualifier")
    day = values["date"]
    source = update.document.source
    if pledge is None:
        if personnel is None:
            personnel = capability.typical_strength
            qualifier = "estimate"
        units = max(1, round(personnel / capability.typical_strength))
        key = _new_pledge_key(mission, nation, capability)
        plan.steps.append(
            Step(
                "create_pledge",
                f"Create pledge {key}: {nation.name}, {_figure_text(personnel, qualifier)} "
                f"({capability.name}), status {status}, as of {day.isoformat()}.",
                {
                    "key": key,
                    "nation": nation.iso3,
                    "capability": capability.key,
                    "personnel": personnel,
                    "qualifier": qualifier,
                    "units": units,
                    "status": status,
                    "effective": day,
                },
                {"nation": nation, "capability": capability},
            )
        )
        return
    plan.values["pledge"] = pledge.pk
    refs = {"pledge": pledge}
    current = pledge.status
    last = pledge.status_changes.select_related("source").order_by("-effective", "-pk").first()
    status_fact = f"{_pledge_label(pledge)}"
    status_changed = False
    if status == current:
        plan.relations.append(
            Relation(
                "corroborates",
                f"status {current} of {status_fact}",
                _source_label(last.source) if last else "",
                last.effective if last else None,
            )
        )
    elif (
        "status" in explicit
        or (_stage(status) > _stage(current) and current not in CLOSED_STATUSES)
        or status in CLOSED_STATUSES
    ):
        plan.steps.append(
            Step(
                "change_status",
                f"Move {pledge.key} from {current} to {status} as of {day.isoformat()}.",
                {"pledge": pledge.key, "from": current, "to": status, "effective": day},
                refs,
            )
        )
        status_changed = True
    else:
        plan.relations.append(
            Relation(
                "conflicts with",
                f"status {current} of {status_fact} (this report says {status})",
                _source_label(last.source) if last else "",
                last.effective if last else None,
            )
        )
    figure_step = False
    if personnel is not None:
        chosen = pledge.figures.filter(chosen=True).select_related("source").first()
        if personnel == pledge.personnel:
            plan.relations.append(
                Relation(
                    "corroborates",
                    f"figure {_figure_text(pledge.personnel, pledge.personnel_qualifier)} of "
                    f"{pledge.key}",
                    _source_label(chosen.source) if chosen else "",
                    chosen.reported_on if chosen else None,
                )
            )
        else:
            choose = bool(values.get("choose_figure"))
            plan.relations.append(
                Relation(
                    "conflicts with",
                    f"figure {_figure_text(pledge.personnel, pledge.personnel_qualifier)} of "
                    f"{pledge.key} (this report: {_figure_text(personnel, qualifier)})",
                    _source_label(chosen.source) if chosen else "",
                    chosen.reported_on if chosen else None,
                )
            )
            verb = "make it the pledge's value" if choose else "keep the current value"
            plan.steps.append(
                Step(
                    "record_figure",
                    f"Record the figure {_figure_text(personnel, qualifier)} from "
                    f"{source.publisher} on {pledge.key} and {verb}.",
                    {
                        "pledge": pledge.key,
                        "personnel": personnel,
                        "qualifier": qualifier,
                        "chosen": choose,
                        "reported_on": day,
                    },
                    refs,
                )
            )
            figure_step = True
    if not status_changed and not figure_step:
        plan.steps.append(_evidence_step(pledge, source, day, refs))


def _evidence_step(pledge: Pledge, source, day: dt.date, refs: dict[str, Any]) -> Step:
    return Step(
        "add_evidence",
        f"Attach {source.publisher} ({day.isoformat()}) with the quote as evidence to "
        f"{pledge.key}; nothing else changes.",
        {"pledge": pledge.key, "source": source.key, "effective": day},
        refs,
    )


def _new_pledge_key(mission: Mission, nation: Nation, capability: Capability) -> str:
    base = f"{nation.iso3.lower()}-{capability.key}"[:58]
    key, n = base, 2
    while Pledge.objects.filter(mission=mission, key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _plan_condition(user, plan: Plan, explicit: set[str]) -> None:
    values, update = plan.values, plan.update
    nation = _nation(values)
    kind = values.get("condition_kind")
    if kind not in ConditionKind.values:
        raise ReviewError(f"Unknown condition kind '{kind}'.", "condition_kind")
    pledge = _pledge_for(user, plan, nation)
    plan.values["pledge"] = pledge.pk
    day, source = values["date"], update.document.source
    label = ConditionKind(kind).label
    existing = (
        PledgeCondition.objects.visible_to(user)
        .filter(pledge=pledge, kind=kind)
        .select_related("source")
        .order_by("-raised_on", "-pk")
        .first()
    )
    refs = {"pledge": pledge}
    if existing is not None:
        if existing.status == ConditionStatus.OPEN:
            plan.relations.append(
                Relation(
                    "corroborates",
                    f"condition '{label}' (open) on {pledge.key}",
                    _source_label(existing.source),
                    existing.raised_on,
                )
            )
        else:
            plan.relations.append(
                Relation(
                    "conflicts with",
                    f"condition '{label}' on {pledge.key}, {existing.status} on "
                    f"{existing.resolved_on} (this report still names it)",
                    _source_label(existing.source),
                    existing.raised_on,
                )
            )
        plan.steps.append(_evidence_step(pledge, source, day, refs))
        return
    blocking = values.get("blocking", True)
    plan.steps.append(
        Step(
            "add_condition",
            f"Add a {'blocking' if blocking else 'non-blocking'} condition '{label}' to "
            f"{pledge.key}, raised {day.isoformat()}.",
            {
                "pledge": pledge.key,
                "kind": kind,
                "blocking": blocking,
                "raised_on": day,
                "description": values.get("description") or "",
            },
            refs,
        )
    )


def _plan_caveat(user, plan: Plan, explicit: set[str]) -> None:
    values, update = plan.values, plan.update
    mission = update.mission
    nation = _nation(values)
    kind = values.get("caveat_kind")
    if kind not in CaveatKind.values:
        raise ReviewError(f"Unknown caveat kind '{kind}'.", "caveat_kind")
    pledge = _pledge_for(user, plan, nation)
    plan.values["pledge"] = pledge.pk
    line = sector = None
    if values.get("line_of_operation"):
        line = LineOfOperation.objects.filter(
            mission=mission, key=values["line_of_operation"]
        ).first()
        if line is None:
            raise ReviewError(
                f"The mission has no line of operation '{values['line_of_operation']}'.",
                "line_of_operation",
            )
    if values.get("sector"):
        sector = Sector.objects.filter(mission=mission, key=values["sector"]).first()
        if sector is None:
            raise ReviewError(f"The mission has no sector '{values['sector']}'.", "sector")
    months = values.get("max_months")
    needs = {
        CaveatKind.FORBIDDEN_TASK: ("line_of_operation", line),
        CaveatKind.FORBIDDEN_SECTOR: ("sector", sector),
        CaveatKind.MAX_DEPLOYMENT: ("max_months", months),
    }
    if kind in needs and not needs[kind][1]:
        raise ReviewError(
            f"A '{CaveatKind(kind).label}' caveat names {needs[kind][0]}.", needs[kind][0]
        )
    day, source = values["date"], update.document.source
    existing = _matching_caveat(user, pledge, kind, line, sector, months, update.payload)
    refs = {"pledge": pledge, "line_of_operation": line, "sector": sector}
    if existing is not None:
        plan.relations.append(
            Relation(
                "corroborates",
                f"caveat '{existing.description}' on {pledge.key}",
                _source_label(existing.source),
                existing.effective_from,
            )
        )
        plan.steps.append(_evidence_step(pledge, source, day, refs))
        return
    description = values.get("description") or update.quote
    plan.steps.append(
        Step(
            "add_caveat",
            f"Add a caveat '{CaveatKind(kind).label}' to {pledge.key} from {day.isoformat()}: "
            f"{description}",
            {
                "pledge": pledge.key,
                "kind": kind,
                "line_of_operation": line and line.key,
                "sector": sector and sector.key,
                "max_months": months,
                "effective_from": day,
                "description": description,
            },
            refs,
        )
    )


def _matching_caveat(user, pledge, kind, line, sector, months, payload) -> Caveat | None:
    caveats = Caveat.objects.visible_to(user).filter(pledge=pledge).select_related("source")
    if kind == CaveatKind.FORBIDDEN_TASK:
        return caveats.filter(kind=kind, line_of_operation=line).first()
    if kind == CaveatKind.FORBIDDEN_SECTOR:
        return caveats.filter(kind=kind, sector=sector).first()
    if kind == CaveatKind.MAX_DEPLOYMENT:
        return caveats.filter(kind=kind, max_months=months).first()
    words = mappings.TASK_WORDS.get(payload.get("task") or "", ())
    if payload.get("roles"):
        words = words + (str(payload["roles"]).lower(),)
    for caveat in caveats:
        text = caveat.description.lower()
        if any(word in text for word in words):
            return caveat
    return None


def _plan_consultation(user, plan: Plan, explicit: set[str]) -> None:
    values, update = plan.values, plan.update
    mission = update.mission
    codes = values.get("nations") or []
    nations = list(Nation.objects.filter(iso3__in=codes))
    unknown = sorted(set(codes) - {n.iso3 for n in nations})
    if unknown:
        raise ReviewError(f"Unknown nation code(s): {', '.join(unknown)}.", "nations")
    if len(nations) < 2:
        raise ReviewError("A consultation needs at least two nations.", "nations")
    day, source = values["date"], update.document.source
    candidates = {dt.date.fromisoformat(d) for d in update.payload.get("date_candidates") or []}
    candidates.add(day)
    window = dt.timedelta(days=mappings.ENGAGEMENT_DATE_WINDOW_DAYS)
    engagements = (
        Engagement.objects.visible_to(user)
        .filter(mission=mission, occurred_on__gte=day - window, occurred_on__lte=day + window)
        .prefetch_related("nations")
    )
    wanted = {n.iso3 for n in nations}
    same = [e for e in engagements if wanted <= {n.iso3 for n in e.nations.all()}]
    exact = [e for e in same if e.occurred_on in candidates]
    if exact:
        engagement = exact[0]
        plan.relations.append(
            Relation(
                "corroborates",
                f"engagement '{engagement.topic}' on {engagement.occurred_on.isoformat()}",
                "",
                engagement.occurred_on,
            )
        )
        if day != engagement.occurred_on:
            plan.relations.append(
                Relation(
                    "conflicts with",
                    f"the date of that engagement: the register has "
                    f"{engagement.occurred_on.isoformat()}, this report {day.isoformat()}",
                )
            )
        plan.steps.append(
            Step(
                "link_engagement",
                f"Attach {source.publisher} as evidence to the engagement of "
                f"{engagement.occurred_on.isoformat()} ({engagement.key}).",
                {"engagement": engagement.key, "source": source.key},
                {"engagement": engagement},
            )
        )
        return
    for other in same:
        plan.relations.append(
            Relation(
                "conflicts with",
                f"engagement '{other.topic}' dated "
                f"{other.occurred_on.isoformat()} (same nations, another date)",
            )
        )
    topic = values.get("topic") or "Consultation on the stabilisation force"
    key = f"intake-{day.isoformat()}-{'-'.join(sorted(wanted)).lower()}"[:64]
    pledges = list(
        Pledge.objects.visible_to(user)
        .filter(mission=mission, nation__in=nations)
        .exclude(status__in=CLOSED_STATUSES)
    )
    plan.steps.append(
        Step(
            "record_engagement",
            f"Record an engagement on {day.isoformat()} between "
            f"{', '.join(sorted(wanted))}: {topic}.",
            {
                "key": key,
                "occurred_on": day,
                "nations": sorted(wanted),
                "topic": topic,
                "officials": values.get("officials") or "",
                "pledges": [p.key for p in pledges],
            },
            {"nations": nations, "pledges": pledges},
        )
    )


def _plan_party_stance(user, plan: Plan, explicit: set[str]) -> None:
    values, update = plan.values, plan.update
    mission = update.mission
    nation = _nation(values)
    stance = values.get("stance")
    if stance not in {Stance.ACCEPTS, Stance.OBJECTS}:
        raise ReviewError(f"Unknown stance '{stance}' (accepts or objects).", "stance")
    key = values.get("party")
    party = Party.objects.visible_to(user).filter(mission=mission, key=key).first() if key else None
    if party is None:
        code = update.payload.get("party")
        raise ReviewError(
            f"No party '{key or code}' in this mission; choose the party whose stance this is.",
            "party",
        )
    day, source = values["date"], update.document.source
    latest = (
        Acceptability.objects.visible_to(user)
        .filter(mission=mission, party=party, nation=nation, effective__lte=day)
        .select_related("source")
        .order_by("-effective", "-pk")
        .first()
    )
    if latest is not None and latest.stance == stance:
        plan.relations.append(
            Relation(
                "corroborates",
                f"{party.name} {latest.stance} {nation.name}",
                _source_label(latest.source),
                latest.effective,
            )
        )
        if latest.effective == day:
            plan.steps.append(
                Step(
                    "link_acceptability",
                    f"Attach {source.publisher} as evidence to {party.name}'s statement of "
                    f"{day.isoformat()}.",
                    {"party": party.key, "nation": nation.iso3, "source": source.key},
                    {"acceptability": latest},
                )
            )
            return
    elif latest is not None:
        plan.relations.append(
            Relation(
                "conflicts with",
                f"{party.name} {latest.stance} {nation.name}",
                _source_label(latest.source),
                latest.effective,
            )
        )
    plan.steps.append(
        Step(
            "record_acceptability",
            f"Record that {party.name} {stance} {nation.name}'s participation as of "
            f"{day.isoformat()}.",
            {"party": party.key, "nation": nation.iso3, "stance": stance, "effective": day},
            {"party": party, "nation": nation},
        )
    )


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def _plan_statement(user, plan: Plan, explicit: set[str]) -> None:
    values, update = plan.values, plan.update
    nation = _nation(values)
    day, source = values["date"], update.document.source
    chosen = _visible_pledges(user, update.mission, nation)
    pledges = list(chosen.exclude(status__in=CLOSED_STATUSES)) or list(chosen[:1])
    if not pledges:
        raise ReviewError(
            f"{nation.name} has no pledge in the register to attach this statement to; accept "
            "the force offer from this report first.",
            "nation",
        )
    quote = _norm(values.get("quote") or "")
    content_type = ContentType.objects.get_for_model(Pledge)
    for pledge in pledges:
        evidence = (
            Evidence.objects.visible_to(user)
            .filter(content_type=content_type, object_id=pledge.pk)
            .select_related("source")
        )
        for item in evidence:
            said = _norm(item.quote)
            if item.source_id == source.pk:
                continue
            if said and quote and (said in quote or quote in said):
                plan.relations.append(
                    Relation(
                        "corroborates",
                        f"the quote on {pledge.key}",
                        _source_label(item.source),
                        item.source.published,
                    )
                )
        plan.steps.append(
            Step(
                "add_evidence",
                f"Attach the statement ({update.payload.get('speaker') or 'unnamed speaker'}, "
                f"{day.isoformat()}) as evidence to {pledge.key}.",
                {"pledge": pledge.key, "source": source.key, "effective": day},
                {"pledge": pledge},
            )
        )


_BUILDERS = {
    UpdateKind.FORCE_OFFER: _plan_force_offer,
    UpdateKind.CONDITION: _plan_condition,
    UpdateKind.CAVEAT: _plan_caveat,
    UpdateKind.CONSULTATION: _plan_consultation,
    UpdateKind.PARTY_STANCE: _plan_party_stance,
    UpdateKind.STATEMENT: _plan_statement,
}


# --- Fields shown to a reviewer --------------------------------------------------------------


def display_fields(update: ProposedUpdate) -> list[tuple[str, Any]]:
    """The claim's structured fields as label/value pairs (empty ones left out)."""
    hidden = {"kind", "inconsistencies", "inconsistent", "confidence", "rule", "quote"}
    rows = []
    for name, value in update.payload.items():
        if name in hidden or value in (None, "", [], ()):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append((name.replace("_", " "), value))
    return rows
