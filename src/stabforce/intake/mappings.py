"""How the extractor's vocabulary maps onto the register's, as data.

The extractor says "troops", "around", "not our job to disarm"; the register speaks of
capabilities, figure qualifiers and lines of operation. Change a default here, not in code.
"""

from __future__ import annotations

#: Force kind in a statement → the capability (by key) a new pledge gets by default. A kind
#: missing here (equipment, funding) has no capability: the reviewer must pick one.
CAPABILITY_FOR_FORCE_KIND: dict[str, str] = {
    "troops": "infantry-battalion",
    "police": "formed-police-unit",
    "training": "trainers",
    "medical": "medical-level-1",
    "engineers": "engineer-company",
    "logistics": "logistics-company",
}

#: A statement that names no kind of force is about troops.
DEFAULT_FORCE_KIND = "troops"

#: Extractor size qualifier → the pledge figure's qualifier ("" = exact).
FIGURE_QUALIFIER: dict[str, str] = {
    "exact": "",
    "up_to": "up_to",
    "approx": "about",
    "at_least": "",
    "range": "estimate",
    "unit": "estimate",
    "vague": "estimate",
}

#: Figure qualifiers a reviewer may choose.
FIGURE_QUALIFIERS = ("", "up_to", "about", "estimate")

#: Task a contributor refuses (extractor) → the line of operation (by key) a "will not do
#: this task" caveat names. Tasks without a line become an "other restriction" caveat.
LINE_OF_OPERATION_FOR_TASK: dict[str, str] = {
    "demilitarisation": "demilitarisation",
    "policing": "police-training",
}

#: Words that identify an existing free-text caveat as the same restriction.
TASK_WORDS: dict[str, tuple[str, ...]] = {
    "demilitarisation": ("disarm", "demilitar", "decommission"),
    "peace_enforcement": ("peace enforcement", "peace-enforcement"),
    "combat": ("combat", "fight"),
    "detention": ("detain", "detention"),
    "policing": ("riot", "crowd", "policing"),
}

#: Extractor caveat kind → register caveat kind (the register's "max_deployment" is the
#: extractor's "max_duration"; role restrictions are free text).
CAVEAT_KIND: dict[str, str] = {
    "forbidden_task": "forbidden_task",
    "forbidden_sector": "forbidden_sector",
    "max_duration": "max_deployment",
    "role_restriction": "other",
}

#: Non-state parties the extractor names by code → the party's key in the mission. States
#: (ISR, EGY, PSE) are found by the party's nation.
PARTY_KEY_FOR_CODE: dict[str, str] = {
    "PA": "palestinian-authority",
    "HAMAS": "hamas",
}

#: How close (days) an existing engagement's date must be to count as the same consultation
#: reported with a different date (then it is shown as a date conflict).
ENGAGEMENT_DATE_WINDOW_DAYS = 7
