"""Edge cases found in review: stale exports, double confirms, damaged zips, odd cells."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from app.exchange import uploads
from app.models import LandCase
from tests.exchange.conftest import counts, csv_bytes, upload
from tests.exchange.test_pages import CSV, _login, _preview


def _export_csv(client, headers) -> list[dict[str, str]]:
    response = client.get("/api/v1/export/cases?format=csv&q=XT-", headers=headers)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_a_row_from_an_older_export_is_refused_not_reverted(client, auth, make_case, session):
    case = make_case(households=10)
    rows = _export_csv(client, auth("land_team"))
    case.households, case.version = 99, case.version + 1  # a colleague's edit after the export
    session.commit()  # a savepoint here: the refused import's rollback must not undo the setup
    rows[0]["notes"] = "แก้ในไฟล์เก่า"
    before = counts()
    response = upload(client, auth("land_team"), csv_bytes(rows), "old.csv")
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["field"] == "version" and error["reason"] == "stale version"
    assert counts() == before and session.get(LandCase, case.id).households == 99
    rows[0]["version"] = str(case.version)  # the same edit on a fresh export goes in
    assert upload(client, auth("land_team"), csv_bytes(rows), "new.csv").json["updated"] == 1


def test_a_confirm_while_another_holds_the_upload_gets_410(client, users, app):
    _login(client, users["land_team"])
    token = re.search(r'name="token" value="([^"]+)"', _preview(client, CSV).get_data(as_text=True)).group(1)
    before = counts()
    with app.test_request_context(), uploads.claimed(token, users["land_team"].id) as (path, meta):
        assert path.exists() and meta["layer"] == "cases"
        assert client.post("/imports/confirm", data={"token": token}).status_code == 410
    assert counts() == before
    assert client.post("/imports/confirm", data={"token": token}).status_code == 410  # gone after use


def _damaged_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            archive.writestr(f"c{ext}", b"x" * 5000)
    data = bytearray(out.getvalue())
    start = data.index(b"c.shp") + len(b"c.shp")  # the deflate stream of the first member
    data[start + 5:start + 40] = b"\xff" * 35
    return bytes(data)


@pytest.mark.parametrize("data, filename, layer", [
    (_damaged_zip(), "damaged.zip", "cases"),
    ("id,name,level,lon,lat\n²,กองทุนแปลก,community,100.564,13.708\n".encode(), "funds.csv", "funds"),
], ids=["damaged-deflate-stream", "fund-id-superscript-digit"])
def test_damaged_or_odd_files_are_4xx(client, auth, data, filename, layer):
    before = counts()
    response = upload(client, auth("land_team"), data, filename, layer=layer)
    assert 400 <= response.status_code < 500, response.json
    assert counts() == before


def test_xlsx_export_drops_control_characters(client, auth, make_case, tmp_path):
    make_case(notes="บรรทัด\x0bแรก\x0cต่อ", community_name="ชุมชน\x1fควบคุม")
    response = client.get("/api/v1/export/cases?format=xlsx&q=XT-", headers=auth("land_team"))
    assert response.status_code == 200
    (tmp_path / "x.xlsx").write_bytes(response.data)
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "ชุมชนควบคุม" in values and "บรรทัดแรกต่อ" in values


def test_csv_round_trip_keeps_line_separators_inside_cells(client, auth, make_case, session):
    case = make_case(notes="ก\u2028ข\u0085ค", is_sample=True)
    data = client.get("/api/v1/export/cases?format=csv&q=XT-", headers=auth("land_team")).data
    response = upload(client, auth("land_team"), data, "same.csv")
    assert response.status_code == 200, response.json
    assert response.json["unchanged"] == 1 and response.json["updated"] == 0
    assert session.scalar(select(LandCase.is_sample).where(LandCase.id == case.id)) is True


def test_the_page_reads_the_named_layer_of_a_geopackage(client, users, tmp_path):
    import numpy as np
    import shapely
    from pyogrio import raw

    path = tmp_path / "two.gpkg"
    for layer, name in (("roads", "ถนน"), ("communities", "ชุมชนในแพ็กเกจ")):
        raw.write(str(path), np.array([shapely.to_wkb(shapely.Point(100.564, 13.708))], dtype=object),
                  [np.array([name], dtype=object), np.array([7], dtype=np.int32)], ["community_name", "households"],
                  driver="GPKG", layer=layer, geometry_type="Point", crs="EPSG:4326", append=path.exists())
    _login(client, users["land_team"])
    form = {"layer": "cases", "file": (io.BytesIO(path.read_bytes()), "two.gpkg")}
    refused = client.post("/imports/preview", data=form, content_type="multipart/form-data")
    assert refused.status_code == 400 and "roads" in refused.get_data(as_text=True)
    form = {"layer": "cases", "gpkg_layer": "communities", "file": (io.BytesIO(path.read_bytes()), "two.gpkg")}
    preview = client.post("/imports/preview", data=form, content_type="multipart/form-data")
    assert preview.status_code == 200 and "ชุมชนในแพ็กเกจ" in preview.get_data(as_text=True)


def test_a_new_fund_with_a_blank_is_sample_cell_is_not_sample(client, auth):
    data = "name,level,is_sample,lon,lat\nกองทุนช่องว่าง,community,,99.84,10.095\n".encode()
    response = upload(client, auth("land_team"), data, "funds.csv", layer="funds")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 1


def test_a_pilot_repeated_in_the_file_is_named_in_thai(client, auth):
    data = "subdistrict_code,name_th\n500102,ก\n500102,ข\n".encode()
    response = upload(client, auth("admin"), data, "pilots.csv", layer="pilot-areas")
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["row"] == 3 and "ซ้ำกับแถวที่ 2" in error["message"]


def test_the_user_can_name_a_shapefiles_encoding_over_a_wrong_cpg(client, auth, session, tmp_path):
    import numpy as np
    import shapely
    from pyogrio import raw

    from tests.exchange.test_safety import _zip

    raw.write(str(tmp_path / "c.shp"), np.array([shapely.to_wkb(shapely.Point(100.564, 13.708))], dtype=object),
              [np.array(["ชุมชนรหัสผิด"], dtype=object), np.array([12], dtype=np.int32)], ["comm_name", "househlds"],
              driver="ESRI Shapefile",
              geometry_type="Point", crs="EPSG:4326", encoding="CP874")
    parts = {p.suffix: p.read_bytes() for p in tmp_path.iterdir() if p.suffix != ".cpg"}
    data = _zip({**{f"c{e}": d for e, d in parts.items()}, "c.cpg": b"UTF-8"})  # the .cpg lies
    response = upload(client, auth("land_team"), data, "old.zip", encoding="tis-620")
    assert response.status_code == 200, response.json
    assert session.scalar(select(LandCase.id).where(LandCase.community_name == "ชุมชนรหัสผิด"))
    refused = upload(client, auth("land_team"), data, "old.zip", encoding="latin-9")
    assert refused.status_code == 400
