"""The one visibility gate: role, mission membership and nation releasability."""

from __future__ import annotations

import pytest

from stabforce.core.choices import Releasability, Role
from stabforce.core.models import Mission, Nation, Party, Source


@pytest.fixture
def sources(gaza):
    pak = Nation.objects.get(iso3="PAK")

    def make(key, releasability, listed=(), owner=None):
        source = Source.objects.create(
            mission=gaza,
            key=key,
            publisher="Test",
            title=key,
            confidence="low",
            releasability=releasability,
            owner_nation=owner,
        )
        source.releasable_to.set(Nation.objects.filter(iso3__in=listed))
        return source

    return {
        "all": make("t-all", Releasability.ALL),
        "hq": make("t-hq", Releasability.HQ),
        "to_idn": make("t-to-idn", Releasability.NATIONS, ["IDN", "EGY"]),
        "pak_owned": make("t-pak-owned", Releasability.HQ, owner=pak),
    }


EXPECTED = {
    "admin": {"all", "hq", "to_idn", "pak_owned"},
    "hq": {"all", "hq", "to_idn", "pak_owned"},
    "lno_pak": {"all", "pak_owned"},
    "lno_idn": {"all", "to_idn"},
    "commander": {"all", "to_idn"},
    "humlo": {"all"},
    "observer": {"all"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_exactly_its_releasable_records(users, sources, who):
    visible = set(Source.objects.visible_to(users[who]).values_list("key", flat=True))
    by_key = {source.key: name for name, source in sources.items()}
    assert {by_key[key] for key in visible if key in by_key} == EXPECTED[who]


def test_anonymous_and_inactive_users_see_nothing(users, sources):
    from django.contrib.auth.models import AnonymousUser

    assert not Source.objects.visible_to(AnonymousUser()).exists()
    assert not Source.objects.visible_to(None).exists()
    users["hq"].is_active = False
    assert not Source.objects.visible_to(users["hq"]).exists()


def test_missions_are_visible_to_members_only(users, gaza):
    other = Mission.objects.create(
        slug="haiti-mss", name="Haiti MSS", mandate="m", authorised_from="2024-06-01"
    )
    Party.objects.create(mission=other, key="x", name="Other party", kind="state")
    assert set(Mission.objects.visible_to(users["hq"])) == {gaza}
    assert set(Mission.objects.visible_to(users["admin"])) == {gaza, other}
    assert not Party.objects.visible_to(users["hq"]).filter(mission=other).exists()
    assert not Mission.objects.visible_to(users["outsider"]).exists()
    assert users["observer"].role == Role.OBSERVER
