"""Closed vocabularies of the core domain."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    HQ_PLANNER = "hq_planner", "HQ planner"
    NATIONAL_LIAISON = "national_liaison", "National liaison officer"
    HUMANITARIAN_LIAISON = "humanitarian_liaison", "Humanitarian liaison officer"
    CONTINGENT_COMMANDER = "contingent_commander", "Contingent commander"
    OBSERVER = "observer", "Observer"


#: Roles that see HQ-only records of the missions they belong to.
HQ_ROLES = frozenset({Role.ADMIN, Role.HQ_PLANNER})
#: Roles that may change domain records (observers only read).
WRITER_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.HQ_PLANNER,
        Role.NATIONAL_LIAISON,
        Role.HUMANITARIAN_LIAISON,
        Role.CONTINGENT_COMMANDER,
    }
)


class Releasability(models.TextChoices):
    ALL = "all", "All mission members"
    NATIONS = "nations", "Listed nations"
    HQ = "hq", "HQ only"


class Confidence(models.TextChoices):
    HIGH = "high", "High — official text or several outlets agree"
    MEDIUM = "medium", "Medium — one outlet citing officials"
    LOW = "low", "Low — single secondary report"


class PartyKind(models.TextChoices):
    STATE = "state", "State"
    AUTHORITY = "authority", "Authority / administration"
    ARMED_GROUP = "armed_group", "Armed group"
    INTERNATIONAL = "international", "International body"


class OrganisationKind(models.TextChoices):
    UN_AGENCY = "un_agency", "UN agency"
    NGO = "ngo", "Non-governmental organisation"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
    COORDINATION = "coordination", "Coordination body"
    GOVERNMENT = "government", "Government body"
    MEDIA = "media", "Media outlet"


class CrossingKind(models.TextChoices):
    LAND_CROSSING = "land_crossing", "Land crossing"
    CORRIDOR = "corridor", "Corridor / bridge"
    STAGING = "staging", "Staging or inspection hub"
    COORDINATION = "coordination", "Coordination centre"


class CrossingStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    RESTRICTED = "restricted", "Restricted"
    UNKNOWN = "unknown", "Unverified"


class PositionPrecision(models.TextChoices):
    SURVEYED = "surveyed", "Published coordinates"
    APPROXIMATE = "approximate", "Approximate"
    CENTROID = "centroid", "Town centroid"


class ControlFeatureKind(models.TextChoices):
    LINE = "line", "Control line"
    ZONE = "zone", "Zone"


class DatePrecision(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    APPROXIMATE = "approximate", "Approximate"
