"""GeoJSON geometry checks and measurements (pure: no Django import).

Geometry is stored as WGS84 (EPSG:4326) GeoJSON; areas and distances are computed on the
ellipsoid with pyproj so that they are right in metres wherever the mission is.
"""

from __future__ import annotations

from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

POINT = frozenset({"Point"})
AREAL = frozenset({"Polygon", "MultiPolygon"})
LINEAR = frozenset({"LineString", "MultiLineString"})
ANY = POINT | AREAL | LINEAR | frozenset({"MultiPoint"})

_WGS84 = Geod(ellps="WGS84")


class GeometryError(ValueError):
    """A geometry a user supplied is not acceptable; the message says why."""


def shape_from_geojson(obj: Any, allowed: frozenset[str] = ANY) -> BaseGeometry:
    """Parse and validate a GeoJSON geometry object; raise GeometryError naming the problem."""
    if not isinstance(obj, dict):
        raise GeometryError("expected a GeoJSON geometry object")
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        raise GeometryError(f"expected geometry type {' or '.join(sorted(allowed))}, got {kind!r}")
    try:
        geometry = shape(obj)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise GeometryError(f"malformed {kind} coordinates ({exc})") from exc
    if geometry.is_empty:
        raise GeometryError(f"empty {kind}")
    min_x, min_y, max_x, max_y = geometry.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise GeometryError("coordinates outside WGS84 longitude/latitude range")
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise GeometryError(f"invalid {kind}: {reason}")
    return geometry


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    """Area on the WGS84 ellipsoid, in square kilometres."""
    area_m2, _perimeter = _WGS84.geometry_area_perimeter(geometry)
    return abs(area_m2) / 1e6


def geodesic_distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance between two WGS84 points along the ellipsoid, in kilometres."""
    _az12, _az21, metres = _WGS84.inv(lon1, lat1, lon2, lat2)
    return metres / 1000


def feature(geometry: dict, properties: dict[str, Any], feature_id: Any = None) -> dict:
    """One GeoJSON Feature."""
    result: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": properties}
    if feature_id is not None:
        result["id"] = feature_id
    return result


def feature_collection(features: list[dict], **members: Any) -> dict:
    """A GeoJSON FeatureCollection; extra members (e.g. attribution) are kept at top level."""
    return {"type": "FeatureCollection", "features": features, **members}
