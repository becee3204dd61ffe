"""HTML/JS in every text field, made through the API, shown escaped on every page that shows it.

Each field gets its own payload (`<script>alert(N)</script>` or `"><img src=x onerror=alert(N)>`),
so a leak names the field. Every page is checked for the raw tags; every field must be seen
(escaped) on at least one page, so that the check is not passing on pages that hide the field.
"""

from __future__ import annotations

import itertools
import re

import pytest

from tests.adversarial.conftest import PDF, free_subdistrict, share_token, upload
from tests.factories import case_payload

RAW = re.compile(r"<script>alert\(|<img src=x onerror", re.I)
_n = itertools.count(11)


def _payload(short: bool = False) -> str:
    n = next(_n)
    return f'"><img src=x onerror=alert({n})>' if short or n % 2 else f"<script>alert({n})</script>"


def _marker(value: str) -> str:
    return re.search(r"alert\(\d+\)", value).group(0)


@pytest.fixture()
def hostile(client, auth, users, session) -> dict:
    """Every text field of every record set to its own payload, through the API."""
    fields: dict[str, str] = {}

    def put(name: str, value: str | None = None) -> str:
        fields[name] = value or _payload()
        return fields[name]

    body = case_payload(code=put("case.code", _payload(short=True)), community_name=put("case.community_name"),
                        community_name_en=put("case.community_name_en"), land_owner=put("case.land_owner"),
                        team=put("case.team"), contact_name=put("case.contact_name"),
                        contact_phone=put("case.contact_phone", _payload(short=True)), notes=put("case.notes"))
    land_team = auth("land_team")
    case = client.post("/api/v1/cases", json=body, headers=land_team)
    assert case.status_code == 201, case.get_json()
    case_id = case.get_json()["id"]
    status = client.post(f"/api/v1/cases/{case_id}/status", json={"status": "surveying",
                                                                 "note": put("case.status_note")}, headers=land_team)
    assert status.status_code == 200, status.get_json()
    # a browser sends " in a file name as %22: the name carries the tag without it
    name = put("document.original_name", f"'><img src=x onerror=alert({next(_n)})>.pdf")
    doc = upload(client, f"/api/v1/cases/{case_id}/documents", land_team, PDF, name,
                 description=put("document.description"))
    assert doc.status_code == 201, doc.get_json()
    pilot = client.post("/api/v1/pilot-areas", headers=auth("land_team"), json={
        "subdistrict_code": free_subdistrict(), "name_th": put("pilot.name_th"), "team": put("pilot.team"),
        "architect": put("pilot.architect"), "targets": put("pilot.targets"), "notes": put("pilot.notes")})
    assert pilot.status_code == 201, pilot.get_json()
    pilot_id = pilot.get_json()["id"]
    review = client.post(f"/api/v1/pilot-areas/{pilot_id}/reviews", headers=auth("architect"),
                         json={"verdict": "needs_changes", "comment": put("review.comment")})
    assert review.status_code == 201, review.get_json()
    fund = client.post("/api/v1/funds", headers=land_team, json={
        "name": put("fund.name"), "level": "city", "network": put("fund.network"), "notes": put("fund.notes"),
        "lon": 100.564, "lat": 13.708})
    assert fund.status_code == 201, fund.get_json()
    link = client.post("/api/v1/share-links", headers=auth("policy"),
                       json={"label": put("share.label"), "expires_in_days": 1})
    assert link.status_code == 201, link.get_json()
    users["land_team"].name = put("user.name")  # accounts are made on the command line; still escaped
    session.flush()
    return {"fields": fields, "case_id": case_id, "pilot_id": pilot_id, "fund_id": fund.get_json()["id"],
            "token": share_token(link.get_json()["url"])}


PAGES = [
    ("land_team", "/cases"), ("land_team", "/cases?q=alert"), ("land_team", "/cases/{case_id}"),
    ("land_team", "/cases/{case_id}/edit"), ("land_team", "/pilot-areas"), ("land_team", "/pilot-areas/{pilot_id}"),
    ("land_team", "/pilot-areas/{pilot_id}/edit"), ("land_team", "/funds"), ("land_team", "/funds/{fund_id}"),
    ("land_team", "/funds/{fund_id}/edit"), ("land_team", "/dashboard"), ("land_team", "/map"),
    ("admin", "/admin/"), ("admin", "/cases/{case_id}"), ("viewer", "/cases/{case_id}"), (None, "/s/{token}"),
]
OGC_PAGES = ["/ogc/collections/cases/items?f=html&q=alert", "/ogc/collections/cases/items/{case_id}?f=html",
             "/ogc/collections/pilot-areas/items/{pilot_id}?f=html", "/ogc/collections/funds/items/{fund_id}?f=html"]
DATA = ["/map/data?q=alert", "/map/data?layer=funds", "/map/data?layer=pilot-areas", "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/history", "/api/v1/audit", "/api/v1/share-links", "/api/v1/dashboard"]


def _get(client, auth, role, path, ids):
    response = client.get(path.format(**ids), headers=auth(role) if role else {})
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response


def test_every_text_field_is_escaped_on_every_page(client, auth, hostile):
    seen: set[str] = set()
    in_json: set[str] = set()
    for role, path in PAGES:
        response = _get(client, auth, role, path, hostile)
        html = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        leaks = [m.group(0) for m in RAW.finditer(html)]
        assert not leaks, f"unescaped on {path}: {leaks}"
        seen |= {name for name, value in hostile["fields"].items() if _marker(value) in html}
    # JSON never turns into a page: right type, nosniff (the map's script escapes what it shows)
    for path in DATA:
        response = _get(client, auth, "admin", path, hostile)
        assert response.mimetype in ("application/json", "application/geo+json")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        in_json |= {name for name, value in hostile["fields"].items()
                    if _marker(value) in response.get_data(as_text=True)}
    # every field is checked on an HTML page, except those no page shows (JSON only)
    assert set(hostile["fields"]) - seen == JSON_ONLY, set(hostile["fields"]) - seen
    assert JSON_ONLY <= in_json


def test_contacts_stay_off_pages_of_roles_without_them(client, auth, hostile):
    contacts = [hostile["fields"][k] for k in ("case.contact_name", "case.contact_phone")]
    for role, path in [("viewer", "/cases/{case_id}"), ("architect", "/cases/{case_id}"), (None, "/s/{token}")]:
        html = _get(client, auth, role, path, hostile).get_data(as_text=True)
        assert not any(_marker(c) in html for c in contacts), path


@pytest.mark.parametrize("path", OGC_PAGES)
def test_ogc_html_pages_escape_too(app, client, auth, hostile, path):
    if "ogc.items" not in app.view_functions:
        pytest.skip("OGC API is not there yet")
    html = _get(client, auth, "land_team", path, hostile).get_data(as_text=True)
    assert not RAW.search(html), RAW.search(html)


JSON_ONLY = {"share.label"}  # listed by the API only; no page shows a link's label

REFLECTED = ['/map/"><img src=x onerror=alert(1)>', "/cases?status=<script>alert(1)</script>",
             "/cases?region=<script>alert(1)</script>", '/map?base="><img src=x onerror=alert(1)>',
             "/dashboard?region=<script>alert(1)</script>", "/s/<script>alert(1)</script>",
             '/cases?q="><img src=x onerror=alert(1)>', "/login?next=javascript:alert(1)"]


@pytest.mark.parametrize("path", REFLECTED)
def test_values_echoed_in_error_pages_are_escaped(client, auth, path):
    response = client.get(path, headers=auth("viewer"))
    assert response.status_code < 500
    html = response.get_data(as_text=True)
    assert not RAW.search(html) and 'href="javascript:' not in html
