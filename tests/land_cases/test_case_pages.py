"""The land-case pages (Thai first), through the Flask test client with a session login."""

from __future__ import annotations

import io
import re

import pytest
from flask import g

FORM = {"community_name": "ชุมชนหน้าเว็บ", "households": "1,200", "population": "", "land_owner_type": "treasury",
        "problem": "lease_expired", "area_type": "urban", "opened_on": "1/3/2553", "lon": "100.564", "lat": "13.708"}


def test_list_page_is_thai_with_filters_and_paging(login, make_case):
    make_case(community_name="ชุมชนในรายการ")
    client = login("viewer")
    page = client.get("/cases")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "กรณีปัญหาที่ดิน" in html and "ชุมชนในรายการ" in html
    assert 'name="status"' in html and 'name="region"' in html and 'name="province"' in html
    assert "เพิ่มกรณีใหม่" not in html  # a viewer cannot create
    filtered = client.get("/cases?q=ชุมชนในรายการ&status=reported&province=10").get_data(as_text=True)
    assert "ชุมชนในรายการ" in filtered
    assert "พบ 0 กรณี" in client.get("/cases?q=ชุมชนในรายการ&status=secured").get_data(as_text=True)
    assert client.get("/cases?status=nonsense").status_code == 400
    g.pop("_flask_babel", None)  # the test shares one app context: forget the cached locale
    english = client.get("/cases?lang=en").get_data(as_text=True)
    assert "Land cases" in english and "Clear filters" in english


def test_list_page_needs_login(client):
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_case_page_shows_map_timeline_documents_and_forms(login, client, auth, make_case):
    case = make_case(contact_phone="081-999-9999", opened_on="2010-03-01")
    client.post(f"/api/v1/cases/{case['id']}/status", json={"status": "surveying", "note": "ลงสำรวจ"},
                headers=auth("land_team"))
    html = login("land_team").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert 'id="case-map"' in html and "vendor/leaflet/leaflet.js" in html
    assert "ลำดับสถานะ" in html and "ลงสำรวจ" in html and "สำรวจข้อมูล" in html
    assert 'id="document-form"' in html and 'id="status-form"' in html
    assert "1 มี.ค. 2553" in html  # B.E. on screen
    assert "081-999-9999" in html
    viewer = login("viewer").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "081-999-9999" not in viewer and 'id="status-form"' not in viewer and 'id="documents"' not in viewer
    assert "https://" not in re.sub(r"https://tile\.openstreetmap\.org", "", html.split("<body>")[0])


def test_create_through_the_form(login):
    client = login("land_team")
    assert 'id="pick-map"' in client.get("/cases/new").get_data(as_text=True)
    response = client.post("/cases/new", data=FORM)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ชุมชนหน้าเว็บ" in page and "103301" in page and "คลองเตย" in page
    assert "1,200" in page and "1 มี.ค. 2553" in page


def test_form_errors_are_thai_and_next_to_the_field(login, counts):
    client = login("land_team")
    before = counts()
    bad = {**FORM, "households": "-4", "land_owner_type": "moon", "lon": "13.708", "lat": "100.564",
           "community_name": ""}
    response = client.post("/cases/new", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="error-households">ต้องไม่ติดลบ<', html)
    assert re.search(r'id="error-community_name">จำเป็นต้องกรอก<', html)
    assert 'id="error-land_owner_type"' in html
    assert re.search(r'id="error-location">ลองจิจูดและละติจูดน่าจะสลับกัน', html)
    assert 'value="-4"' in html  # what was typed stays
    assert counts() == before


def test_sea_point_in_the_form_is_refused(login, counts):
    before = counts()
    response = login("land_team").post("/cases/new", data={**FORM, "lon": "101.5", "lat": "11.5"})
    assert response.status_code == 422
    assert "ทะเล" in response.get_data(as_text=True)
    assert counts() == before


def test_edit_through_the_form_and_stale_edit(login, make_case, client, auth):
    case = make_case()
    editor = login("land_team")
    form_html = editor.get(f"/cases/{case['id']}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form_html or 'value="1"' in form_html
    data = {**FORM, "community_name": "ชุมชนแก้แล้ว", "version": "1", "code": case["properties"]["code"]}
    response = editor.post(f"/cases/{case['id']}/edit", data=data)
    assert response.status_code == 303
    feature = client.get(f"/api/v1/cases/{case['id']}", headers=auth("viewer")).get_json()
    assert feature["properties"]["community_name"] == "ชุมชนแก้แล้ว" and feature["properties"]["version"] == 2
    assert feature["properties"]["opened_on"] == "2010-03-01"
    stale = editor.post(f"/cases/{case['id']}/edit", data={**data, "community_name": "ทับของคนอื่น"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "มีผู้อื่นบันทึก" in html and 'id="conflict"' in html
    assert 'value="ทับของคนอื่น"' in html and 'value="2"' in html  # the user's input, the new version
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth("viewer")).get_json()["properties"][
        "community_name"] == "ชุมชนแก้แล้ว"


def test_viewer_cannot_open_the_forms(login, make_case):
    case = make_case()
    client = login("viewer")
    assert client.get("/cases/new").status_code == 403
    assert client.post("/cases/new", data=FORM).status_code == 403
    assert client.get(f"/cases/{case['id']}/edit").status_code == 403


def test_status_and_document_forms(login, make_case, client, auth):
    case = make_case()
    editor = login("land_team")
    response = editor.post(f"/cases/{case['id']}/status", data={"status": "surveying", "note": "เริ่ม",
                                                                 "date": "15/1/2553"})
    assert response.status_code == 303
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("viewer")).get_json()["history"]
    assert (history[-1]["new"], history[-1]["effective_on"]) == ("surveying", "2010-01-15")
    refused = editor.post(f"/cases/{case['id']}/status", data={"status": "secured"}, follow_redirects=True)
    assert "สถานะถัดไปที่ทำได้" in refused.get_data(as_text=True)
    upload = editor.post(f"/cases/{case['id']}/documents", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"%PDF-1.4 x"), "โฉนด.pdf"), "kind": "deed"},
                         follow_redirects=True)
    assert "โฉนด.pdf" in upload.get_data(as_text=True)
    disguised = editor.post(f"/cases/{case['id']}/documents", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(b"<html></html>"), "fake.pdf")}, follow_redirects=True)
    assert "รับเฉพาะไฟล์" in disguised.get_data(as_text=True)


def test_delete_and_restore_pages(login, make_case):
    case = make_case(community_name="ชุมชนลบจากหน้าเว็บ")
    editor = login("land_team")
    assert editor.post(f"/cases/{case['id']}/delete").status_code == 303
    assert editor.get(f"/cases/{case['id']}").status_code == 404
    assert "ชุมชนลบจากหน้าเว็บ" not in editor.get("/cases?q=ชุมชนลบ").get_data(as_text=True)
    admin = login("admin")
    assert "กู้คืน" in admin.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert admin.post(f"/cases/{case['id']}/restore").status_code == 303
    assert editor.get(f"/cases/{case['id']}").status_code == 200


def test_list_offers_downloads_of_the_current_filter(login, make_case):
    make_case(community_name="ชุมชนดาวน์โหลด")
    html = login("viewer").get("/cases?province=10&status=reported").get_data(as_text=True)
    assert 'id="case-downloads"' in html
    for fmt in ("shp", "gpkg", "kml", "csv", "xlsx", "geojson"):
        assert f"/api/v1/export/cases?format={fmt}&amp;status=reported&amp;province=10" in html


@pytest.mark.parametrize("query", ["format=x", "layer=x", "endpoint=x", "_anchor=x", "_external=1", "_method=x",
                                   "utm_source=mail"])
def test_stray_query_keys_do_not_break_the_list_or_its_links(login, make_case, query):
    make_case(community_name="ชุมชนคีย์แปลก")
    html = login("viewer").get(f"/cases?province=10&{query}").get_data(as_text=True)
    assert "ชุมชนคีย์แปลก" in html
    assert "/api/v1/export/cases?format=shp&amp;province=10\"" in html
