"""Site briefs and case dossiers: what the reader may see on screen, and nothing more."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.factories import case_payload

PHONE = "081-234-5678"
CONTACT = "นางสมศรี ผู้ประสานงาน"
NOTE = "ชุมชนขอให้ประชุมวันเสาร์"
DOC_NAME = "ผังชุมชนริมคลอง.pdf"


@pytest.fixture()
def case(client, auth):
    """A case with contacts, a note, a status change and a document, made by the land team."""
    body = case_payload(community_name="ชุมชนริมคลองสำเหร่", contact_name=CONTACT, contact_phone=PHONE, notes=NOTE)
    created = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    moved = client.post(f"/api/v1/cases/{case_id}/status", headers=auth("land_team"),
                        json={"status": "surveying", "note": "ลงพื้นที่สำรวจครั้งแรก", "date": "2025-03-04"})
    assert moved.status_code == 200, moved.get_json()
    uploaded = client.post(f"/api/v1/cases/{case_id}/documents", headers=auth("land_team"),
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), DOC_NAME), "kind": "map"})
    assert uploaded.status_code == 201, uploaded.get_json()
    return case_id


def test_dossier_for_the_land_team_carries_contacts_timeline_and_documents(client, auth, pdf, case):
    doc = pdf(client.get(f"/cases/{case}.pdf", headers=auth("land_team")))
    assert doc.size == (842, 595)
    assert doc.has("ชุมชนริมคลองสำเหร่") and doc.has("แฟ้มข้อมูลกรณีปัญหาที่ดิน")
    assert PHONE in doc.text and doc.has(CONTACT) and doc.has("ใช้ภายในเท่านั้น")
    assert doc.has(NOTE)
    assert doc.has("ลำดับสถานะ") and doc.has("ลงพื้นที่สำรวจครั้งแรก") and doc.has("4 มี.ค. 2568")  # B.E. date
    assert doc.has(DOC_NAME)
    assert doc.has("ตำแหน่ง") and "RTSD / OCHA, CC BY-IGO" in doc.text


@pytest.mark.parametrize("role", ["policy", "viewer"])
def test_dossier_for_policy_and_viewers_has_no_contacts_and_no_documents(client, auth, pdf, case, role):
    doc = pdf(client.get(f"/cases/{case}.pdf", headers=auth(role)))
    assert doc.has("ชุมชนริมคลองสำเหร่")
    assert PHONE not in doc.text and not doc.has(CONTACT) and not doc.has("โทรศัพท์ผู้ติดต่อ")
    assert not doc.has(DOC_NAME) and not doc.has("ใช้ภายในเท่านั้น")


def test_architects_see_the_documents_but_not_the_contacts(client, auth, pdf, case):
    doc = pdf(client.get(f"/cases/{case}.pdf", headers=auth("architect")))
    assert doc.has(DOC_NAME) and PHONE not in doc.text


def test_a_deleted_case_prints_only_for_admins(client, auth, pdf, case):
    assert client.delete(f"/api/v1/cases/{case}", headers=auth("land_team")).status_code == 204
    assert client.get(f"/cases/{case}.pdf", headers=auth("viewer")).status_code == 404
    assert client.get(f"/cases/{case}.pdf", headers=auth("land_team")).status_code == 404
    doc = pdf(client.get(f"/cases/{case}.pdf", headers=auth("admin")))
    assert doc.has("ถูกลบเมื่อ")


def test_sample_dossier_is_marked_as_sample(client, auth, pdf):
    case_id = db.session.execute(text("SELECT id FROM land_cases WHERE is_sample AND deleted_at IS NULL "
                                      "ORDER BY id LIMIT 1")).scalar()
    assert pdf(client.get(f"/cases/{case_id}.pdf", headers=auth("viewer"))).has("ข้อมูลตัวอย่าง")


def test_pilot_site_brief_has_its_map_figures_targets_and_reviews(client, auth, pdf, session):
    pilot_id, name, code = db.session.execute(text(
        "SELECT id, name_th, subdistrict_code FROM pilot_areas WHERE subdistrict_code = '103301'")).one()
    reviewed = client.post(f"/api/v1/pilot-areas/{pilot_id}/reviews", headers=auth("architect"),
                           json={"verdict": "needs_changes", "comment": "ขอผังทางเดินริมคลองเพิ่ม"})
    assert reviewed.status_code == 201, reviewed.get_json()
    session.execute(text("UPDATE pilot_areas SET targets = 'ครัวเรือนมั่นคง 120 ครัวเรือนภายในปี 2570' "
                         "WHERE id = :id"), {"id": pilot_id})
    session.commit()
    doc = pdf(client.get(f"/pilot-areas/{pilot_id}.pdf", headers=auth("viewer")))
    assert doc.has(f"ข้อมูลพื้นที่รูปธรรม {name}")
    assert doc.has("กรณีที่ดินในตำบล") and doc.has("ครัวเรือนที่มั่นคงแล้ว") and doc.has("กองทุน")
    assert doc.has("เป้าหมาย") and doc.has("ครัวเรือนมั่นคง 120 ครัวเรือนภายในปี 2570")
    assert doc.has("ความเห็นของสถาปนิก") and doc.has("ขอผังทางเดินริมคลองเพิ่ม") and doc.has("ต้องปรับปรุง")
    first_case = db.session.execute(text("SELECT community_name FROM land_cases WHERE subdistrict_code = :c "
                                         "AND deleted_at IS NULL ORDER BY code LIMIT 1"), {"c": code}).scalar()
    if first_case:
        assert doc.has(first_case)
    assert doc.has("ข้อมูลตัวอย่าง")


def test_dossier_shows_the_land_the_community_stands_on(client, auth, pdf):
    ring = [[100.5635, 13.7075], [100.5645, 13.7075], [100.5645, 13.7085], [100.5635, 13.7085], [100.5635, 13.7075]]
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [100.564, 13.708]},
            "properties": {**{k: v for k, v in case_payload(community_name="ชุมชนมีขอบเขต").items()
                              if k not in ("lon", "lat")},
                           "footprint": {"type": "Polygon", "coordinates": [ring]}}}
    created = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert created.status_code == 201, created.get_json()
    doc = pdf(client.get(f"/cases/{created.get_json()['id']}.pdf", headers=auth("viewer")))
    assert doc.has("ที่ดินที่ชุมชนตั้งอยู่") and doc.has("ขอบเขตชุมชน") and doc.has("ไร่")
