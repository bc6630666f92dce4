from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from stabforce.core import geo
from stabforce.core.models import ApiToken
from stabforce.core.services import create_api_token, revoke_api_token, user_for_token


def test_tokens_are_stored_hashed_and_resolve_to_their_user(users):
    token, raw = create_api_token(users["hq"], name="script")
    assert raw.startswith("sf_") and raw not in token.digest
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert user_for_token(raw) == users["hq"]
    assert user_for_token(raw + "x") is None
    assert user_for_token("") is None


def test_expired_revoked_and_inactive_tokens_are_refused(users):
    _, expired = create_api_token(users["hq"], expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert user_for_token(expired) is None
    token, revoked = create_api_token(users["hq"])
    assert revoke_api_token(token.prefix) == 1
    assert user_for_token(revoked) is None
    _, inactive = create_api_token(users["observer"])
    users["observer"].is_active = False
    users["observer"].save()
    assert user_for_token(inactive) is None


def test_token_create_command_prints_only_the_token(users, capsys):
    call_command("token", "create", "--user", users["hq"].username)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("sf_")
    assert user_for_token(out.strip()) == users["hq"]


def test_geometry_validation_messages():
    with pytest.raises(geo.GeometryError, match="expected geometry type Point"):
        geo.shape_from_geojson({"type": "Polygon", "coordinates": []}, allowed=geo.POINT)
    with pytest.raises(geo.GeometryError, match="outside WGS84"):
        geo.shape_from_geojson({"type": "Point", "coordinates": [200, 10]})
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(geo.GeometryError, match="Self-intersection"):
        geo.shape_from_geojson(bowtie)


def test_geodesic_measures_agree_with_known_values():
    # 1° of longitude on the equator is 111.32 km on WGS84
    assert geo.geodesic_distance_km(0, 0, 1, 0) == pytest.approx(111.32, abs=0.01)
    square = geo.shape_from_geojson(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    )
    assert geo.geodesic_area_km2(square) == pytest.approx(12308.8, rel=1e-3)


@given(
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.sampled_from(["type", "coordinates"]), children, max_size=2)
        ),
        max_leaves=12,
    )
)
def test_geometry_parser_never_crashes_on_junk(junk):
    try:
        geo.shape_from_geojson(junk)
    except geo.GeometryError:
        pass
