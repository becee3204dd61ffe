"""Share tokens: forged, malformed, expired, revoked, and used where they give nothing.

The sharing code answers 404 for a token it does not know (or that cannot be one), 410 for
an expired or revoked link, 400 for a query that would widen the link's scope, and an API
that is given a share token as a Bearer token answers 401. Contacts never appear.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.models import ShareLink
from tests.adversarial.conftest import SECRETS, refused, unchanged

FORGED = {
    "random": lambda: secrets.token_urlsafe(32),
    "short": lambda: "abc",
    "long": lambda: "A" * 129,
    "symbols": lambda: "'; DROP TABLE share_links; --" + "A" * 20,
    "traversal": lambda: "..%2F..%2Fapi%2Fv1%2Fcases",
    "thai": lambda: "โทเคน" * 10,
    "api-token-shape": lambda: "lc_" + secrets.token_urlsafe(32),
}


def _no_secrets(response) -> None:
    text = response.get_data(as_text=True)
    assert not any(secret in text for secret in SECRETS), "a contact or note leaked"


@pytest.mark.parametrize("kind", FORGED)
@pytest.mark.parametrize("suffix", ["", "/data"])
def test_forged_or_malformed_token_is_404(client, scene, kind, suffix):
    with unchanged(client):
        response = client.get(f"/s/{FORGED[kind]()}{suffix}")
        refused(response, 404, "not_found" if suffix else None, page=not suffix,
                message=None if kind == "traversal" else "ไม่พบลิงก์")


def _expire(session, link_id: int) -> None:
    session.execute(update(ShareLink).where(ShareLink.id == link_id)
                    .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    session.flush()


def _revoke(client, auth, link_id: int) -> None:
    assert client.delete(f"/api/v1/share-links/{link_id}", headers=auth("policy")).status_code == 204


@pytest.mark.parametrize("how, message", [("expired", "หมดอายุ"), ("revoked", "ยกเลิก")])
@pytest.mark.parametrize("suffix", ["", "/data", "/data?layer=funds"])
def test_dead_links_are_410(client, auth, session, scene, how, message, suffix):
    assert client.get(f"/s/{scene['token']}/data").status_code == 200  # alive before
    if how == "expired":
        _expire(session, scene["link_id"])
    else:
        _revoke(client, auth, scene["link_id"])
    with unchanged(client):
        response = client.get(f"/s/{scene['token']}{suffix}")
        refused(response, 410, "gone" if suffix else None, page=not suffix, message=message)
        _no_secrets(response)


OUTSIDE = [
    ("/api/v1/cases", 401), ("/api/v1/cases/{case_id}", 401), ("/api/v1/cases/{case_id}/history", 401),
    ("/api/v1/export/cases?format=csv", 401), ("/api/v1/share-links", 401), ("/api/v1/audit", 401),
    ("/map/data", 401), ("/ogc/collections/cases/items", 401), ("/ogc/collections/cases/items/{case_id}", 401),
]


@pytest.mark.parametrize("path, status", OUTSIDE, ids=[p for p, _ in OUTSIDE])
def test_share_token_is_not_an_api_token(app, client, scene, path, status):
    url = path.format(**scene)
    with unchanged(client):
        response = client.get(url, headers={"Authorization": f"Bearer {scene['token']}"})
        refused(response, status, "unauthorized")
        _no_secrets(response)
        response = client.get(url + ("&" if "?" in url else "?") + f"token={scene['token']}")
        refused(response, status, "unauthorized")


def test_share_token_on_pages_gives_no_session(client, scene):
    with unchanged(client):
        response = client.get(f"/cases/{scene['case_id']}", headers={"Authorization": f"Bearer {scene['token']}"})
        refused(response, 401, page=True)
        response = client.get(f"/cases/{scene['case_id']}?token={scene['token']}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


WIDENING = [
    ("region=north-upper", "region"),         # another region
    ("region=atlantis", "region"),
    ("province=10", "province"),               # Bangkok, outside the South
    ("province=90,10", "province"),
    ("status=negotiating", "status"),          # a status the link does not show
    ("status=reported,evicted", "status"),
    ("layer=pilot-areas", "layer"),            # a layer the link does not have
    ("layer=choropleth", "layer"),
    ("layer=users", "layer"),
]


# the page names its overlays with layers= (the data endpoint one layer with layer=)
PAGE_WIDENING = [(q, f) for q, f in WIDENING if f != "layer"] + [("layers=pilot-areas", "layers")]
WIDEN = ([pytest.param("/data", q, f, id=f"data?{q}") for q, f in WIDENING]
         + [pytest.param("", q, f, id=f"page?{q}") for q, f in PAGE_WIDENING])


@pytest.mark.parametrize("suffix, query, field", WIDEN)
def test_parameters_cannot_widen_the_link(client, scene, suffix, query, field):
    with unchanged(client):
        response = client.get(f"/s/{scene['token']}{suffix}?{query}")
        body = refused(response, 400, "bad_request" if suffix else None, page=not suffix)
        if suffix:
            assert body["error"]["details"][0]["field"] == field
        _no_secrets(response)


def test_a_bbox_of_the_world_narrows_nothing_beyond_the_scope(client, scene):
    with unchanged(client):
        scoped = client.get(f"/s/{scene['token']}/data").get_json(force=True)
        world = client.get(f"/s/{scene['token']}/data?bbox=-180,-90,180,90&limit=10000").get_json(force=True)
    assert {f["id"] for f in world["features"]} == {f["id"] for f in scoped["features"]}
    assert {f["properties"]["status"] for f in world["features"]} <= {"reported", "surveying"}
    assert "ADV-000001" in {f["id"] for f in world["features"]}  # the scene's case, shown by code only


@pytest.mark.parametrize("query", ["", "?layer=funds", "?layer=cases&q=ADV", "?layer=cases&zoom=3"])
def test_shared_data_never_carries_contacts(client, scene, query):
    with unchanged(client):
        response = client.get(f"/s/{scene['token']}/data{query}")
        assert response.status_code == 200
        _no_secrets(response)
        for feature in response.get_json(force=True)["features"]:
            assert not {"contact_name", "contact_phone", "notes", "land_owner", "team"} & set(feature["properties"])
    page = client.get(f"/s/{scene['token']}")
    assert page.status_code == 200
    _no_secrets(page)
