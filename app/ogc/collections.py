"""The six OGC collections: what each one is, its extent, and its items as GeoJSON text.

Cases come from `app.land_cases.queries.visible_cases` (the one rule of which cases a
caller sees: deleted ones never) and `app.land_cases.serialise` (contacts only when
`with_contacts`); pilot areas and funds from `pilot_select` / `fund_select` of their
services; the boundaries straight from their tables. Everything is built in PostGIS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import request
from sqlalchemy import Select, and_, func, literal, null, select, union_all

from app.api.params import bbox_param
from app.errors import NotFound
from app.extensions import db
from app.filters import LAYERS, Filter, check_province, parse_filter, parse_page
from app.funds.service import fund_filter, fund_select
from app.land_cases import queries, serialise
from app.models import District, LandCase, Province, Subdistrict
from app.ogc import features
from app.ogc.params import datetime_param
from app.pilot_areas.service import pilot_filter, pilot_select

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
ITEM_PARAMS = ("bbox", "limit", "offset", "datetime")


@dataclass(frozen=True)
class Collection:
    """One collection: its id, titles, who may read it and which filters /items takes."""

    id: str
    title_th: str
    title_en: str
    description: str
    protected: bool  # needs a signed-in user (session or Bearer token) with "read"
    int_ids: bool
    filters: tuple[str, ...] = ()
    temporal: bool = True  # `datetime` filters on updated_at

    @property
    def title(self) -> str:
        return f"{self.title_th} / {self.title_en}"


def _fields(layer: str) -> tuple[str, ...]:
    """The layer's fields declared filterable in gis.fields (each one a query parameter)."""
    return tuple(f.name for f in LAYERS[layer].fields)


_UPDATED = " `datetime` filters on the record's last change (updated_at)."
COLLECTIONS: dict[str, Collection] = {c.id: c for c in (
    Collection("cases", "กรณีปัญหาที่ดิน", "Land cases",
               "Communities' land cases (points). Filters: status (comma-separated), region, province, q." + _UPDATED
               + " Contact names and phones only for roles allowed to see them.",
               protected=True, int_ids=True, filters=("status", "region", "province", "q", *_fields("cases"))),
    Collection("pilot-areas", "พื้นที่รูปธรรม", "Pilot areas",
               "The pilot subdistricts (polygons of the subdistrict) with what lies inside them. "
               "Filters: region, province, stage." + _UPDATED,
               protected=True, int_ids=True, filters=("region", "province", "stage", *_fields("pilot-areas"))),
    Collection("funds", "กองทุนชุมชน", "Community funds",
               "Community funds (points). Filters: region, province, level, q." + _UPDATED,
               protected=True, int_ids=True, filters=("region", "province", "level", "q", *_fields("funds"))),
    Collection("provinces", "จังหวัด", "Provinces", "Province boundaries (DOPA codes).",
               protected=False, int_ids=False, temporal=False),
    Collection("districts", "อำเภอ", "Districts", "District boundaries. Filter: province (two-digit code).",
               protected=False, int_ids=False, filters=("province",), temporal=False),
    Collection("subdistricts", "ตำบล", "Subdistricts", "Subdistrict boundaries. Filter: province (two-digit code).",
               protected=False, int_ids=False, filters=("province",), temporal=False),
    # app.land.ogc
    Collection("case-footprints", "ขอบเขตชุมชน", "Community footprints",
               "Live cases' footprints (MultiPolygon) with the case's public fields, area_rai, overlay_owner_type "
               "and owner_conflict. Filters: status, region, province, q." + _UPDATED,
               protected=True, int_ids=True, filters=("status", "region", "province", "q")),
    Collection("reference-parcels", "แปลงที่ดินอ้างอิง", "Reference land parcels",
               "Parcels of the reference land layers (who holds the land), with the layer's name, owner type and "
               "owner and the parcel's attributes. Filters: layer (a layer id), owner_type.",
               protected=True, int_ids=True, filters=("layer", "owner_type"), temporal=False),
)}
BOUNDARIES = {"provinces": Province, "districts": District, "subdistricts": Subdistrict}


def get(collection_id: str) -> Collection:
    """The collection, or 404 naming the ones there are."""
    if collection_id not in COLLECTIONS:
        raise NotFound(f"Unknown collection {collection_id[:50]!r}; collections: {', '.join(COLLECTIONS)}",
                       [{"field": "collectionId", "message": "unknown collection"}])
    return COLLECTIONS[collection_id]


# ---------------------------------------------------------------- selects

def _boundary_select(model: Any, bbox: tuple[float, ...] | None, province: str | None) -> Select:
    parents = {Province: [], District: [District.province_code],
               Subdistrict: [Subdistrict.district_code, Subdistrict.province_code]}[model]
    stmt = select(model.code.label("id"), model.code, model.name_th, model.name_en, *parents, model.geom)
    if bbox:
        stmt = stmt.where(func.ST_Intersects(model.geom, func.ST_MakeEnvelope(*bbox, 4326)))
    if province and model is not Province:
        stmt = stmt.where(model.province_code == province)
    return stmt


def collection_filter(collection: Collection, *, default_limit: int, max_limit: int) -> Filter:
    """The items' filters and paging, parsed once (the layers' own filters for records)."""
    if collection.id == "case-footprints":  # the case filters (app.land.ogc)
        f = parse_filter("cases", default_limit=default_limit, max_limit=max_limit)
    elif collection.id in LAYERS:
        f = parse_filter(collection.id, default_limit=default_limit, max_limit=max_limit)
    else:
        limit, offset = parse_page(request.args, default_limit=default_limit, max_limit=max_limit)
        province = check_province(request.args.get("province")) if "province" in collection.filters else None
        f = Filter(collection.id, province=province, bbox=bbox_param(), limit=limit, offset=offset)
    raw_when = (request.args.get("datetime") or "").strip()
    return f.but(extra=(("datetime", raw_when),)) if raw_when else f


def _record_select(collection: Collection, f: Filter) -> Select:
    """Pilot areas, funds, boundaries or the land collections of the filter (not cases)."""
    from app.land import ogc as land_ogc

    if collection.id in land_ogc.COLLECTION_IDS:
        return land_ogc.record_select(collection.id, f)
    if collection.id == "pilot-areas":
        return pilot_select(f)
    if collection.id == "funds":
        return fund_select(f)
    return _boundary_select(BOUNDARIES[collection.id], f.bbox, f.province)


def _exclude(collection: Collection) -> tuple[str, ...]:
    """Boundaries: the feature id is the code, so no `id` property beside `code`."""
    return ("id",) if collection.id in BOUNDARIES else ()


def _between(column: Any, when: tuple[datetime | None, datetime | None]) -> list[Any]:
    start, stop = when
    return [c for c in ((column >= start) if start else None, (column <= stop) if stop else None) if c is not None]


# ---------------------------------------------------------------- items

def items(collection: Collection, f: Filter, *, with_contacts: bool) -> tuple[str, int, int]:
    """(Feature array text, numberMatched, numberReturned) of one page of the filter."""
    bbox, limit, offset = f.bbox, f.limit, f.offset
    features.without_jit()
    when = datetime_param()  # checked everywhere; filters only where there is a time to filter on
    when = when if collection.temporal else None
    if collection.id == "cases":
        stmt = queries.case_select(f)
        if when:
            stmt = stmt.where(*_between(LandCase.updated_at, when))
        # features_json takes the page's ids first, and counts them in the same pass: properties
        # are built for this page only, not for every row OFFSET skips (GDAL and QGIS read a
        # whole layer page after page)
        text, returned, matched = serialise.features_json(stmt, order=queries.sort_columns(None), limit=limit,
                                                          offset=offset, with_sensitive=with_contacts,
                                                          with_matched=True)
        assert matched is not None
        return text, matched, returned
    conditions = [lambda q: and_(*_between(q.c.updated_at, when))] if when else []
    if bbox and collection.id == "pilot-areas":  # pilot_select tests bounding boxes only (&&)
        conditions.append(lambda q: func.ST_Intersects(q.c.geom, func.ST_MakeEnvelope(*bbox, 4326)))
    stmt, _q = features.filtered(_record_select(collection, f), conditions)
    matched = features.count(stmt)
    text, returned = features.features_text(stmt, limit=limit, offset=offset, exclude=_exclude(collection))
    return text, matched, returned


def item(collection: Collection, fid: str, *, with_contacts: bool) -> str | None:
    """One Feature as JSON text, or None when there is no such (visible) feature."""
    if collection.int_ids:
        if not fid.isascii() or not fid.isdigit() or len(fid) > 9:
            return None
        if collection.id == "cases":
            return serialise.feature_text(int(fid), with_sensitive=with_contacts)
        from app.land import ogc as land_ogc

        select_ = (land_ogc.record_select(collection.id, None, [int(fid)]) if collection.id in land_ogc.COLLECTION_IDS
                   else pilot_select(pilot_filter(ids=(int(fid),))) if collection.id == "pilot-areas"
                   else fund_select(fund_filter(ids=(int(fid),))))
    else:
        if len(fid) > 20:
            return None
        model = BOUNDARIES[collection.id]
        select_ = _boundary_select(model, None, None).where(model.code == fid)
    text, returned = features.features_text(features.filtered(select_)[0], limit=1, exclude=_exclude(collection))
    return text[1:-1] if returned else None


# ---------------------------------------------------------------- extents

def extents(ids: list[str]) -> dict[str, dict[str, Any]]:
    """`extent` members (bbox in CRS84, and for records the updated_at interval) in one query."""
    def row(cid: str, geom: Any, updated: Any = None) -> Select:
        box = func.ST_Extent(geom)
        return select(literal(cid).label("cid"), func.ST_XMin(box).label("xmin"), func.ST_YMin(box).label("ymin"),
                      func.ST_XMax(box).label("xmax"), func.ST_YMax(box).label("ymax"),
                      (func.min(updated) if updated is not None else null()).label("tmin"),
                      (func.max(updated) if updated is not None else null()).label("tmax"))

    parts = []
    for cid in ids:
        if cid == "cases":
            cases = queries.visible_cases().subquery("c")
            parts.append(row(cid, cases.c.geom, cases.c.updated_at))
        elif cid in ("case-footprints", "reference-parcels"):
            from app.land import ogc as land_ogc

            parts.append(row(cid, *land_ogc.extent_geom(cid)))
        elif cid in ("pilot-areas", "funds"):
            sub = (pilot_select() if cid == "pilot-areas" else fund_select()).order_by(None).subquery("r")
            parts.append(row(cid, sub.c.geom, sub.c.updated_at))
        else:
            parts.append(row(cid, BOUNDARIES[cid].geom))
    if not parts:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for r in db.session.execute(union_all(*parts)):
        extent: dict[str, Any] = {}
        if r.xmin is not None:  # widened to whole micro-degrees so that every feature lies inside
            box = [math.floor(r.xmin * 1e6) / 1e6, math.floor(r.ymin * 1e6) / 1e6,
                   math.ceil(r.xmax * 1e6) / 1e6, math.ceil(r.ymax * 1e6) / 1e6]
            extent["spatial"] = {"bbox": [box], "crs": CRS84}
        if COLLECTIONS[r.cid].temporal and r.tmin is not None:
            extent["temporal"] = {"interval": [[_iso(r.tmin), _iso(r.tmax)]], "trs":
                                  "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
        out[r.cid] = extent
    return out


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None
