"""Export writers: shapefile (zip), GeoPackage and XLSX spooled to a file (CSV, GeoJSON, KML: `streams`).

Rows come in chunks (any iterable of row sequences) so memory stays flat however many
rows there are. A row holds the values of `spec.fields` in order, then the geometry as
WKB, then `lon` and `lat` (the point, or a point on the surface of a polygon).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from gis.exchange.cells import neutralise
from gis.exchange.schema import fields_csv
from gis.fields import Field

Rows = Iterable[Sequence[Sequence[Any]]]
SHAPE_EXTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
DBF_TEXT_BYTES = 254


@dataclass
class ExportSpec:
    """What is exported: layer name, visible fields in order, geometry type, KML name and styles."""

    layer: str
    fields: list[Field]
    geometry_type: str = "Point"  # or MultiPolygon
    name_field: str | None = None
    style_field: str | None = None
    styles: dict[str, str] = field(default_factory=dict)  # value -> #rrggbb
    widths: dict[str, int] = field(default_factory=dict)  # text field -> longest value in UTF-8 bytes
    # field -> stored value -> what a person reads (region names for the people's spreadsheet)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return len(self.fields)


def plain_value(value: Any, kind: str) -> Any:
    """A value as JSON/CSV/KML see it."""
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# ------------------------------------------------------------------ spooled through GDAL

def _column_array(kind: str, column: Sequence[Any]) -> tuple[Any, Any]:
    """(values, null mask or None) for one column, converted with numpy rather than per value."""
    import numpy as np

    if kind in ("int", "float", "bool"):
        values = np.array(column, dtype=object)
        nulls = np.equal(values, None)
        values[nulls] = False if kind == "bool" else 0
        if kind == "bool":
            return values.astype(bool), None
        if kind == "float":
            out = values.astype(np.float64)
            out[nulls] = np.nan
            return out, None
        out = values.astype(np.int64)
        if not out.size or (out.min() >= -2**31 and out.max() < 2**31):
            out = out.astype(np.int32)
        return out, (nulls if nulls.any() else None)
    if kind == "date":  # ISO text from the query (or date objects)
        return np.array([None if v is None else str(v) for v in column], dtype="datetime64[D]"), None
    if kind == "datetime":
        return np.array([v if v is None or isinstance(v, str) else v.isoformat() for v in column], dtype=object), None
    return np.array(column, dtype=object), None


def _geometry(spec: ExportSpec, columns: list[Sequence[Any]]) -> Any:
    import numpy as np
    import shapely

    if spec.geometry_type == "Point":  # WKB built in C from lon/lat: no WKB parsing per row
        lon = np.array(columns[spec.width + 1], dtype=object)
        missing = np.equal(lon, None)
        lon[missing] = np.nan
        lat = np.array(columns[spec.width + 2], dtype=object)
        lat[missing] = np.nan
        points = shapely.points(lon.astype(np.float64), lat.astype(np.float64))
        points[missing] = None
        return shapely.to_wkb(points)
    return np.array([None if g is None else bytes(g) for g in columns[spec.width]], dtype=object)


def _arrays(spec: ExportSpec, rows: Sequence[Sequence[Any]]) -> tuple[Any, list[Any], list[Any]]:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(spec.width + 3)]
    data, masks = [], []
    for f, column in zip(spec.fields, columns, strict=False):
        array, mask = _column_array(f.kind, column)
        data.append(array)
        masks.append(mask)
    return _geometry(spec, columns), data, masks


def _empty_with_widths(spec: ExportSpec) -> tuple[Any, list[Any]]:
    """Zero rows whose text columns are fixed-width strings: the fields are created that wide."""
    import numpy as np

    _geometry_unused, data, _masks = _arrays(spec, [])
    for i, f in enumerate(spec.fields):
        width = spec.widths.get(f.name)
        if width and data[i].dtype == object:
            data[i] = np.array([], dtype=f"<U{max(1, min(width, DBF_TEXT_BYTES))}")
    return np.array([], dtype=object), data


def has_pyarrow() -> bool:
    """pyarrow present: chunks go to GDAL as Arrow batches (pyogrio.write_arrow), about three times faster."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _arrow_table(spec: ExportSpec, rows: Sequence[Sequence[Any]], names: list[str]) -> Any:
    import numpy as np
    import pyarrow as pa

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(spec.width + 3)]
    arrays = []
    for f, column in zip(spec.fields, columns, strict=False):
        if f.kind == "int":
            values = [None if v is None else int(v) for v in column]
            try:
                arrays.append(pa.array(values, pa.int32()))
            except (OverflowError, pa.ArrowInvalid):
                arrays.append(pa.array(values, pa.int64()))
        elif f.kind == "float":
            arrays.append(pa.array([None if v is None else float(v) for v in column], pa.float64()))
        elif f.kind == "bool":
            arrays.append(pa.array([bool(v) for v in column], pa.bool_()))
        elif f.kind == "date":
            days = np.array([None if v is None else str(v) for v in column], dtype="datetime64[D]")
            arrays.append(pa.array(days, pa.date32(), from_pandas=True))
        elif f.kind == "datetime":
            arrays.append(pa.array([v if v is None or isinstance(v, str) else v.isoformat() for v in column],
                                   pa.string()))
        else:
            arrays.append(pa.array(column, pa.string()))
    arrays.append(pa.array(list(_geometry(spec, columns)), pa.binary()))
    return pa.Table.from_arrays(arrays, names=[*names, "geom"])


def _write_chunk(path: Path, spec: ExportSpec, rows: Sequence[Sequence[Any]], names: list[str],
                 options: dict[str, Any], *, append: bool, arrow: bool) -> None:
    with warnings.catch_warnings():
        # GDAL's truncation warning quotes the value (it may be a contact): never into the logs
        warnings.filterwarnings("ignore", message=r"(?s)Value .* has been truncated", category=RuntimeWarning)
        if arrow:
            import pyogrio

            pyogrio.write_arrow(_arrow_table(spec, rows, names), str(path), geometry_name="geom", append=append,
                                **options)
            return
        from pyogrio import raw

        geometry, data, masks = _arrays(spec, rows)
        mask_arg = masks if any(m is not None for m in masks) else None
        raw.write(str(path), geometry, data, names, field_mask=mask_arg, append=append, **options)


def write_gdal(chunks: Rows, spec: ExportSpec, path: Path, driver: str, *, short_names: bool = False,
               layer_options: dict[str, str] | None = None) -> int:
    """Write every chunk to `path` with pyogrio (append after the first); return the row count.

    With `spec.widths` (longest UTF-8 value per text field) a shapefile's fields are created
    that wide first, so the DBF is never rewritten to widen a field and is no wider than needed.
    """
    from pyogrio import raw

    names = [f.shp if short_names else f.name for f in spec.fields]
    # a shapefile's one layer is named after its file: appending to another name would start a new file
    layer = path.stem if driver == "ESRI Shapefile" else spec.layer.replace("-", "_")
    options: dict[str, Any] = {"driver": driver, "geometry_type": spec.geometry_type, "crs": "EPSG:4326",
                               "layer": layer, "layer_options": layer_options or None}
    if driver == "ESRI Shapefile":
        options["encoding"] = "UTF-8"
    arrow = has_pyarrow()
    total, first = 0, True
    if driver == "ESRI Shapefile" and spec.widths:
        geometry, data = _empty_with_widths(spec)
        raw.write(str(path), geometry, data, names, **options)
        first = False
    for rows in chunks:
        if not rows and not first:
            continue
        _write_chunk(path, spec, rows, names, options, append=not first, arrow=arrow)
        total += len(rows)
        first = False
    if first:  # no chunk at all: an empty layer with its fields
        _write_chunk(path, spec, [], names, options, append=False, arrow=False)
    return total


def write_shapefile_zip(chunks: Rows, spec: ExportSpec, work: Path, base: str) -> Path:
    """`<base>.shp .shx .dbf .prj .cpg` (UTF-8, 10-character names) plus `fields.csv`, zipped in `work`."""
    folder = work / "shp"
    folder.mkdir()
    write_gdal(chunks, spec, folder / f"{base}.shp", "ESRI Shapefile", short_names=True)
    cpg = folder / f"{base}.cpg"
    if not cpg.exists():
        cpg.write_text("UTF-8")
    target = work / f"{base}.shp.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for ext in SHAPE_EXTS:
            archive.write(folder / f"{base}{ext}", f"{base}{ext}")
        archive.writestr("fields.csv", fields_csv(spec.fields))
    return target


def write_gpkg(chunks: Rows, spec: ExportSpec, work: Path, base: str) -> Path:
    target = work / f"{base}.gpkg"
    write_gdal(chunks, spec, target, "GPKG", layer_options={"GEOMETRY_NAME": "geom"})
    return target


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _sheet_text(value: Any) -> Any:
    """Control characters (a pasted vertical tab) that XLSX cannot hold are dropped, not a failed export."""
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value


def write_xlsx(chunks: Rows, spec: ExportSpec, work: Path, base: str) -> Path:
    """A workbook streamed to disk row by row (`gis.exchange.xlsx`, constant memory): the rows with
    lon/lat, then a sheet of field labels. Text stays text: nothing becomes a formula."""
    from gis.exchange.xlsx import XlsxStream

    target = work / f"{base}.xlsx"
    kinds = [f.kind for f in spec.fields]
    lon_at, lat_at = spec.width + 1, spec.width + 2
    with XlsxStream(target) as book:
        sheet = book.sheet(spec.layer)
        sheet.row([f.name for f in spec.fields] + ["lon", "lat"])
        for rows in chunks:
            for row in rows:
                sheet.row([neutralise(plain_value(v, kind)) for kind, v in zip(kinds, row, strict=False)]
                          + [row[lon_at], row[lat_at]])
        labels = book.sheet("fields")
        labels.row(["field_name", "shapefile_name", "label_th", "label_en"])
        for f in spec.fields:
            labels.row([f.name, f.shp, f.label_th, f.label_en])
    return target
