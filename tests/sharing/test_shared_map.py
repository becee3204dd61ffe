"""/s/<token> and /s/<token>/data: exactly the link's scope, public fields, no writing, dead links dead."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import ShareLink
from tests.maps.data import DELETED_CODE, SECRET_CONTACT, SECRET_NOTE, SECRET_OWNER, SECRET_PHONE

SECRETS = (SECRET_CONTACT, SECRET_PHONE, SECRET_NOTE, SECRET_OWNER, "contact_name", "contact_phone",
           "ทีมทดสอบ", "สถาปนิกทดสอบ", "เป้าหมายทดสอบ")
Z9 = {"90", "91", "92", "93", "94", "95", "96"}


def _link(client, auth, **body) -> tuple[str, int]:
    payload = {"label": "test: shared", "expires_in_days": 7, **body}
    response = client.post("/api/v1/share-links", json=payload, headers=auth("policy"))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    return urlsplit(created["url"]).path.removeprefix("/s/"), created["id"]


@pytest.fixture()
def z9_link(client, auth, map_data):
    """Zone 9 of the South, two statuses, funds and pilots only."""
    return _link(client, auth, region="south-z9", statuses=["reported", "surveying"],
                 layers=["funds", "pilot-areas"])


def _data(client, token: str, query: str = "", status: int = 200) -> dict:
    response = client.get(f"/s/{token}/data?{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json(force=True)


def test_page_without_login_and_private_headers(client, z9_link):
    token, _ = z9_link
    response = client.get(f"/s/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<meta name="robots" content="noindex' in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert "ออกจากระบบ" not in html and "share-dialog" not in html


def test_page_offers_exactly_the_scope(client, z9_link):
    token, _ = z9_link
    html = client.get(f"/s/{token}").get_data(as_text=True)
    config = json.loads(re.search(r'id="map-config">(.*?)</script>', html, re.S).group(1))
    assert list(config["names"]["statuses"]) == ["reported", "surveying"]
    assert set(config["names"]["overlays"]) == {"funds", "pilot-areas"}
    assert config["urls"]["data"] == f"/s/{token}/data"
    assert "case" not in config["urls"]  # no links to case pages
    assert set(config["scopeBbox"]) and config["region"] == "south-z9"


def test_views_are_counted(client, z9_link):
    token, link_id = z9_link
    for _ in range(3):
        client.get(f"/s/{token}")
    client.get(f"/s/{token}/data")  # data requests are not page views
    link = db.session.get(ShareLink, link_id)
    db.session.refresh(link)
    assert link.view_count == 3 and link.last_viewed_at is not None


def test_data_respects_the_scope(client, z9_link):
    token, _ = z9_link
    body = _data(client, token)
    assert body["features"], "zone 9 has reported cases"
    for feature in body["features"]:
        props = feature["properties"]
        assert props["status"] in ("reported", "surveying")
        assert props["province"] in ("สงขลา", "สตูล", "ตรัง", "พัทลุง", "ปัตตานี", "ยะลา", "นราธิวาส")
    codes = {f["properties"]["code"] for f in body["features"]}
    assert "LC-T9001" in codes and "LC-T9002" in codes
    assert not codes & {"LC-T9003", "LC-T9007", "LC-T9008", "LC-T9010", DELETED_CODE}
    assert all(isinstance(f["id"], str) for f in body["features"])  # keyed by code, not internal id


@pytest.mark.parametrize("query", [
    "status=negotiating", "status=reported,evicted", "region=bangkok", "region=south", "province=10",
    "province=84", "layer=choropleth", "layer=provinces", "layers=choropleth", "layer=bogus",
])
def test_parameters_cannot_widen_the_scope(client, z9_link, query):
    token, _ = z9_link
    response = client.get(f"/s/{token}/data?{query}")
    if query.startswith("layers="):  # not a data parameter: ignored, scope unchanged
        body = response.get_json(force=True)
        assert all(f["properties"]["status"] in ("reported", "surveying") for f in body["features"])
        return
    assert response.status_code == 400, query
    page = client.get(f"/s/{token}?{query}")
    assert page.status_code in (200, 400)
    if page.status_code == 200:  # a data-only parameter (layer=) does not change the page's scope
        assert "choropleth" not in page.get_data(as_text=True).split('id="map-config">')[1].split("</script>")[0]


def test_parameters_may_narrow_the_scope(client, z9_link):
    token, _ = z9_link
    only = _data(client, token, "status=surveying")
    assert {f["properties"]["status"] for f in only["features"]} == {"surveying"}
    narrowed = _data(client, token, "province=90&bbox=100.5,7.1,100.7,7.3")
    assert {f["properties"]["code"] for f in narrowed["features"]} >= {"LC-T9002"}
    assert "LC-T9001" not in {f["properties"]["code"] for f in narrowed["features"]}
    assert client.get(f"/s/{token}?status=reported&province=90").status_code == 200
    assert client.get(f"/s/{token}?status=closed").status_code == 400


def test_contacts_and_private_fields_absent_from_page_and_data(client, z9_link):
    token, _ = z9_link
    page = client.get(f"/s/{token}").get_data(as_text=True)
    texts = [page, json.dumps(_data(client, token), ensure_ascii=False),
             json.dumps(_data(client, token, "layer=funds"), ensure_ascii=False),
             json.dumps(_data(client, token, "layer=pilot-areas"), ensure_ascii=False),
             json.dumps(_data(client, token, "q=ชุมชน"), ensure_ascii=False)]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, secret
        assert "capital_baht" not in text and "land_owner\"" not in text and "notes" not in text
    pilots = _data(client, token, "layer=pilot-areas")
    assert pilots["features"] and set(pilots["features"][0]["properties"]) <= {"name", "subdistrict", "district",
                                                                                "province", "stage"}


def test_history_and_documents_are_not_reachable(client, z9_link, map_data):
    token, _ = z9_link
    case_id = map_data["LC-T9001"]["id"]
    for path in (f"/s/{token}/history", f"/s/{token}/documents", f"/s/{token}/data/{case_id}",
                 f"/s/{token}/cases/{case_id}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/api/v1/cases/{case_id}/history", headers={"Authorization": f"Bearer {token}"}).status_code \
        in (401, 404)


def test_writing_is_refused(client, z9_link, map_data):
    token, _ = z9_link
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(f"/s/{token}", json={}).status_code == 405
        assert getattr(client, method)(f"/s/{token}/data", json={}).status_code == 405
    bearer = {"Authorization": f"Bearer {token}"}
    case_id = map_data["LC-T9001"]["id"]
    attempts = [client.post("/api/v1/cases", json={"community_name": "x", "households": 1, "lon": 100.5,
                                                   "lat": 13.7}, headers=bearer),
                client.patch(f"/api/v1/cases/{case_id}", json={"households": 1}, headers={**bearer, "If-Match": "1"}),
                client.post("/api/v1/share-links", json={"label": "test: widen"}, headers=bearer),
                client.get("/api/v1/share-links", headers=bearer),
                client.get("/map/data", headers=bearer)]
    for response in attempts:
        assert response.status_code in (401, 403, 404), response.request.path


def test_expired_link_is_gone(client, auth, map_data):
    token, link_id = _link(client, auth, region="south")
    link = db.session.get(ShareLink, link_id)
    link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    response = client.get(f"/s/{token}")
    assert response.status_code == 410 and "หมดอายุ" in response.get_data(as_text=True)
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert client.get(f"/s/{token}/data").status_code == 410


def test_revoked_link_is_gone(client, auth, map_data):
    token, link_id = _link(client, auth)
    client.delete(f"/api/v1/share-links/{link_id}", headers=auth("policy"))
    response = client.get(f"/s/{token}")
    assert response.status_code == 410 and "ยกเลิก" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("guess", [
    secrets.token_urlsafe(32), secrets.token_urlsafe(48), "a" * 43, "short", "lc_" + secrets.token_urlsafe(32),
    "..%2F..%2Fetc", "' OR 1=1 --",
])
def test_guessed_or_forged_tokens_are_refused(client, map_data, guess):
    assert client.get(f"/s/{guess}").status_code == 404
    assert client.get(f"/s/{guess}/data").status_code == 404


def test_the_stored_hash_is_not_a_token(client, auth, map_data):
    token, link_id = _link(client, auth)
    stored = db.session.get(ShareLink, link_id).token_hash
    assert client.get(f"/s/{stored}").status_code == 404
    assert client.get(f"/s/{token[:-1]}").status_code == 404


def test_whole_country_link_with_choropleth_counts_only_its_statuses(client, auth, map_data):
    token, _ = _link(client, auth, statuses=["evicted"], layers=["choropleth"])
    body = _data(client, token, "layer=choropleth")
    # evicted cases are not open, so a link limited to them shows no open cases anywhere
    assert body["max"] == 0
    cases = _data(client, token)
    assert cases["features"] and {f["properties"]["status"] for f in cases["features"]} == {"evicted"}
