"""Land pages: the case page's section, the footprint upload form, the overview and the conflicts list."""

from __future__ import annotations

import io

from tests.land.conftest import LON, feature_collection, square


def _login(client, user) -> None:
    from tests.factories import PASSWORD

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303)


def test_case_page_shows_land_section(client, auth, users, make_case, make_layer):
    make_layer(square(half=0.01), owner_type="treasury", owner="กรมธนารักษ์")
    case = make_case(footprint=square(), land_owner_type="state_railway")
    neighbour = make_case(footprint=square(lon=LON + 0.001), lon=LON + 0.001)
    _login(client, users["land_team"])
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "ที่ดินที่ชุมชนตั้งอยู่" in page
    assert 'id="owner-conflict"' in page and "ข้อมูลเจ้าของที่ดินไม่ตรงกัน" in page
    assert "ไร่" in page and "งาน" in page and "ตารางวา" in page
    assert f'/cases/{neighbour["id"]}' in page
    assert "leaflet-geoman.min.js" in page and 'id="footprint-save"' in page


def test_viewer_sees_no_editing(client, users, make_case):
    case = make_case(footprint=square())
    _login(client, users["viewer"])
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "ที่ดินที่ชุมชนตั้งอยู่" in page and 'id="footprint-save"' not in page
    assert '"editable": false' in page


def test_english_case_page(client, users, make_case):
    case = make_case(footprint=square())
    _login(client, users["viewer"])
    page = client.get(f"/cases/{case['id']}?lang=en").get_data(as_text=True)
    assert "Land the community stands on" in page and "rai-ngan-sq. wa" in page


def test_footprint_upload_form(client, users, make_case):
    case = make_case()
    _login(client, users["land_team"])
    data = feature_collection(square())
    response = client.post(f"/land/cases/{case['id']}/footprint", data={"file": (io.BytesIO(data), "f.geojson")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    feature = client.get(f"/api/v1/cases/{case['id']}").get_json()
    assert feature["properties"]["area_rai"] > 25
    two = feature_collection(square(), square(lon=LON + 0.0001))
    client.post(f"/land/cases/{case['id']}/footprint", data={"file": (io.BytesIO(two), "f.geojson")},
                content_type="multipart/form-data")
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "รูปหลายเหลี่ยมเพียงรายการเดียว" in page
    client.post(f"/land/cases/{case['id']}/footprint", data={"remove": "1"})
    assert client.get(f"/api/v1/cases/{case['id']}").get_json()["properties"]["footprint"] is None


def test_footprint_upload_needs_write(client, users, make_case):
    case = make_case()
    _login(client, users["viewer"])
    response = client.post(f"/land/cases/{case['id']}/footprint", data={"remove": "1"})
    assert response.status_code == 403


def test_overview_and_upload_form(client, users):
    _login(client, users["land_team"])
    data = feature_collection(square(half=0.01))
    response = client.post("/land/layers", data={"name": "ที่ราชพัสดุทดสอบ", "owner_type": "treasury",
                                                 "file": (io.BytesIO(data), "t.geojson")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get("/land").get_data(as_text=True)
    assert "ที่ราชพัสดุทดสอบ" in page and "ชั้นข้อมูลที่ดินอ้างอิง" in page
    assert 'id="layer-form"' in page
    bad = client.post("/land/layers", data={"name": "x", "owner_type": "nope",
                                            "file": (io.BytesIO(data), "t.geojson")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert bad.status_code == 200 and "ค่าที่ใช้ได้" in bad.get_data(as_text=True)


def test_viewer_overview_has_no_upload(client, users):
    _login(client, users["viewer"])
    page = client.get("/land").get_data(as_text=True)
    assert 'id="layer-form"' not in page


def test_conflicts_page(client, users, make_case, make_layer):
    make_layer(square(half=0.01), owner_type="forest")
    case = make_case(land_owner_type="private", community_name="ชุมชนขัดแย้ง")
    _login(client, users["viewer"])
    page = client.get("/land/conflicts?kind=owner").get_data(as_text=True)
    assert "ชุมชนขัดแย้ง" in page and f"/cases/{case['id']}#land" in page
    assert client.get("/land/conflicts?kind=bogus").status_code == 400
    assert client.get("/land/conflicts?page=abc").status_code == 400
    region = case["properties"]["region_code"]
    assert "ชุมชนขัดแย้ง" in client.get(f"/land/conflicts?region={region}").get_data(as_text=True)


def test_history_table_keeps_the_outline_out_of_sight(client, auth, users, make_case):
    from tests.land_cases.conftest import etag_of

    case = make_case(footprint=square())
    headers = {**auth("land_team"), "If-Match": etag_of(client, case["id"], auth("land_team"))}
    assert client.patch(f"/api/v1/cases/{case['id']}", json={"footprint": square(half=0.0005)},
                        headers=headers).status_code == 200
    _login(client, users["viewer"])
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    history = page.split('id="history"')[1]
    assert "ขอบเขตใหม่ (เก็บรูปไว้)" in history and '"coordinates"' not in history and "ไร่" in history


def test_deleted_case_page_still_renders_for_admins(client, auth, users, make_case):
    case = make_case(footprint=square())
    assert client.delete(f"/api/v1/cases/{case['id']}", headers=auth("land_team")).status_code == 204
    _login(client, users["admin"])
    response = client.get(f"/cases/{case['id']}")
    assert response.status_code == 200 and "ที่ดินที่ชุมชนตั้งอยู่" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/cases/{case['id']}/land", headers=auth("admin")).status_code == 404
