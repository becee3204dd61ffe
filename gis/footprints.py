"""Community footprints (ขอบเขตชุมชน): parse, check, repair and measure one polygon (pure, no Flask).

    footprint = check_footprint(parse_geojson(body["footprint"]), point=Point(100.56, 13.70))
    footprint.geom        # a valid MultiPolygon in lon/lat
    footprint.repairs     # what was repaired, e.g. ["unclosed ring"]; [] when nothing was
    rai_ngan_wa(12.5)     # (12, 2, 0.0): 1 rai = 4 ngan = 400 square wa = 1,600 m2

Refusals are `FootprintError`s with a stable `code` (the web layer words them in Thai or
English) and the English fallback as `message`. A ring is repaired (with
`shapely.make_valid(method="structure")`) only when the repair is unambiguous: the repaired
area equals the area the rings enclose as drawn (within 1 %), so a spike or a doubled
vertex is mended but a bow-tie (two lobes of opposite turn) is refused. The area in the
database is PostGIS's (`ST_Area(geography)`); `geodesic_area_m2` here is for the checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from gis.errors import GisError
from gis.geometry import THAILAND_BBOX, as_multipolygon

SQM_PER_RAI = 1600.0
SQM_PER_NGAN = 400.0
SQM_PER_WA = 4.0
MAX_VERTICES = 50_000          # one community's outline; a 1,000,000-vertex file is refused
MAX_PARTS = 500
MAX_AREA_RAI = 50_000.0        # 80 km2: larger than any community on record
MIN_AREA_M2 = SQM_PER_WA       # one square wa
MAX_DISTANCE_M = 2_000.0       # from the case's point to its footprint
REPAIR_TOLERANCE = 0.01


class FootprintError(GisError):
    """A footprint refused: `code` names the problem, `params` fill its message."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message, [{"field": "footprint", "message": code, "reason": message}])
        self.code = code
        self.params = params


@dataclass
class Footprint:
    geom: MultiPolygon
    repairs: list[str] = field(default_factory=list)
    area_m2: float = 0.0

    @property
    def area_rai(self) -> float:
        return self.area_m2 / SQM_PER_RAI


# ------------------------------------------------------------------ parsing

def _ring(coords: Any, where: str, repairs: list[str]) -> list[tuple[float, float]]:
    if not isinstance(coords, list):
        raise FootprintError("bad_coordinates", f"{where}: a ring must be a list of [lon, lat] positions")
    points: list[tuple[float, float]] = []
    for position in coords:
        if (not isinstance(position, list) or len(position) < 2
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in position[:2])):
            raise FootprintError("bad_coordinates", f"{where}: every position must be [lon, lat] numbers")
        x, y = float(position[0]), float(position[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            raise FootprintError("bad_coordinates", f"{where}: coordinates must be finite numbers")
        points.append((x, y))
        if len(points) > MAX_VERTICES:
            raise FootprintError("too_many_vertices", f"More than {MAX_VERTICES:,} vertices", limit=MAX_VERTICES)
    if len(points) >= 2 and points[0] != points[-1]:
        points.append(points[0])
        if "unclosed ring" not in repairs:
            repairs.append("unclosed ring")
    if len(set(points)) < 3:
        raise FootprintError("broken_ring", f"{where}: a ring needs at least three distinct corners")
    return points


def _polygon(rings: Any, where: str, repairs: list[str]) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise FootprintError("bad_coordinates", f"{where}: a polygon is a list of rings")
    shell, *holes = (_ring(r, where, repairs) for r in rings)
    return Polygon(shell, holes)


def parse_geojson(geometry: Any) -> tuple[MultiPolygon, list[str]]:
    """A GeoJSON Polygon/MultiPolygon object as a MultiPolygon (not yet checked), and the repairs made."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise FootprintError("not_polygon", f"The footprint must be a GeoJSON Polygon or MultiPolygon, not {kind}",
                             kind=str(kind)[:30])
    coords = geometry.get("coordinates")
    repairs: list[str] = []
    if geometry["type"] == "Polygon":
        return MultiPolygon([_polygon(coords, "Polygon", repairs)]), repairs
    if not isinstance(coords, list) or not coords:
        raise FootprintError("bad_coordinates", "A MultiPolygon is a non-empty list of polygons")
    if len(coords) > MAX_PARTS:
        raise FootprintError("too_many_parts", f"More than {MAX_PARTS} parts", limit=MAX_PARTS)
    return MultiPolygon([_polygon(p, f"polygon {i + 1}", repairs) for i, p in enumerate(coords)]), repairs


# ------------------------------------------------------------------ repair

def _drawn_area(geom: BaseGeometry) -> float:
    """The area the rings enclose as drawn: signed shells minus holes, planar (degrees)."""
    total = 0.0
    for poly in getattr(geom, "geoms", [geom]):
        if not isinstance(poly, Polygon):
            continue
        total += abs(_signed(poly.exterior.coords))
        total -= sum(abs(_signed(ring.coords)) for ring in poly.interiors)
    return total


def _signed(coords: Any) -> float:
    xy = np.asarray(coords, dtype=float)[:, :2]
    if len(xy) < 3:
        return 0.0
    x, y = xy[:, 0], xy[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2.0


def repair(geom: BaseGeometry) -> tuple[MultiPolygon, str | None]:
    """(valid MultiPolygon, what was wrong or None); FootprintError when the repair is ambiguous."""
    multi = as_multipolygon(geom)
    if multi is None:
        raise FootprintError("not_polygon", "The geometry holds no polygon", kind=geom.geom_type)
    if multi.is_valid:
        return multi, None
    reason = shapely.is_valid_reason(multi)
    fixed = as_multipolygon(shapely.make_valid(multi, method="structure", keep_collapsed=False))
    expected = _drawn_area(multi)
    if fixed is None or fixed.is_empty or not fixed.is_valid or expected <= 0:
        raise FootprintError("invalid_ring", f"The outline cannot be repaired ({reason})", reason=reason)
    if abs(fixed.area - expected) > REPAIR_TOLERANCE * max(fixed.area, expected):
        raise FootprintError("ambiguous_ring", f"The outline crosses itself ({reason}): redraw it", reason=reason)
    return fixed, reason


# ------------------------------------------------------------------ measures and checks

def geodesic_area_m2(geom: BaseGeometry) -> float:
    """Area on the WGS 84 ellipsoid in m2 (the same measure as PostGIS's geography)."""
    from pyproj import Geod

    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0])


def distance_m(geom: BaseGeometry, point: Point) -> float:
    """Metres from `point` to the nearest part of `geom` (0 inside)."""
    if geom.covers(point):
        return 0.0
    from pyproj import Geod
    from shapely.ops import nearest_points

    near = nearest_points(geom, point)[0]
    return float(Geod(ellps="WGS84").inv(point.x, point.y, near.x, near.y)[2])


def check_footprint(geom: BaseGeometry, *, point: Point | None = None, repairs: list[str] | None = None,
                    max_distance_m: float = MAX_DISTANCE_M) -> Footprint:
    """A footprint fit to store: polygonal, valid (repaired when unambiguous), inside Thailand,
    of a possible size and (when `point` is given) near the case's point."""
    repairs = list(repairs or [])
    vertices = int(shapely.get_num_coordinates(geom))
    if vertices > MAX_VERTICES:
        raise FootprintError("too_many_vertices", f"More than {MAX_VERTICES:,} vertices", limit=MAX_VERTICES)
    minx, miny, maxx, maxy = geom.bounds
    tminx, tminy, tmaxx, tmaxy = THAILAND_BBOX
    if tminx <= miny <= tmaxx and tminy <= minx <= tmaxy and not (tminx <= minx <= tmaxx):
        raise FootprintError("swapped", "Longitude and latitude look swapped (Thailand is near lon 100, lat 13)")
    if minx < tminx or maxx > tmaxx or miny < tminy or maxy > tmaxy:
        raise FootprintError("outside_thailand", "The footprint lies (partly) outside Thailand")
    fixed, reason = repair(geom)
    if reason:
        repairs.append(reason)
    area = geodesic_area_m2(fixed)
    if area < MIN_AREA_M2:
        raise FootprintError("too_small", f"The footprint is smaller than one square wa ({area:.1f} m2)")
    if area / SQM_PER_RAI > MAX_AREA_RAI:
        raise FootprintError("too_large", f"The footprint covers {area / SQM_PER_RAI:,.0f} rai: more than "
                             f"{MAX_AREA_RAI:,.0f} rai is not one community", rai=round(area / SQM_PER_RAI),
                             limit=int(MAX_AREA_RAI))
    if point is not None:
        far = distance_m(fixed, point)
        if far > max_distance_m:
            raise FootprintError("far_from_point", f"The footprint is {far:,.0f} m from the case's point "
                                 f"(at most {max_distance_m:,.0f} m): move the point or check the outline",
                                 metres=round(far), limit=round(max_distance_m))
    return Footprint(fixed, repairs, area)


def point_on_surface(geom: BaseGeometry) -> Point:
    """A point certainly inside the footprint (GEOS PointOnSurface, as PostGIS's ST_PointOnSurface)."""
    return shapely.point_on_surface(geom)


def to_geojson(geom: BaseGeometry, precision: int = 7) -> dict[str, Any]:
    """A GeoJSON geometry object (coordinates rounded to `precision` decimals, about 1 cm)."""
    import json

    rounded = shapely.transform(geom, lambda xy: np.round(xy, precision))
    return json.loads(shapely.to_geojson(rounded))


# ------------------------------------------------------------------ rai, ngan, square wa

def rai_ngan_wa(area_rai: float) -> tuple[int, int, float]:
    """(rai, ngan, square wa) of an area in rai; square wa to one decimal."""
    wa_total = round(area_rai * SQM_PER_RAI / SQM_PER_WA, 1)
    rai, rest = divmod(wa_total, 400.0)
    ngan, wa = divmod(rest, 100.0)
    return int(rai), int(ngan), round(wa, 1)


def format_rai(area_rai: float | None, lang: str = "th") -> str:
    """`12 ไร่ 3 งาน 45.5 ตารางวา` (or `12-3-45.5 rai-ngan-sq. wa` in English); '' for None."""
    if area_rai is None:
        return ""
    rai, ngan, wa = rai_ngan_wa(area_rai)
    wa_text = f"{wa:,.1f}".rstrip("0").rstrip(".")
    if lang == "th":
        return f"{rai:,} ไร่ {ngan} งาน {wa_text} ตารางวา"
    return f"{rai:,}-{ngan}-{wa_text} rai-ngan-sq. wa"
