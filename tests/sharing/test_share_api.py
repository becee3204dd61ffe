"""POST/GET/DELETE /api/v1/share-links: who may, what is checked, what is stored."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.auth.security import session_fields
from app.extensions import db
from app.models import ShareLink

BODY = {"region": "south", "statuses": ["reported", "negotiating"], "layers": ["funds", "provinces"],
        "expires_in_days": 14, "label": "test: อำเภอหาดใหญ่"}


def _create(client, headers, **changes) -> tuple[int, dict]:
    body = {**BODY, **changes}
    response = client.post("/api/v1/share-links", json=body, headers=headers)
    return response.status_code, response.get_json()


def _token(url: str) -> str:
    path = urlsplit(url).path
    assert path.startswith("/s/")
    return path.removeprefix("/s/")


@pytest.mark.parametrize("role", ["policy", "admin"])
def test_policy_and_admin_create_links(client, auth, map_data, role):
    status, body = _create(client, auth(role))
    assert status == 201
    assert {"id", "url", "expires_at"} <= set(body)
    token = _token(body["url"])
    assert len(token) >= 43  # 32 random bytes, URL-safe: 256 bits
    link = db.session.get(ShareLink, body["id"])
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = json.dumps({c.name: str(getattr(link, c.name)) for c in ShareLink.__table__.columns})
    assert token not in stored
    assert link.statuses == ["reported", "negotiating"] and link.layers == ["provinces", "funds"]
    assert link.region_code == "south" and link.view_count == 0


def test_tokens_are_unique_and_random(client, auth, map_data):
    tokens = {_token(_create(client, auth("policy"))[1]["url"]) for _ in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize("role", ["land_team", "architect", "viewer"])
def test_other_roles_may_not_share(client, auth, map_data, role):
    assert _create(client, auth(role))[0] == 403
    assert client.get("/api/v1/share-links", headers=auth(role)).status_code == 403
    assert client.delete("/api/v1/share-links/1", headers=auth(role)).status_code == 403


def test_anonymous_may_not_share(client, map_data):
    assert client.post("/api/v1/share-links", json=BODY).status_code == 401
    assert client.get("/api/v1/share-links").status_code == 401


@pytest.mark.parametrize("days", [0, -1, 91, "abc", 1e9, 10**12, True, 30.5, None, [30], "30"])
def test_expiry_must_be_1_to_90_whole_days(client, auth, map_data, days):
    status, body = _create(client, auth("policy"), expires_in_days=days)
    assert status == 422, days
    assert any(d["field"] == "expires_in_days" for d in body["error"]["details"])


@pytest.mark.parametrize("days", [1, 90])
def test_expiry_bounds_are_allowed(client, auth, map_data, days):
    status, body = _create(client, auth("policy"), expires_in_days=days)
    assert status == 201
    link = db.session.get(ShareLink, body["id"])
    assert (link.expires_at - link.created_at).days in (days - 1, days)


def test_default_scope_and_expiry(client, auth, map_data):
    response = client.post("/api/v1/share-links", json={"label": "test: ทั้งประเทศ"}, headers=auth("policy"))
    assert response.status_code == 201
    link = db.session.get(ShareLink, response.get_json()["id"])
    assert link.region_code is None and len(link.statuses) == 8 and 25 <= (link.expires_at - link.created_at).days <= 30


@pytest.mark.parametrize("changes, field", [
    ({"region": "atlantis"}, "region"), ({"region": 5}, "region"), ({"statuses": ["bogus"]}, "statuses"),
    ({"statuses": []}, "statuses"), ({"statuses": "reported"}, "statuses"), ({"layers": ["heatmap"]}, "layers"),
    ({"label": ""}, "label"), ({"label": "   "}, "label"), ({"label": "x" * 201}, "label"), ({"label": None}, "label"),
    ({"status": ["reported"]}, "status"),
])
def test_scope_and_label_are_checked(client, auth, map_data, changes, field):
    status, body = _create(client, auth("policy"), **changes)
    assert status == 422
    assert body["error"]["code"] == "validation_error"
    assert any(d["field"] == field for d in body["error"]["details"]), body


@pytest.mark.parametrize("raw", ["[]", "\"text\"", "not json", ""])
def test_body_must_be_a_json_object(client, auth, map_data, raw):
    response = client.post("/api/v1/share-links", data=raw, content_type="application/json",
                           headers=auth("policy"))
    assert response.status_code == 422


def test_zone_links(client, auth, map_data):
    assert _create(client, auth("policy"), region="south-z9")[0] == 201


def test_list_never_shows_tokens(client, auth, map_data):
    status, created = _create(client, auth("policy"))
    token = _token(created["url"])
    response = client.get("/api/v1/share-links", headers=auth("admin"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert token not in text and "token" not in text
    item = next(i for i in response.get_json()["share_links"] if i["id"] == created["id"])
    assert item["state"] == "active" and item["view_count"] == 0 and item["label"] == BODY["label"]
    assert item["region"] == "south" and item["created_by"].endswith("@example.org")


def test_revoke(client, auth, map_data):
    _, created = _create(client, auth("policy"))
    token = _token(created["url"])
    assert client.get(f"/s/{token}").status_code == 200
    assert client.delete(f"/api/v1/share-links/{created['id']}", headers=auth("admin")).status_code == 204
    assert client.get(f"/s/{token}").status_code == 410
    assert client.get(f"/s/{token}/data").status_code == 410
    again = client.delete(f"/api/v1/share-links/{created['id']}", headers=auth("policy"))
    assert again.status_code == 204  # idempotent
    listed = client.get("/api/v1/share-links", headers=auth("policy")).get_json()["share_links"]
    assert next(i for i in listed if i["id"] == created["id"])["state"] == "revoked"


def test_revoke_unknown_is_404(client, auth, map_data):
    assert client.delete("/api/v1/share-links/999999", headers=auth("admin")).status_code == 404


def test_cookie_session_needs_csrf_header(app, client, users, map_data):
    with client.session_transaction() as s:
        s["_user_id"] = str(users["policy"].id)
        s.update(session_fields(users["policy"]))
        s["_fresh"] = True
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/api/v1/share-links", json=BODY)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"
    assert db.session.scalar(select(ShareLink).where(ShareLink.label == "csrf")) is None


def test_openapi_lists_the_share_link_api(client, map_data):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/share-links"]) == {"get", "post"}
    assert set(paths["/api/v1/share-links/{link_id}"]) == {"delete"}
