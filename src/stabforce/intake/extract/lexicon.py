"""Curated vocabulary: the only hand-written knowledge the extractor uses.

Everything here is data (tables of words and regular-expression fragments) so that a domain
expert can read and extend it without touching the rules. Country *names* come from
pycountry (see ``gazetteer.py``); this module adds what pycountry does not know: capitals and
governments used as metonyms ("Islamabad said"), demonyms ("Pakistani troops"), everyday
aliases ("Turkey", "Iran", "the US"), organisations, official titles and the phrases that
signal stances, conditions and caveats.

Regex fragments are matched case-insensitively unless stated, with word boundaries added by
the caller.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# Nations
# --------------------------------------------------------------------------------------------

#: Per ISO alpha-3: aliases (names pycountry lacks), demonyms, capitals, government metonyms.
#: Matching is case-sensitive (proper nouns), so "turkey" the bird is not Türkiye.
NATIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "PAK": {
        "demonyms": ("Pakistani", "Pakistanis"),
        "capitals": ("Islamabad",),
        "governments": ("Rawalpindi",),
    },
    "TUR": {
        "aliases": ("Turkey", "Turkiye", "Türkiye"),
        "demonyms": ("Turkish", "Turks"),
        "capitals": ("Ankara",),
    },
    "IRN": {"aliases": ("Iran",), "demonyms": ("Iranian", "Iranians"), "capitals": ("Tehran",)},
    "IDN": {
        "demonyms": ("Indonesian", "Indonesians"),
        "capitals": ("Jakarta",),
    },
    "ISR": {
        "demonyms": ("Israeli", "Israelis"),
        # Jerusalem is claimed as a capital by two parties; it is read as Israel only when it
        # acts ("Jerusalem objects"), see gazetteer.CAREFUL_CAPITALS.
        "capitals": ("Jerusalem",),
    },
    "EGY": {"demonyms": ("Egyptian", "Egyptians"), "capitals": ("Cairo",)},
    "AZE": {
        "demonyms": ("Azerbaijani", "Azerbaijanis", "Azeri", "Azeris"),
        "capitals": ("Baku",),
    },
    "USA": {
        "aliases": ("US", "U.S.", "USA", "America", "United States", "the United States"),
        "demonyms": ("American", "Americans"),
        "capitals": ("Washington",),
        "governments": ("White House", "Trump administration"),
    },
    "PSE": {
        "aliases": ("Palestine", "State of Palestine"),
        "demonyms": ("Palestinian", "Palestinians"),
        "capitals": ("Ramallah",),
    },
    "JOR": {"demonyms": ("Jordanian", "Jordanians"), "capitals": ("Amman",)},
    "ARE": {
        "aliases": ("UAE", "U.A.E.", "Emirates", "United Arab Emirates"),
        "demonyms": ("Emirati", "Emiratis"),
        "capitals": ("Abu Dhabi",),
    },
    "QAT": {"demonyms": ("Qatari", "Qataris"), "capitals": ("Doha",)},
    "SAU": {"aliases": ("Saudi Arabia",), "demonyms": ("Saudi", "Saudis"), "capitals": ("Riyadh",)},
    "ITA": {"demonyms": ("Italian", "Italians"), "capitals": ("Rome",)},
    "MAR": {"demonyms": ("Moroccan", "Moroccans"), "capitals": ("Rabat",)},
    "KAZ": {"demonyms": ("Kazakh", "Kazakhstani"), "capitals": ("Astana",)},
    "XKX": {"aliases": ("Kosovo",), "demonyms": ("Kosovar", "Kosovan"), "capitals": ("Pristina",)},
    "ALB": {"demonyms": ("Albanian", "Albanians"), "capitals": ("Tirana",)},
    "GBR": {
        "aliases": ("UK", "U.K.", "Britain", "Great Britain"),
        "demonyms": ("British",),
        "capitals": ("London",),
        "governments": ("Downing Street",),
    },
    "FRA": {"demonyms": ("French",), "capitals": ("Paris",), "governments": ("Elysee", "Élysée")},
    "DEU": {"demonyms": ("German", "Germans"), "capitals": ("Berlin",)},
    "RUS": {
        "aliases": ("Russia",),
        "demonyms": ("Russian", "Russians"),
        "capitals": ("Moscow",),
        "governments": ("Kremlin",),
    },
    "CHN": {"demonyms": ("Chinese",), "capitals": ("Beijing",)},
    "IND": {"demonyms": ("Indian", "Indians"), "capitals": ("New Delhi",)},
    "MYS": {"demonyms": ("Malaysian", "Malaysians"), "capitals": ("Kuala Lumpur",)},
    "BGD": {"demonyms": ("Bangladeshi", "Bangladeshis"), "capitals": ("Dhaka",)},
    "SYR": {"aliases": ("Syria",), "demonyms": ("Syrian", "Syrians"), "capitals": ("Damascus",)},
    "LBN": {"demonyms": ("Lebanese",), "capitals": ("Beirut",)},
    "KOR": {"aliases": ("South Korea",), "demonyms": ("South Korean",), "capitals": ("Seoul",)},
    "NPL": {"demonyms": ("Nepali", "Nepalese"), "capitals": ("Kathmandu",)},
}

#: Names in pycountry that are ordinary English words or too ambiguous to read as a state.
UNSAFE_NAMES: frozenset[str] = frozenset({"Chad", "Jersey", "Guernsey", "Georgia", "Man"})

#: Words that end a capital's metonymic reading: "Washington Post" is a newspaper.
CAPITAL_BLOCKERS: tuple[str, ...] = ("Post", "Times", "Tribune", "Institute", "Accord", "Process")

# --------------------------------------------------------------------------------------------
# Organisations: key -> (kind, nation or None, surface forms). Case-sensitive.
# --------------------------------------------------------------------------------------------
ORGANISATIONS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "UNSC": (
        "intergovernmental",
        None,
        (
            "UN Security Council",
            "U.N. Security Council",
            "United Nations Security Council",
            "Security Council",
            "UNSC",
        ),
    ),
    "UN": ("intergovernmental", None, ("United Nations", "UN", "U.N.")),
    "BOP": ("coordination", None, ("Board of Peace",)),
    "OIC": (
        "intergovernmental",
        None,
        ("Organisation of Islamic Cooperation", "Organization of Islamic Cooperation", "OIC"),
    ),
    "ARAB_LEAGUE": ("intergovernmental", None, ("Arab League", "League of Arab States")),
    "EU": ("intergovernmental", None, ("European Union", "EU")),
    "NATO": ("intergovernmental", None, ("NATO",)),
    "AU": ("intergovernmental", None, ("African Union",)),
    "ASEAN": ("intergovernmental", None, ("ASEAN",)),
    "ISF": (
        "coordination",
        None,
        ("International Stabilisation Force", "International Stabilization Force", "ISF"),
    ),
    "CMCC": (
        "coordination",
        None,
        ("Civil-Military Coordination Center", "Civil-Military Coordination Centre", "CMCC"),
    ),
    "CENTCOM": ("government", "USA", ("US Central Command", "CENTCOM")),
    "IDF": ("government", "ISR", ("Israel Defense Forces", "IDF")),
    "COGAT": ("government", "ISR", ("COGAT",)),
    "STATE_DEPT": ("government", "USA", ("State Department", "Department of State")),
    "PENTAGON": ("government", "USA", ("Pentagon",)),
    "FOREIGN_OFFICE": ("government", None, ("Foreign Office", "Foreign Ministry")),
    "PARLIAMENT": ("government", None, ("National Assembly", "Parliament", "Knesset")),
    "HAMAS": ("armed_group", "PSE", ("Hamas",)),
    "PA": ("authority", "PSE", ("Palestinian Authority",)),
    "UNRWA": ("un_agency", None, ("UNRWA",)),
    "OCHA": ("un_agency", None, ("OCHA",)),
    "WFP": ("un_agency", None, ("World Food Programme", "WFP")),
    "ICRC": ("ngo", None, ("International Committee of the Red Cross", "ICRC")),
    "REUTERS": ("media", None, ("Reuters",)),
    "AP": ("media", None, ("Associated Press",)),
    "DAWN": ("media", "PAK", ("Dawn",)),
    "GEO": ("media", "PAK", ("Geo News",)),
    "EXPRESS_TRIBUNE": ("media", "PAK", ("Express Tribune",)),
    "NDTV": ("media", "IND", ("NDTV",)),
    "JPOST": ("media", "ISR", ("Jerusalem Post",)),
    "ISRAEL_HAYOM": ("media", "ISR", ("Israel Hayom",)),
    "TIMES_OF_ISRAEL": ("media", "ISR", ("Times of Israel",)),
    "YNET": ("media", "ISR", ("Ynet",)),
    "ANADOLU": ("media", "TUR", ("Anadolu",)),
    "AL_JAZEERA": ("media", "QAT", ("Al Jazeera",)),
}

#: Organisation keys that stand for a party to the conflict (for party stances).
PARTY_ORGANISATIONS: dict[str, str] = {"HAMAS": "HAMAS", "PA": "PA", "IDF": "ISR", "COGAT": "ISR"}

#: States that are parties to the conflict (their objections matter for acceptability).
PARTY_STATES: frozenset[str] = frozenset({"ISR", "EGY", "PSE"})

# --------------------------------------------------------------------------------------------
# Officials
# --------------------------------------------------------------------------------------------

#: Titles, longest first when compiled. Matched case-insensitively ("foreign minister").
ROLES: tuple[str, ...] = (
    "Deputy Prime Minister and Foreign Minister",
    "Foreign Office spokesperson",
    "Foreign Office spokesman",
    "Foreign Office spokeswoman",
    "Foreign Ministry spokesperson",
    "Foreign Ministry spokesman",
    "Foreign Ministry spokeswoman",
    "Secretary of State",
    "Secretary of Defense",
    "Secretary of War",
    "Deputy Prime Minister",
    "Prime Minister",
    "Foreign Minister",
    "Minister of Foreign Affairs",
    "Defence Minister",
    "Defense Minister",
    "Minister of Defence",
    "Minister of Defense",
    "Information Minister",
    "Interior Minister",
    "Foreign Secretary",
    "Defence Secretary",
    "Vice President",
    "President",
    "Permanent Representative",
    "ambassador",
    "Special Envoy",
    "counterpart",
    "envoy",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "army chief",
    "Chief of Army Staff",
    "Chief of Defence Forces",
    "chief of staff",
    "National Security Adviser",
    "National Security Advisor",
    "Secretary-General",
    "Secretary General",
    "Crown Prince",
    "King",
    "Emir",
    "Field Marshal",
    "Major General",
    "Maj. Gen.",
    "Maj Gen",
    "Lieutenant General",
    "Lt. Gen.",
    "Lt Gen",
    "General",
    "Gen.",
)

#: Capitalised words that are never part of a person's name.
NAME_STOPWORDS: frozenset[str] = frozenset(
    {
        "The",
        "A",
        "An",
        "On",
        "In",
        "At",
        "As",
        "But",
        "And",
        "Speaking",
        "Asked",
        "Mr",
        "Ms",
        "Mrs",
        "He",
        "She",
        "They",
        "It",
        "His",
        "Her",
        "Their",
        "This",
        "That",
        "Gaza",
        "Rafah",
        "Hamas",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
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
        "Board",
        "Peace",
        "Security",
        "Council",
        "Office",
        "Ministry",
        "Foreign",
        "Minister",
        "State",
        "Secretary",
        "Force",
        "No",
        "Yes",
        "Said",
        "Told",
    }
)

# --------------------------------------------------------------------------------------------
# Force offers
# --------------------------------------------------------------------------------------------

#: Nouns that make a sentence about contributing forces, with the force kind they imply.
FORCE_NOUNS: dict[str, str] = {
    "troops": "troops",
    "troop": "troops",
    "soldiers": "troops",
    "personnel": "troops",
    "peacekeepers": "troops",
    "servicemen": "troops",
    "forces": "troops",
    "contingent": "troops",
    "contingents": "troops",
    "boots on the ground": "troops",
    "brigade": "troops",
    "brigades": "troops",
    "battalion": "troops",
    "battalions": "troops",
    "company": "troops",
    "division": "troops",
    "police officers": "police",
    "police": "police",
    "policemen": "police",
    "gendarmes": "police",
    "gendarmerie": "police",
    "engineers": "engineers",
    "engineering units": "engineers",
    "construction units": "engineers",
    "medics": "medical",
    "medical units": "medical",
    "medical teams": "medical",
    "medical staff": "medical",
    "field hospital": "medical",
    "doctors": "medical",
    "trainers": "training",
    "training": "training",
    "instructors": "training",
    "logistics": "logistics",
    "airlift": "logistics",
    "transport aircraft": "logistics",
    "equipment": "equipment",
    "armoured vehicles": "equipment",
    "armored vehicles": "equipment",
    "vehicles": "equipment",
    "funding": "funding",
    "funds": "funding",
    "financial support": "funding",
}

#: Phrases that name the force itself ("join the ISF") — enough context without a force noun.
FORCE_CONTEXT: tuple[str, ...] = (
    r"ISF",
    r"(?:international\s+)?stabili[sz]ation\s+force",
    r"(?:the\s+)?force\s+for\s+Gaza",
    r"Gaza\s+force",
    r"peacekeeping\s+(?:mission|force|operation)",
    r"be\s+(?:a\s+)?part\s+of\s+it",
    r"to\s+be\s+part\s+of",
    r"send\w*\s+(?:its\s+|their\s+)?(?:men|people)",
    r"contribut\w+\s+to\s+(?:the\s+)?(?:peace[\s-]*keeping|force|mission|ISF)",
    r"join\w*\s+the\s+(?:\w+\s+)?(?:force|mission)",
)

#: Stance triggers: (stance, regex). Tried in order; the *weakest* stance in a clause wins
#: when a hedge ("or at least") links two. Word boundaries are added around each pattern.
STANCE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "withdrawn",
        r"withdr[ae]w\w*\s+(?:its\s+|their\s+|the\s+)?"
        r"(?:troops|offer|pledge|contingent|forces|soldiers)",
    ),
    ("withdrawn", r"pull(?:s|ed|ing)?\s+out"),
    (
        "withdrawn",
        r"pull(?:s|ed|ing)?\s+(?:its|their|the)\s+(?:troops|offer|pledge|contingent|forces)",
    ),
    ("withdrawn", r"rescind\w*|retract\w*"),
    ("declined", r"rul(?:es|ed|ing)\s+(?:itself\s+|themselves\s+)?out|rule\s+(?:itself\s+)?out"),
    (
        "declined",
        r"(?:will|would|shall|does|did|do)\s*(?:not|n't)\s+(?:be\s+)?(?:send\w*|deploy\w*|"
        r"contribut\w*|join\w*|participat\w*|tak\w+\s+part\s+in\s+the\s+(?:force|mission|ISF))",
    ),
    ("declined", r"won't\s+(?:send|deploy|contribute|join)"),
    ("declined", r"(?:will|would)\s*(?:not|n't)\s+(?:put|place|station)"),
    (
        "declined",
        r"(?:has|have)\s+no\s+(?:plans?|intention)\s+to\s+(?:send|deploy|contribute|join)",
    ),
    (
        "declined",
        r"declin\w+|refus\w+|turn(?:s|ed)?\s+down|"
        r"reject\w*\s+(?:the\s+|a\s+)?(?:request|invitation|call)",
    ),
    ("declined", r"not\s+(?:be\s+)?(?:sending|deploying|contributing|joining)"),
    ("deployed", r"deployed|arriv\w+|landed|began\s+deploying|on\s+the\s+ground"),
    (
        "committed",
        r"commit(?:s|ted)?|pledg\w+|will\s+send|agreed\s+to\s+(?:send|deploy|contribute)",
    ),
    (
        "committed",
        r"confirm\w*\s+(?:it\s+|that\s+it\s+)?(?:will|would)\s+(?:send|deploy|contribute)",
    ),
    ("committed", r"will\s+(?:deploy|contribute|provide)"),
    ("considering", r"offer\w*\s+to\s+consider\w*"),
    ("offered", r"offer\w*|volunteer\w*|put\s+forward"),
    (
        "offered",
        r"(?:ready|willing|prepared)\s+to\s+"
        r"(?:send|deploy|contribute|join|provide|take\s+part|be\s+part)",
    ),
    ("offered", r"(?:is|are|was|were)\s+ready|stands?\s+ready"),
    (
        "considering",
        r"consider\w*|weigh\w*|mull\w*|explor\w+|evaluat\w+|stud(?:y|ies|ying)\s+the\s+request",
    ),
    ("considering", r"(?:is|are|remains?)\s+open\s+to|would\s+(?:send|consider)"),
    ("considering", r"(?:could|may|might)\s+(?:send|deploy|contribute|provide|join)"),
    ("considering", r"(?:will|would)\s+decide"),
    (
        "considering",
        r"(?:no|not\s+(?:yet\s+)?(?:taken|made)\s+(?:a|any)|without\s+a)\s+(?:final\s+)?decision",
    ),
    ("considering", r"(?:has|have|had)\s+not\s+(?:yet\s+)?(?:decided|committed|made\s+up)"),
    ("considering", r"(?:not\s+yet|yet\s+to)\s+(?:commit\w*|decid\w+|confirm\w*)"),
    ("interest", r"interest\w*"),
)

#: Phrases that weaken a stance; kept on the claim as ``hedges``.
HEDGE_PATTERNS: tuple[str, ...] = (
    r"(?:or\s+)?at\s+least\b[^.;]{0,60}?offer\s+to\s+consider",
    r"offer\s+to\s+consider",
    r"reportedly",
    r"according\s+to\s+(?:diplomatic\s+)?sources",
    r"in\s+principle",
    r"tentative\w*",
    r"possibly",
    r"(?:could|may|might|would)(?=\s+\w)",
    r"no\s+(?:final\s+)?decision\s+(?:has|had)\s+(?:yet\s+)?been\s+(?:taken|made)",
    r"(?:has|have|had)\s+not\s+(?:yet\s+)?(?:decided|committed)",
    r"not\s+yet\s+(?:committed|decided)",
    r"yet\s+to\s+(?:decide|commit)",
    r"no\s+(?:final\s+)?decision",
)

#: Words before a trigger that make it irrealis: nobody is committing *yet*.
IRREALIS_BEFORE: str = (
    r"(?:\b(?:to|asking|ask|asked|urge[sd]?|urging|whether|if|before|until|expected\s+to|"
    r"hopes?\s+to|wants?\s+to|would|could|should|might|may|firmly|pressed\s+to|pressure\s+to)"
    r"\s+(?:\w+\s+){0,2})$"
)

#: After a refusal, words that make it conditional ("would not join until ...").
CONDITIONAL_REFUSAL: str = r"\b(?:until|unless|without|before|as\s+long\s+as\s+there\s+is\s+no)\b"

#: Subjects that are nobody in particular: "before asking anyone to commit".
INDEFINITE_SUBJECTS: str = r"\b(?:anyone|anybody|any\s+country|countries|others|nations)\b"

#: Formation words and planning sizes: (min, max, estimate).
UNIT_SIZES: dict[str, tuple[int, int, int]] = {
    "division": (10000, 20000, 15000),
    "brigade": (3000, 5000, 4000),
    "regiment": (1000, 3000, 2000),
    "battalion": (300, 1000, 600),
    "company": (100, 250, 150),
    "platoon": (20, 50, 35),
}

#: A word before a formation that says what kind of unit it is ("an engineering battalion").
UNIT_ADJECTIVES: dict[str, str] = {
    "engineer": "engineers",
    "engineering": "engineers",
    "medical": "medical",
    "police": "police",
    "logistics": "logistics",
    "logistic": "logistics",
}

#: Vague amounts: (min, max-or-None).
VAGUE_AMOUNTS: dict[str, tuple[int, int | None]] = {
    "thousands": (2000, None),
    "hundreds": (200, None),
    "several thousand": (2000, 9999),
    "several hundred": (200, 999),
    "tens of thousands": (20000, None),
}

NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
}

#: Size qualifiers before a number.
SIZE_QUALIFIERS: dict[str, str] = {
    "up to": "up_to",
    "as many as": "up_to",
    "no more than": "up_to",
    "a maximum of": "up_to",
    "around": "approx",
    "about": "approx",
    "some": "approx",
    "nearly": "approx",
    "roughly": "approx",
    "approximately": "approx",
    "close to": "approx",
    "almost": "approx",
    "an estimated": "approx",
    "at least": "at_least",
    "more than": "at_least",
    "over": "at_least",
}

# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------

#: Phrases that introduce what participation depends on.
CONDITION_TRIGGERS: tuple[str, ...] = (
    r"contingent\s+(?:up)?on",
    r"subject\s+to",
    r"depend(?:s|ed|ing|ent)?\s+(?:up)?on",
    r"conditional\s+(?:up)?on",
    r"condition(?:ed|s)?\s+(?:up)?on",
    r"on\s+condition\s+that",
    r"provided(?:\s+that)?",
    r"pending",
    r"as\s+long\s+as",
    r"only\s+(?:if|once|after|when|with|under)",
    r"once\b",
    r"hinges?\s+on",
    r"requir(?:es|ed|e|ing)",
    r"would\s+need",
    r"needs?\s+(?:to\s+see|clarity)",
    r"wants?\s+(?:\w+\s+)?(?:clarity|guarantees|assurances|a\s+clear|clear)",
    r"seek(?:s|ing)?\s+(?:\w+\s+)?(?:clarity|guarantees|assurances)",
    r"if\b",
    r"insist(?:s|ed)?\s+on",
    r"until\b(?=[^.;]*\b(?:clear|approv|agreed|in\s+place|consult))",
)

#: Condition kind -> regex of the words that identify it inside a condition's scope.
#: international_backing is tried before mandate: "a UN mandate" is backing, "a clear
#: mandate" is clarity of mandate.
CONDITION_KEYWORDS: tuple[tuple[str, str], ...] = (
    (
        "international_backing",
        r"(?:UN|U\.N\.|United\s+Nations|Security\s+Council|UNSC|international)\s+"
        r"(?:Security\s+Council\s+)?(?:backing|mandate|approval|authori[sz]ation|support|"
        r"legitimacy|cover|resolution|endorsement)|international\s+backing|backing\s+of\s+the\s+"
        r"(?:UN|United\s+Nations|international\s+community)",
    ),
    ("rules_of_engagement", r"rules\s+of\s+engagement|ROE|rules\s+for\s+the\s+use\s+of\s+force"),
    (
        "mandate",
        r"mandate|terms\s+of\s+reference|legal\s+framework|clarity\s+(?:on|about)\s+the\s+"
        r"(?:mission|role|task)",
    ),
    (
        "domestic_approval",
        r"parliament\w*|National\s+Assembly|cabinet\s+(?:approval|decision)|domestic\s+"
        r"(?:political\s+)?(?:approval|consensus|consent)|lawmakers|legislat\w+|Knesset|"
        r"approval\s+at\s+home|political\s+approval\s+at\s+home",
    ),
    (
        "ceasefire",
        r"cease-?fire|truce|halt\s+to\s+(?:the\s+)?fighting|end\s+(?:of|to)\s+(?:the\s+)?"
        r"(?:fighting|hostilities)|fighting\s+(?:stops|has\s+stopped|ends)",
    ),
    ("funding", r"funding|financ\w+|paid\s+for|costs?\s+(?:are\s+|being\s+)?covered|reimburs\w+"),
    ("other", r"guarantees|assurances|consent|invitation\s+from|agreement\s+of"),
)

#: Conditions stated without a trigger word: "parliament will be consulted".
CONDITION_STANDALONE: tuple[tuple[str, str], ...] = (
    (
        "domestic_approval",
        r"(?:parliament|lawmakers|the\s+National\s+Assembly)\s+(?:will|would|is\s+to|must|"
        r"to)\s+(?:be\s+consulted|approve|vote|have\s+the\s+final\s+say)",
    ),
    ("domestic_approval", r"consult\w*\s+(?:with\s+)?parliament|parliamentary\s+approval"),
    (
        "domestic_approval",
        r"(?:take|put|bring|brought|taken)\s+(?:it|the\s+matter|the\s+decision|the\s+issue)?\s*"
        r"(?:to|before)\s+parliament",
    ),
)

# --------------------------------------------------------------------------------------------
# Caveats
# --------------------------------------------------------------------------------------------

#: Task key -> regex naming the task.
TASKS: tuple[tuple[str, str], ...] = (
    (
        "demilitarisation",
        r"disarm\w*|demilitari[sz]\w+|decommission\w*|(?:collect|seiz)\w*\s+(?:\w+\s+)?weapons",
    ),
    ("peace_enforcement", r"peace[\s-]+enforcement|enforc\w*\s+(?:the\s+)?peace"),
    (
        "combat",
        r"fight(?:ing)?\s+(?:against\s+)?Hamas|confront\w*\s+Hamas|combat\s+(?:operations|roles?)|"
        r"fighting",
    ),
    ("detention", r"detain\w*|arrest\w*"),
    ("policing", r"crowd\s+control|riot\s+control"),
)

#: Negations that forbid a task ("not our job to disarm", "will not take part in disarming").
FORBID_PATTERNS: tuple[str, ...] = (
    r"(?:is\s+)?not\s+(?:our|their|its|the\s+\w+)\s+(?:job|role|task|mandate|business)\s+"
    r"(?:to|of)",
    r"(?:will|would|shall|does|do|did)\s*(?:not|n't)\s+(?:\w+\s+){0,2}?"
    r"(?:take\s+part\s+in|participate\s+in|engage\s+in|be\s+involved\s+in|undertake|carry\s+out|"
    r"be\s+used\s+(?:for|to)|get\s+involved\s+in)",
    r"won't\s+(?:take\s+part\s+in|participate\s+in|engage\s+in|undertake)",
    r"(?:will|would|shall)\s*(?:not|n't)",
    r"(?:must|should|will|would|can)\s*(?:not|n't)\s+(?:involve|include)",
    r"no\s+(?:role|part)\s+in",
    r"refus\w+\s+to",
    r"rul\w+\s+out",
    r"(?:will\s+)?not\s+be\s+(?:asked|expected)\s+to",
    r"(?:is|was)\s+not\s+(?:its|our|their)\s+job",
)

#: "peacekeeping, not peace enforcement" and friends (a forbidden peace_enforcement task).
PEACEKEEPING_NOT_ENFORCEMENT: str = (
    r"peace[\s-]*keeping\s*(?:,\s*|\s+)(?:and\s+|but\s+)?(?:not|rather\s+than|instead\s+of)\s+"
    r"(?:in\s+|to\s+)?peace[\s-]*(?:enforcement|making)|keep(?:ing)?\s+the\s+peace\s*,?\s*"
    r"(?:not|rather\s+than)\s+(?:to\s+)?enforc\w+\s+it"
)

#: Role restrictions: "only in medical and engineering roles".
ROLE_RESTRICTION: str = (
    r"(?:only|solely|exclusively|strictly|limited\s+to|restricted\s+to|confined\s+to)\s+"
    r"(?:in\s+|to\s+|for\s+)?(?P<roles>(?:non-combat|[\w-]+)(?:(?:,\s*|\s+and\s+|\s+or\s+)"
    r"[\w-]+){0,4})\s+(?:roles?|tasks|duties|functions|missions|capacit(?:y|ies))"
    r"|(?:for|in)\s+(?P<roles2>(?:[\w-]+)(?:(?:,\s*|\s+and\s+)[\w-]+){0,3})\s+roles"
)

#: Places in Gaza a contributor may refuse to serve in.
SECTORS: dict[str, str] = {
    "Rafah": "rafah",
    "Khan Younis": "khan_younis",
    "Khan Yunis": "khan_younis",
    "Deir al-Balah": "deir_al_balah",
    "Deir el-Balah": "deir_al_balah",
    "Gaza City": "gaza_city",
    "North Gaza": "north_gaza",
    "northern Gaza": "north_gaza",
    "southern Gaza": "south_gaza",
    "beyond the yellow line": "beyond_yellow_line",
    "Israeli-held areas": "idf_held_area",
}

#: A refusal to be stationed somewhere.
SECTOR_REFUSAL: str = (
    r"(?:will|would|shall)\s*(?:not|n't)\s+(?:\w+\s+){0,2}?(?:serve|operate|deploy|be\s+"
    r"(?:deployed|stationed|based|posted)|go|patrol)\s+(?:in|into|to)|stay\s+out\s+of|"
    r"keep\s+out\s+of|away\s+from|not\s+in"
)

#: Maximum deployment length.
DURATION: str = (
    r"(?:no\s+(?:more|longer)\s+than|a\s+maximum\s+of|at\s+most|not\s+(?:more|longer)\s+than|"
    r"not\s+beyond|for\s+up\s+to|limited\s+to|capped\s+at|only\s+for|for\s+only)\s+"
    r"(?P<n>\d+|one|two|three|four|five|six|nine|twelve|eighteen|a|an)\s+"
    r"(?P<unit>months?|years?|weeks?)"
    r"|for\s+(?P<n2>\d+|one|two|three|four|five|six|nine|twelve|a|an)\s+"
    r"(?P<unit2>months?|years?|weeks?)\s+only"
)

# --------------------------------------------------------------------------------------------
# Consultations, party stances, statements
# --------------------------------------------------------------------------------------------

CONSULTATION_TRIGGERS: str = (
    r"spoke\s+(?:by\s+(?:tele)?phone\s+)?(?:with|to)|speaks\s+(?:with|to)|talked\s+(?:with|to)|"
    r"held\s+(?:a\s+)?(?:talks|(?:tele)?phone\s+(?:call|conversation)s?|a\s+call|"
    r"consultations|a\s+meeting)\s+with|"
    r"(?:tele)?phone\s+(?:call|conversation)s?\s+with|telephoned|phoned|called|"
    r"met(?:\s+with)?|meets(?:\s+with)?|conferred\s+with|consulted(?:\s+with)?|"
    r"discuss\w*\s+(?:[^.;]{0,60}?)\s+with|in\s+talks\s+with"
)

#: Topic introducers after a consultation.
TOPIC_INTRODUCERS: str = r"\b(?:on|about|regarding|over|to\s+discuss|discussing|concerning)\s+"

PARTY_OBJECTS: str = (
    r"object(?:s|ed|ing)?\s+to|oppos(?:es|ed|ing)|veto(?:es|ed)?|has\s+vetoed|reject(?:s|ed)|"
    r"(?:will|would)\s*(?:not|n't)\s+(?:accept|allow|agree\s+to|tolerate)|won't\s+"
    r"(?:accept|allow)|against|refus\w+\s+to\s+accept|ruled\s+out\s+(?:any\s+)?(?:role|"
    r"participation)|(?:has|had)\s+reservations\s+about|opposition\s+to|objection\s+to|"
    r"objections\s+to"
)
PARTY_ACCEPTS: str = (
    r"welcom\w+|accept(?:s|ed)?|has\s+no\s+objection\s+to|(?:has\s+)?approved|endors\w+|"
    r"supports?|backs?|agreed\s+to|(?:is|was)\s+comfortable\s+with|green\s+light"
)

#: Verbs that attribute a quotation to a speaker.
SAY_VERBS: str = (
    r"said|says|say|told|tells|stated|states|added|adds|asked|replied|answered|wrote|posted|"
    r"declared|remarked|noted|insisted|stressed|warned|explained|according\s+to"
)
