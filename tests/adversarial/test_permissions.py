"""Every write, tried by everyone who may not: table-driven from the app's URL map.

A route added later is covered without editing this file: its method and rule come from
`app.url_map`, the permission it needs from its `@require(...)`; only a new kind of id in
its URL needs a value in the `records` fixture.
"""

from __future__ import annotations

import io

import pytest

from app.auth.permissions import ALL_ROLES, allowed
from tests.adversarial.conftest import (
    PDF,
    WRITE_METHODS,
    fill,
    free_subdistrict,
    login,
    refused,
    unchanged,
    url_rules,
)
from tests.factories import case_payload

API_WRITES = [(m, r, e) for m, r, e, _p in url_rules() if m in WRITE_METHODS and r.startswith("/api/")]
PAGE_WRITES = [(m, r, e) for m, r, e, _p in url_rules()
               if m in WRITE_METHODS and not r.startswith("/api/") and e not in ("auth.login", "auth.logout")]
# every (role, write) pair the permission table refuses
REFUSED = [pytest.param(role, m, r, e, id=f"{role} {m} {r}") for m, r, e, permission in url_rules()
           if m in WRITE_METHODS and r.startswith("/api/") for role in sorted(ALL_ROLES)
           if permission is None or not allowed(role, permission)]
GUARDS = {(m, r): p for m, r, _e, p in url_rules()}


def _csv() -> bytes:
    return "community_name,households,lon,lat\nชุมชนจากไฟล์,10,100.564,13.708\n".encode()


def valid_request(endpoint: str) -> dict:
    """A body each write would accept from a role that may: the refusal is about the role only."""
    files = {"land_cases_api.upload_document": PDF, "pilot_areas_api.post_pilot_document": PDF,
             "exchange_api.import_layer": _csv(), "land_cases.case_document": PDF,
             "pilot_areas.pilot_document": PDF, "exchange.import_preview": _csv()}
    if endpoint in files:
        name = "x.csv" if "import" in endpoint else "x.pdf"
        return {"data": {"file": (io.BytesIO(files[endpoint]), name)}, "content_type": "multipart/form-data"}
    bodies = {
        "land_cases_api.create_case": case_payload(),
        "land_cases_api.update_case": {"households": 99},
        "land_cases_api.change_status": {"status": "surveying", "note": "x"},
        "funds_api.create_fund_item": {"name": "กองทุน", "level": "city", "lon": 100.564, "lat": 13.708},
        "funds_api.patch_fund_item": {"members": 5},
        "pilot_areas_api.create_pilot_area": {"subdistrict_code": "SUBDISTRICT"},
        "pilot_areas_api.patch_pilot_area": {"team": "x"},
        "pilot_areas_api.post_review": {"verdict": "approved", "comment": "x"},
        "sharing_api.create_link": {"label": "test: refused", "expires_in_days": 1},
    }
    if endpoint in bodies:
        body = dict(bodies[endpoint])
        if body.get("subdistrict_code") == "SUBDISTRICT":
            body["subdistrict_code"] = free_subdistrict()
        return {"json": body, "headers": {"If-Match": '"1"'}}
    forms = {"land_cases.case_new": {**{k: str(v) for k, v in case_payload().items()}},
             "land_cases.case_status": {"status": "surveying"},
             "funds.fund_new": {"name": "กองทุน", "level": "city", "lon": "100.564", "lat": "13.708"},
             "pilot_areas.pilot_create": {"subdistrict_code": "500102"},
             "pilot_areas.pilot_review": {"verdict": "approved"}}
    return {"data": forms.get(endpoint, {})}


def _call(client, method: str, url: str, request: dict, headers: dict | None = None):
    merged = {**request.get("headers", {}), **(headers or {})}
    kwargs = {k: v for k, v in request.items() if k != "headers"}
    return client.open(url, method=method, headers=merged, **kwargs)


def test_every_write_is_guarded():
    """A write route without `@require(...)` would be open to anyone: none may exist."""
    unguarded = [(m, r) for m, r, _e in API_WRITES + PAGE_WRITES if GUARDS[(m, r)] is None]
    assert API_WRITES and PAGE_WRITES and not unguarded, unguarded


@pytest.mark.parametrize("method, rule, endpoint", API_WRITES, ids=[f"{m} {r}" for m, r, _ in API_WRITES])
def test_anonymous_api_write_is_401(app, client, records, method, rule, endpoint):
    with unchanged(client):
        refused(_call(client, method, fill(rule, records), valid_request(endpoint)), 401, "unauthorized")


@pytest.mark.parametrize("role, method, rule, endpoint", REFUSED)
def test_api_write_by_a_role_without_the_permission_is_403(client, auth, records, role, method, rule, endpoint):
    with unchanged(client):
        response = _call(client, method, fill(rule, records), valid_request(endpoint), auth(role))
        body = refused(response, 403, "forbidden")
        assert "สิทธิ์" in body["error"]["message"]


@pytest.mark.parametrize("method, rule, endpoint", PAGE_WRITES, ids=[f"{m} {r}" for m, r, _ in PAGE_WRITES])
def test_viewer_page_forms_are_403_pages(app, client, users, records, method, rule, endpoint):
    login(client, users["viewer"].email)
    with unchanged(client):
        response = _call(client, method, fill(rule, records), valid_request(endpoint))
        refused(response, 403, page=True, message="สิทธิ์")


@pytest.mark.parametrize("method, rule, endpoint", PAGE_WRITES, ids=[f"{m} {r}" for m, r, _ in PAGE_WRITES])
def test_anonymous_page_forms_go_to_the_login_page(app, client, records, method, rule, endpoint):
    with unchanged(client):
        response = _call(client, method, fill(rule, records), valid_request(endpoint))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_viewer_cannot_read_contacts_or_admin_data(client, auth, records):
    """Reads that are not the viewer's: contacts are left out, the audit and link list are 403."""
    viewer = auth("viewer")
    with unchanged(client):
        text = client.get(f"/api/v1/cases/{records['case_id']}", headers=viewer).get_data(as_text=True)
        assert "ADVCONTACT" not in text and "contact_phone" not in text
        history = client.get(f"/api/v1/cases/{records['case_id']}/history", headers=viewer).get_data(as_text=True)
        assert "ADVCONTACT" not in history
        for path in ("/api/v1/audit", "/api/v1/share-links", f"/api/v1/cases/{records['case_id']}/documents",
                     "/api/v1/cases?include_deleted=true"):
            refused(client.get(path, headers=viewer), 403, "forbidden")
