"""The pilot pages: list, one pilot with map, reviews and forms (Thai first)."""

from __future__ import annotations

from tests.pilot_areas.support import login, scalar


def test_list_page_in_thai_with_counts_and_the_sample_badge(client, users):
    login(client, users["viewer"])
    html = client.get("/pilot-areas").get_data(as_text=True)
    assert "พื้นที่รูปธรรม 30 ตำบล" in html  # the heading counts what is there (30 in the sample data)
    assert 'class="badge sample"' in html and "ข้อมูลตัวอย่าง" in html
    assert "คลองเตย" in html and "กรุงเทพมหานคร" in html
    assert 'id="new-pilot"' not in html  # a viewer cannot add pilots
    filtered = client.get("/pilot-areas?region=south-z9").get_data(as_text=True)
    assert "หาดใหญ่" in filtered and "คลองเตย" not in filtered


def test_list_page_creates_a_pilot(client, users):
    login(client, users["land_team"])
    html = client.get("/pilot-areas").get_data(as_text=True)
    assert 'id="new-pilot"' in html
    response = client.post("/pilot-areas", data={"subdistrict_code": "TH500102", "team": "ทีมเชียงใหม่"})
    assert response.status_code == 302
    pilot_id = scalar("SELECT id FROM pilot_areas WHERE subdistrict_code = '500102'")
    assert response.headers["Location"].endswith(f"/pilot-areas/{pilot_id}")
    again = client.post("/pilot-areas", data={"subdistrict_code": "500102"})
    assert again.status_code == 409 and "เป็นพื้นที่รูปธรรมอยู่แล้ว" in again.get_data(as_text=True)
    unknown = client.post("/pilot-areas", data={"subdistrict_code": "999999"})
    assert unknown.status_code == 422 and "ไม่พบตำบลรหัส 999999" in unknown.get_data(as_text=True)


def test_pilot_page_shows_map_counts_and_review_form_for_architects(client, users):
    pilot_id = scalar("SELECT id FROM pilot_areas WHERE subdistrict_code = '103301'")
    login(client, users["architect"])
    html = client.get(f"/pilot-areas/{pilot_id}").get_data(as_text=True)
    assert 'id="pilot-map"' in html and "vendor/leaflet/leaflet.js" in html
    assert "ความเห็นของสถาปนิก" in html and 'name="verdict"' in html
    count = scalar("SELECT count(*) FROM land_cases WHERE subdistrict_code = '103301' AND deleted_at IS NULL")
    assert f'<strong id="case-count">{count}</strong>' in html
    posted = client.post(f"/pilot-areas/{pilot_id}/reviews",
                         data={"verdict": "approved", "comment": "ผังชุมชนครบทุกชุมชนแล้ว"})
    assert posted.status_code == 302
    html = client.get(f"/pilot-areas/{pilot_id}").get_data(as_text=True)
    assert "ผังชุมชนครบทุกชุมชนแล้ว" in html and users["architect"].display_name in html
    bad = client.post(f"/pilot-areas/{pilot_id}/reviews", data={"verdict": "", "comment": "?"})
    assert bad.status_code == 422


def test_viewer_sees_reviews_but_no_forms(client, users):
    pilot_id = scalar("SELECT id FROM pilot_areas WHERE subdistrict_code = '901101'")
    login(client, users["viewer"])
    html = client.get(f"/pilot-areas/{pilot_id}").get_data(as_text=True)
    assert "ความเห็นของสถาปนิก" in html and 'name="verdict"' not in html
    assert "/edit" not in html
    assert client.post(f"/pilot-areas/{pilot_id}/reviews", data={"verdict": "approved"}).status_code == 403
    assert client.get(f"/pilot-areas/{pilot_id}/edit").status_code == 403
    assert client.get("/pilot-areas/999999").status_code == 404


def test_edit_form_saves_and_refuses_stale_versions(client, users):
    pilot_id = scalar("SELECT id FROM pilot_areas WHERE subdistrict_code = '840101'")
    version = scalar("SELECT version FROM pilot_areas WHERE id = :i", i=pilot_id)
    login(client, users["architect"])
    form = client.get(f"/pilot-areas/{pilot_id}/edit").get_data(as_text=True)
    assert f'name="version" value="{version}"' in form
    data = {"version": str(version), "name_th": "ตำบลตลาด เมืองสุราษฎร์ธานี", "team": "ทีมภาคใต้",
            "architect": "สถาปนิกชุมชน", "stage": "scaling", "targets": "ขยายผลทั้งเมือง", "notes": ""}
    assert client.post(f"/pilot-areas/{pilot_id}/edit", data=data).status_code == 302
    assert scalar("SELECT stage FROM pilot_areas WHERE id = :i", i=pilot_id) == "scaling"
    stale = client.post(f"/pilot-areas/{pilot_id}/edit", data={**data, "stage": "planning"})
    assert stale.status_code == 412 and "ถูกแก้ไขไปแล้ว" in stale.get_data(as_text=True)
    bad = client.post(f"/pilot-areas/{pilot_id}/edit", data={**data, "version": str(version + 1), "stage": "x"})
    assert bad.status_code == 422


def test_pages_need_login(client):
    response = client.get("/pilot-areas")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
