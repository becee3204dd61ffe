"""Prints draw the land (issues 13 and 19): reference parcels and footprints as SVG from PostGIS,
coloured by owner type as on screen, in the legend too; a shared link's print only its own layers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.maps.state import Scope, parse_view
from app.prints import service
from gis.fields import OWNER_COLOURS
from tests.land.conftest import LAT, LON, square

FOOTPRINT_FILL = 'fill="#d84315"'


def _svg(app, query: dict[str, str], scope: Scope | None = None) -> tuple[str, service.MapPrint]:
    scope = scope or Scope()
    with app.test_request_context("/map.pdf", query_string=query):
        view = parse_view(query, scope)
        doc = service.map_print(scope, view, size="A4", title="t", lang="th")
    return doc.svg, doc


def test_a_map_print_draws_the_reference_layers_its_view_names(app, client, auth, pdf, named_layer):
    layer = named_layer("ทางรถไฟบนกระดาษ")
    colour = OWNER_COLOURS["state_railway"]
    svg, doc = _svg(app, {"province": "10", "layers": f"provinces,reference:{layer['id']}"})
    assert f'fill="{colour}"' in svg and f'stroke="{colour}"' in svg          # the parcel, in the owner's colour
    assert "ทางรถไฟบนกระดาษ (การรถไฟแห่งประเทศไทย)" in doc.legend + svg        # and in the legend
    plain, _ = _svg(app, {"province": "10", "layers": "provinces"})
    assert f'fill="{colour}"' not in plain
    printed = pdf(client.get(f"/map.pdf?province=10&layers=provinces,reference:{layer['id']}", headers=auth("viewer")))
    assert printed.has("ทางรถไฟบนกระดาษ")


def test_a_map_print_draws_the_footprints_of_its_cases(app, make_case):
    make_case(footprint=square(half=0.002), community_name="ชุมชนมีขอบเขตบนแผนที่")
    svg, doc = _svg(app, {"province": "10"})
    assert FOOTPRINT_FILL in svg and "ขอบเขตชุมชน" in doc.legend + svg


@pytest.mark.parametrize("layers, status", [("reference:99999999", 400), ("reference:abc", 400),
                                            ("provinces,reference:-1", 400)])
def test_an_unknown_reference_layer_is_a_400(client, auth, layers, status):
    response = client.get(f"/map.pdf?layers={layers}", headers=auth("viewer"))
    assert response.status_code == status and "layers" in response.get_data(as_text=True)


def test_a_shared_links_print_has_its_layers_and_no_footprints(app, client, auth, pdf, named_layer, make_case):
    named, other = named_layer("ชั้นในลิงก์"), named_layer("ชั้นนอกลิงก์", owner_type="treasury")
    make_case(footprint=square(half=0.002))
    response = client.post("/api/v1/share-links", headers=auth("policy"),
                           json={"label": "test: print land", "layers": ["provinces", named["id"]]})
    token = urlsplit(response.get_json()["url"]).path.removeprefix("/s/")
    printed = pdf(client.get(f"/s/{token}.pdf?province=10"))
    assert printed.has("ชั้นในลิงก์") and not printed.has("ชั้นนอกลิงก์") and not printed.has("ขอบเขตชุมชน")
    assert client.get(f"/s/{token}.pdf?layers=reference:{other['id']}").status_code == 400
    from app.sharing import service as sharing
    from app.sharing.service import resolve

    scope = sharing.scope_of(resolve(token))
    svg, _doc = _svg(app, {"province": "10"}, scope)
    assert f'fill="{OWNER_COLOURS["state_railway"]}"' in svg and FOOTPRINT_FILL not in svg


def test_dossier_and_site_brief_maps_draw_the_land(app, client, auth, pdf, named_layer, make_case):
    named_layer("ที่ดินใต้ชุมชน", owner_type="treasury")
    case = make_case(footprint=square(half=0.002), community_name="ชุมชนแฟ้มมีที่ดิน")
    make_case(footprint=square(lon=LON + 0.004, lat=LAT, half=0.001), lon=LON + 0.004, community_name="ชุมชนข้าง")
    doc = pdf(client.get(f"/cases/{case['id']}.pdf", headers=auth("viewer")))
    assert doc.has("ที่ดินใต้ชุมชน (กรมธนารักษ์)") and doc.has("ขอบเขตชุมชน")
    from app.prints import records

    with app.test_request_context("/"):
        dossier = records.case_dossier(case["id"], "viewer", "th")
    assert f'fill="{OWNER_COLOURS["treasury"]}"' in dossier["svg"] and dossier["svg"].count(FOOTPRINT_FILL) >= 2


def test_site_brief_map_draws_the_land_under_the_pilot(app, named_layer):
    from sqlalchemy import text

    from app.extensions import db
    from app.prints import records

    pilot_id = db.session.execute(text("SELECT id FROM pilot_areas WHERE subdistrict_code = '103301'")).scalar()
    assert pilot_id, "the sample pilot subdistrict at Khlong Toei"
    named_layer("ที่ดินใต้พื้นที่รูปธรรม", owner_type="treasury")
    with app.test_request_context("/"):
        brief = records.pilot_brief(pilot_id, "th")
    assert f'fill="{OWNER_COLOURS["treasury"]}"' in brief["svg"]
    assert "ที่ดินใต้พื้นที่รูปธรรม (กรมธนารักษ์)" in brief["svg"]        # the legend inside the map
