"""Polygon files (reference land layers, footprint files) read into arrays, checked as a whole (pure).

    layer = read_polygons(path, "shp", work, crs=None)
    layer.geoms        # numpy array of valid shapely (Multi)Polygons in lon/lat
    layer.attributes   # the attribute table as a pyarrow Table, one row per polygon
    layer.repaired     # how many polygons were repaired (unambiguous repairs only)

The file is opened with the exchange core's checks (`gis.exchange.readers`: magic bytes,
the declared driver only, zip members through `zipsafe`, `.cpg`/encoding, no `.prj` refused
unless a CRS is named) and read in one pass through Arrow (`pyogrio.read_arrow`); the
geometry checks are vectorised shapely calls over the whole array (only the few invalid
polygons are looked at one by one, to decide whether their repair is unambiguous).
Refusals are `ExchangeError`s with a code (`no_polygon`, `mixed_geometry`, `parcel_invalid`,
`outside_thailand`, ...); nothing is half-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from gis.exchange import zipsafe
from gis.exchange.errors import ExchangeError
from gis.exchange.offline import clean_geojson, offline
from gis.exchange.readers import _transformer, open_vector, shapefile_source, source_crs_of
from gis.footprints import FootprintError, repair
from gis.geometry import THAILAND_BBOX

MAX_PARCELS = 200_000
MAX_PARCEL_VERTICES = 200_000
MAX_TOTAL_VERTICES = 20_000_000
MAX_COLUMNS = 200
POLYGON_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon
KML_DRIVERS = ("KML", "LIBKML")
_XML_DECL = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
_KINDS = {0: "Point", 1: "LineString", 2: "LinearRing", 4: "MultiPoint", 5: "MultiLineString",
          7: "GeometryCollection"}


@dataclass
class PolygonLayer:
    geoms: np.ndarray
    attributes: Any  # pyarrow.Table
    crs: str
    repaired: int = 0
    repairs: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return int(len(self.geoms))


def detect_polygon_format(filename: str | None, head: bytes) -> str | None:
    """'kml' for a KML upload (the exchange core knows the other formats), else None."""
    if not (filename or "").lower().endswith(".kml"):
        return None
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not (start.startswith(b"<?xml") or start.startswith(b"<kml")):
        raise ExchangeError("kml_bad", "The file is not KML", status=415)
    return "kml"


def _check_kml(path: Path) -> None:
    """No DOCTYPE/ENTITY declarations (XXE, billion laughs) reach GDAL's XML parser."""
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            if _XML_DECL.search(chunk):
                raise ExchangeError("kml_bad", "The KML declares a DOCTYPE or ENTITY", status=400)


def _rows(indices: np.ndarray, limit: int = 5) -> str:
    return ", ".join(str(int(i) + 1) for i in indices[:limit]) + ("..." if len(indices) > limit else "")


def _source(path: Path, fmt: str, work: Path, encoding: str | None,
            zip_limits: zipsafe.ZipLimits | None) -> tuple[Path, str | None, dict[str, str]]:
    if fmt == "shp":
        shp, encoding_name, note = shapefile_source(path, work, encoding, zip_limits)
        return shp, encoding_name, ({"encoding": note} if note else {})
    if fmt == "kml":
        _check_kml(path)
    if fmt not in ("geojson", "gpkg", "kml"):
        raise ExchangeError("format_unknown", "Unsupported file type for polygons", status=415,
                            allowed="shp, gpkg, geojson, kml")
    return path, encoding, {}


def read_polygons(path: Path, fmt: str, work: Path, *, crs: str | None = None, encoding: str | None = None,
                  layer: str | None = None, max_features: int = MAX_PARCELS,
                  zip_limits: zipsafe.ZipLimits | None = None) -> PolygonLayer:
    """Read and check every polygon of a file; an `ExchangeError` (4xx) for anything refused."""
    from pyogrio import raw

    source_path, encoding_name, notes = _source(path, fmt, work, encoding, zip_limits)
    with offline():  # what the file says never makes GDAL fetch a URL (gis.exchange.offline)
        if fmt == "geojson":
            source_path = clean_geojson(source_path, work)
        opened = open_vector(source_path, fmt, encoding=encoding_name, layer=layer, max_rows=max_features,
                             drivers=KML_DRIVERS if fmt == "kml" else None)
        source_crs = source_crs_of(opened.info, crs, "shp_no_prj" if fmt == "shp" else "no_crs")
        transformer = _transformer(source_crs)
        if len(opened.info.get("fields", [])) > MAX_COLUMNS:
            raise ExchangeError("too_many_columns", f"More than {MAX_COLUMNS} columns", limit=MAX_COLUMNS)
        try:
            meta, table = raw.read_arrow(opened.source, layer=opened.index, encoding=encoding_name,
                                         max_features=max_features + 1, datetime_as_string=True)
        except Exception as exc:
            raise ExchangeError(f"{fmt}_bad", f"GDAL cannot read the file: {str(exc)[:200]}") from None
    if table.num_rows > max_features:
        raise ExchangeError("too_many_parcels", f"More than {max_features} polygons", status=413, limit=max_features)
    if table.num_rows == 0:
        raise ExchangeError("no_polygon", "The file holds no polygon")
    geometry_name = meta.get("geometry_name") or "wkb_geometry"
    wkb = table.column(geometry_name).to_numpy(zero_copy_only=False)
    attributes = table.drop_columns([geometry_name])
    geoms = shapely.force_2d(shapely.from_wkb(wkb, on_invalid="ignore"))
    geoms = _checked_types(geoms)
    counts = shapely.get_num_coordinates(geoms)
    if counts.max(initial=0) > MAX_PARCEL_VERTICES:
        worst = int(np.argmax(counts))
        raise ExchangeError("parcel_too_many_vertices", "A polygon has too many vertices", row=worst + 1,
                            count=f"{int(counts[worst]):,}", limit=f"{MAX_PARCEL_VERTICES:,}")
    if int(counts.sum()) > MAX_TOTAL_VERTICES:
        raise ExchangeError("too_many_vertices", "Too many vertices", status=413, limit=f"{MAX_TOTAL_VERTICES:,}")
    if transformer is not None:
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    _inside_thailand(geoms)
    geoms, repaired, repairs = _repaired(geoms)
    notes["crs"] = source_crs[:80] if len(source_crs) < 80 else "WKT"
    if fmt == "gpkg":
        notes["layer"] = opened.layer
    return PolygonLayer(geoms, attributes, source_crs, repaired, repairs, notes)


def _checked_types(geoms: np.ndarray) -> np.ndarray:
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, POLYGON_TYPES)
    if not polygonal.any():
        raise ExchangeError("no_polygon", "The file holds no polygon")
    wrong = np.flatnonzero(~polygonal & ~np.isin(np.arange(len(geoms)), missing))
    if len(wrong):
        kind = _KINDS.get(int(types[wrong[0]]), "?")
        raise ExchangeError("mixed_geometry", "The file mixes polygons with other geometries",
                            count=len(wrong), rows=_rows(wrong), kind=kind)
    if len(missing):
        raise ExchangeError("missing_geometry", "Some rows have no geometry", rows=_rows(missing))
    return geoms


def _inside_thailand(geoms: np.ndarray) -> None:
    bounds = shapely.bounds(geoms)
    minx, miny, maxx, maxy = THAILAND_BBOX
    finite = np.isfinite(bounds).all(axis=1)
    outside = np.flatnonzero(~finite | (bounds[:, 0] < minx) | (bounds[:, 2] > maxx)
                             | (bounds[:, 1] < miny) | (bounds[:, 3] > maxy))
    if len(outside):
        raise ExchangeError("outside_thailand", "Polygons outside Thailand (check the CRS)", rows=_rows(outside))


def _repaired(geoms: np.ndarray) -> tuple[np.ndarray, int, list[str]]:
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    reasons: list[str] = []
    for i in invalid:  # only the invalid ones: a repair must be unambiguous, polygon by polygon
        try:
            geoms[i], reason = repair(geoms[i])
        except FootprintError as exc:
            raise ExchangeError("parcel_invalid", "A polygon cannot be repaired", row=int(i) + 1,
                                reason=str(exc.params.get("reason") or exc.code)) from None
        if reason and len(reasons) < 5:
            reasons.append(f"{int(i) + 1}: {reason}")
    return geoms, int(len(invalid)), reasons


_EWKB_HEAD = b"\x01" + (0x20000006).to_bytes(4, "little") + (4326).to_bytes(4, "little")


def ewkb_hex(multipolygons: np.ndarray) -> list[str]:
    """Hex EWKB (SRID 4326) of 2D MultiPolygons: shapely's WKB with the SRID spliced into its header."""
    wkb = shapely.to_wkb(multipolygons, byte_order=1, output_dimension=2)
    return [(_EWKB_HEAD + b[5:]).hex() for b in wkb]


def json_column(attributes: Any) -> Any:
    """Each attribute row as a JSON object (nulls and NaN left out), built column-wise by Arrow compute."""
    import json

    import pyarrow as pa
    import pyarrow.compute as pc

    fragments = []
    for name in attributes.column_names:
        column = attributes.column(name)
        kind = column.type
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            continue  # a binary column: not kept
        key = json.dumps(str(name), ensure_ascii=False) + ":"
        if pa.types.is_floating(kind):
            column = pc.if_else(pc.is_finite(column), column, pa.scalar(None, kind))
            value = pc.cast(column, pa.string())
        elif pa.types.is_integer(kind):
            value = pc.cast(column, pa.string())
        elif pa.types.is_boolean(kind):
            value = pc.if_else(column, "true", "false")
        else:
            text = pc.cast(column, pa.string())
            for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
                text = pc.replace_substring(text, old, new)
            text = pc.replace_substring_regex(text, "[\\x00-\\x1f]", "")
            value = pc.binary_join_element_wise('"', text, '"', "")
        fragments.append(pc.binary_join_element_wise(key, value, ""))
    if not fragments:
        return pa.array(["{}"] * attributes.num_rows, pa.string())
    body = pc.binary_join_element_wise(*fragments, ",", null_handling="skip")
    return pc.binary_join_element_wise("{", body, "}", "")


def copy_rows(geoms: np.ndarray, attributes: Any, layer_id: int) -> bytes:
    """CSV bytes for one `COPY ... (layer_id, geom, attributes)`: the layer id, the MultiPolygon as hex
    EWKB and the attribute row as JSON, written by Arrow (no Python loop over attributes)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    polygons = shapely.get_type_id(geoms) == 3
    multi = geoms.copy()
    if polygons.any():  # every parcel a MultiPolygon, as the column's type says
        multi[polygons] = shapely.multipolygons(geoms[polygons], indices=np.arange(int(polygons.sum())))
    table = pa.table({"layer_id": pa.array(np.full(len(geoms), layer_id, dtype=np.int32)),
                      "geom": pa.array(ewkb_hex(multi), pa.string()), "attributes": json_column(attributes)})
    out = pa.BufferOutputStream()
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return out.getvalue().to_pybytes()


def attribute_names(attributes: Any) -> list[str]:
    """The attribute columns kept per parcel (binary columns are not)."""
    import pyarrow as pa

    kinds = {n: attributes.column(n).type for n in attributes.column_names}
    return [str(n) for n, kind in kinds.items() if not (pa.types.is_binary(kind) or pa.types.is_large_binary(kind))]
