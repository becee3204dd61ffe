"""SQL injection (and other hostile values) in every filter and sort parameter of every list.

Table-driven: each list endpoint names its parameters and what a hostile value must give:
  REJECT  -> a 400 naming the parameter (a vocabulary, a number, a code, a bbox ...);
  TEXT    -> free text (`q`, a boundary `code`): 200 with no feature matched, or a 400
             when the value is too long or holds a NUL byte; never a wider answer;
  IGNORED -> a page's filter menu that falls back to "all" for a value it does not know: 200.
A listed route missing from the URL map fails (a rename must not hide behind a skip); a payload
that reached SQL runs into the transaction's statement timeout and fails the request.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import text
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.adversarial.conftest import THAI, refused, unchanged

REJECT, TEXT, IGNORED = "reject", "text", "ignored"

PAYLOADS = {
    "or-true": "' OR 1=1--",
    "stacked-drop": "1; DROP TABLE land_cases",
    "paren-or": "reported') OR ('1'='1",
    "stacked-delete": "id;DELETE FROM users",
    "union": "1 UNION SELECT contact_name, contact_phone FROM land_cases--",
    "sleep": "1) OR pg_sleep(3) IS NULL--",
    "like": "%' OR '%'='",
    "nul": "reported\x00' OR 1=1",
    "unicode": "\u202e\ufeffʼ OR ʼ1ʼ=ʼ1 𝕏 ชุมชน",
    "huge": "9" * 10_000,
    "bigint": "99999999999999999999",
}

_MAP = {"status": REJECT, "layers": REJECT, "province": REJECT, "region": REJECT, "c": REJECT, "z": REJECT,
        "base": REJECT, "as_of": REJECT, "from": REJECT, "to": REJECT}
_MAP_DATA = {"layer": REJECT, "status": REJECT, "province": REJECT, "region": REJECT, "bbox": REJECT, "q": TEXT,
             "limit": REJECT, "zoom": REJECT, "as_of": REJECT, "from": REJECT}

# (path, role for a Bearer token or None, fixed query, {parameter: kind})
LISTS = [
    ("/api/v1/cases", "land_team", {}, {"bbox": REJECT, "status": REJECT, "region": REJECT, "province": REJECT,
                                        "q": TEXT, "limit": REJECT, "offset": REJECT, "sort": REJECT,
                                        "include_deleted": REJECT, "as_of": REJECT}),
    ("/api/v1/pilot-areas", "viewer", {}, {"region": REJECT, "province": REJECT, "stage": REJECT, "bbox": REJECT,
                                           "limit": REJECT, "offset": REJECT}),
    ("/api/v1/funds", "viewer", {}, {"region": REJECT, "province": REJECT, "level": REJECT, "bbox": REJECT,
                                     "q": TEXT, "limit": REJECT, "offset": REJECT}),
    ("/api/v1/boundaries/provinces", None, {}, {"code": TEXT, "bbox": REJECT, "simplify": REJECT}),
    ("/api/v1/dashboard", "viewer", {}, {"region": REJECT, "as_of": REJECT}),
    ("/api/v1/changes", "viewer", {"from": "2025-10-01"}, {"to": REJECT, "region": REJECT, "province": REJECT,
                                                          "points": REJECT}),
    ("/api/v1/audit", "admin", {}, {"entity": REJECT, "limit": REJECT}),
    ("/map/data", "viewer", {}, _MAP_DATA),
    ("/map/data", "viewer", {"layer": "choropleth"}, {"level": REJECT}),
    ("/s/{token}/data", None, {}, {k: v for k, v in _MAP_DATA.items()}),
    ("/api/v1/export/cases", "land_team", {"format": "geojson"},
     {"format": REJECT, "bbox": REJECT, "status": REJECT, "region": REJECT, "province": REJECT, "q": TEXT,
      "include_contacts": REJECT, "as_of": REJECT}),
    ("/api/v1/export/pilot-areas", "viewer", {"format": "geojson"},
     {"bbox": REJECT, "region": REJECT, "province": REJECT, "stage": REJECT}),
    ("/api/v1/export/funds", "viewer", {"format": "geojson"},
     {"bbox": REJECT, "region": REJECT, "province": REJECT, "level": REJECT, "q": TEXT}),
    ("/ogc/collections/cases/items", "land_team", {},
     {"bbox": REJECT, "limit": REJECT, "offset": REJECT, "datetime": REJECT, "status": REJECT, "region": REJECT,
      "province": REJECT, "q": TEXT, "f": REJECT}),
    ("/ogc/collections/pilot-areas/items", "viewer", {},
     {"bbox": REJECT, "datetime": REJECT, "region": REJECT, "province": REJECT, "stage": REJECT}),
    ("/ogc/collections/funds/items", "viewer", {},
     {"bbox": REJECT, "region": REJECT, "province": REJECT, "level": REJECT, "q": TEXT}),
    ("/ogc/collections/districts/items", None, {}, {"province": REJECT, "bbox": REJECT, "limit": REJECT}),
    ("/tiles/cases/10/797/472.mvt", "viewer", {}, {"status": REJECT, "region": REJECT, "province": REJECT}),
    # land (app.land)
    ("/api/v1/case-footprints", "viewer", {}, {"bbox": REJECT, "status": REJECT, "region": REJECT,
                                               "province": REJECT, "limit": REJECT, "offset": REJECT}),
    ("/api/v1/land/summary", "viewer", {}, {"region": REJECT}),
    ("/api/v1/export/case-footprints", "land_team", {"format": "geojson"},
     {"bbox": REJECT, "status": REJECT, "region": REJECT, "province": REJECT, "q": TEXT, "include_contacts": REJECT}),
    ("/ogc/collections/case-footprints/items", "viewer", {},
     {"bbox": REJECT, "status": REJECT, "region": REJECT, "province": REJECT, "q": TEXT}),
    ("/ogc/collections/reference-parcels/items", "viewer", {}, {"layer": REJECT, "owner_type": REJECT, "bbox": REJECT}),
    ("/tiles/case-footprints/14/12729/7567.mvt", "viewer", {}, {"status": REJECT, "region": REJECT,
                                                               "province": REJECT}),
    ("/land/conflicts", "viewer", {}, {"region": REJECT, "kind": REJECT, "page": REJECT}),
    ("/land", "viewer", {}, {"region": REJECT}),
    # pages
    ("/cases", "viewer", {}, {"status": REJECT, "region": REJECT, "province": REJECT, "q": TEXT, "page": REJECT}),
    ("/map", "viewer", {}, _MAP),
    ("/map.pdf", "viewer", {}, {**_MAP, "size": REJECT}),
    ("/map/south.pdf", "viewer", {}, {"status": REJECT, "layers": REJECT, "province": REJECT, "size": REJECT}),
    ("/s/{token}.pdf", None, {}, {"status": REJECT, "layers": REJECT, "province": REJECT, "size": REJECT}),
    ("/s/{token}", None, {}, {k: v for k, v in _MAP.items()}),
    ("/dashboard", "viewer", {}, {"region": REJECT}),
    ("/admin/", "admin", {}, {"entity": IGNORED, "limit": REJECT}),
    ("/pilot-areas", "viewer", {}, {"region": IGNORED, "stage": IGNORED}),
    ("/funds", "viewer", {}, {"region": IGNORED, "level": IGNORED}),
]
CASES = [pytest.param(path, role, fixed, name, kind, payload, id=f"{path}?{name}={key}")
         for path, role, fixed, params in LISTS for name, kind in params.items()
         for key, payload in PAYLOADS.items()]


def route_exists(app, path: str) -> bool:
    """True when the URL map answers GET `path`: a renamed or removed route fails its tests, never skips."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path.replace("{token}", "x" * 43), method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    return True


@pytest.fixture()
def statement_timeout(session):
    """A payload that reached SQL (`pg_sleep(3)`) is cancelled by the database and fails the request
    (a 500), so that no test needs a clock: for this test's transaction only."""
    session.execute(text("SET LOCAL statement_timeout = '2s'"))


def _features(response) -> list:
    body = response.get_json(force=True)
    return body["features"]


@pytest.mark.parametrize("path, role, fixed, name, kind, payload", CASES)
def test_hostile_filter_value(app, client, auth, scene, statement_timeout, path, role, fixed, name, kind, payload):
    assert route_exists(app, path), f"{path} is listed in LISTS but not in the URL map"
    url = path.replace("{token}", scene["token"])
    headers = auth(role) if role else {}
    page = not (url.startswith(("/api/", "/ogc", "/tiles/")) or url.endswith("/data"))
    with unchanged(client):
        response = client.get(url, query_string={**fixed, name: payload}, headers=headers)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        if kind == REJECT or response.status_code != 200:
            body = refused(response, 400, None if page else "bad_request", page=page)
            if not page and kind == REJECT:
                fields = {d.get("field") for d in body["error"]["details"]}
                assert name in fields or name in body["error"]["message"], body
        elif kind == TEXT:
            if page:
                assert THAI.search(response.get_data(as_text=True))
            else:
                assert _features(response) == [], "free text widened the answer"
        else:
            assert response.status_code == 200
    if kind != REJECT and response.status_code == 400:
        assert "\x00" in payload or len(payload) > 100, "plain text was refused"
    assert "ADVCONTACT" not in response.get_data(as_text=True)


HOSTILE_NAMES = ["status;DROP TABLE land_cases", "q' OR '1'='1", "sort\x00", "ข้อมูล" * 50]
STRICT_LISTS = ["/api/v1/cases", "/api/v1/export/cases?format=geojson", "/ogc/collections/cases/items"]


@pytest.mark.parametrize("path", STRICT_LISTS)
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["drop", "quote", "nul", "long"])
def test_hostile_parameter_names_are_unknown_parameters(app, client, auth, scene, path, name):
    base, _sep, fixed = path.partition("?")
    assert route_exists(app, base), f"{base} is listed in STRICT_LISTS but not in the URL map"
    query = "&".join(part for part in (fixed, f"{quote(name, safe='')}=1") if part)
    with unchanged(client):
        refused(client.get(f"{base}?{query}", headers=auth("land_team")), 400, "bad_request")


PATHS = [
    "/api/v1/boundaries/provinces';DROP TABLE provinces--",
    "/api/v1/boundaries/%00",
    "/api/v1/export/cases%27%20OR%201=1",
    "/map/south%27%20OR%20%271%27=%271",
    "/map/%00",
    "/map/south%27%20OR%20%271%27=%271.pdf",
    "/map/%00.pdf",
    "/cases/99999999999999999999.pdf",
    "/s/" + "A" * 43 + "%27%20OR%201=1.pdf",
    "/ogc/collections/cases%27--/items",
    "/ogc/collections/cases/items/1%20OR%201=1",
    "/ogc/collections/cases/items/%00",
    "/ogc/collections/provinces/items/10%27%20OR%20%271%27=%271",
    "/api/v1/cases/99999999999999999999",
    "/cases/99999999999999999999",
    "/cases/code/LC-1%27%20OR%20%271%27=%271",
    "/cases/code/%00",
    "/cases/code/" + "A" * 300,
    "/s/" + "A" * 43 + "%27%20OR%201=1",
    "/tiles/cases/0/0/0.mvt?status=reported%27)--",
    "/tiles/cases%27--/0/0/0.mvt",
]


@pytest.mark.parametrize("path", PATHS)
def test_hostile_path_segments_are_refused(app, client, auth, scene, path):
    owners = {"/tiles/": "tiles.vector_tile", "/ogc/": "ogc.items", "/api/v1/export/": "exchange_api.export_layer"}
    owner = next((e for prefix, e in owners.items() if path.startswith(prefix)), None)
    assert owner is None or owner in app.view_functions, f"{owner} is not in the URL map"
    with unchanged(client):
        response = client.get(path, headers=auth("land_team"))
        page = path.startswith(("/map", "/cases", "/s/"))
        refused(response, (400, 404), page=page)


@pytest.mark.parametrize("field", ["email", "password"])
@pytest.mark.parametrize("key", PAYLOADS)
def test_hostile_login_is_a_thai_refusal(client, users, statement_timeout, field, key):
    form = {"email": users["admin"].email, "password": "wrong password", field: PAYLOADS[key]}
    with unchanged(client):
        response = client.post("/login", data=form)
        refused(response, (400, 401), page=True)
    assert client.get("/cases").status_code == 302  # not signed in
