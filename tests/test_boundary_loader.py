"""The boundary loader: levels, CRS, repairs, and refusals that leave the loaded data alone."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon
from sqlalchemy import func, select

from app.extensions import db
from app.models import Province
from app.reference import load_boundaries
from gis.errors import GisError


def _provinces(tmp_path: Path, crs: str | None, *, upper: bool = True, bowtie: bool = False) -> gpd.GeoDataFrame:
    square = Polygon([(100, 13), (101, 13), (101, 14), (100, 14)])
    shape = Polygon([(100, 13), (101, 14), (101, 13), (100, 14)]) if bowtie else square
    frame = gpd.GeoDataFrame({"ADM1_PCODE": ["TH10", "TH11"], "ADM1_TH": ["กรุงเทพมหานคร", "สมุทรปราการ"],
                              "ADM1_EN": ["Bangkok", "Samut Prakan"]},
                             geometry=[shape, square.buffer(-0.1)], crs="EPSG:4326")
    if not upper:
        frame.columns = [c.lower() if c != "geometry" else c for c in frame.columns]
    return frame.to_crs(crs) if crs else frame


def _zip_shapefile(frame: gpd.GeoDataFrame, tmp_path: Path, *, drop_prj: bool = False) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "adm1.shp", engine="pyogrio")
    target = tmp_path / "adm1.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for part in folder.iterdir():
            if drop_prj and part.suffix == ".prj":
                continue
            archive.write(part, part.name)
    return target


def _province_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Province))


def test_zipped_shapefile_in_utm_is_reprojected(session, tmp_path):
    path = _zip_shapefile(_provinces(tmp_path, "EPSG:32647"), tmp_path)
    (report,) = load_boundaries([path])
    assert report["level"] == "provinces" and report["count"] == 2
    bangkok = db.session.get(Province, "10")
    x = db.session.scalar(select(func.ST_X(func.ST_Centroid(Province.geom))).where(Province.code == "10"))
    assert bangkok.name_th == "กรุงเทพมหานคร" and 100 < x < 101


def test_lower_case_fields_and_invalid_polygons_are_repaired(session, tmp_path):
    path = tmp_path / "adm1.geojson"
    _provinces(tmp_path, None, upper=False, bowtie=True).to_file(path, driver="GeoJSON", engine="pyogrio")
    (report,) = load_boundaries([path])
    assert report["repaired"] == ["10"]
    assert db.session.scalar(select(func.bool_and(func.ST_IsValid(Province.geom))))


@pytest.mark.parametrize("make_bad, message", [
    (lambda tmp: _zip_shapefile(_provinces(tmp, "EPSG:32647"), tmp, drop_prj=True), "coordinate reference system"),
    (lambda tmp: _zip_with(tmp, {"readme.txt": b"hello"}), "no .shp"),
    (lambda tmp: _write(tmp / "bad.gpkg", b"not a geopackage at all"), "Cannot read"),
    (lambda tmp: _write(tmp / "bad.zip", b"PK\x03\x04 broken"), "not a valid zip"),
    (lambda tmp: _no_level(tmp), "Cannot tell the level"),
    (lambda tmp: _write(tmp / "boundaries.csv", b"a,b\n1,2\n"), "use GeoJSON"),
    (lambda tmp: tmp / "missing.geojson", "No such file"),
])
def test_bad_files_are_refused_and_nothing_changes(session, tmp_path, make_bad, message):
    before = _province_count()
    with pytest.raises(GisError, match=message):
        load_boundaries([make_bad(tmp_path)])
    assert _province_count() == before == 77


def test_a_bad_second_file_leaves_the_first_unloaded(session, tmp_path):
    good = tmp_path / "adm1.geojson"
    _provinces(tmp_path, None).to_file(good, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(GisError):
        load_boundaries([good, _write(tmp_path / "bad.gpkg", b"junk")])
    assert _province_count() == 77


def test_cli_reports_errors_without_a_traceback(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["boundaries", "load", str(_write(tmp_path / "x.gpkg", b"junk"))])
    assert result.exit_code == 1 and "nothing was changed" in result.output


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip_with(tmp_path: Path, members: dict[str, bytes]) -> Path:
    target = tmp_path / "nothing.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def _no_level(tmp_path: Path) -> Path:
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Polygon([(100, 13), (101, 13), (101, 14)])], crs=4326)
    path = tmp_path / "nolevel.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path
