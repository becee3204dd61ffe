"""The one place where geometries are converted and checked (SRID 4326 throughout)."""

from __future__ import annotations

import math
import struct
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from gis.errors import GisError

_WKB_POINT = struct.Struct("<BIdd")  # little-endian, type 1 (Point), x, y

SRID = 4326
# Thailand's land and territorial sea, with a margin (EEZ islands included).
THAILAND_BBOX = (97.3, 5.5, 105.7, 20.5)


def to_ewkb_hex(geom: BaseGeometry) -> str:
    """Hex EWKB with SRID 4326, the form PostGIS accepts in COPY and parameters."""
    return shapely.to_wkb(shapely.set_srid(geom, SRID), hex=True, include_srid=True)


def to_db(geom: BaseGeometry) -> Any:
    """A geometry as a column value (GeoAlchemy's WKB element, SRID 4326)."""
    from geoalchemy2.shape import from_shape

    return from_shape(geom, srid=SRID)


def from_db(value: Any) -> BaseGeometry:
    """A geometry column's value (a WKB element, bytes or hex) as a shapely geometry."""
    if isinstance(value, (bytes, bytearray, str)):
        return shapely.from_wkb(value)
    if isinstance(value, memoryview):
        return shapely.from_wkb(bytes(value))
    from geoalchemy2.shape import to_shape

    return to_shape(value)


def as_multipolygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    """Keep the polygon parts of a geometry as one MultiPolygon (None when there are none)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    polys: list[Polygon] = []
    for part in parts:
        polys.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    return MultiPolygon(polys) if polys else None


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or value is None or value == "":
        raise GisError(f"{name} is required and must be a number", [{"field": name, "message": "required"}])
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer too large for a float
        raise GisError(f"{name} must be a number", [{"field": name, "message": "not a number"}]) from None
    if not math.isfinite(number):
        raise GisError(f"{name} must be a finite number (not NaN or infinity)",
                       [{"field": name, "message": "not finite"}])
    return number


def checked_point(lon: Any, lat: Any) -> Point:
    """A lon/lat point inside Thailand, or a GisError that says what is wrong with it."""
    x, y = _number(lon, "lon"), _number(lat, "lat")
    minx, miny, maxx, maxy = THAILAND_BBOX
    inside = minx <= x <= maxx and miny <= y <= maxy
    # before the range check: a swapped Thai point always has a "latitude" above 90
    if not inside and minx <= y <= maxx and miny <= x <= maxy:
        raise GisError(f"Longitude and latitude look swapped ({x}, {y}): Thailand is near lon 100, lat 13",
                       [{"field": "lon/lat", "message": "swapped"}])
    if not (-180 <= x <= 180) or not (-90 <= y <= 90):
        raise GisError("Coordinates out of range: longitude must be -180..180 and latitude -90..90",
                       [{"field": "lon/lat", "message": "out of range"}])
    if not inside:
        raise GisError(f"The point ({x}, {y}) is outside Thailand",
                       [{"field": "lon/lat", "message": "outside Thailand"}])
    # the same Point as Point(x, y), made from its WKB: a third of the time (an import makes 100,000)
    return shapely.from_wkb(_WKB_POINT.pack(1, 1, x, y))


def point_from_geojson(geometry: Any) -> Point:
    """A checked point from a GeoJSON geometry object."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise GisError("geometry must be a GeoJSON Point", [{"field": "geometry", "message": "not a Point"}])
    coords = geometry.get("coordinates")
    if not isinstance(coords, (list, tuple)) or len(coords) < 2:
        raise GisError("Point coordinates must be [lon, lat]", [{"field": "geometry", "message": "bad coordinates"}])
    return checked_point(coords[0], coords[1])
