"""Committed data on the live server for the GDAL tests: cases with Thai names (one
with contacts, one moved on in the workflow, one soft-deleted), a pilot area and a fund.

Made through the API where it exists, so the service derives every admin area; the
test database is recreated per run, so nothing is cleaned up.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from app.extensions import db

BANGKOK = [  # (Thai name, English name, lon, lat)
    ("ชุมชนริมคลองเตย ล็อก ๑-๒-๓", "Khlong Toei Lock 1-2-3", 100.564, 13.708),
    ("ชุมชนบ่อนไก่", "Bon Kai", 100.5485, 13.7233),
    ("ชุมชนริมทางรถไฟมักกะสัน", "Makkasan railway", 100.5610, 13.7510),
]
ELSEWHERE = [
    ("ชุมชนริมน้ำปิง เชียงใหม่", "Ping riverside, Chiang Mai", 98.9853, 18.7883),
    ("ชุมชนหนองแวง ขอนแก่น", "Nong Waeng, Khon Kaen", 102.8359, 16.4322),
    ("ชุมชนริมคลองอู่ตะเภา หาดใหญ่", "U-Taphao canal, Hat Yai", 100.4747, 7.0086),
]


def http(method: str, url: str, token: str | None = None, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request: (status, headers, body); 4xx/5xx are returned, not raised."""
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="session")
def live_data(app, live_server, committed_user) -> dict[str, Any]:
    """Committed cases, a pilot area and a fund; the tokens of a land-team member and a viewer."""
    land_team, viewer = committed_user("land_team"), committed_user("viewer")
    made: dict[str, Any] = {"base": live_server, "token": land_team.token, "viewer_token": viewer.token,
                            "cases": {}}
    for i, (name, name_en, lon, lat) in enumerate(BANGKOK + ELSEWHERE):
        body = {"community_name": name, "community_name_en": name_en, "households": 40 + i, "population": 160 + i,
                "land_owner_type": "treasury", "problem": "eviction_threat", "area_type": "urban",
                "lon": lon, "lat": lat}
        if i == 0:
            body.update(contact_name="นางสาวสมศรี ใจดี", contact_phone="081-234-5678")
        status, _headers, raw = http("POST", f"{live_server}/api/v1/cases", land_team.token, body)
        assert status == 201, raw.decode()
        made["cases"][json.loads(raw)["id"]] = name
    first = next(iter(made["cases"]))
    status, _h, raw = http("POST", f"{live_server}/api/v1/cases/{first}/status", land_team.token,
                           {"status": "surveying", "note": "เริ่มสำรวจ"})
    assert status == 200, raw.decode()
    made["surveying_id"] = first
    status, _h, raw = http("POST", f"{live_server}/api/v1/cases", land_team.token,
                           {"community_name": "ชุมชนที่ถูกลบแล้ว", "households": 5, "lon": 100.5645, "lat": 13.7085})
    assert status == 201, raw.decode()
    made["deleted_id"] = json.loads(raw)["id"]
    status, _h, raw = http("DELETE", f"{live_server}/api/v1/cases/{made['deleted_id']}", land_team.token)
    assert status == 204, raw.decode()
    status, _h, raw = http("POST", f"{live_server}/api/v1/pilot-areas", land_team.token,
                           {"subdistrict_code": "103301", "name_th": "ตำบลคลองเตย (พื้นที่ทดสอบ)"})
    assert status in (201, 409), raw.decode()  # 409: the sample data has it already
    with app.app_context():
        from app.funds.service import create_fund

        create_fund({"name": "กองทุนสวัสดิการชุมชนคลองเตย", "level": "community", "members": 120,
                     "lon": 100.5652, "lat": 13.7091}, None)
        db.session.commit()
        db.session.remove()
    return made
