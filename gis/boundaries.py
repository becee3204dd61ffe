"""Read official (COD-AB) boundary files and replace a level in PostGIS in one transaction."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import shapely
from sqlalchemy import Connection, text

if TYPE_CHECKING:
    import geopandas as gpd

from gis.errors import GisError
from gis.exchange.offline import offline
from gis.geometry import as_multipolygon, to_ewkb_hex


@dataclass(frozen=True)
class Level:
    """One administrative level and how COD-AB names its fields."""

    table: str
    adm: int
    code_length: int
    parents: tuple[tuple[str, int], ...]  # (column, adm level of that parent)


LEVELS = {
    "provinces": Level("provinces", 1, 2, ()),
    "districts": Level("districts", 2, 4, (("province_code", 1),)),
    "subdistricts": Level("subdistricts", 3, 6, (("district_code", 2), ("province_code", 1))),
}
ALLOWED_SUFFIXES = {".geojson", ".json", ".gpkg", ".zip", ".shp"}


@dataclass
class BoundaryLayer:
    """A level read from a file, normalised to DOPA codes and MultiPolygons in EPSG:4326."""

    level: Level
    frame: gpd.GeoDataFrame
    source: str
    repaired: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _gdal_path(path: Path) -> str:
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            shps = [n for n in archive.namelist() if n.lower().endswith(".shp")]
    except zipfile.BadZipFile:
        raise GisError(f"{path.name} is not a valid zip file") from None
    if not shps:
        raise GisError(f"{path.name} holds no .shp file")
    if len(shps) > 1:
        raise GisError(f"{path.name} holds {len(shps)} shapefiles; give one per zip")
    return f"/vsizip/{path}/{shps[0]}"


def detect_level(columns: list[str]) -> Level:
    """The deepest level whose ADMn_PCODE field the file carries (any letter case)."""
    lower = {c.lower() for c in columns}
    for level in sorted(LEVELS.values(), key=lambda lv: -lv.adm):
        if f"adm{level.adm}_pcode" in lower:
            return level
    raise GisError("Cannot tell the level: the file has no ADM1_PCODE, ADM2_PCODE or ADM3_PCODE field")


def _dopa(codes: gpd.GeoSeries, length: int, name: str) -> gpd.GeoSeries:
    cleaned = codes.astype("string").str.strip().str.upper().str.removeprefix("TH")
    bad = ~cleaned.fillna("").str.fullmatch(rf"\d{{{length}}}")
    if bad.any():
        sample = ", ".join(map(str, codes[bad].head(3).tolist()))
        raise GisError(f"{int(bad.sum())} rows have a malformed {name} (e.g. {sample})")
    return cleaned


def read_boundaries(path: str | Path) -> BoundaryLayer:
    """Read one boundary file and normalise it; raise GisError on anything unusable."""
    path = Path(path)
    if not path.is_file():
        raise GisError(f"No such file: {path}")
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        raise GisError(f"{path.name}: use GeoJSON, GeoPackage or a zipped shapefile")
    import pyogrio  # with geopandas and pandas: loaded for a boundary file, not with the app

    try:
        with offline():  # a boundary file never makes the server fetch a URL (see gis.exchange.offline)
            frame = pyogrio.read_dataframe(_gdal_path(path))
    except GisError:
        raise
    except Exception as exc:  # GDAL reports corrupt files in many ways
        raise GisError(f"Cannot read {path.name}: {str(exc)[:200]}") from None
    if frame.crs is None:
        raise GisError(f"{path.name} has no coordinate reference system (a shapefile needs its .prj)")
    frame.columns = [c if c == "geometry" else c.lower() for c in frame.columns]
    level = detect_level(list(frame.columns))
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return _normalise(frame, level, path.name)


def _normalise(frame: gpd.GeoDataFrame, level: Level, source: str) -> BoundaryLayer:
    import geopandas as gpd

    n = level.adm
    out = gpd.GeoDataFrame({"code": _dopa(frame[f"adm{n}_pcode"], level.code_length, f"ADM{n}_PCODE")})
    for column, parent in level.parents:
        if f"adm{parent}_pcode" in frame:
            out[column] = _dopa(frame[f"adm{parent}_pcode"], 2 * parent, f"ADM{parent}_PCODE")
        else:
            out[column] = out["code"].str[: 2 * parent]
    names_th = frame[f"adm{n}_th"] if f"adm{n}_th" in frame else out["code"]
    out["name_th"] = names_th.astype("string").fillna(out["code"])
    out["name_en"] = frame[f"adm{n}_en"].astype("string") if f"adm{n}_en" in frame else None
    duplicated = out["code"].duplicated(keep=False)
    if duplicated.any():
        raise GisError(f"Duplicate codes in {source}: {', '.join(sorted(set(out['code'][duplicated])))[:200]}")
    layer = BoundaryLayer(level, out, source)
    layer.frame = out.set_geometry(_repair(frame.geometry.values, out["code"], layer), crs=4326)
    keep = layer.frame.geometry.notna()
    layer.dropped = layer.frame["code"][~keep].tolist()
    layer.frame = layer.frame[keep]
    if layer.frame.empty:
        raise GisError(f"{source} holds no usable polygons")
    return layer


def _repair(geoms, codes, layer: BoundaryLayer) -> list:
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    fixed = geoms.copy()
    if invalid.any():
        fixed[invalid] = shapely.make_valid(geoms[invalid])
        layer.repaired = codes[invalid].tolist()
    return [as_multipolygon(g) for g in fixed]


def replace_level(conn: Connection, layer: BoundaryLayer) -> int:
    """Replace every row of the layer's level with the layer, by COPY, in the caller's transaction."""
    table = layer.level.table
    columns = ["code", *(c for c, _ in layer.level.parents), "name_th", "name_en"]
    import pandas as pd

    buffer = io.StringIO()
    for row, geom in zip(layer.frame[columns].itertuples(index=False), layer.frame.geometry):
        values = ["\\N" if v is None or pd.isna(v) else _copy_escape(str(v)) for v in row]
        buffer.write("\t".join([*values, to_ewkb_hex(geom)]) + "\n")
    conn.execute(text(f"DELETE FROM {table}"))
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}, geom) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
    return len(layer.frame)


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def load_files(conn: Connection, paths: list[str | Path]) -> list[dict]:
    """Read every file first, then replace each level; nothing is written if any file fails."""
    layers = [read_boundaries(p) for p in paths]
    report = []
    for layer in layers:
        started = time.perf_counter()
        count = replace_level(conn, layer)
        report.append({
            "source": layer.source, "level": layer.level.table, "count": count,
            "repaired": layer.repaired, "dropped": layer.dropped,
            "seconds": round(time.perf_counter() - started, 2),
        })
    return report


def find_default_files(dirs: list[Path]) -> list[Path]:
    """The first folder holding the three tha_adm*.geojson files (or any boundary files)."""
    for folder in dirs:
        found = sorted(folder.glob("tha_adm[123]*.geojson")) if folder.is_dir() else []
        if found:
            return found
    return []
