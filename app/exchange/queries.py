"""What an export reads: one select per layer, built on each feature's own select builder.

* cases: `app.land_cases.queries.visible_cases` (deleted cases left out), with the list filters
  `bbox`, `status`, `region`, `province`, `q`;
* pilot areas: `app.pilot_areas.service.pilot_select` with `bbox`, `region`, `province`, `stage`;
* funds: `app.funds.service.fund_select` with `bbox`, `region`, `province`, `level`, `q`.

Each select returns the visible fields in `gis.fields` order, then the geometry as WKB
and `lon`/`lat` (a point on the surface for polygons), ordered by id; rows are read in
chunks through a server-side cursor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import LargeBinary, Select, case, cast, func, null, select, type_coerce

from app.extensions import db
from app.filters import Filter, check_unknown, filter_names, parse_filter
from gis.exchange.writers import ExportSpec
from gis.fields import CASE_FIELDS, CASE_STATUSES, FUND_FIELDS, PILOT_AREA_FIELDS, STATUS_COLOURS, visible_fields

LAYERS = ("cases", "pilot-areas", "funds", "case-footprints")
COMMON_PARAMS = {"format", "include_contacts", "lang"}
# case-footprints (app.land.export) takes the case filters
LAYER_PARAMS = {layer: filter_names("cases" if layer == "case-footprints" else layer) for layer in LAYERS}
CHUNK_ROWS = 20_000
BANGKOK = ZoneInfo("Asia/Bangkok")


@dataclass
class ExportSource:
    spec: ExportSpec
    stmt: Select
    scope: str


def check_params(layer: str) -> None:
    """400 for a query parameter the layer's export does not know (a typo would export everything)."""
    check_unknown(LAYER_PARAMS[layer] | COMMON_PARAMS)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")[:40] or "x"


def _scope(region: str | None, province: str | None, values: Sequence[str], filtered: bool) -> str:
    parts = [_slug(region) if region else f"province-{_slug(province)}" if province else "all"]
    if values:
        parts.append("-".join(_slug(v) for v in values[:3]) if len(values) <= 3 else "filtered")
    elif filtered:
        parts.append("filtered")
    return "_".join(parts)


def _field_column(source: Any, f: Any) -> Any:
    """A field as the writers want it: dates and times as ISO text made by PostgreSQL (cheaper than in Python)."""
    column = getattr(source, f.name)
    if f.kind == "date":
        column = func.to_char(column, "YYYY-MM-DD")
    elif f.kind == "datetime":
        column = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return column.label(f.name)


def _columns(source: Any, fields: list, geom: Any, *, polygon: bool = False) -> list[Any]:
    """The fields, then the WKB (polygons only: points are rebuilt from lon/lat), lon and lat."""
    point = func.ST_PointOnSurface(geom) if polygon else geom
    wkb = type_coerce(func.ST_AsBinary(geom), LargeBinary) if polygon else type_coerce(null(), LargeBinary)
    return ([_field_column(source, f) for f in fields]
            + [wkb.label("wkb"), func.ST_X(point).label("lon"), func.ST_Y(point).label("lat")])


def case_source(with_contacts: bool, f: Filter) -> ExportSource:
    from app.land_cases.queries import case_select
    from app.models import LandCase

    fields = visible_fields(CASE_FIELDS, with_sensitive=with_contacts)
    stmt = (case_select(f, include_deleted=False)
            .with_only_columns(*_columns(LandCase, fields, LandCase.geom), maintain_column_froms=True)
            .order_by(LandCase.id))
    spec = ExportSpec("cases", fields, "Point", name_field="community_name", style_field="status",
                      styles={s: STATUS_COLOURS[s] for s in CASE_STATUSES})
    scope = _scope(f.region, f.province, f.values, f.narrowed)
    return ExportSource(spec, stmt, f"{scope}_as-of-{f.as_of.isoformat()}" if f.as_of else scope)


def pilot_source(filters: Filter) -> ExportSource:
    from app.pilot_areas.service import pilot_select

    sub = pilot_select(filters).subquery("p")
    fields = list(PILOT_AREA_FIELDS)
    stmt = select(*_columns(sub.c, fields, sub.c.geom, polygon=True)).order_by(sub.c.id)
    spec = ExportSpec("pilot-areas", fields, "MultiPolygon", name_field="name_th")
    return ExportSource(spec, stmt, _scope(filters.region, filters.province, filters.values, filters.narrowed))


def fund_source(filters: Filter) -> ExportSource:
    from app.funds.service import fund_select

    sub = fund_select(filters).subquery("f")
    fields = list(FUND_FIELDS)
    stmt = select(*_columns(sub.c, fields, sub.c.geom)).order_by(sub.c.id)
    spec = ExportSpec("funds", fields, "Point", name_field="name")
    return ExportSource(spec, stmt, _scope(filters.region, filters.province, filters.values, filters.narrowed))


def export_source(layer: str, *, with_contacts: bool) -> ExportSource:
    """The select and spec of a layer's export from the request's filters (400 for bad filters)."""
    check_params(layer)
    f = parse_filter("cases" if layer == "case-footprints" else layer, paging=False)
    if layer == "cases":
        return case_source(with_contacts, f)
    if layer == "pilot-areas":
        return pilot_source(f)
    if layer == "case-footprints":
        from app.land.export import footprint_source

        return footprint_source(with_contacts, f)
    return fund_source(f)


def chunks(stmt: Select, size: int = CHUNK_ROWS) -> Iterator[Sequence[Any]]:
    """The rows of `stmt` in lists of `size`, read through a server-side cursor (Core: no ORM rows)."""
    # statement-level options: `Connection.execution_options()` would change the session's connection itself
    result = db.session.connection().execute(stmt, execution_options={"stream_results": True, "yield_per": size})
    try:
        yield from result.partitions(size)
    finally:
        result.close()


def feature_chunks(source: ExportSource, size: int = CHUNK_ROWS) -> Iterator[list[str]]:
    """The export's rows as GeoJSON Feature texts built by the one builder (`app.geojson`), in chunks.

    Coordinates keep 9 places (an export read back matches the stored point to 7).
    """
    from app.geojson import feature_texts, json_object

    sub = source.stmt.subquery("x")
    point = func.ST_SetSRID(func.ST_MakePoint(sub.c.lon, sub.c.lat), 4326)
    geom = case((sub.c.wkb.is_(None), point), else_=func.ST_GeomFromWKB(cast(sub.c.wkb, LargeBinary), 4326))
    props = json_object({f.name: sub.c[f.name] for f in source.spec.fields})
    rows = select(sub.c.id, geom.label("geom"), props.label("props"),
                  func.row_number().over(order_by=sub.c.id).label("ord"))
    return feature_texts(rows, size=size, digits=9)


def rows_for(source: ExportSource, features: bool) -> Iterator[Sequence[Any]]:
    """What a format's writer reads: Feature texts (`features`) or plain rows, in chunks."""
    return feature_chunks(source) if features else chunks(source.stmt)


def text_widths(source: ExportSource) -> dict[str, int]:
    """The longest value (UTF-8 bytes) of each text field in the export: one aggregate query."""
    names = [f.name for f in source.spec.fields if f.kind in ("text", "enum", "datetime")]
    if not names:
        return {}
    sub = source.stmt.order_by(None).subquery("w")
    row = db.session.execute(select(*[func.coalesce(func.max(func.octet_length(sub.c[n])), 1) for n in names])).one()
    return {name: int(width) for name, width in zip(names, row, strict=True)}


def value_labels(spec: ExportSpec) -> dict[str, dict[str, str]]:
    """Names for the codes of an export's derived columns (regions), for the people's spreadsheet."""
    from app import places

    if not any(f.name == "region_code" for f in spec.fields):
        return {}
    return {"region_code": {code: names[0] for code, names in places.region_names().items()}}


def file_name(layer: str, scope: str, extension: str) -> str:
    """`cases_south_2026-11-25.shp.zip`: layer, scope and the date in Thailand."""
    return f"{layer}_{scope}_{datetime.now(BANGKOK).date().isoformat()}.{extension}"
