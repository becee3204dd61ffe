"""Imports: round trips, row errors (all or nothing), updates through workflow and history, encodings."""

from __future__ import annotations

import csv
import io

import numpy as np
import openpyxl
import pytest
import shapely
from pyogrio import raw
from sqlalchemy import select

from app.models import HistoryEntry, LandCase
from tests.exchange.conftest import SEA, counts, upload

MINE = "q=XT-"
HEADER = ["code", "community_name", "households", "population", "land_owner_type", "problem", "status",
          "area_type", "opened_on", "lon", "lat", "notes"]
GOOD = [
    ["", "ชุมชนริมคลองเปรมประชากร", "120", "480", "treasury", "eviction_threat", "reported", "urban",
     "2024-01-05", "100.564", "13.708", ""],
    ["", "ชุมชนหลังตลาดวโรรส", "45", "", "temple", "lease_expired", "surveying", "urban", "", "98.985", "18.788",
     "เช่าที่วัด"],
    ["", "ชุมชนริมทางรถไฟหาดใหญ่", "300", "1200", "state_railway", "public_works", "", "urban", "", "100.474",
     "7.007", ""],
    ["", "ชุมชนบึงแก่นนคร", "80", "", "local_government", "no_tenure_document", "reported", "urban", "",
     "102.835", "16.43", ""],
    ["", "ชุมชนคลองเตย ล็อค 4", "250", "", "", "", "", "", "", "100.5645", "13.7085", ""],
]


def _csv(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _export(client, headers, fmt: str, query: str = "") -> bytes:
    response = client.get(f"/api/v1/export/cases?format={fmt}&{MINE}{query}", headers=headers)
    assert response.status_code == 200
    return response.data


def _state(session) -> dict[str, tuple]:
    rows = session.execute(select(LandCase.code, LandCase.version, LandCase.households, LandCase.status,
                                  LandCase.community_name).where(LandCase.code.like("XT-%")))
    return {r[0]: tuple(r[1:]) for r in rows}


@pytest.mark.parametrize("fmt,filename", [("csv", "cases.csv"), ("xlsx", "cases.xlsx"),
                                          ("geojson", "cases.geojson"), ("gpkg", "cases.gpkg"),
                                          ("shp", "cases.shp.zip")])
def test_export_then_import_changes_nothing(client, auth, make_case, session, fmt, filename):
    make_case(community_name='=HYPERLINK("http://x.example","y")', contact_name="คุณสมศรี", contact_phone="+66 81 000")
    make_case(community_name="ชุมชน" + "ข" * 120, notes="ยาว" * 200, population=900, opened_on="2023-02-01")
    make_case(community_name="ชุมชนริมน้ำ", status="negotiating", land_owner_type="marine", is_sample=True)
    data = _export(client, auth("land_team"), fmt, "&include_contacts=true")
    before, state = counts(), _state(session)
    response = upload(client, auth("land_team"), data, filename)
    assert response.status_code == 200, response.json
    assert response.json["created"] == 0 and response.json["updated"] == 0
    assert response.json["unchanged"] == 3 and response.json["errors"] == []
    assert counts() == before and _state(session) == state


def test_three_bad_rows_are_named_and_nothing_is_written(client, auth, session):
    bad = [row[:] for row in GOOD]
    bad[1][2] = "-5"                        # row 3: households negative
    bad[3][6] = "finished"                  # row 5: unknown status
    bad[4][9], bad[4][10] = "13.7", "100.5"  # row 6: lon/lat swapped
    before = counts()
    response = upload(client, auth("land_team"), _csv(bad), "regions.csv")
    assert response.status_code == 422
    body = response.json
    assert sorted({e["row"] for e in body["errors"]}) == [3, 5, 6]
    assert {(e["row"], e["field"]) for e in body["errors"]} >= {(3, "households"), (5, "status")}
    assert all(e["message"] for e in body["errors"])
    assert body["created"] == 0 and body["error"]["code"] == "validation_error"
    assert counts() == before

    response = upload(client, auth("land_team"), _csv(GOOD), "regions.csv")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 5 and response.json["errors"] == []
    created = session.scalars(select(LandCase).where(LandCase.community_name.in_([r[1] for r in GOOD]))).all()
    assert len(created) == 5
    assert all(c.province_code and c.region_code and c.code.startswith("LC-") for c in created)
    by_name = {c.community_name: c for c in created}
    assert by_name["ชุมชนหลังตลาดวโรรส"].province_code == "50"  # Chiang Mai
    assert by_name["ชุมชนริมคลองเปรมประชากร"].province_code == "10"
    assert by_name["ชุมชนหลังตลาดวโรรส"].status == "surveying"
    assert by_name["ชุมชนริมทางรถไฟหาดใหญ่"].status == "reported"  # empty status: the initial one
    history = session.scalars(select(HistoryEntry).where(HistoryEntry.entity == "land_case",
                                                         HistoryEntry.entity_id.in_([c.id for c in created]))).all()
    assert {h.action for h in history} == {"create"}
    assert {"community_name", "province_code"} <= {h.field for h in history}


def test_dry_run_reports_and_writes_nothing(client, auth):
    before = counts()
    response = upload(client, auth("land_team"), _csv(GOOD), "x.csv", dry_run="true")
    assert response.status_code == 200
    assert response.json["dry_run"] is True and response.json["created"] == 5
    assert counts() == before


def test_updates_go_through_workflow_and_history(client, auth, make_case, session):
    case = make_case(community_name="ชุมชนเดิม", households=100, status="reported")
    other = make_case(community_name="ชุมชนไม่เปลี่ยน")
    text = _export(client, auth("land_team"), "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row["code"] == case.code:
            row["households"], row["status"], row["community_name"] = "130", "surveying", "ชุมชนชื่อใหม่"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    response = upload(client, auth("land_team"), out.getvalue().encode("utf-8-sig"), "edited.csv")
    assert response.status_code == 200, response.json
    assert (response.json["updated"], response.json["unchanged"], response.json["created"]) == (1, 1, 0)
    session.expire_all()
    assert (case.households, case.status, case.community_name, case.version) == (130, "surveying", "ชุมชนชื่อใหม่", 2)
    assert other.version == 1
    entries = session.scalars(select(HistoryEntry).where(HistoryEntry.entity_id == case.id,
                                                         HistoryEntry.entity == "land_case")).all()
    assert {(e.action, e.field, e.old_value, e.new_value) for e in entries} == {
        ("status", "status", "reported", "surveying"), ("update", "households", "100", "130"),
        ("update", "community_name", "ชุมชนเดิม", "ชุมชนชื่อใหม่")}
    assert all(e.user_id is not None and e.note for e in entries)


def test_illegal_transition_is_a_row_error(client, auth, make_case, session):
    case = make_case(status="reported")
    data = _csv([[case.code, case.community_name, "10", "", "", "", "secured", "", "", "100.564", "13.708", ""]])
    response = upload(client, auth("land_team"), data, "x.csv")
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json["errors"]] == [(2, "status")]
    session.expire_all()
    assert case.status == "reported" and case.version == 1


def test_a_point_in_the_sea_rolls_back_every_row(client, auth):
    rows = [GOOD[0], ["", "ชุมชนกลางทะเล", "10", "", "", "", "", "", "", str(SEA[0]), str(SEA[1]), ""]]
    before = counts()
    response = upload(client, auth("land_team"), _csv(rows), "sea.csv")
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json["errors"]] == [(3, "location")]
    assert counts() == before


def test_codes_duplicated_in_the_file_and_deleted_cases(client, auth, make_case, session):
    gone = make_case()
    gone.deleted_at = gone.updated_at
    session.flush()
    rows = [["LC-DUP-1", "ก", "1", "", "", "", "", "", "", "100.564", "13.708", ""],
            ["LC-DUP-1", "ข", "1", "", "", "", "", "", "", "100.564", "13.708", ""],
            [gone.code, "ค", "1", "", "", "", "", "", "", "100.564", "13.708", ""]]
    response = upload(client, auth("land_team"), _csv(rows), "dup.csv")
    assert response.status_code == 422
    assert sorted((e["row"], e["field"]) for e in response.json["errors"]) == [(3, "code"), (4, "code")]


def test_tis620_csv_without_bom_is_detected(client, auth, session):
    data = _csv([GOOD[0][:1] + ["ชุมชนทดสอบภาษาไทยเก่า"] + GOOD[0][2:]], encoding="cp874")
    assert not data.startswith(b"\xef\xbb\xbf")
    response = upload(client, auth("land_team"), data, "old-excel.csv")
    assert response.status_code == 200, response.json
    assert response.json["notes"]["encoding"] == "TIS-620"
    assert session.scalar(select(LandCase.id).where(LandCase.community_name == "ชุมชนทดสอบภาษาไทยเก่า"))


def test_an_unknown_encoding_is_refused_clearly(client, auth):
    data = "code,community_name\n,Café Müller Straße\n".encode("latin-1")
    response = upload(client, auth("land_team"), data, "latin.csv")
    assert response.status_code == 400
    assert "UTF-8" in response.json["error"]["message"]


def test_xlsx_with_thai_headers_and_buddhist_dates(client, auth, session, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ชื่อชุมชน", "จำนวนครัวเรือน", "วันที่รับเรื่อง", "lon", "lat", "สีโปรด"])
    sheet.append(["ชุมชนจาก Excel", 35, "5/1/2567", 100.564, 13.708, "แดง"])
    path = tmp_path / "in.xlsx"
    book.save(path)
    response = upload(client, auth("land_team"), path.read_bytes(), "regions.xlsx")
    assert response.status_code == 200, response.json
    assert response.json["ignored_columns"] == ["สีโปรด"]
    case = session.scalars(select(LandCase).where(LandCase.community_name == "ชุมชนจาก Excel")).one()
    assert case.households == 35 and case.opened_on.isoformat() == "2024-01-05"


def _shapefile(folder, crs: str | None, points, names, encoding: str = "UTF-8"):
    geometry = np.array([shapely.to_wkb(shapely.Point(x, y)) for x, y in points], dtype=object)
    fields = [np.array(names, dtype=object), np.array([10] * len(names), dtype=np.int32)]
    raw.write(str(folder / "cases.shp"), geometry, fields, ["COMM_NAME", "HOUSEHLDS"], driver="ESRI Shapefile",
              geometry_type="Point", crs=crs, encoding=encoding)


def _zip(folder, skip: tuple[str, ...] = ()) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.suffix not in skip:
                archive.write(path, f"layer/{path.name}")
    return out.getvalue()


def test_shapefile_in_utm_with_prj_is_reprojected(client, auth, session, tmp_path):
    _shapefile(tmp_path, "EPSG:32647", [(669_500.0, 1_516_000.0)], ["ชุมชนพิกัด UTM"])
    response = upload(client, auth("land_team"), _zip(tmp_path), "utm.zip")
    assert response.status_code == 200, response.json
    lon, lat = session.execute(select(LandCase.geom.ST_X(), LandCase.geom.ST_Y())
                               .where(LandCase.community_name == "ชุมชนพิกัด UTM")).one()
    assert 100.5 < lon < 100.6 and 13.6 < lat < 13.8


def test_shapefile_without_prj_needs_a_named_crs(client, auth, tmp_path):
    _shapefile(tmp_path, "EPSG:32647", [(669_500.0, 1_516_000.0)], ["ชุมชนไม่มี prj"])
    data = _zip(tmp_path, skip=(".prj",))
    before = counts()
    response = upload(client, auth("land_team"), data, "noprj.zip")
    assert response.status_code == 400
    assert ".prj" in response.json["error"]["message"] and "EPSG:32647" in response.json["error"]["message"]
    assert counts() == before
    response = upload(client, auth("land_team"), data, "noprj.zip", crs="EPSG:32647", dry_run="true")
    assert response.status_code == 200 and response.json["created"] == 1
    assert upload(client, auth("land_team"), data, "noprj.zip", crs="32647").status_code == 400


def test_shapefile_cpg_874_and_sniffed_dbf_encoding(client, auth, tmp_path):
    _shapefile(tmp_path, "EPSG:4326", [(100.564, 13.708)], ["ชุมชนรหัส 874"], encoding="CP874")
    (tmp_path / "cases.cpg").write_text("874")
    response = upload(client, auth("land_team"), _zip(tmp_path), "thai.zip", dry_run="true")
    assert response.status_code == 200, response.json
    assert response.json["notes"]["encoding"].startswith("CP874")
    assert upload(client, auth("land_team"), _zip(tmp_path, skip=(".cpg",)), "thai.zip",
                  dry_run="true").json["notes"]["encoding"] == "CP874"


def test_geometry_must_be_a_point(client, auth):
    body = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"community_name": "ก",'
            ' "households": 1}, "geometry": {"type": "LineString", "coordinates": [[100.5, 13.7], [100.6, 13.8]]}}]}')
    response = upload(client, auth("land_team"), body.encode(), "lines.geojson")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "geometry"


def test_gdal_strings_in_cells_are_stored_as_plain_text(client, auth, session):
    value = "/vsicurl/http://127.0.0.1:9/evil.vrt"
    row = GOOD[0][:]
    row[1], row[11] = "ชุมชน vsicurl", value
    response = upload(client, auth("land_team"), _csv([row]), "x.csv")
    assert response.status_code == 200
    assert session.scalar(select(LandCase.notes).where(LandCase.community_name == "ชุมชน vsicurl")) == value


def test_roles_and_bad_requests(client, auth):
    assert upload(client, auth("viewer"), _csv(GOOD), "x.csv").status_code == 403
    assert upload(client, auth("architect"), _csv(GOOD), "x.csv").status_code == 403
    assert upload(client, auth("land_team"), _csv(GOOD), "x.csv", layer="roads").status_code == 404
    assert upload(client, auth("land_team"), b"hello", "notes.docx").status_code == 415
    assert upload(client, auth("land_team"), _csv(GOOD), "x.csv", crs="+proj=longlat").status_code == 400
    response = client.post("/api/v1/imports/cases", data={}, headers=auth("land_team"),
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_funds_round_trip_update_and_create(client, auth, session):
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from app.models import Fund
    from gis.spatial import derive_admin_areas

    fund = Fund(name="กองทุนเมืองทดสอบนำเข้า", level="city", members=40, capital_baht=125000.50,
                geom=from_shape(Point(100.564, 13.708), srid=4326), version=1, is_sample=False)
    session.add(fund)
    session.flush()
    derive_admin_areas(session.connection(), "funds", [fund.id])
    for fmt, name in [("csv", "f.csv"), ("shp", "f.zip"), ("gpkg", "f.gpkg"), ("xlsx", "f.xlsx")]:
        data = client.get(f"/api/v1/export/funds?format={fmt}&q=ทดสอบนำเข้า", headers=auth("land_team")).data
        before = counts()
        response = upload(client, auth("land_team"), data, name, layer="funds")
        assert response.status_code == 200, response.json
        assert (response.json["unchanged"], response.json["updated"], response.json["created"]) == (1, 0, 0)
        assert counts() == before
    rows = [["id", "name", "level", "members", "capital_baht", "lon", "lat"],
            [str(fund.id), "กองทุนเมืองทดสอบนำเข้า", "city", "45", "125000.50", "100.564", "13.708"],
            ["", "กองทุนชุมชนใหม่", "community", "12", "", "98.985", "18.788"],
            ["", "กองทุนผิด", "galaxy", "-1", "", "98.985", "18.788"]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = upload(client, auth("land_team"), out.getvalue().encode(), "funds.csv", layer="funds")
    assert response.status_code == 422
    assert {(e["row"], e["field"]) for e in response.json["errors"]} == {(4, "level"), (4, "members")}
    out = io.StringIO()
    csv.writer(out).writerows(rows[:3])
    response = upload(client, auth("land_team"), out.getvalue().encode(), "funds.csv", layer="funds")
    assert response.status_code == 200, response.json
    assert (response.json["updated"], response.json["created"]) == (1, 1)
    session.expire_all()
    assert fund.members == 45 and fund.version == 2
    new = session.scalars(select(Fund).where(Fund.name == "กองทุนชุมชนใหม่")).one()
    assert new.province_code == "50"


def test_pilot_areas_round_trip_and_update(client, auth, session):
    from sqlalchemy import text

    from app.models import PilotArea

    code = session.execute(text("""SELECT code FROM subdistricts WHERE ST_Intersects(geom,
                                   ST_SetSRID(ST_MakePoint(98.985, 18.788), 4326))""")).scalar_one()
    session.execute(text("DELETE FROM pilot_areas WHERE subdistrict_code = :c"), {"c": code})
    pilot = PilotArea(subdistrict_code=code, district_code=code[:4], province_code=code[:2],
                      name_th="ตำบลนำร่องทดสอบนำเข้า", stage="planning", version=1, is_sample=False)
    session.add(pilot)
    session.flush()
    for fmt, name in [("csv", "p.csv"), ("gpkg", "p.gpkg"), ("shp", "p.zip")]:
        data = client.get(f"/api/v1/export/pilot-areas?format={fmt}&province={code[:2]}",
                          headers=auth("land_team")).data
        response = upload(client, auth("land_team"), data, name, layer="pilot-areas")
        assert response.status_code == 200, response.json
        assert response.json["updated"] == 0 and response.json["created"] == 0
    rows = [["subdistrict_code", "name_th", "stage"], [code, "ตำบลนำร่องทดสอบนำเข้า", "implementing"],
            ["99999", "ผิด", "planning"]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = upload(client, auth("land_team"), out.getvalue().encode(), "p.csv", layer="pilot-areas")
    assert response.status_code == 422 and [e["row"] for e in response.json["errors"]] == [3]
    session.expire_all()
    assert pilot.stage == "planning"
    out = io.StringIO()
    csv.writer(out).writerows(rows[:2])
    response = upload(client, auth("land_team"), out.getvalue().encode(), "p.csv", layer="pilot-areas")
    assert response.status_code == 200 and response.json["updated"] == 1
    session.expire_all()
    assert pilot.stage == "implementing" and pilot.version == 2


def test_row_errors_in_english(client, auth):
    bad = [GOOD[0][:]]
    bad[0][2] = "-5"
    response = client.post("/api/v1/imports/cases?lang=en", data={"file": (io.BytesIO(_csv(bad)), "x.csv")},
                           headers={**auth("land_team"), "Accept-Language": "en"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "nothing was saved" in response.json["error"]["message"]
    response = upload(client, auth("land_team"), b"\x00PK", "x.zip")
    assert response.status_code == 415


@pytest.mark.parametrize("data, filename, words", [
    (_csv([]), "headings-only.csv", "ไม่มีแถวข้อมูล"),
    (b'{"type": "FeatureCollection", "features": []}', "empty.geojson", "ไม่มีแถวข้อมูล"),
    ("ชื่อ,จำนวน\nก,1\n".encode(), "unknown-headings.csv", "ไม่พบคอลัมน์ที่รู้จัก"),
], ids=["csv-headings-only", "geojson-no-feature", "csv-unknown-headings"])
def test_a_file_with_nothing_to_import_is_refused(client, auth, data, filename, words):
    before = counts()
    response = upload(client, auth("land_team"), data, filename)
    assert response.status_code == 400, response.json
    assert words in response.json["error"]["message"]
    assert counts() == before
