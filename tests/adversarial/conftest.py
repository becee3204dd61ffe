"""Helpers of the adversarial suite: what the database holds, how a refusal looks, real ids.

Every hostile request is checked the same way (see `refused` and `unchanged`):
(a) the 4xx status, (b) the error's code and message in the JSON shape (or a Thai page),
(c) nothing changed in the database, (d) the server answers /healthz afterwards.
"""

from __future__ import annotations

import functools
import inspect
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.factories import PASSWORD, case_payload

THAI = re.compile(r"[\u0e00-\u0e7f]")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# Tables whose content a refused request must leave exactly as it was (row text hashed).
# share_links without view counters, users and tokens without their last-use times.
_FINGERPRINTS = {
    table: f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"
    for table in ("land_cases", "history", "funds", "pilot_areas", "pilot_reviews", "documents")
}
_FINGERPRINTS.update({
    "share_links": "SELECT count(*), md5(coalesce(string_agg(concat_ws(',', id, token_hash, label, region_code,"
                   " statuses::text, layers::text, expires_at, revoked_at), '|' ORDER BY id), '')) FROM share_links",
    "users": "SELECT count(*), md5(coalesce(string_agg(concat_ws(',', id, email, role, password_hash, active),"
             " '|' ORDER BY id), '')) FROM users",
    "api_tokens": "SELECT count(*), md5(coalesce(string_agg(concat_ws(',', id, token_hash, revoked_at), '|'"
                  " ORDER BY id), '')) FROM api_tokens",
    "boundaries": "SELECT (SELECT count(*) FROM provinces) + (SELECT count(*) FROM districts)"
                  " + (SELECT count(*) FROM subdistricts), (SELECT count(*) FROM regions)::text",
})


_STATE_SQL = "SELECT " + ", ".join(f"(SELECT ROW(q.*)::text FROM ({sql}) q) AS {name}"
                                   for name, sql in _FINGERPRINTS.items())


def database_state() -> dict[str, str]:
    """A fingerprint of every table a request could write to (one round trip)."""
    return dict(db.session.execute(text(_STATE_SQL)).one()._mapping)


def assert_healthy(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


@contextmanager
def unchanged(client) -> Iterator[None]:
    """The block's requests write nothing, and the server is healthy afterwards."""
    before = database_state()
    yield
    after = database_state()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"the database changed: {changed}"
    assert_healthy(client)


def refused(response, status: int | tuple[int, ...], code: str | None = None, *,
            message: str | None = None, page: bool = False) -> dict | str:
    """Check a refusal: the status, then the JSON error shape (or a Thai page); return the body."""
    statuses = status if isinstance(status, tuple) else (status,)
    body_text = response.get_data(as_text=True)
    assert response.status_code in statuses, (response.status_code, body_text[:500])
    assert response.status_code < 500
    if page:
        assert response.mimetype == "text/html", response.mimetype
        assert THAI.search(body_text), body_text[:300]
        if message:
            assert message in body_text, body_text[:2000]
        return body_text
    body = response.get_json(force=True)
    error = body["error"]
    assert set(error) >= {"code", "message", "details"}, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert isinstance(error["details"], list)
    if code:
        assert error["code"] == code, error
    if message:
        assert message in error["message"], error
    assert len(body_text) < 20_000, "the error echoes too much of the request"
    return body


def login(client, email: str) -> None:
    """Sign a test client in through the login form (CSRF off in the suite's app)."""
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def upload(client, path: str, headers: dict, content: bytes, name: str, **form: str):
    return client.post(path, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), **form})


def free_subdistrict() -> str:
    """A subdistrict that is not yet a pilot area."""
    return db.session.execute(text("""SELECT code FROM subdistricts s WHERE NOT EXISTS
        (SELECT 1 FROM pilot_areas p WHERE p.subdistrict_code = s.code) AND province_code = '50'
        ORDER BY code LIMIT 1""")).scalar_one()


def share_token(url: str) -> str:
    return urlsplit(url).path.removeprefix("/s/")


@pytest.fixture()
def records(client, auth) -> dict[str, Any]:
    """One of everything, made through the API in the rolled-back test transaction:
    a case (with contacts), a document on it, a pilot area, a fund, a share link (and its token)."""
    land_team = auth("land_team")
    case = client.post("/api/v1/cases", headers=land_team, json=case_payload(
        community_name="ชุมชนทดสอบ ADV", contact_name="คุณลับเฉพาะ ADVCONTACT", contact_phone="081-000-4242",
        notes="บันทึกภายใน ADVNOTE"))
    assert case.status_code == 201, case.get_json()
    case_id = case.get_json()["id"]
    doc = upload(client, f"/api/v1/cases/{case_id}/documents", land_team, PDF, "สัญญา.pdf")
    assert doc.status_code == 201, doc.get_json()
    pilot = client.post("/api/v1/pilot-areas", headers=land_team,
                        json={"subdistrict_code": free_subdistrict(), "team": "ทีมทดสอบ ADV"})
    assert pilot.status_code == 201, pilot.get_json()
    fund = client.post("/api/v1/funds", headers=land_team, json={
        "name": "กองทุนทดสอบ ADV", "level": "city", "lon": 100.564, "lat": 13.708})
    assert fund.status_code == 201, fund.get_json()
    link = client.post("/api/v1/share-links", headers=auth("policy"), json={
        "label": "test: adversarial", "region": "south", "statuses": ["reported", "surveying"],
        "layers": ["funds"], "expires_in_days": 7})
    assert link.status_code == 201, link.get_json()
    viewer = db.session.execute(text("SELECT id FROM users WHERE role = 'viewer' ORDER BY id DESC LIMIT 1")).scalar()
    from tests.land.conftest import feature_collection, square

    layer = client.post("/api/v1/reference-layers", headers=land_team, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(feature_collection(square(half=0.01))), "layer.geojson"),
                              "name": "ชั้นข้อมูลทดสอบ ADV", "owner_type": "treasury"})
    assert layer.status_code == 201, layer.get_json()
    return {"case_id": case_id, "code": case.get_json()["properties"]["code"],
            "document_id": doc.get_json()["id"], "pilot_id": pilot.get_json()["id"],
            "fund_id": fund.get_json()["id"], "link_id": link.get_json()["id"],
            "user_id": viewer, "job_id": "0" * 32,  # an account, and a job that does not exist (404)
            "token": share_token(link.get_json()["url"]), "layer": "cases", "level": "provinces",
            "layer_id": layer.get_json()["id"]}


SECRETS = ("ADVCONTACT", "081-000-4242", "contact_name", "contact_phone", "ADVNOTE")


@pytest.fixture()
def scene(session, users) -> dict[str, Any]:
    """A cheaper `records` for the many read-only checks: a case with contacts written straight
    to the table, and a live share link of the South (funds only) with its token."""
    from datetime import UTC, datetime, timedelta

    from app.auth.security import hash_token
    from app.models import LandCase, ShareLink
    from app.sharing.service import new_token

    case = LandCase(code="ADV-000001", community_name="ชุมชนทดสอบ ADV", households=10, status="reported",
                    contact_name="คุณลับเฉพาะ ADVCONTACT", contact_phone="081-000-4242", notes="บันทึกภายใน ADVNOTE",
                    province_code="90", region_code="south", geom="SRID=4326;POINT(100.4747 7.0086)",
                    is_sample=False, version=1)
    token = new_token()
    link = ShareLink(token_hash=hash_token(token), label="test: adversarial", region_code="south",
                     statuses=["reported", "surveying"], layers=["funds"], created_by_id=users["policy"].id,
                     expires_at=datetime.now(UTC) + timedelta(days=7), view_count=0)
    session.add_all([case, link])
    session.flush()
    return {"case_id": case.id, "token": token, "link_id": link.id}


WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


@functools.cache
def url_rules() -> list[tuple[str, str, str, str | None]]:
    """(method, rule, endpoint, permission) of every route, read from an app built at collection
    time (no database is touched), so that tests parametrised over them cover new routes at once.
    The permission is the one the view's `@require(...)` names (None when there is none)."""
    from app import create_app

    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "SERVER_NAME": None,
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://collect@127.0.0.1:1/none"})
    return sorted((method, rule.rule, rule.endpoint, required_permission(app.view_functions[rule.endpoint]))
                  for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"})


def required_permission(view: Any) -> str | None:
    """The permission a view is guarded with (`@require(...)`), read from its closure."""
    try:
        return inspect.getclosurevars(view).nonlocals.get("permission")
    except TypeError:  # not a plain function
        return None


def fill(rule: str, ids: dict[str, Any]) -> str:
    """The rule with its arguments replaced by real ids (`<int:case_id>` -> 12)."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"add a real value for <{name}> to the `records` fixture ({rule})"
        return str(ids[name])

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule)
