"""Issue 15 points 10, 11 and 8 in the exchange: the people's spreadsheet (Thai headings and labels,
B.E. dates, frozen heading, widths) and its round trip through the importer; import errors in the
file's own headings, the bad row kept in the preview, a missing point told in terms of the file;
the result page's links to the new and changed cases."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from sqlalchemy import select

from app.models import LandCase
from gis.exchange.formats import EXPORT_FORMATS, import_accept
from tests.exchange.conftest import counts, upload
from tests.factories import PASSWORD

MINE = "q=XT-"


def _people_book(client, headers, tmp_path, query: str = MINE):
    response = client.get(f"/api/v1/export/cases?format=xlsx-th&{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == EXPORT_FORMATS["xlsx-th"].media_type
    assert ".th.xlsx" in response.headers["Content-Disposition"]
    path = tmp_path / "people.xlsx"
    path.write_bytes(response.data)
    return path


def test_the_peoples_spreadsheet_reads_like_a_page(client, auth, make_case, tmp_path):
    make_case(community_name="ชุมชนคนอ่าน", status="negotiating", land_owner_type="state_railway",
              opened_on="2024-01-15", agreement_type="lease", is_sample=False)
    path = _people_book(client, auth("land_team"), tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["ลำดับ", "รหัสกรณี", "ชื่อชุมชน"] and header[-2:] == ["ลองจิจูด", "ละติจูด"]
    assert "community_name" not in header and "status" not in header
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["สถานะ"] == "เจรจา" and row["ประเภทเจ้าของที่ดิน"] == "การรถไฟแห่งประเทศไทย"
    assert row["วันที่รับเรื่อง"] == "15/01/2567" and row["ข้อมูลตัวอย่าง"] == "ไม่ใช่"
    assert row["รูปแบบข้อตกลง"] == "เช่า" and row["ภาค"] and row["ภาค"] != "bangkok"
    assert re.fullmatch(r"\d\d/\d\d/25\d\d \d\d:\d\d", row["แก้ไขล่าสุด"])
    assert sheet.freeze_panes == "A2"
    assert sheet[1][2].font.b  # a bold heading
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["C"] >= len("ชุมชนคนอ่าน") - 2 and all(8 <= w <= 60 for w in widths.values())
    assert book.sheetnames[1] == "ค่าที่ใช้ได้"
    values = [tuple(c.value for c in r) for r in book.worksheets[1].iter_rows(min_row=2)]
    assert ("สถานะ", "เจรจา", "Negotiating", "negotiating") in values
    # the round-trip spreadsheet is untouched beside it
    plain = client.get(f"/api/v1/export/cases?format=xlsx&{MINE}", headers=auth("land_team"))
    with zipfile.ZipFile(io.BytesIO(plain.data)) as archive:
        first = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "community_name" in first and "<pane" not in first


def test_the_peoples_spreadsheet_goes_back_in(client, auth, make_case, session, tmp_path):
    case = make_case(community_name="ชุมชนไปกลับ", status="surveying", opened_on="2023-06-01",
                     land_owner_type="treasury", lease_expires_on="2030-12-31")
    path = _people_book(client, auth("land_team"), tmp_path)
    data = path.read_bytes()
    before = counts()
    again = upload(client, auth("land_team"), data, "people.xlsx")  # as it came: nothing to change
    assert again.status_code == 200, again.json
    assert again.json["updated"] == 0 and again.json["created"] == 0 and again.json["unchanged"] >= 1
    assert counts() == before
    # a person edits it: Thai labels and B.E. dates, as the sheet shows them
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    at = {name: header.index(name) + 1 for name in header}
    line = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, at["รหัสกรณี"]).value == case.code)
    sheet.cell(line, at["สถานะ"]).value = "เจรจา"
    sheet.cell(line, at["ประเภทเจ้าของที่ดิน"]).value = "ที่วัด"
    sheet.cell(line, at["วันที่รับเรื่อง"]).value = "1 ก.พ. 2566"
    sheet.cell(line, at["จำนวนครัวเรือน"]).value = 99
    new = sheet.max_row + 1
    for name, value in {"ชื่อชุมชน": "ชุมชนใหม่จากแผ่นงาน", "จำนวนครัวเรือน": 12, "สถานะ": "รับเรื่อง",
                        "วันที่รับเรื่อง": "15/01/67", "ลองจิจูด": 100.564, "ละติจูด": 13.708}.items():
        sheet.cell(new, at[name]).value = value
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    answer = upload(client, auth("land_team"), edited.read_bytes(), "edited.xlsx")
    assert answer.status_code == 200, answer.json
    assert (answer.json["created"], answer.json["updated"]) == (1, 1)
    session.expire_all()
    stored = session.get(LandCase, case["id"])
    assert (stored.status, stored.land_owner_type, stored.households) == ("negotiating", "temple", 99)
    assert stored.opened_on.isoformat() == "2023-02-01"
    made = session.scalars(select(LandCase).where(LandCase.community_name == "ชุมชนใหม่จากแผ่นงาน")).one()
    assert made.opened_on.isoformat() == "2024-01-15" and made.status == "reported"


def test_the_registry_offers_it_everywhere():
    assert "xlsx-th" in EXPORT_FORMATS and EXPORT_FORMATS["xlsx-th"].importable
    assert import_accept().count(".xlsx") == 1


CSV_THAI = ("ชื่อชุมชน,จำนวนครัวเรือน,ลองจิจูด,ละติจูด\r\n"
            "ชุมชนแถวดี,12,100.564,13.708\r\n"
            "ชุมชนแถวเสีย,สิบสอง,100.564,13.708\r\n"
            "ชุมชนไม่มีจุด,5,,\r\n").encode("utf-8-sig")


def test_errors_name_the_files_own_headings(client, auth):
    answer = upload(client, auth("land_team"), CSV_THAI, "thai.csv", dry_run="true")
    assert answer.status_code == 422
    errors = {(e["row"], e["field"]): e for e in answer.json["errors"]}
    assert errors[(3, "households")]["column"] == "จำนวนครัวเรือน"  # the machine name stays in `field`
    point = next(e for e in answer.json["errors"] if e["row"] == 4)
    assert point["column"] in ("ลองจิจูด", "ละติจูด")
    assert "คลิก" not in point["message"] and "ลองจิจูด" in point["message"] and "ละติจูด" in point["message"]


def test_a_file_without_point_columns_says_so(client, auth):
    data = "ชื่อชุมชน,จำนวนครัวเรือน\r\nชุมชนไร้พิกัด,5\r\n".encode("utf-8-sig")
    answer = upload(client, auth("land_team"), data, "nopoint.csv", dry_run="true")
    message = next(e["message"] for e in answer.json["errors"] if e["row"] == 2)
    assert "คลิก" not in message and "คอลัมน์" in message and "lon" in message


def _login(client, user) -> None:
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code in (302, 303)


def _preview(client, data: bytes, name: str):
    return client.post("/imports/preview", data={"layer": "cases", "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_bad_row_stays_in_the_preview_marked(client, users):
    _login(client, users["land_team"])
    html = _preview(client, CSV_THAI, "thai.csv").get_data(as_text=True)
    errors = re.search(r'<table class="data errors">(.*?)</table>', html, re.S).group(1)
    assert "จำนวนครัวเรือน" in errors and "households" not in errors
    bad = re.search(r'<tr class="row-error" data-row="3">(.*?)</tr>', html, re.S).group(1)
    assert "ชุมชนแถวเสีย" in bad and "มีข้อผิดพลาด" in bad and "จำนวนครัวเรือน" in bad
    assert re.search(r'<tr class="row-error" data-row="4">', html)
    assert re.search(r'<tr class="" data-row="2">.*?ใหม่', html, re.S)  # the good row: a code will be given


def test_the_result_links_the_new_and_changed_cases(client, users, make_case, session):
    case = make_case(community_name="ชุมชนจะถูกแก้")
    _login(client, users["land_team"])
    data = (f"code,community_name,households,lon,lat\r\n{case.code},ชุมชนถูกแก้แล้ว,{case.households},100.564,13.708\r\n"
            ",ชุมชนเพิ่งนำเข้า,9,100.564,13.708\r\n").encode("utf-8-sig")
    preview = _preview(client, data, "result.csv").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    done = client.post("/imports/confirm", data={"token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("/imports/result")
    page = client.get("/imports/result").get_data(as_text=True)
    made = session.scalars(select(LandCase).where(LandCase.community_name == "ชุมชนเพิ่งนำเข้า")).one()
    new = re.search(r'id="import-new">(.*?)</ul>', page, re.S).group(1)
    changed = re.search(r'id="import-changed">(.*?)</ul>', page, re.S).group(1)
    assert f"/cases/code/{made.code}" in new and f"/cases/code/{case.code}" in changed
    assert "sort=-updated_at" in page
    follow = client.get(f"/cases/code/{made.code}")
    assert follow.status_code == 302 and follow.headers["Location"].endswith(f"/cases/{made.id}")
