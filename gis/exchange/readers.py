"""Read an uploaded table (CSV, XLSX, GeoJSON, GeoPackage, zipped shapefile) into plain rows.

Every reader gives a `Table`: headings, and rows of text values (None for empty) with
the spreadsheet row number a person sees (heading = row 1, first data row = row 2; in
GIS files the first feature is row 2 too). GIS files add `lon`/`lat` taken from their
point geometry, reprojected to WGS 84 when the file names another CRS.

Only our own file names reach GDAL, opened after a magic-byte check and read only
when GDAL says it used the driver of the declared format. GDAL reads every upload with its
network access off, and a GeoJSON's `crs` members are checked first (`gis.exchange.offline`):
no file can make the server fetch a URL.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gis.exchange import encoding as enc
from gis.exchange import zipsafe
from gis.exchange.cells import as_text, unneutralise
from gis.exchange.csv_rows import CsvRows
from gis.exchange.errors import ExchangeError
from gis.exchange.offline import clean_geojson, offline

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "shp")
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".json": "geojson",
              ".gpkg": "gpkg", ".zip": "shp", ".shz": "shp"}
DRIVERS = {"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile"}
# GDAL (3.10+) opens `GeoJSON:path` / `GPKG:path` with that driver only; shapefiles are opened by
# their `.shp` name after a magic-byte check, and every format's driver is checked after opening
DRIVER_PREFIX = {"geojson": "GeoJSON:", "gpkg": "GPKG:", "shp": ""}
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
EPSG_RE = re.compile(r"^EPSG:(\d{4,6})$", re.IGNORECASE)
WGS84 = ("EPSG:4326", "OGC:CRS84")
_GDAL_UNSAFE = re.compile(r"(/vsi|vrt|https?:|ftp:|file:|<)", re.IGNORECASE)


@dataclass
class Row:
    number: int
    values: list[str | None]
    lon: str | None = None
    lat: str | None = None
    geometry_error: str | None = None  # reason code: missing, not a point, out of projection


@dataclass
class Table:
    format: str
    headers: list[str]
    rows: Collection[Row] = field(default_factory=list)  # a list, or the lazy `CsvRows` of a CSV
    notes: dict[str, str] = field(default_factory=dict)  # encoding, crs, layer, delimiter
    has_geometry: bool = False


def _limits(zip_limits: zipsafe.ZipLimits | None) -> zipsafe.ZipLimits:
    return zip_limits or zipsafe.ZipLimits()


def detect_format(filename: str | None, head: bytes, declared: str | None = None) -> str:
    """The format of an upload from `format=` or the file name, checked against its first bytes."""
    if declared:
        fmt = declared.strip().lower()
        if fmt not in FORMATS:
            raise ExchangeError("format_unknown", f"Unknown format {declared[:20]!r}", status=415,
                                allowed=", ".join(FORMATS))
    else:
        name = (filename or "").lower()
        fmt = next((f for ext, f in EXTENSIONS.items() if name.endswith(ext)), "")
        if not fmt:
            if name.endswith(".shp"):
                raise ExchangeError("shp_not_zipped", "Send the shapefile as one zip of .shp .shx .dbf .prj",
                                    status=415)
            raise ExchangeError("format_unknown", "Unsupported file type", status=415, allowed=", ".join(FORMATS))
    if fmt in ("shp", "xlsx") and not zipsafe.is_zip(head):
        raise ExchangeError("not_zip", f"The file is not a zip archive ({fmt})", status=415)
    if fmt == "gpkg" and not (head.startswith(b"SQLite format 3\x00") and head[68:72] in GPKG_IDS):
        raise ExchangeError("gpkg_bad", "The file is not a GeoPackage", status=415)
    if fmt == "geojson" and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        raise ExchangeError("geojson_bad", "The file is not GeoJSON (a JSON object)", status=415)
    if fmt == "csv" and zipsafe.is_zip(head):
        raise ExchangeError("csv_is_zip", "This is a zip or Excel file, not CSV", status=415)
    return fmt


def parse_crs(value: str | None) -> str | None:
    """`EPSG:32647` (the only form accepted from users), normalised; 400 otherwise."""
    if value is None or not value.strip():
        return None
    match = EPSG_RE.match(value.strip())
    if not match:
        raise ExchangeError("crs_bad", "crs must look like EPSG:32647", value=value[:40])
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    code = int(match.group(1))
    try:
        CRS.from_epsg(code)
    except CRSError:
        raise ExchangeError("crs_unknown", f"Unknown CRS EPSG:{code}", value=f"EPSG:{code}") from None
    return f"EPSG:{code}"


def gdal_safe(value: str) -> str:
    """Refuse a value that GDAL could take as a virtual file, a VRT or a URL (layer names)."""
    if _GDAL_UNSAFE.search(value) or "\x00" in value:
        raise ExchangeError("gdal_unsafe", f"Refused name {value[:60]!r}", value=value[:60])
    return value


def read_upload(path: Path, fmt: str, work: Path, *, crs: str | None = None, encoding: str | None = None,
                layer: str | None = None, max_rows: int = 100_000,
                zip_limits: zipsafe.ZipLimits | None = None) -> Table:
    """Read `path` (saved by the caller under its own name) as `fmt`; `work` is a fresh temp dir.

    A file without a single data row is refused: "created 0" would hide a wrong file.
    """
    table = _read_any(path, fmt, work, crs=crs, encoding=encoding, layer=layer, max_rows=max_rows,
                      zip_limits=zip_limits)
    if not table.rows:
        raise ExchangeError("no_rows", "The file holds a heading but no data row")
    return table


def _read_any(path: Path, fmt: str, work: Path, *, crs: str | None, encoding: str | None, layer: str | None,
              max_rows: int, zip_limits: zipsafe.ZipLimits | None) -> Table:
    if fmt == "csv":
        return read_csv(path, encoding=encoding, max_rows=max_rows)
    if fmt == "xlsx":
        return read_xlsx(path, max_rows=max_rows, zip_limits=_limits(zip_limits))
    if fmt == "shp":
        parts = zipsafe.extract_shapefile(path, work, _limits(zip_limits))
        with (work / "data.dbf").open("rb") as handle:
            sample = handle.read(512 * 1024)
        header = int.from_bytes(sample[8:10], "little") if len(sample) >= 10 else 0
        encoding_name = enc.cpg_encoding(parts.cpg, sample[header:], encoding)
        table = read_vector(parts.shp, "shp", crs=crs, encoding=encoding_name, max_rows=max_rows,
                            missing_crs="shp_no_prj")
        if encoding_name:
            table.notes["encoding"] = encoding_name + (" (.cpg)" if parts.cpg and not encoding else "")
        return table
    if fmt in ("geojson", "gpkg"):
        return read_vector(path, fmt, crs=crs, layer=layer, max_rows=max_rows)
    raise ExchangeError("format_unknown", "Unsupported file type", status=415, allowed=", ".join(FORMATS))


# ------------------------------------------------------------------ CSV and XLSX

def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _text_cell(value: Any) -> str | None:
    text = as_text(value)
    return unneutralise(text) if isinstance(value, str) and text is not None else text


def csv_cell(text: str) -> str | None:
    """`_text_cell` of a CSV cell (always text), without its general type checks: 100,000 rows of 25 cells."""
    if not text or text.isspace():
        return None
    return unneutralise(text) if text[0] == "'" else text


def read_csv(path: Path, *, encoding: str | None = None, max_rows: int = 100_000) -> Table:
    """The rows are parsed on each pass over `table.rows` (`CsvRows`): only the decoded text is kept."""
    text, label = enc.decode_table(path.read_bytes(), encoding)
    if "\x00" in text:
        raise ExchangeError("csv_binary", "The file holds NUL bytes: it is not a text CSV")
    end = text.find("\n")
    delimiter = _delimiter(text if end < 0 else text[:end])
    rows = CsvRows(text, delimiter, lambda number, record: Row(number, [csv_cell(c) for c in record]), max_rows)
    if not rows.headers:
        raise ExchangeError("empty_file", "The file is empty")
    return Table("csv", rows.headers, rows,
                 notes={"encoding": label, "delimiter": {"\t": "tab"}.get(delimiter, delimiter)})


def read_xlsx(path: Path, *, max_rows: int = 100_000, zip_limits: zipsafe.ZipLimits) -> Table:
    """The first worksheet; the workbook is scanned for DOCTYPE/ENTITY before openpyxl opens it."""
    zipsafe.check_xlsx(path, zip_limits)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ExchangeError("xlsx_bad", f"The workbook cannot be read: {type(exc).__name__}") from None
    try:
        sheet = workbook.worksheets[0]
        table = Table("xlsx", [], notes={"sheet": sheet.title})
        for number, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number == 1:
                table.headers = ["" if h is None else str(h).strip() for h in record]
                continue
            cells = [_text_cell(c) for c in record]
            if not any(c is not None for c in cells):
                continue
            if len(table.rows) >= max_rows:
                raise ExchangeError("too_many_rows", f"More than {max_rows} rows", status=413, limit=max_rows)
            table.rows.append(Row(number, cells))
    except ExchangeError:
        raise
    except Exception as exc:
        raise ExchangeError("xlsx_bad", f"The workbook cannot be read: {type(exc).__name__}") from None
    finally:
        workbook.close()
    if not table.headers:
        raise ExchangeError("empty_file", "The file is empty")
    return table


# ------------------------------------------------------------------ GIS files through GDAL

def _choose_layer(source: str, fmt: str, wanted: str | None) -> tuple[int, str]:
    """(index, name) of the layer to read: the only one, or the one `layer=` names (by index, so
    no name from the request or the file reaches GDAL)."""
    import pyogrio

    try:
        layers = [str(name) for name, _kind in pyogrio.list_layers(source)]
    except Exception as exc:
        raise ExchangeError(f"{fmt}_bad", f"GDAL cannot open the file: {str(exc)[:200]}", status=400) from None
    if not layers:
        raise ExchangeError("empty_file", "The file holds no layer")
    if fmt != "gpkg" or len(layers) == 1:
        return 0, layers[0]
    if wanted and wanted in layers:
        return layers.index(gdal_safe(wanted)), wanted
    raise ExchangeError("gpkg_layers", f"The GeoPackage holds several layers ({', '.join(layers[:10])}): "
                        "keep one, or name it with layer=", layers=", ".join(layers[:10]))


def _transformer(source: str | None):
    if source is None or source.upper() in WGS84:
        return None
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(source)
        if crs.to_epsg() == 4326:
            return None
        return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except CRSError:
        raise ExchangeError("crs_unknown", "The file's coordinate system is not understood",
                            value=str(source)[:60]) from None


def read_vector(path: Path, fmt: str, *, crs: str | None = None, encoding: str | None = None,
                layer: str | None = None, max_rows: int = 100_000, missing_crs: str = "no_crs") -> Table:
    """A GeoJSON, GeoPackage or shapefile layer: attributes as text and the point as lon/lat."""
    with tempfile.TemporaryDirectory(prefix="gdal-read-") as work, offline():
        if fmt == "geojson":
            path = clean_geojson(path, Path(work))
        return _read_vector(path, fmt, crs=crs, encoding=encoding, layer=layer, max_rows=max_rows,
                            missing_crs=missing_crs)


def _read_vector(path: Path, fmt: str, *, crs: str | None, encoding: str | None, layer: str | None,
                 max_rows: int, missing_crs: str) -> Table:
    import numpy as np
    import pyogrio
    import shapely
    from pyogrio import raw

    source = f"{DRIVER_PREFIX[fmt]}{path}"
    index, chosen = _choose_layer(source, fmt, layer)
    kwargs: dict[str, Any] = {"layer": index}
    try:
        info = pyogrio.read_info(source, encoding=encoding, **kwargs)
    except Exception as exc:
        raise ExchangeError(f"{fmt}_bad", f"GDAL cannot read the file: {str(exc)[:200]}") from None
    if info.get("driver") != DRIVERS[fmt]:
        raise ExchangeError("driver_mismatch", f"The file is not {DRIVERS[fmt]}", status=415,
                            expected=DRIVERS[fmt])
    if info.get("features", 0) > max_rows:
        raise ExchangeError("too_many_rows", f"More than {max_rows} rows", status=413, limit=max_rows)
    source_crs = info.get("crs")
    if source_crs is None:
        if crs is None:
            raise ExchangeError(missing_crs, "The file names no coordinate system (a shapefile without .prj): "
                                "add the .prj or name it, e.g. crs=EPSG:32647")
        source_crs = crs
    elif crs is not None and _transformer(crs) is not None and str(source_crs).upper() != crs.upper():
        raise ExchangeError("crs_conflict", f"The file says {source_crs}, the request says {crs}",
                            file=str(source_crs)[:60], given=crs)
    transformer = _transformer(source_crs)
    try:
        meta, _fids, geometry, columns = raw.read(source, encoding=encoding, **kwargs)
    except Exception as exc:
        raise ExchangeError(f"{fmt}_bad", f"GDAL cannot read the file: {str(exc)[:200]}") from None
    headers = [str(name) for name in meta["fields"]]
    table = Table(fmt, headers, has_geometry=True,
                  notes={"crs": str(source_crs)[:80] if len(str(source_crs)) < 80 else "WKT",
                         **({"layer": chosen} if fmt == "gpkg" else {})})
    count = int(len(columns[0])) if columns else (0 if geometry is None else len(geometry))
    geoms = shapely.from_wkb(geometry) if geometry is not None else np.array([None] * count, dtype=object)
    xs, ys, errors = _points(geoms, shapely)
    if transformer is not None and count:
        ok = ~np.isnan(xs)
        xs[ok], ys[ok] = transformer.transform(xs[ok], ys[ok])
    for i in range(count):
        values = [as_text(column[i]) for column in columns]
        lon = None if np.isnan(xs[i]) else repr(float(xs[i]))
        lat = None if np.isnan(ys[i]) else repr(float(ys[i]))
        if errors[i] is None and (lon is None or not np.isfinite(xs[i]) or not np.isfinite(ys[i])):
            errors[i] = "out of projection"
            lon = lat = None
        table.rows.append(Row(i + 2, values, lon, lat, errors[i]))
    return table


def _points(geoms: Any, shapely: Any) -> tuple[Any, Any, list[str | None]]:
    import numpy as np

    n = len(geoms)
    xs, ys = np.full(n, np.nan), np.full(n, np.nan)
    errors: list[str | None] = [None] * n
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            errors[i] = "missing"
            continue
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if geom.geom_type != "Point":
            errors[i] = "not a point"
            continue
        xs[i], ys[i] = geom.x, geom.y
    return xs, ys, errors


# ------------------------------------------------------------------ shared with the polygon reader
# (gis.reference_layers reads reference land layers and footprint files through these)

def shapefile_source(path: Path, work: Path, encoding: str | None = None,
                     zip_limits: zipsafe.ZipLimits | None = None) -> tuple[Path, str | None, str | None]:
    """Extract a zipped shapefile safely into `work`: (.shp path, its encoding, a note on where it came from)."""
    parts = zipsafe.extract_shapefile(path, work, _limits(zip_limits))
    with (work / "data.dbf").open("rb") as handle:
        sample = handle.read(512 * 1024)
    header = int.from_bytes(sample[8:10], "little") if len(sample) >= 10 else 0
    encoding_name = enc.cpg_encoding(parts.cpg, sample[header:], encoding)
    note = encoding_name + (" (.cpg)" if parts.cpg and not encoding else "") if encoding_name else None
    return parts.shp, encoding_name, note


@dataclass
class VectorSource:
    """A GIS file opened and checked: the GDAL source name, the layer index and name, GDAL's info."""

    source: str
    index: int
    layer: str
    info: dict[str, Any]


def open_vector(path: Path, fmt: str, *, encoding: str | None = None, layer: str | None = None,
                max_rows: int = 100_000, drivers: tuple[str, ...] | None = None) -> VectorSource:
    """Open a layer with its own driver (call inside `offline()`); refuse any other driver."""
    import pyogrio

    source = f"{DRIVER_PREFIX.get(fmt, '')}{path}"
    index, chosen = _choose_layer(source, fmt, layer)
    try:
        info = pyogrio.read_info(source, encoding=encoding, layer=index)
    except Exception as exc:
        raise ExchangeError(f"{fmt}_bad", f"GDAL cannot read the file: {str(exc)[:200]}") from None
    expected = drivers or (DRIVERS[fmt],)
    if info.get("driver") not in expected:
        raise ExchangeError("driver_mismatch", f"The file is not {expected[0]}", status=415, expected=expected[0])
    if info.get("features", 0) > max_rows:
        raise ExchangeError("too_many_rows", f"More than {max_rows} rows", status=413, limit=max_rows)
    return VectorSource(source, index, chosen, info)


def source_crs_of(info: dict[str, Any], crs: str | None, missing_crs: str = "no_crs") -> str:
    """The file's CRS, or the one the request names when the file has none (400 when neither does)."""
    source_crs = info.get("crs")
    if source_crs is None:
        if crs is None:
            raise ExchangeError(missing_crs, "The file names no coordinate system (a shapefile without .prj): "
                                "add the .prj or name it, e.g. crs=EPSG:32647")
        return crs
    if crs is not None and _transformer(crs) is not None and str(source_crs).upper() != crs.upper():
        raise ExchangeError("crs_conflict", f"The file says {source_crs}, the request says {crs}",
                            file=str(source_crs)[:60], given=crs)
    return str(source_crs)
