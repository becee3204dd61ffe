"""Exports read back with GDAL (pyogrio), CSV/XLSX with Thai intact and formulas neutralised."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pyogrio
import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select, text

from app.exchange import queries
from app.models import Fund, LandCase, PilotArea
from gis.fields import CASE_FIELDS
from gis.spatial import derive_admin_areas

MINE = "q=XT-"  # the factory's codes: only this test's cases
HYPERLINK = '=HYPERLINK("http://evil.example/","คลิก")'


def _names_in_db(session) -> dict[str, str]:
    rows = session.execute(select(LandCase.code, LandCase.community_name).where(LandCase.code.like("XT-%"),
                                                                                 LandCase.deleted_at.is_(None)))
    return dict(rows.all())


def _read(tmp_path, data: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(data)
    return pyogrio.read_dataframe(path), pyogrio.read_info(path)


def test_shapefile_zip_opens_with_gdal(client, auth, make_case, session, tmp_path):
    make_case(community_name="ชุมชนริมทางรถไฟ บางซื่อ")
    make_case(community_name="ชุมชนหลังวัด ๑๒๓ (ไทย)", community_name_en="Behind the temple")
    make_case(community_name="ชุมชน" + "ก" * 150)  # longer than a DBF field holds (254 bytes)
    response = client.get(f"/api/v1/export/cases?format=shp&{MINE}", headers=auth("land_team"))
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert "cases_all_filtered_" in disposition and ".shp.zip" in disposition and "filename*=UTF-8''" in disposition
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    base = archive.namelist()[0].rsplit(".", 1)[0]
    assert sorted(archive.namelist()) == sorted([f"{base}{e}" for e in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
                                                + ["fields.csv"])
    assert archive.read(f"{base}.cpg").decode().strip().upper() == "UTF-8"
    archive.extractall(tmp_path)
    shp = tmp_path / f"{base}.shp"
    info = pyogrio.read_info(shp)
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == 3
    assert all(len(name) <= 10 for name in info["fields"])
    assert {"comm_name", "househlds", "subd_code", "prov_code"} <= set(info["fields"])
    frame = pyogrio.read_dataframe(shp)
    stored = _names_in_db(session)
    exported = dict(zip(frame["code"], frame["comm_name"], strict=True))
    long_code = next(c for c, n in stored.items() if len(n) > 100)
    for code, name in stored.items():
        if code == long_code:  # cut at the DBF limit on a character boundary, still a prefix
            assert name.startswith(exported[code]) and len(exported[code].encode()) <= 254
        else:
            assert exported[code] == name
    mapping = list(csv.DictReader(io.StringIO(archive.read("fields.csv").decode("utf-8-sig"))))
    by_short = {row["shapefile_name"]: row for row in mapping}
    assert by_short["comm_name"]["field_name"] == "community_name"
    assert by_short["comm_name"]["label_th"] == "ชื่อชุมชน"
    assert "cont_name" not in by_short  # no contacts unless asked for


@pytest.mark.parametrize("fmt,suffix,drivers", [
    ("gpkg", "gpkg", {"GPKG"}), ("geojson", "geojson", {"GeoJSON"}), ("kml", "kml", {"KML", "LIBKML"}),
])
def test_gpkg_geojson_kml_read_back(client, auth, make_case, session, tmp_path, fmt, suffix, drivers):
    make_case(community_name="ชุมชนคลองเตย ล็อค ๑-๒-๓")
    make_case(community_name="ชุมชน & <พิเศษ> \"เครื่องหมาย\"")
    response = client.get(f"/api/v1/export/cases?format={fmt}&{MINE}", headers=auth("viewer"))
    assert response.status_code == 200
    frame, info = _read(tmp_path, response.data, f"out.{suffix}")
    assert info["driver"] in drivers
    assert info["features"] == 2
    assert info["crs"] in ("EPSG:4326", None) or "WGS" in str(info["crs"])
    names = frame["community_name"] if "community_name" in frame else frame["Name"]
    assert sorted(names) == sorted(_names_in_db(session).values())
    assert all(geom.geom_type == "Point" for geom in frame.geometry)


def test_kml_placemark_names_are_thai(client, auth, make_case):
    make_case(community_name="ชุมชนริมน้ำเจ้าพระยา")
    response = client.get(f"/api/v1/export/cases?format=kml&{MINE}", headers=auth("viewer"))
    body = response.data.decode("utf-8")
    assert "<name>ชุมชนริมน้ำเจ้าพระยา</name>" in body
    assert response.mimetype == "application/vnd.google-earth.kml+xml"


def test_csv_has_bom_thai_lonlat_and_neutralised_formula(client, auth, make_case):
    make_case(community_name=HYPERLINK, households=7)
    make_case(community_name="ชุมชนบ่อนไก่", notes="-ไม่มีเอกสาร", land_owner="+ กรมธนารักษ์", team="-5")
    response = client.get(f"/api/v1/export/cases?format=csv&{MINE}", headers=auth("land_team"))
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {"lon", "lat", "community_name"} <= set(rows[0])
    names = {r["community_name"] for r in rows}
    assert "ชุมชนบ่อนไก่" in names
    assert "'" + HYPERLINK in names and HYPERLINK not in names
    other = next(r for r in rows if r["community_name"] == "ชุมชนบ่อนไก่")
    assert other["notes"] == "'-ไม่มีเอกสาร" and other["land_owner"] == "'+ กรมธนารักษ์"
    assert other["team"] == "-5"  # a number is left alone
    assert 97 < float(other["lon"]) < 106 and 5 < float(other["lat"]) < 21


def test_xlsx_cells_are_text_not_formulas(client, auth, make_case, tmp_path):
    make_case(community_name=HYPERLINK)
    response = client.get(f"/api/v1/export/cases?format=xlsx&{MINE}", headers=auth("land_team"))
    path = tmp_path / "out.xlsx"
    path.write_bytes(response.data)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("community_name") + 1)
    assert cell.data_type == "s" and cell.value == "'" + HYPERLINK


def _header(client, headers, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/export/cases?format=csv&{MINE}{query}", headers=headers)
    assert response.status_code == 200
    return next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_contacts_only_for_allowed_roles_that_ask(client, auth, make_case, tmp_path):
    make_case(contact_name="นางสาวทดสอบ ติดต่อ", contact_phone="081-000-0000")
    assert "contact_name" not in _header(client, auth("viewer"))
    assert "contact_name" not in _header(client, auth("viewer"), "&include_contacts=true")
    assert "contact_name" not in _header(client, auth("policy"), "&include_contacts=true")
    assert "contact_name" not in _header(client, auth("land_team"))
    with_contacts = _header(client, auth("land_team"), "&include_contacts=true")
    assert {"contact_name", "contact_phone"} <= set(with_contacts)
    response = client.get(f"/api/v1/export/cases?format=shp&{MINE}&include_contacts=true", headers=auth("viewer"))
    assert response.headers["X-Contacts-Included"] == "false"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    archive.extractall(tmp_path)
    shp = next(tmp_path.glob("*.shp"))
    assert not {"cont_name", "cont_phone"} & set(pyogrio.read_info(shp)["fields"])
    response = client.get(f"/api/v1/export/cases?format=geojson&{MINE}", headers=auth("viewer"))
    assert "นางสาวทดสอบ" not in response.data.decode()


def test_filters_scope_and_deleted(client, auth, make_case, session):
    make_case(community_name="ชุมชนเจรจา", status="negotiating")
    make_case(community_name="ชุมชนรับเรื่อง", status="reported")
    gone = make_case(community_name="ชุมชนที่ถูกลบ", status="negotiating")
    session.execute(text("UPDATE land_cases SET deleted_at = now() WHERE id = :i"), {"i": gone.id})
    response = client.get(f"/api/v1/export/cases?format=geojson&status=negotiating&{MINE}", headers=auth("viewer"))
    names = [f["properties"]["community_name"] for f in response.json["features"]]
    assert names == ["ชุมชนเจรจา"]
    assert "cases_all_negotiating_" in response.headers["Content-Disposition"]
    bangkok = client.get(f"/api/v1/export/cases?format=csv&region=bangkok&{MINE}", headers=auth("viewer"))
    assert "cases_bangkok_" in bangkok.headers["Content-Disposition"]
    bangkok.close()
    for query, status in [("status=nope", 400), ("bbox=1,2", 400), ("colour=red", 400), ("format=dwg", 400),
                          ("region=atlantis", 400)]:
        assert client.get(f"/api/v1/export/cases?{query}", headers=auth("viewer")).status_code == status
    assert client.get("/api/v1/export/roads?format=csv", headers=auth("viewer")).status_code == 404
    assert client.get("/api/v1/export/cases?format=csv").status_code == 401


def test_spooled_writers_append_chunk_by_chunk(client, auth, make_case, tmp_path, monkeypatch):
    for n in range(7):
        make_case(community_name=f"ชุมชนที่ {n}")
    monkeypatch.setattr(queries, "CHUNK_ROWS", 2)
    for fmt, suffix in [("shp", "zip"), ("gpkg", "gpkg"), ("csv", "csv"), ("geojson", "geojson")]:
        response = client.get(f"/api/v1/export/cases?format={fmt}&{MINE}", headers=auth("viewer"))
        if fmt == "shp":
            archive = zipfile.ZipFile(io.BytesIO(response.data))
            assert len(archive.namelist()) == 6
            archive.extractall(tmp_path / "shp")
            assert pyogrio.read_info(next((tmp_path / "shp").glob("*.shp")))["features"] == 7
        elif fmt == "csv":
            assert len(response.data.decode("utf-8-sig").strip().splitlines()) == 8
        else:
            assert _read(tmp_path, response.data, f"chunks.{suffix}")[1]["features"] == 7


def test_empty_export_is_a_valid_file(client, auth, tmp_path):
    response = client.get("/api/v1/export/cases?format=shp&q=no-such-case-anywhere", headers=auth("viewer"))
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    archive.extractall(tmp_path)
    assert pyogrio.read_info(next(tmp_path.glob("*.shp")))["features"] == 0


def test_pilot_area_and_fund_exports(client, auth, session, tmp_path):
    code = session.execute(text("""SELECT code FROM subdistricts WHERE ST_Intersects(geom,
                                   ST_SetSRID(ST_MakePoint(100.564, 13.708), 4326))""")).scalar_one()
    session.execute(text("DELETE FROM pilot_areas WHERE subdistrict_code = :c"), {"c": code})
    session.add(PilotArea(subdistrict_code=code, district_code=code[:4], province_code=code[:2],
                          name_th="ตำบลนำร่อง ทดสอบส่งออก", stage="planning", version=1))
    fund = Fund(name="กองทุนเมืองทดสอบส่งออก", level="city", members=40, capital_baht=125000.50,
                geom=from_shape(Point(100.564, 13.708), srid=4326), version=1)
    session.add(fund)
    session.flush()
    derive_admin_areas(session.connection(), "funds", [fund.id])
    for layer, name_column, geometry in [("pilot-areas", "name_th", "MultiPolygon"), ("funds", "name", "Point")]:
        for fmt in ("shp", "gpkg", "kml", "geojson", "csv", "xlsx"):
            response = client.get(f"/api/v1/export/{layer}?format={fmt}&province=10", headers=auth("viewer"))
            assert response.status_code == 200, (layer, fmt, response.data[:300])
            assert response.get_data()
            assert f"{layer}_province-10_" in response.headers["Content-Disposition"]
        response = client.get(f"/api/v1/export/{layer}?format=gpkg&province=10", headers=auth("viewer"))
        frame, info = _read(tmp_path, response.data, f"{layer}.gpkg")
        assert info["geometry_type"] in (geometry, "Unknown")
        assert ("ตำบลนำร่อง ทดสอบส่งออก" if layer == "pilot-areas" else "กองทุนเมืองทดสอบส่งออก") in \
            list(frame[name_column])
    response = client.get("/api/v1/export/funds?format=shp&province=10", headers=auth("viewer"))
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    archive.extractall(tmp_path / "funds")
    fields = pyogrio.read_info(next((tmp_path / "funds").glob("*.shp")))["fields"]
    assert {"capital", "estab_on"} <= set(fields) and all(len(f) <= 10 for f in fields)


def test_case_field_short_names_are_unique():
    shorts = [f.shp for f in CASE_FIELDS]
    assert len(shorts) == len(set(shorts)) and all(len(s) <= 10 for s in shorts)


def test_arrow_and_plain_gdal_writers_agree(client, auth, make_case, tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    from gis.exchange import writers

    make_case(community_name="ชุมชนเทียบผล", population=None, opened_on="2022-03-04")
    make_case(community_name="ชุมชนเทียบผล 2", population=55)
    frames = []
    for arrow in (True, False):
        monkeypatch.setattr(writers, "has_pyarrow", lambda arrow=arrow: arrow)
        response = client.get(f"/api/v1/export/cases?format=shp&{MINE}", headers=auth("viewer"))
        folder = tmp_path / str(arrow)
        zipfile.ZipFile(io.BytesIO(response.data)).extractall(folder)
        frames.append(pyogrio.read_dataframe(next(folder.glob("*.shp"))))
    assert frames[0].drop(columns="geometry").equals(frames[1].drop(columns="geometry"))
    assert list(frames[0].geometry.to_wkt()) == list(frames[1].geometry.to_wkt())
