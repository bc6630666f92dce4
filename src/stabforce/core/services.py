"""State changes of the core domain. Views, the API and commands call these; nothing else
writes core records."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml
from django.db import transaction
from django.utils import timezone

from stabforce.core.choices import Role
from stabforce.core.models import ApiToken, Mission, Nation, NationGroup, User

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Groups taken from the country_converter package: column name -> (code, name).
COUNTRY_CONVERTER_GROUPS = {
    "UNmember": ("UN", "United Nations member states"),
    "EU": ("EU", "European Union"),
    "OECD": ("OECD", "Organisation for Economic Co-operation and Development"),
    "G20": ("G20", "Group of Twenty"),
}

TOKEN_PREFIX = "sf_"  # noqa: S105 - a marker, not a secret


@lru_cache(maxsize=1)
def _country_converter_memberships() -> dict[str, set[str]]:
    """ISO3 codes per group code, read from country_converter's own data table."""
    import csv
    import importlib.resources

    table = importlib.resources.files("country_converter") / "country_data.tsv"
    memberships: dict[str, set[str]] = {
        code: set() for code, _ in COUNTRY_CONVERTER_GROUPS.values()
    }
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            iso3 = row.get("ISO3", "")
            for column, (code, _name) in COUNTRY_CONVERTER_GROUPS.items():
                # country_converter marks membership with a year or the group name.
                if row.get(column, "").strip() not in {"", "nan"} and len(iso3) == 3:
                    memberships[code].add(iso3)
    return memberships


@transaction.atomic
def sync_nations() -> int:
    """Load every ISO 3166-1 state from pycountry (plus the few states ISO lacks, such as
    Kosovo) and their group memberships; idempotent.

    Returns the number of nations. Names are pycountry's common name where it has one
    ("Türkiye", "Iran").
    """
    with (DATA_DIR / "nation_groups.yaml").open(encoding="utf-8") as handle:
        local_data = yaml.safe_load(handle)
    existing = {nation.iso3: nation for nation in Nation.objects.all()}
    rows = [
        {
            "iso3": country.alpha_3,
            "iso2": country.alpha_2,
            "numeric": country.numeric,
            "name": getattr(country, "common_name", None) or country.name,
            "official_name": getattr(country, "official_name", "") or "",
        }
        for country in pycountry.countries
    ]
    rows += [{"numeric": "", **extra} for extra in local_data.get("extra_nations", [])]
    for row in rows:
        iso3 = row.pop("iso3")
        values = row
        nation = existing.get(iso3)
        if nation is None:
            existing[iso3] = Nation.objects.create(iso3=iso3, **values)
        elif any(getattr(nation, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(nation, field, value)
            nation.save()

    memberships = dict(_country_converter_memberships())
    group_specs = {
        code: (name, "country_converter package (country_data.tsv)")
        for code, name in COUNTRY_CONVERTER_GROUPS.values()
    }
    for spec in local_data["groups"]:
        group_specs[spec["code"]] = (spec["name"], " ".join(spec["source"].split()))
        memberships[spec["code"]] = set(spec["members"])
    for code, (name, source) in group_specs.items():
        group, _ = NationGroup.objects.update_or_create(
            code=code, defaults={"name": name, "source": source}
        )
        wanted = {existing[iso3].pk for iso3 in memberships[code] if iso3 in existing}
        current = set(group.members.values_list("pk", flat=True))
        if wanted != current:
            group.members.set(wanted)
    return len(existing)


def nation_by_iso3(code: str) -> Nation:
    return Nation.objects.get(iso3=code.upper())


def cite_record(record, source, quote: str = "", note: str = ""):
    """Attach ``source`` as evidence to ``record``. The evidence is released exactly as the
    record is, so a count of citations never reveals a record the reader may not see."""
    from django.contrib.contenttypes.models import ContentType

    from stabforce.core.models import Evidence, MissionRecord

    mission_id = record.mission_id if isinstance(record, MissionRecord) else record.pk
    release = {"mission_id": mission_id, "quote": quote or source.quote, "note": note}
    if isinstance(record, MissionRecord):
        release.update(releasability=record.releasability, owner_nation_id=record.owner_nation_id)
    evidence, created = Evidence.objects.get_or_create(
        source=source,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        defaults=release,
    )
    if created and isinstance(record, MissionRecord) and record.releasability == "nations":
        evidence.releasable_to.set(record.releasable_to.all())
    return evidence


@transaction.atomic
def create_api_token(
    user: User, name: str = "", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``. The raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.digest_of(raw),
        prefix=raw[:10],
        expires_at=expires_at,
    )
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None. Records when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "user__nation")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_api_token(prefix: str) -> int:
    return ApiToken.objects.active().filter(prefix=prefix).update(revoked_at=timezone.now())


@transaction.atomic
def ensure_user(
    username: str,
    *,
    role: str,
    nation: Nation | None = None,
    missions: list[Mission] = (),
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create the user if missing (with a random password unless one is given) and make sure
    it belongs to ``missions``. Returns the user and the new password, or None when the user
    already existed (an existing password is never reset)."""
    user = User.objects.filter(username=username).first()
    new_password = None
    if user is None:
        new_password = password or secrets.token_urlsafe(12)
        user = User(username=username, role=role, nation=nation)
        if role == Role.ADMIN:
            user.is_staff = True
            user.is_superuser = True
        user.set_password(new_password)
        user.save()
    if missions:
        user.missions.add(*missions)
    return user, new_password
