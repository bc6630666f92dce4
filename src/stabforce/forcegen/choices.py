"""Closed vocabularies of force generation."""

from django.db import models


class PledgeStatus(models.TextChoices):
    INTEREST = "interest", "Interest"
    CONSIDERING = "considering", "Considering"
    OFFERED = "offered", "Offered"
    COMMITTED = "committed", "Committed"
    DEPLOYED = "deployed", "Deployed"
    ROTATED_OUT = "rotated_out", "Rotated out"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined"


#: The main line of the lifecycle, in order; a pledge may move forward, skipping stages
#: (statements often jump from silence to "we will send"), never backward.
LIFECYCLE = [
    PledgeStatus.INTEREST,
    PledgeStatus.CONSIDERING,
    PledgeStatus.OFFERED,
    PledgeStatus.COMMITTED,
    PledgeStatus.DEPLOYED,
    PledgeStatus.ROTATED_OUT,
]
OPEN_STATUSES = frozenset(LIFECYCLE[:5])
CLOSED_STATUSES = frozenset(
    {PledgeStatus.ROTATED_OUT, PledgeStatus.WITHDRAWN, PledgeStatus.DECLINED}
)
#: Statuses that count as force the mission can rely on.
FIRM_STATUSES = frozenset({PledgeStatus.COMMITTED, PledgeStatus.DEPLOYED})
#: The order in which the gap analysis lets pledges fill requirements: firmest first.
ALLOCATION_ORDER = [
    PledgeStatus.DEPLOYED,
    PledgeStatus.COMMITTED,
    PledgeStatus.OFFERED,
    PledgeStatus.CONSIDERING,
    PledgeStatus.INTEREST,
]


def allowed_transitions(current: str | None) -> set[str]:
    """Statuses a pledge may move to from ``current`` (None: a new pledge)."""
    if current is None:
        return set(OPEN_STATUSES) | {PledgeStatus.DECLINED}
    if current in CLOSED_STATUSES:
        return set()
    index = LIFECYCLE.index(current)
    forward = set(LIFECYCLE[index + 1 : 5])
    if current == PledgeStatus.DEPLOYED:
        forward.add(PledgeStatus.ROTATED_OUT)
    return forward | {PledgeStatus.WITHDRAWN, PledgeStatus.DECLINED}


class Readiness(models.TextChoices):
    """PCRS-style readiness levels (UN Peacekeeping Capability Readiness System)."""

    L1 = "L1", "Level 1 — registered"
    L2 = "L2", "Level 2 — assessed"
    L3 = "L3", "Level 3 — aligned with requirements"
    RDL = "RDL", "Rapid deployment (≤ 60 days)"


class Priority(models.IntegerChoices):
    CRITICAL = 1, "Critical"
    HIGH = 2, "High"
    MEDIUM = 3, "Medium"
    LOW = 4, "Low"


class ConditionKind(models.TextChoices):
    MANDATE = "mandate", "Mandate clarity"
    RULES_OF_ENGAGEMENT = "rules_of_engagement", "Rules of engagement"
    INTERNATIONAL_BACKING = "international_backing", "UN / international backing"
    DOMESTIC_APPROVAL = "domestic_approval", "Domestic or parliamentary approval"
    FUNDING = "funding", "Funding"
    CEASEFIRE = "ceasefire", "Ceasefire holding"
    OTHER = "other", "Other"


class ConditionStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    WAIVED = "waived", "Waived"


class CaveatKind(models.TextChoices):
    FORBIDDEN_TASK = "forbidden_task", "Will not do this task"
    FORBIDDEN_SECTOR = "forbidden_sector", "Will not serve in this sector"
    MAX_DEPLOYMENT = "max_deployment", "Maximum deployment length"
    OTHER = "other", "Other restriction"


class Stance(models.TextChoices):
    ACCEPTS = "accepts", "Accepts"
    OBJECTS = "objects", "Objects"
    UNKNOWN = "unknown", "Unknown"


class CapabilityCategory(models.TextChoices):
    MANOEUVRE = "manoeuvre", "Manoeuvre"
    ENABLER = "enabler", "Enabler"
    MEDICAL = "medical", "Medical"
    POLICE = "police", "Police"
    STAFF = "staff", "Staff and training"
    AVIATION = "aviation", "Aviation"
