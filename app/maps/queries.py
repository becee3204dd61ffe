"""Map queries: cases (points or grid cells), pilot areas, funds and the choropleth, in PostGIS.

Every query returns one GeoJSON FeatureCollection as text, built by the database
through the one builder (`app.geojson`).
Which cases: `app.land_cases.queries.visible_cases` (the one case select builder, which
also leaves deleted cases out), narrowed here to a set of provinces. What of a case:
the property lists below, the only ones; never contacts, notes, history or documents.

Merge note: pilot areas and funds are read straight from their tables here (public
subsets of their fields); they could move onto the pilot/fund services' select builders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, literal, select, text, true
from sqlalchemy.orm import aliased

from app.extensions import db
from app.filters import region_provinces as region_provinces  # the one region rule; kept here for callers
from app.geojson import Members, collection, json_object
from app.land_cases.queries import count as count_selected
from app.land_cases.queries import visible_cases
from app.models import District, Fund, LandCase, PilotArea, Province, Subdistrict
from gis.fields import CASE_FIELDS, FUND_FIELDS, PILOT_AREA_FIELDS, flagged
from gis.maps import OPEN_STATUSES

# Properties of a case on the signed-in map and on a shared map. A shared map also
# leaves out the owner's name (owner disputes), the team and the internal id.
# Which fields: the `on_map` and `public` flags in gis.fields; then the place names.
PLACE_PROPS = ("province", "district", "subdistrict")
CASE_MAP_PROPS = (*[f.name for f in flagged(CASE_FIELDS, "on_map")], *PLACE_PROPS)
CASE_PUBLIC_PROPS = (*[f.name for f in flagged(CASE_FIELDS, "public")], *PLACE_PROPS)
# a pilot area's label (its name, else its subdistrict's) and place names, then its flagged fields
PILOT_PLACE_PROPS = ("name", *PLACE_PROPS)
PILOT_MAP_PROPS = (*PILOT_PLACE_PROPS, *[f.name for f in flagged(PILOT_AREA_FIELDS, "on_map")])
PILOT_PUBLIC_PROPS = (*PILOT_PLACE_PROPS, *[f.name for f in flagged(PILOT_AREA_FIELDS, "public")])
FUND_MAP_PROPS = (*[f.name for f in flagged(FUND_FIELDS, "on_map")], "province")
FUND_PUBLIC_PROPS = (*[f.name for f in flagged(FUND_FIELDS, "public")], "province")

_P, _D, _S = aliased(Province), aliased(District), aliased(Subdistrict)
_CASE_COLUMNS: dict[str, Any] = {f.name: getattr(LandCase, f.name) for f in flagged(CASE_FIELDS, "on_map")}
def _name(table: Any, lang: str) -> ColumnElement:
    return table.name_th if lang == "th" else func.coalesce(table.name_en, table.name_th)


def _collection(inner: Select, extra: Members | None = None) -> str:
    """One FeatureCollection (JSON text) of `inner`'s rows (columns id, ord, geom, props)."""
    return collection(inner, members=extra)


def _props(names: Sequence[str], columns: dict[str, Any]) -> ColumnElement:
    """`jsonb_strip_nulls(jsonb_build_object(...))` of the named columns only."""
    return json_object({name: columns[name] for name in names}, strip_nulls=True)


@dataclass
class CaseFilter:
    """Which cases: all filters combine with AND; None means no restriction, [] means none."""

    bbox: tuple[float, float, float, float] | None = None
    statuses: Sequence[str] | None = None
    provinces: Sequence[str] | None = None
    q: str | None = None
    as_of: date | None = None  # the cases as they stood at the end of that day


def case_select(f: CaseFilter) -> Select:
    """`select(LandCase)` of the filter, from the land cases' own builder."""
    stmt = visible_cases(bbox=f.bbox, statuses=f.statuses or None, q=f.q, as_of=f.as_of)
    if f.statuses is not None and not f.statuses:
        stmt = stmt.where(false())  # the builder reads "no statuses" as "any"; a map means none
    if f.provinces is not None:
        stmt = stmt.where(LandCase.province_code.in_(list(f.provinces)))
    return stmt


def count_cases(f: CaseFilter, *, cap: int | None = None) -> int:
    """How many cases match; with `cap`, stop counting there (enough to choose points or cells)."""
    stmt = case_select(f)
    return count_selected(stmt.limit(cap) if cap is not None else stmt)


def _case_props(props: Sequence[str], lang: str) -> ColumnElement:
    names = {"province": _name(_P, lang), "district": _name(_D, lang), "subdistrict": _name(_S, lang)}
    return _props(props, {**_CASE_COLUMNS, **names})


def cases_geojson(f: CaseFilter, *, props: Sequence[str], lang: str, limit: int, public: bool,
                  matched: int | None = None) -> str:
    """Case points, at most `limit`, oldest first; shared maps key features by code."""
    matched = count_cases(f) if matched is None else matched
    inner = (case_select(f)
             .outerjoin(_P, _P.code == LandCase.province_code)
             .outerjoin(_D, _D.code == LandCase.district_code)
             .outerjoin(_S, _S.code == LandCase.subdistrict_code)
             .with_only_columns((LandCase.code if public else LandCase.id).label("id"), LandCase.id.label("ord"),
                                LandCase.geom.label("geom"), _case_props(props, lang).label("props"),
                                maintain_column_froms=True)
             .order_by(LandCase.id).limit(limit))
    return _collection(inner, lambda sub: {"numberMatched": literal(matched), "aggregated": false()})


def case_cells_geojson(f: CaseFilter, *, cell: float) -> str:
    """Cases counted per status on a grid of `cell` degrees (for views holding too many to draw);
    each cell is placed at the mean position of its cases."""
    x, y = func.ST_X(LandCase.geom), func.ST_Y(LandCase.geom)
    column, row = func.floor(x / cell).label("col"), func.floor(y / cell).label("row")
    cells = (case_select(f).with_only_columns(LandCase.status.label("status"), column, row, func.count().label("n"),
                                              func.avg(x).label("x"), func.avg(y).label("y"),
                                              maintain_column_froms=True)
             .group_by(LandCase.status, column, row).subquery())
    key = func.concat_ws(":", cells.c.status, cells.c.col, cells.c.row)
    inner = select(key.label("id"), key.label("ord"), func.ST_SetSRID(func.ST_MakePoint(cells.c.x, cells.c.y), 4326)
                   .label("geom"),
                   json_object({"status": cells.c.status, "count": cells.c.n}, jsonb=True).label("props"),
                   cells.c.n.label("n"))
    return _collection(inner, lambda sub: {"numberMatched": func.coalesce(func.sum(sub.c.n), 0),
                                           "aggregated": true()})


def choropleth_geojson(*, level: str, provinces: Sequence[str] | None, statuses: Sequence[str], lang: str,
                       tolerance: float, as_of: date | None = None) -> str:
    """Open cases counted per province or district (in PostGIS), with simplified polygons.

    Open = `gis.maps.OPEN_STATUSES` (all but secured, evicted, closed), within `statuses`.
    """
    open_statuses = [s for s in OPEN_STATUSES if s in statuses]
    area, key = (Province, LandCase.province_code) if level == "provinces" else (District, LandCase.district_code)
    counts = (case_select(CaseFilter(statuses=open_statuses, provinces=provinces, as_of=as_of))
              .with_only_columns(key.label("code"), func.count().label("n"), maintain_column_froms=True)
              .group_by(key).subquery())
    n = func.coalesce(counts.c.n, 0)
    inner = (select(area.code.label("id"), area.code.label("ord"),
                    func.ST_SimplifyPreserveTopology(area.geom, tolerance).label("geom"),
                    json_object({"code": area.code, "name": _name(area, lang), "open_cases": n},
                                jsonb=True).label("props"), n.label("n"))
             .outerjoin(counts, counts.c.code == area.code))
    if provinces is not None:
        inner = inner.where((area.code if level == "provinces" else area.province_code).in_(list(provinces)))
    return _collection(inner, lambda sub: {"level": literal(level), "max": func.coalesce(func.max(sub.c.n), 0)})


def pilots_geojson(*, provinces: Sequence[str] | None, props: Sequence[str], lang: str, tolerance: float,
                   as_of: date | None = None) -> str:
    """Pilot subdistricts with their (simplified) subdistrict polygon; counts from live cases (of `as_of`)."""
    counts = (case_select(CaseFilter(as_of=as_of))
              .with_only_columns(LandCase.subdistrict_code.label("code"), func.count().label("n"),
                                 func.sum(LandCase.households).label("households"), maintain_column_froms=True)
              .group_by(LandCase.subdistrict_code).subquery())
    columns: dict[str, Any] = {
        **{f.name: getattr(PilotArea, f.name) for f in flagged(PILOT_AREA_FIELDS, "on_map") if not f.derived},
        "name": func.coalesce(PilotArea.name_th, _S.name_th),
        "subdistrict": _name(_S, lang), "district": _name(_D, lang), "province": _name(_P, lang),
        "case_count": func.coalesce(counts.c.n, 0), "households": func.coalesce(counts.c.households, 0),
    }
    inner = (select(PilotArea.id.label("id"), PilotArea.id.label("ord"),
                    func.ST_SimplifyPreserveTopology(_S.geom, tolerance).label("geom"),
                    _props(props, columns).label("props"))
             .join(_S, _S.code == PilotArea.subdistrict_code)
             .outerjoin(_D, _D.code == _S.district_code)
             .outerjoin(_P, _P.code == _S.province_code)
             .outerjoin(counts, counts.c.code == PilotArea.subdistrict_code)
             .where(PilotArea.deleted_at.is_(None)))
    if provinces is not None:
        inner = inner.where(_S.province_code.in_(list(provinces)))
    return _collection(inner)


def funds_geojson(*, provinces: Sequence[str] | None, props: Sequence[str], lang: str, limit: int) -> str:
    """Community funds (points) of the provinces, at most `limit`."""
    columns: dict[str, Any] = {**{f.name: getattr(Fund, f.name) for f in flagged(FUND_FIELDS, "on_map")},
                               "province": _name(_P, lang)}
    inner = (select(Fund.id.label("id"), Fund.id.label("ord"), Fund.geom.label("geom"),
                    _props(props, columns).label("props"))
             .outerjoin(_P, _P.code == Fund.province_code).order_by(Fund.id).limit(limit))
    if provinces is not None:
        inner = inner.where(Fund.province_code.in_(list(provinces)))
    return _collection(inner)


def province_names(codes: Sequence[str] | None, lang: str) -> dict[str, str]:
    """Province code -> name, for the given codes (all when None), sorted by name."""
    name = "name_th" if lang == "th" else "COALESCE(name_en, name_th)"
    rows = db.session.execute(text(f"""SELECT code, {name} FROM provinces
                                       WHERE :all OR code = ANY(:codes) ORDER BY 2"""),
                              {"all": codes is None, "codes": list(codes or [])})
    return {r[0]: r[1] for r in rows}


def extent(provinces: Sequence[str] | None) -> tuple[float, float, float, float] | None:
    """minlon, minlat, maxlon, maxlat of the union of the provinces' polygons (all when None)."""
    row = db.session.execute(text("""
        SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
        FROM (SELECT ST_Extent(geom) AS e FROM provinces WHERE :all OR code = ANY(:codes)) x
    """), {"all": provinces is None, "codes": list(provinces or [])}).one()
    return None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
