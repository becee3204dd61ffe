"""What a print draws and lists, read from PostGIS in a few set-based statements.

Which cases: `app.maps.queries.case_select` (the map's own filter, so a print shows exactly
what its map shows). Boundaries come simplified for the paper's scale
(`ST_SimplifyPreserveTopology`, tolerance about a quarter of a millimetre on paper), many
cases come as grid clusters (`ST_SnapToGrid`), and a long list as a summary per area.
What of a case: the columns below only (code, community, households, status, land owner
type, province); never contacts, notes, history or documents.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, select, true

from app.extensions import db
from app.geojson import geometry_text
from app.maps.queries import CaseFilter, case_select
from app.models import District, Fund, LandCase, PilotArea, Province, Subdistrict
from gis.maps import OPEN_STATUSES
from gis.print_map import Area, CasePoint, Cluster

Bounds = tuple[float, float, float, float]


def _name(table: Any, lang: str) -> ColumnElement:
    return table.name_th if lang == "th" else func.coalesce(table.name_en, table.name_th)


def status_counts(f: CaseFilter) -> tuple[dict[str, int], dict[str, int], int]:
    """Cases and households per status (for the legend and the summary), and how many are sample records."""
    households_sum = func.coalesce(func.sum(LandCase.households), 0)
    stmt = (case_select(f).with_only_columns(LandCase.status, func.count(), households_sum,
                                             func.count().filter(LandCase.is_sample.is_(True)),
                                             maintain_column_froms=True)
            .group_by(LandCase.status))
    counts: dict[str, int] = {}
    households: dict[str, int] = {}
    sample = 0
    for status, n, hh, samples in db.session.execute(stmt):
        counts[status], households[status] = n, int(hh)
        sample += samples
    return counts, households, sample


def case_points(f: CaseFilter, limit: int) -> list[CasePoint]:
    stmt = (case_select(f).with_only_columns(func.ST_X(LandCase.geom), func.ST_Y(LandCase.geom), LandCase.status,
                                             maintain_column_froms=True)
            .order_by(LandCase.id).limit(limit))
    return [CasePoint(x, y, s) for x, y, s in db.session.execute(stmt)]


def case_clusters(f: CaseFilter, cell_x: float, cell_y: float) -> list[Cluster]:
    """Cases counted per status on a grid of `cell_x` x `cell_y` degrees; each cell at the mean of its cases."""
    snapped = func.ST_SnapToGrid(LandCase.geom, 0, 0, cell_x, cell_y)
    gx, gy = func.ST_X(snapped).label("gx"), func.ST_Y(snapped).label("gy")
    stmt = (case_select(f).with_only_columns(gx, gy, LandCase.status, func.count(),
                                             func.sum(func.ST_X(LandCase.geom)), func.sum(func.ST_Y(LandCase.geom)),
                                             maintain_column_froms=True)
            .group_by(gx, gy, LandCase.status))
    cells: dict[tuple[float, float], list[Any]] = {}
    for key_x, key_y, status, n, sum_x, sum_y in db.session.execute(stmt):
        entry = cells.setdefault((key_x, key_y), [0.0, 0.0, {}])
        entry[0] += sum_x
        entry[1] += sum_y
        entry[2][status] = n
    out = []
    for sum_x, sum_y, counts in cells.values():
        total = sum(counts.values())
        out.append(Cluster(sum_x / total, sum_y / total, counts))
    return out


def _areas_of(table: Any, where: ColumnElement, *, tolerance: float, kind: str, lang: str,
              labels: bool) -> list[Area]:
    simplified = func.ST_SimplifyPreserveTopology(table.geom, tolerance)
    spot = func.ST_PointOnSurface(table.geom)
    stmt = select(geometry_text(simplified, 5), _name(table, lang), func.ST_X(spot), func.ST_Y(spot)) \
        .where(where).order_by(table.code)
    return [Area(json.loads(geometry), kind, label if labels else None, (x, y))
            for geometry, label, x, y in db.session.execute(stmt) if geometry]


def _envelope(bounds: Bounds) -> ColumnElement:
    return func.ST_MakeEnvelope(*bounds, 4326)


def province_areas(provinces: Sequence[str] | None, bounds: Bounds, *, tolerance: float, lang: str,
                   labels: bool) -> list[Area]:
    """The provinces shown (all when None) and, around a part of the country, its neighbours in grey."""
    if provinces is None:
        return _areas_of(Province, true(), tolerance=tolerance, kind="province", lang=lang, labels=labels)
    chosen = Province.code.in_(list(provinces))
    around = and_(not_(chosen), func.ST_Intersects(Province.geom, _envelope(bounds)))
    return [*_areas_of(Province, around, tolerance=tolerance, kind="context", lang=lang, labels=labels),
            *_areas_of(Province, chosen, tolerance=tolerance, kind="province", lang=lang, labels=labels)]


def district_areas(provinces: Sequence[str] | None, *, tolerance: float, lang: str, labels: bool,
                   codes: Sequence[str] | None = None, kind: str = "district") -> list[Area]:
    where = true() if provinces is None else District.province_code.in_(list(provinces))
    if codes is not None:
        where = District.code.in_(list(codes))
    return _areas_of(District, where, tolerance=tolerance, kind=kind, lang=lang, labels=labels)


def subdistrict_areas(where: ColumnElement, *, tolerance: float, lang: str, kind: str,
                      labels: bool = False) -> list[Area]:
    return _areas_of(Subdistrict, where, tolerance=tolerance, kind=kind, lang=lang, labels=labels)


def pilot_areas(provinces: Sequence[str] | None, *, tolerance: float, lang: str, labels: bool,
                ids: Sequence[int] | None = None) -> list[Area]:
    """Pilot subdistricts as areas of kind `pilot` (labelled with the pilot's name)."""
    s = Subdistrict
    spot = func.ST_PointOnSurface(s.geom)
    stmt = (select(geometry_text(func.ST_SimplifyPreserveTopology(s.geom, tolerance), 5),
                   func.coalesce(PilotArea.name_th, s.name_th), func.ST_X(spot), func.ST_Y(spot))
            .join(s, s.code == PilotArea.subdistrict_code).order_by(PilotArea.id))
    if provinces is not None:
        stmt = stmt.where(s.province_code.in_(list(provinces)))
    if ids is not None:
        stmt = stmt.where(PilotArea.id.in_(list(ids)))
    return [Area(json.loads(g), "pilot", name if labels else None, (x, y))
            for g, name, x, y in db.session.execute(stmt) if g]


def fund_points(provinces: Sequence[str] | None, *, subdistrict: str | None = None,
                limit: int = 5000) -> list[tuple[float, float]]:
    stmt = select(func.ST_X(Fund.geom), func.ST_Y(Fund.geom)).order_by(Fund.id).limit(limit)
    if provinces is not None:
        stmt = stmt.where(Fund.province_code.in_(list(provinces)))
    if subdistrict is not None:
        stmt = stmt.where(Fund.subdistrict_code == subdistrict)
    return [(x, y) for x, y in db.session.execute(stmt)]


def funds_in(subdistrict: str) -> list[dict[str, Any]]:
    """The funds of one subdistrict for a site brief: name, level, members, capital (page fields)."""
    stmt = (select(Fund.name, Fund.level, Fund.members, Fund.capital_baht, Fund.is_sample)
            .where(Fund.subdistrict_code == subdistrict).order_by(Fund.name))
    return [dict(r._mapping) for r in db.session.execute(stmt)]


def choropleth_areas(level: str, provinces: Sequence[str] | None, statuses: Sequence[str], *,
                     tolerance: float, lang: str, as_of: date | None = None) -> tuple[list[Area], int]:
    """Provinces or districts with their count of open cases (as `label`-less areas) and the maximum."""
    area, key = (Province, LandCase.province_code) if level == "provinces" else (District, LandCase.district_code)
    open_statuses = [s for s in OPEN_STATUSES if s in statuses]
    counts = (case_select(CaseFilter(statuses=open_statuses, provinces=provinces, as_of=as_of))
              .with_only_columns(key.label("code"), func.count().label("n"), maintain_column_froms=True)
              .group_by(key).subquery())
    stmt = (select(geometry_text(func.ST_SimplifyPreserveTopology(area.geom, tolerance), 5),
                   func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.code == area.code))
    if provinces is not None:
        stmt = stmt.where((area.code if level == "provinces" else area.province_code).in_(list(provinces)))
    rows = [(json.loads(g), n) for g, n in db.session.execute(stmt) if g]
    return [Area(g, "choropleth", label=str(n)) for g, n in rows], max([n for _, n in rows] or [0])


def case_rows(f: CaseFilter, lang: str, limit: int, *, subdistrict: str | None = None) -> list[dict[str, Any]]:
    """The table of cases shown: code, community, households, status, land owner type, province."""
    base = case_select(f)
    if subdistrict is not None:
        base = base.where(LandCase.subdistrict_code == subdistrict)
    stmt = (base.outerjoin(Province, Province.code == LandCase.province_code)
            .with_only_columns(LandCase.code, LandCase.community_name, LandCase.households, LandCase.status,
                               LandCase.land_owner_type, _name(Province, lang).label("province"),
                               LandCase.is_sample, maintain_column_froms=True)
            .order_by(Province.name_th, LandCase.code).limit(limit))
    return [dict(r._mapping) for r in db.session.execute(stmt)]


def summary_rows(f: CaseFilter, level: str, lang: str) -> list[dict[str, Any]]:
    """Cases per province or district (too many to list): counts per status, households, sample count."""
    area, key = (Province, LandCase.province_code) if level == "provinces" else (District, LandCase.district_code)
    sub = (case_select(f).with_only_columns(key.label("code"), LandCase.status.label("status"),
                                            func.count().label("n"), func.sum(LandCase.households).label("hh"),
                                            func.count().filter(LandCase.is_sample.is_(True)).label("sample"),
                                            maintain_column_froms=True)
           .group_by(key, LandCase.status).subquery())
    parent = (select(Province.name_th).where(Province.code == District.province_code).scalar_subquery()
              if level == "districts" else None)
    columns = [sub.c.code, func.coalesce(_name(area, lang), sub.c.code).label("name"),
               func.jsonb_object_agg(sub.c.status, sub.c.n).label("counts"),
               func.sum(sub.c.n).label("total"), func.coalesce(func.sum(sub.c.hh), 0).label("households"),
               func.sum(sub.c.sample).label("sample")]
    if parent is not None:
        columns.append(parent.label("province"))
    stmt = (select(*columns).outerjoin(area, area.code == sub.c.code)
            .group_by(sub.c.code, area.code).order_by(func.sum(sub.c.n).desc(), sub.c.code))
    return [dict(r._mapping) for r in db.session.execute(stmt)]


def extent_of(table: Any, code: str) -> Bounds | None:
    row = db.session.execute(select(func.ST_XMin(table.geom), func.ST_YMin(table.geom), func.ST_XMax(table.geom),
                                    func.ST_YMax(table.geom)).where(table.code == code)).first()
    return None if row is None or row[0] is None else (row[0], row[1], row[2], row[3])


def subdistricts_around(bounds: Bounds, but: str | None = None) -> ColumnElement:
    """Subdistricts whose polygon touches the bounds (a site brief's neighbours), `but` one."""
    touching = func.ST_Intersects(Subdistrict.geom, _envelope(bounds))
    return touching if but is None else and_(touching, Subdistrict.code != but)


def subdistrict_points(subdistrict: str, limit: int) -> list[CasePoint]:
    """The live cases of one subdistrict (a site brief's map)."""
    stmt = (case_select(CaseFilter()).where(LandCase.subdistrict_code == subdistrict)
            .with_only_columns(func.ST_X(LandCase.geom), func.ST_Y(LandCase.geom), LandCase.status,
                               maintain_column_froms=True).order_by(LandCase.id).limit(limit))
    return [CasePoint(x, y, s) for x, y, s in db.session.execute(stmt)]
