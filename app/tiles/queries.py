"""Mapbox vector tiles built in PostGIS: one `ST_AsMVT` statement per tile.

Each layer selects only public fields (never contacts), clips with `ST_AsMVTGeom`
into `ST_TileEnvelope(z, x, y)` and finds its rows through the GiST index of the
WGS 84 geometry (a lon/lat box of the tile plus its buffer). Cases reuse
`visible_cases` (deleted ones never appear); below `CLUSTER_BELOW` they are grouped
into cells of `CELL` tile units (of 4096) with a count, so that a tile stays small at any
zoom; a cell holding one case keeps its id, code and name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, Select, case, cast, func, literal_column, select

from app.extensions import db
from app.land_cases import queries
from app.models import District, LandCase, Province, Subdistrict
from app.pilot_areas.service import pilot_filter, pilot_select
from gis.fields import CASE_FIELDS, flagged

EXTENT, BUFFER = 4096, 64
MAX_ZOOM = 22
CLUSTER_BELOW, CELL = 12, 64


@dataclass(frozen=True)
class Layer:
    """A tile layer: from which zoom it has data, whether anyone may read it, at most how many features."""

    name: str
    min_zoom: int
    public: bool
    max_features: int


LAYERS = {layer.name: layer for layer in (
    Layer("cases", 0, public=False, max_features=5000),
    Layer("pilot-areas", 0, public=False, max_features=1000),
    Layer("provinces", 0, public=True, max_features=1000),
    Layer("districts", 6, public=True, max_features=3000),
    Layer("subdistricts", 9, public=True, max_features=5000),
    Layer("case-footprints", 12, public=False, max_features=5000),  # app.land.tiles
    Layer("reference-parcels", 10, public=False, max_features=8000),
)}
BOUNDARIES = {"provinces": Province, "districts": District, "subdistricts": Subdistrict}


def tile_bbox(z: int, x: int, y: int, margin: float = BUFFER / EXTENT) -> tuple[float, float, float, float]:
    """The tile's (minlon, minlat, maxlon, maxlat), widened by `margin` tiles on every side."""
    n = 2 ** z

    def lon(xt: float) -> float:
        return max(-180.0, min(180.0, xt / n * 360.0 - 180.0))

    def lat(yt: float) -> float:
        yt = max(0.0, min(float(n), yt))
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yt / n))))

    return lon(x - margin), lat(y + 1 + margin), lon(x + 1 + margin), lat(y - margin)


def _mvt_geom(geom, z: int, x: int, y: int, *, simplify: bool = False):
    if simplify:  # about half a tile pixel, in degrees: less to transform, nothing visible lost
        geom = func.ST_Simplify(geom, 180.0 / (2 ** z) / EXTENT)
    return func.ST_AsMVTGeom(func.ST_Transform(geom, 3857), func.ST_TileEnvelope(z, x, y), EXTENT, BUFFER, True)


def _cases(z: int, x: int, y: int, cap: int, statuses: Sequence[str], region: str | None,
           province: str | None) -> tuple[Select, str]:
    # which cases: visible_cases; where: the tile's box with `&&` (for points the same as intersecting it)
    base = (queries.visible_cases(statuses=statuses, region=region, province=province)
            .where(LandCase.geom.op("&&")(func.ST_MakeEnvelope(*tile_bbox(z, x, y), 4326))))
    if z >= CLUSTER_BELOW:
        geom = _mvt_geom(LandCase.geom, z, x, y)
        rows = (base.with_only_columns(
            *[getattr(LandCase, f.name) for f in flagged(CASE_FIELDS, "in_tiles")], geom.label("geom"),
            maintain_column_froms=True).order_by(LandCase.id).limit(cap))
        return rows, "id"
    # many points per tile: place them in tile units with Web Mercator arithmetic on lon/lat
    # (no transform and no ST_AsMVTGeom per point), group them by cell, then build one point each
    n = float(2 ** z)
    lon, lat = func.ST_X(LandCase.geom), func.radians(func.ST_Y(LandCase.geom))
    px = ((lon + 180.0) / 360.0 * n - x) * EXTENT
    py = ((1.0 - func.asinh(func.tan(lat)) / math.pi) / 2.0 * n - y) * EXTENT
    points = base.with_only_columns(LandCase.id, LandCase.code, LandCase.community_name, LandCase.status,
                                    LandCase.households, px.label("px"), py.label("py"),
                                    maintain_column_froms=True).subquery("pts")
    inside = points.c.px.between(-BUFFER, EXTENT + BUFFER) & points.c.py.between(-BUFFER, EXTENT + BUFFER)
    cell_x, cell_y = func.floor(points.c.px / CELL), func.floor(points.c.py / CELL)
    alone = func.count() == 1
    rows = (select(case((alone, func.min(points.c.id))).label("id"),
                   case((alone, func.min(points.c.code))).label("code"),
                   case((alone, func.min(points.c.community_name))).label("community_name"),
                   cast(func.count(), Integer).label("count"),
                   cast(func.coalesce(func.sum(points.c.households), 0), Integer).label("households"),
                   func.mode().within_group(points.c.status).label("status"),
                   func.ST_MakePoint(func.round(func.avg(points.c.px)),
                                     func.round(func.avg(points.c.py))).label("geom"))
            .where(inside).group_by(cell_x, cell_y).limit(cap))
    return rows, "id"


def _pilot_areas(z: int, x: int, y: int, cap: int) -> Select:
    q = pilot_select(pilot_filter(bbox=tile_bbox(z, x, y))).order_by(None).subquery("pa")
    return select(q.c.id, q.c.subdistrict_code, q.c.name_th, q.c.stage,
                  cast(q.c.case_count, Integer).label("case_count"), cast(q.c.households, Integer).label("households"),
                  cast(q.c.fund_count, Integer).label("fund_count"), q.c.is_sample,
                  _mvt_geom(q.c.geom, z, x, y, simplify=True).label("geom")).order_by(q.c.id).limit(cap)


def _boundaries(name: str, z: int, x: int, y: int, cap: int) -> Select:
    model = BOUNDARIES[name]
    parents = {Province: [], District: [District.province_code],
               Subdistrict: [Subdistrict.district_code, Subdistrict.province_code]}[model]
    return (select(model.code, model.name_th, model.name_en, *parents,
                   _mvt_geom(model.geom, z, x, y, simplify=True).label("geom"))
            .where(model.geom.op("&&")(func.ST_MakeEnvelope(*tile_bbox(z, x, y), 4326)))
            .order_by(model.code).limit(cap))


def tile(layer: Layer, z: int, x: int, y: int, *, statuses: Sequence[str] = (), region: str | None = None,
         province: str | None = None) -> bytes:
    """The tile as MVT bytes (empty when nothing lies in it)."""
    feature_id: str | None = None
    if layer.name == "cases":
        rows, feature_id = _cases(z, x, y, layer.max_features, statuses, region, province)
    elif layer.name == "pilot-areas":
        rows, feature_id = _pilot_areas(z, x, y, layer.max_features), "id"
    elif layer.name in ("case-footprints", "reference-parcels"):
        from app.land import tiles as land_tiles

        box = tile_bbox(z, x, y)
        rows = (land_tiles.footprints(z, x, y, layer.max_features, statuses, region, province, box, _mvt_geom)
                if layer.name == "case-footprints" else land_tiles.parcels(z, x, y, layer.max_features, box, _mvt_geom))
        feature_id = "id"
    else:
        rows = _boundaries(layer.name, z, x, y, layer.max_features)
    t = rows.subquery("t")
    args = [literal_column("t"), layer.name, EXTENT, "geom"] + ([feature_id] if feature_id else [])
    stmt = select(func.ST_AsMVT(*args)).select_from(t).where(t.c.geom.is_not(None))
    # for this transaction only: the planner's cost of the per-row geometry functions makes
    # PostgreSQL JIT-compile the query (seconds of compiling for a quarter second of work) or start
    # parallel workers for a few hundred rows; grouping 100,000 points sorts on disk with 4 MB
    db.session.execute(select(func.set_config("jit", "off", True), func.set_config("work_mem", "32MB", True),
                              func.set_config("max_parallel_workers_per_gather", "0", True)))
    data = db.session.execute(stmt).scalar()
    return bytes(data) if data else b""
