"""The fund pages: list with a map, one fund, create and edit forms."""

from __future__ import annotations

from tests.pilot_areas.support import login, scalar


def test_list_page(client, users):
    login(client, users["viewer"])
    html = client.get("/funds").get_data(as_text=True)
    assert "กองทุนชุมชน" in html and "กองทุนบ้านมั่นคงระดับชาติ" in html
    assert 'id="fund-map"' in html and "funds/funds_map.js" in html
    assert "เพิ่มกองทุน" not in html
    level = client.get("/funds?level=national").get_data(as_text=True)
    assert "กองทุนบ้านมั่นคงระดับชาติ" in level and "กองทุนเมืองหาดใหญ่" not in level


def test_create_form_places_a_fund_and_shows_errors(client, users):
    login(client, users["land_team"])
    form = client.get("/funds/new").get_data(as_text=True)
    assert 'id="fund-form-map"' in form and 'name="lon"' in form
    bad = client.post("/funds/new", data={"name": "กองทุนทดสอบ", "level": "city", "capital_baht": "-10",
                                          "lon": "", "lat": ""})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="capital_baht-error"' in html and 'id="lon-error"' in html
    ok = client.post("/funds/new", data={"name": "กองทุนทดสอบเกาะเต่า", "level": "community", "members": "12",
                                         "capital_baht": "15000", "established_on": "2020-01-15",
                                         "network": "", "notes": "", "lon": "99.84", "lat": "10.095"})
    assert ok.status_code == 302
    fund_id = scalar("SELECT id FROM funds WHERE name = 'กองทุนทดสอบเกาะเต่า'")
    assert scalar("SELECT subdistrict_code FROM funds WHERE id = :i", i=fund_id) == "840503"
    page = client.get(f"/funds/{fund_id}").get_data(as_text=True)
    assert "กองทุนทดสอบเกาะเต่า" in page and "840503" in page and "15,000" in page


def test_edit_form_and_stale_version(client, users):
    fund_id = scalar("SELECT id FROM funds WHERE name = 'กองทุนเมืองหาดใหญ่'")
    login(client, users["land_team"])
    html = client.get(f"/funds/{fund_id}/edit").get_data(as_text=True)
    assert "กองทุนเมืองหาดใหญ่" in html
    version = scalar("SELECT version FROM funds WHERE id = :i", i=fund_id)
    lon, lat = scalar("SELECT ARRAY[ST_X(geom), ST_Y(geom)] FROM funds WHERE id = :i", i=fund_id)
    data = {"version": str(version), "name": "กองทุนเมืองหาดใหญ่", "level": "city", "members": "2000",
            "capital_baht": "21500000", "established_on": "2009-11-01", "network": "เครือข่ายบ้านมั่นคงเมืองหาดใหญ่",
            "notes": "", "lon": str(lon), "lat": str(lat)}
    assert client.post(f"/funds/{fund_id}/edit", data=data).status_code == 302
    assert scalar("SELECT members FROM funds WHERE id = :i", i=fund_id) == 2000
    assert scalar("SELECT subdistrict_code FROM funds WHERE id = :i", i=fund_id) == "901101"
    assert client.post(f"/funds/{fund_id}/edit", data=data).status_code == 412
    login(client, users["viewer"])
    assert client.get(f"/funds/{fund_id}/edit").status_code == 403
