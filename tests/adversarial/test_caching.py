"""What browsers and proxies may keep: nothing that could carry contacts; public boundaries, well.

* Every GET route of the URL map, read by an admin (who sees contacts) with a token and with a
  session cookie, answers `Cache-Control: no-store`, unless it is in PUBLISHED (the responses a
  view marks `cacheable`: public boundaries, vector tiles that select public fields only), and
  those never hold a contact.
* Public boundaries: a strong ETag, `public, max-age`, 304 on `If-None-Match`, a whole level
  simplified by default, and a rate limit for anonymous callers only.
"""

from __future__ import annotations

import json

import pytest

from app import create_app
from app.extensions import limiter
from tests.adversarial.conftest import SECRETS, fill, login, url_rules

READS = [(r, e) for m, r, e, _p in url_rules() if m == "GET"]
PUBLISHED = {"static", "api.boundaries", "tiles.vector_tile"}
IDS = {"region_code": "south", "collection_id": "cases", "z": 0, "x": 0, "y": 0, "filename": "app.js"}


def _values(records) -> dict:
    return {**records, **IDS, "fid": records["case_id"]}


@pytest.mark.parametrize("how", ["token", "session"])
def test_every_response_that_could_carry_contacts_is_no_store(app, client, auth, users, records, how):
    headers = auth("admin") if how == "token" else {}
    if how == "session":
        login(client, users["admin"].email)
    cached = []
    for rule, endpoint in READS:
        response = client.get(fill(rule, _values(records)), headers=headers)
        control = response.headers.get("Cache-Control", "")
        body = response.get_data().decode("utf-8", "replace")
        if endpoint in PUBLISHED:
            assert not any(secret in body for secret in SECRETS), f"{rule} is cacheable and holds a contact"
            continue
        if "no-store" not in control.replace(" ", "").split(","):
            cached.append(f"{rule} ({response.status_code}): {control or 'no Cache-Control'}")
    assert not cached, f"responses a browser may store: {cached}"


def test_the_case_page_with_contacts_is_no_store(client, users, records):
    """The case the issue saw: a case page holding contacts, as the land team sees it."""
    login(client, users["land_team"].email)
    response = client.get(f"/cases/{records['case_id']}")
    assert "ADVCONTACT" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_ogc_items_with_contacts_are_no_store(client, auth, records):
    response = client.get("/ogc/collections/cases/items?f=json", headers=auth("admin"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- public boundaries

LEVELS = ("provinces", "districts", "subdistricts")


@pytest.mark.parametrize("level", LEVELS)
def test_public_boundaries_are_cacheable_with_a_strong_etag(client, level):
    response = client.get(f"/api/v1/boundaries/{level}?code=50")
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/"), etag
    control = response.headers["Cache-Control"]
    assert control.startswith("public") and "max-age=" in control and "no-store" not in control
    again = client.get(f"/api/v1/boundaries/{level}?code=50", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    changed = client.get(f"/api/v1/boundaries/{level}?code=10", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def _vertices(body: bytes) -> int:
    def count(coords) -> int:
        return 1 if coords and isinstance(coords[0], (int, float)) else sum(count(c) for c in coords)

    return sum(count(f["geometry"]["coordinates"]) for f in json.loads(body)["features"] if f["geometry"])


def test_a_whole_level_is_simplified_by_default(client):
    default = client.get("/api/v1/boundaries/provinces")
    full = client.get("/api/v1/boundaries/provinces?simplify=0")
    assert default.status_code == full.status_code == 200
    assert len(json.loads(default.get_data())["features"]) == len(json.loads(full.get_data())["features"]) > 0
    assert _vertices(default.get_data()) < _vertices(full.get_data()) * 0.8
    one = client.get("/api/v1/boundaries/provinces?code=50&simplify=0").get_data()
    assert _vertices(client.get("/api/v1/boundaries/provinces?code=50").get_data()) == _vertices(one)


@pytest.fixture()
def limited(app):
    limited = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                          "RATELIMIT_ENABLED": True, "BOUNDARY_RATE_LIMIT": "2 per minute"})
    limiter.enabled = True  # process-wide; the suite's fixture switches it off again afterwards
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()


def test_anonymous_boundary_callers_are_rate_limited(limited, committed_user):
    client = limited.test_client()
    where = {"REMOTE_ADDR": "203.0.113.77"}
    statuses = [client.get("/api/v1/boundaries/provinces?code=50", environ_base=where).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429], statuses
    refusal = client.get("/api/v1/boundaries/provinces?code=50", environ_base=where)
    assert refusal.get_json()["error"]["code"] == "too_many_requests"
    signed_in = {"Authorization": f"Bearer {committed_user('viewer').token}"}
    assert client.get("/api/v1/boundaries/provinces?code=50", environ_base=where,
                      headers=signed_in).status_code == 200
