"""The admin page and audit API."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db


def test_audit_lists_recent_changes_for_admins(client, auth, users):
    db.session.execute(text(
        "INSERT INTO history (entity, entity_id, action, field, old_value, new_value, user_id) "
        "VALUES ('land_case', 7, 'update', 'households', '10', '<b>12</b>', :u)"), {"u": users["admin"].id})
    body = client.get("/api/v1/audit", headers=auth("admin")).get_json()
    assert body["changes"][0]["new_value"] == "<b>12</b>"
    assert body["changes"][0]["user"] == users["admin"].email


def test_audit_is_admin_only(client, auth):
    assert client.get("/api/v1/audit", headers=auth("land_team")).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit?entity=bogus", headers=auth("admin")).status_code == 400


def test_admin_page_escapes_and_shows_tak(client, users):
    db.session.execute(text(
        "INSERT INTO history (entity, entity_id, action, field, new_value) "
        "VALUES ('land_case', 8, 'update', 'notes', '<script>alert(1)</script>')"))
    client.post("/login", data={"email": users["admin"].email, "password": "correct horse battery"})
    html = client.get("/admin/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "north-lower" in html
