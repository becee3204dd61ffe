"""The PDF routes: maps (national, region, shared link), site briefs, dossiers; bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from app.extensions import db
from app.i18n import buddhist_date
from app.models import ShareLink
from app.prints import service
from gis import print_map
from tests.maps.data import SECRET_CONTACT, SECRET_NOTE, SECRET_OWNER, SECRET_PHONE, XSS_NAME

BE_YEAR = str(service.today().year + 543)


def _scalar(sql: str, **params):
    return db.session.execute(text(sql), params).scalar()


def test_national_map_pdf_is_a_thai_document_with_embedded_fonts(client, auth, pdf):
    doc = pdf(client.get("/map.pdf", headers=auth("viewer")))
    assert doc.size == (842, 595)                                    # A4 landscape
    assert doc.has("แผนที่กรณีปัญหาที่ดินทั้งประเทศ")
    assert doc.has(f"พิมพ์เมื่อ {buddhist_date(service.today(), 'th')}") and BE_YEAR in doc.text  # B.E. date
    assert doc.has("คำอธิบายสัญลักษณ์") and doc.has("สำรวจข้อมูล") and doc.has("สรุปตามสถานะ")
    assert "RTSD / OCHA, CC BY-IGO" in doc.text
    assert doc.has("ข้อมูลตัวอย่าง")
    assert doc.has("หน้า 1 / ")                                     # page numbers
    sample_name = _scalar("SELECT community_name FROM land_cases WHERE is_sample AND deleted_at IS NULL "
                          "ORDER BY province_code, code LIMIT 1")
    assert doc.has(sample_name)
    fonts = [line.split() for line in doc.fonts.splitlines()[2:] if line.strip()]
    assert fonts and all("yes" == f[-5] for f in fonts)              # every font embedded
    assert any("Laksaman" in f[0] for f in fonts)


def test_region_map_pdf_on_a3_with_the_map_query(client, auth, pdf, map_data):
    doc = pdf(client.get("/map/south-z9.pdf?size=a3&status=reported,surveying&layers=provinces,funds",
                         headers=auth("policy")))
    assert doc.size == (1191, 842)
    assert doc.has("แผนที่กรณีปัญหาที่ดิน ภาคใต้ เขต 9")
    assert doc.has("แสดงเฉพาะสถานะ: รับเรื่อง, สำรวจข้อมูล")
    assert doc.has("ชุมชนริมคลองหาดใหญ่ (ทดสอบ)")                  # reported, Songkhla (zone 9)
    assert not doc.has("ชุมชนเก้าเส้ง (ทดสอบ)")                      # evicted: not asked for
    assert not doc.has("ชุมชนท่าทองใหม่ (ทดสอบ)")                   # Surat Thani: zone 8
    assert not doc.has("ชุมชนช้างคลาน (ทดสอบ)")                      # Chiang Mai: another region
    assert not doc.has("ชุมชนที่ถูกลบ (ทดสอบ)")                       # deleted
    for secret in (SECRET_CONTACT, SECRET_PHONE, SECRET_NOTE, SECRET_OWNER):
        assert not doc.has(secret)


def test_names_with_markup_are_printed_as_text(client, auth, pdf, map_data):
    doc = pdf(client.get("/map/south-z9.pdf", headers=auth("viewer")))
    assert doc.has(XSS_NAME)


def test_as_of_prints_the_map_as_it_stood(client, auth, pdf):
    from datetime import timedelta

    from tests.factories import case_payload

    body = case_payload(community_name="ชุมชนเพิ่งรับเรื่องวันนี้")
    assert client.post("/api/v1/cases", json=body, headers=auth("land_team")).status_code == 201
    yesterday = (service.today() - timedelta(days=1)).isoformat()
    today = pdf(client.get("/map/bangkok.pdf", headers=auth("viewer")))
    assert today.has("ชุมชนเพิ่งรับเรื่องวันนี้") and not today.has("ข้อมูล ณ วันที่")
    past = pdf(client.get(f"/map/bangkok.pdf?as_of={yesterday}", headers=auth("viewer")))
    assert not past.has("ชุมชนเพิ่งรับเรื่องวันนี้")
    assert past.has(f"ข้อมูล ณ วันที่ {buddhist_date(service.today() - timedelta(days=1), 'th')}")


def test_many_cases_become_clusters_and_a_summary_per_province(client, auth, pdf, monkeypatch):
    monkeypatch.setattr(print_map, "MAX_MAP_POINTS", 10)
    monkeypatch.setattr(service, "TABLE_LIMIT", 10)
    doc = pdf(client.get("/map.pdf", headers=auth("viewer")))
    assert doc.has("สรุปกรณีรายจังหวัด") and doc.has("รวมเป็นกลุ่มตามพื้นที่")
    assert doc.has("กรุงเทพมหานคร")
    region = pdf(client.get("/map/bangkok.pdf", headers=auth("viewer")))
    assert region.has("สรุปกรณีรายอำเภอ")


def test_cluster_counts_add_up_to_the_cases_shown(app, session):
    from app.maps.queries import CaseFilter
    from app.prints import queries

    case_filter = CaseFilter(statuses=["reported", "negotiating", "secured"])
    counts, _, _ = queries.status_counts(case_filter)
    clusters = queries.case_clusters(case_filter, 0.5, 0.5)
    assert sum(c.total for c in clusters) == sum(counts.values()) > 0
    assert {s for c in clusters for s in c.counts} <= {"reported", "negotiating", "secured"}


def _share(client, auth, **body) -> tuple[str, int]:
    payload = {"label": "print test", "expires_in_days": 7, "region": "south-z9",
               "statuses": ["reported", "surveying", "negotiating"], "layers": ["provinces", "pilot-areas"], **body}
    response = client.post("/api/v1/share-links", json=payload, headers=auth("policy"))
    assert response.status_code == 201, response.get_data(as_text=True)
    return urlsplit(response.get_json()["url"]).path.removeprefix("/s/"), response.get_json()["id"]


def test_shared_link_pdf_has_no_contacts_or_notes(client, auth, pdf, map_data):
    token, _ = _share(client, auth)
    doc = pdf(client.get(f"/s/{token}.pdf"))                          # no account
    assert doc.has("ชุมชนริมคลองหาดใหญ่ (ทดสอบ)")
    assert doc.has("แผนที่อ่านอย่างเดียว")
    for secret in (SECRET_CONTACT, SECRET_PHONE, SECRET_NOTE, SECRET_OWNER, "ทีมทดสอบ", "สถาปนิกทดสอบ",
                   "เป้าหมายทดสอบ"):
        assert not doc.has(secret), secret
    response = client.get(f"/s/{token}.pdf")
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_shared_link_pdf_stays_inside_the_link(client, auth, map_data):
    token, _ = _share(client, auth)
    assert client.get(f"/s/{token}.pdf?status=secured").status_code == 400
    assert client.get(f"/s/{token}.pdf?layers=funds").status_code == 400
    assert client.get(f"/s/{token}.pdf?province=10").status_code == 400


def test_revoked_and_expired_links_have_no_pdf(client, auth, session):
    token, link_id = _share(client, auth)
    assert client.delete(f"/api/v1/share-links/{link_id}", headers=auth("policy")).status_code == 204
    assert client.get(f"/s/{token}.pdf").status_code == 410
    token, link_id = _share(client, auth)
    link = session.get(ShareLink, link_id)
    link.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    assert client.get(f"/s/{token}.pdf").status_code == 410
    assert client.get("/s/" + "x" * 43 + ".pdf").status_code == 404


BAD = [
    ("/map.pdf?size=A5", 400, "ขนาดกระดาษ"),
    ("/map.pdf?size=letter", 400, "A4, A3"),
    ("/map.pdf?status=bogus", 400, "status"),
    ("/map.pdf?layers=bogus", 400, "layers"),
    ("/map.pdf?province=99", 400, "จังหวัด"),
    ("/map.pdf?as_of=2600-01-01", 400, "as_of"),
    ("/map.pdf?as_of=yesterday", 400, "as_of"),
    ("/map/atlantis.pdf", 404, "atlantis"),
    ("/map/south.pdf?size=A0", 400, "ขนาดกระดาษ"),
    ("/cases/99999999.pdf", 404, "99999999"),
    ("/pilot-areas/99999999.pdf", 404, "99999999"),
    ("/s/not-a-token.pdf", 404, "ลิงก์"),
]


@pytest.mark.parametrize(("url", "status", "words"), BAD)
def test_bad_input_is_a_clear_4xx(client, auth, url, status, words):
    response = client.get(url, headers=auth("viewer"))
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert response.mimetype != "application/pdf"


@pytest.mark.parametrize("url", ["/map.pdf", "/map/south.pdf", "/cases/1.pdf", "/pilot-areas/1.pdf"])
def test_prints_need_an_account(client, url):
    response = client.get(url)
    assert response.status_code in (302, 401)
    assert response.mimetype != "application/pdf"


def test_pages_link_to_their_prints(client, auth, map_data):
    from tests.factories import make_user
    from tests.pilot_areas.support import login

    token, _ = _share(client, auth)
    login(client, make_user("viewer"))
    page = client.get("/map/south").get_data(as_text=True)
    assert 'href="/map/south.pdf?size=A4"' in page and 'data-print-size="A3"' in page
    assert "print/print_links.js" in page
    assert 'href="/map.pdf?size=A3"' in client.get("/map").get_data(as_text=True)
    case_id = map_data["LC-T9001"]["id"]
    assert f'href="/cases/{case_id}.pdf"' in client.get(f"/cases/{case_id}").get_data(as_text=True)
    pilot_id = db.session.execute(text("SELECT id FROM pilot_areas ORDER BY id LIMIT 1")).scalar()
    assert f'href="/pilot-areas/{pilot_id}.pdf"' in client.get(f"/pilot-areas/{pilot_id}").get_data(as_text=True)
    shared = client.get(f"/s/{token}").get_data(as_text=True)
    assert f'href="/s/{token}.pdf?size=A4"' in shared


def test_english_prints(client, auth, pdf):
    doc = pdf(client.get("/map/bangkok.pdf?lang=en", headers=auth("viewer")))
    assert "Summary by status" in doc.text and "Printed on" in doc.text and "Legend" in doc.text
    assert "RTSD / OCHA, CC BY-IGO" in doc.text


def test_every_layer_prints(client, auth, pdf):
    doc = pdf(client.get("/map/isan-upper.pdf?layers=provinces,districts,pilot-areas,funds,choropleth",
                         headers=auth("viewer")))
    assert doc.has("จำนวนกรณีที่ยังไม่ยุติ") and doc.has("ขอบเขตอำเภอ") and doc.has("กองทุนชุมชน")
    empty = pdf(client.get("/map.pdf?status=&layers=", headers=auth("viewer")))
    assert empty.has("ไม่มีกรณีตามเงื่อนไขที่เลือก")


def test_a_frozen_share_link_prints_its_date(client, auth, pdf, map_data):
    from datetime import timedelta

    day = service.today() - timedelta(days=2)
    token, _ = _share(client, auth, as_of=day.isoformat())
    doc = pdf(client.get(f"/s/{token}.pdf"))
    assert doc.has(f"ข้อมูล ณ วันที่ {buddhist_date(day, 'th')}")
    assert client.get(f"/s/{token}.pdf?as_of={service.today().isoformat()}").status_code == 400
