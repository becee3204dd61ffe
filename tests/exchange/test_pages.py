"""The HTML import page: upload, preview (rows and errors in Thai), confirm, cancel."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.models import LandCase
from tests.exchange.conftest import counts
from tests.factories import PASSWORD

CSV = ("community_name,households,lon,lat\r\nชุมชนจากหน้าเว็บ,12,100.564,13.708\r\n"
       "ชุมชนที่สองจากหน้าเว็บ,3,98.985,18.788\r\n").encode("utf-8-sig")


def _login(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303)


def _preview(client, data: bytes, name: str = "web.csv"):
    return client.post("/imports/preview", data={"layer": "cases", "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_preview_then_confirm(client, users, session, app):
    _login(client, users["land_team"])
    page = client.get("/imports")
    assert page.status_code == 200 and "นำเข้าข้อมูล" in page.get_data(as_text=True)
    before = counts()
    preview = _preview(client, CSV)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "ชุมชนจากหน้าเว็บ" in html and "สร้างใหม่" in html
    assert counts() == before  # the preview wrote nothing
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = client.post("/imports/confirm", data={"token": token})
    assert done.status_code in (302, 303)
    assert session.scalar(select(LandCase.province_code).where(LandCase.community_name == "ชุมชนจากหน้าเว็บ")) == "10"
    again = client.post("/imports/confirm", data={"token": token})
    assert again.status_code == 410  # the pending upload is gone once used


def test_preview_shows_row_errors_in_thai(client, users):
    _login(client, users["land_team"])
    bad = b"community_name,households,lon,lat\r\n,-3,100.564,13.708\r\n"
    response = _preview(client, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ต้องไม่ติดลบ" in html and "จำเป็นต้องกรอก" in html
    assert 'name="token"' not in html


def test_preview_refuses_a_hostile_file_with_a_page(client, users):
    _login(client, users["land_team"])
    response = _preview(client, b"PK\x05\x06" + b"\0" * 18, "empty.zip")
    assert response.status_code in (400, 415)
    assert "zip" in response.get_data(as_text=True)


def test_confirm_is_bound_to_the_uploader(client, users, app):
    _login(client, users["land_team"])
    html = _preview(client, CSV).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    client.post("/logout")
    _login(client, users["admin"])
    assert client.post("/imports/confirm", data={"token": token}).status_code == 410
    assert client.post("/imports/confirm", data={"token": "../../etc"}).status_code == 410
    client.post("/logout")
    _login(client, users["land_team"])
    assert client.post("/imports/cancel", data={"token": token}).status_code in (302, 303)
    assert client.post("/imports/confirm", data={"token": token}).status_code == 410


def test_viewers_cannot_import(client, users):
    _login(client, users["viewer"])
    assert client.get("/imports").status_code == 403
    assert _preview(client, CSV).status_code == 403
