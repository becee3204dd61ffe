"""Committed map data for the map and share-link tests (the live server needs committed rows).

A few cases in the South (Songkhla, Surat Thani, Chumphon, Phuket), one in Bangkok and one
in Chiang Mai, a deleted one, two pilot subdistricts and two funds; every row is marked as
sample data and carries recognisable secrets in the fields a shared map must never show.
Removed again at the end of the session.
"""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from app.models import Fund, LandCase, PilotArea
from gis.spatial import derive_admin_areas

SECRET_CONTACT = "ผู้ติดต่อลับ TESTCONTACT"
SECRET_PHONE = "089-555-0199"
SECRET_NOTE = "บันทึกภายใน TESTNOTE"
SECRET_OWNER = "นายเจ้าของ TESTOWNER"
CODE_PREFIX = "LC-T9"
XSS_NAME = 'ชุมชน<img src=x onerror="window.__xss=1">ทดสอบ (ทดสอบ)'

# code, name, status, lon, lat
CASES = [
    ("LC-T9001", "ชุมชนริมคลองหาดใหญ่ (ทดสอบ)", "reported", 100.4747, 7.0086),
    ("LC-T9002", "ชุมชนแหลมสนอ่อน (ทดสอบ)", "surveying", 100.5951, 7.1897),
    ("LC-T9003", "ชุมชนท่าทองใหม่ (ทดสอบ)", "negotiating", 99.3215, 9.1382),
    ("LC-T9004", "ชุมชนบ่อผุด (ทดสอบ)", "agreed", 100.0136, 9.5120),
    ("LC-T9005", "ชุมชนปากน้ำชุมพร (ทดสอบ)", "secured", 99.1800, 10.4930),
    ("LC-T9006", "ชุมชนสะพานหิน (ทดสอบ)", "stalled", 98.3923, 7.8804),
    ("LC-T9007", "ชุมชนเก้าเส้ง (ทดสอบ)", "evicted", 100.6040, 7.1700),
    ("LC-T9008", "ชุมชนคลองเรียน (ทดสอบ)", "closed", 100.4600, 7.0200),
    ("LC-T9009", "ชุมชนหาดใหญ่ใน (ทดสอบ)", "reported", 100.4800, 7.0050),
    ("LC-T9010", "ชุมชนคลองเตยทดสอบ (ทดสอบ)", "negotiating", 100.5640, 13.7080),
    ("LC-T9011", "ชุมชนช้างคลาน (ทดสอบ)", "reported", 98.9985, 18.7800),
    ("LC-T9012", XSS_NAME, "reported", 100.7000, 7.0500),
    ("LC-T9099", "ชุมชนที่ถูกลบ (ทดสอบ)", "reported", 100.4700, 7.0100),  # soft-deleted
]
FUND_NAMES = ["กองทุนเมืองหาดใหญ่ (ทดสอบ)", "กองทุนจังหวัดสุราษฎร์ธานี (ทดสอบ)"]
PILOT_NAMES = ["พื้นที่รูปธรรมเกาะเต่า (ทดสอบ)", "พื้นที่รูปธรรมหาดใหญ่ (ทดสอบ)"]
SOUTH_CODES = {c[0] for c in CASES if c[4] < 11 and c[0] != "LC-T9099"}
DELETED_CODE = "LC-T9099"


def ensure_map_data(app) -> dict:
    """Insert the rows once per database (idempotent); return what was made."""
    with app.app_context():
        existing = db.session.scalar(text("SELECT count(*) FROM land_cases WHERE code LIKE 'LC-T9%'"))
        if not existing:
            cases = [LandCase(code=code, community_name=name, households=40 + i * 7, population=150 + i * 20,
                              land_owner_type="treasury", land_owner=SECRET_OWNER, problem="eviction_threat",
                              status=status, area_type="urban", geom=f"SRID=4326;POINT({lon} {lat})",
                              contact_name=SECRET_CONTACT, contact_phone=SECRET_PHONE, notes=SECRET_NOTE,
                              team="ทีมทดสอบภาคใต้", is_sample=True, version=1)
                     for i, (code, name, status, lon, lat) in enumerate(CASES)]
            db.session.add_all(cases)
            db.session.flush()
            derive_admin_areas(db.session.connection(), "land_cases", [c.id for c in cases])
            db.session.execute(text("UPDATE land_cases SET deleted_at = now() WHERE code = :c"), {"c": DELETED_CODE})
            funds = [Fund(name=FUND_NAMES[0], level="city", members=250, capital_baht=1500000,
                          network="เครือข่ายทดสอบ", notes=SECRET_NOTE, geom="SRID=4326;POINT(100.47 7.01)",
                          is_sample=True, version=1),
                     Fund(name=FUND_NAMES[1], level="province", members=900,
                          capital_baht=3200000, notes=SECRET_NOTE, geom="SRID=4326;POINT(99.33 9.14)",
                          is_sample=True, version=1)]
            db.session.add_all(funds)
            db.session.flush()
            derive_admin_areas(db.session.connection(), "funds", [f.id for f in funds])
            hat_yai = db.session.scalar(text("""SELECT code FROM subdistricts
                WHERE ST_Intersects(geom, ST_SetSRID(ST_Point(100.4747, 7.0086), 4326))"""))
            for code, name in (("840503", PILOT_NAMES[0]), (hat_yai, PILOT_NAMES[1])):
                if not db.session.scalar(text("SELECT 1 FROM pilot_areas WHERE subdistrict_code = :c"), {"c": code}):
                    db.session.add(PilotArea(subdistrict_code=code, district_code=code[:4], province_code=code[:2],
                                             region_code="south", name_th=name, team="ทีมทดสอบ",
                                             architect="สถาปนิกทดสอบ", stage="planning", notes=SECRET_NOTE,
                                             targets="เป้าหมายทดสอบ", is_sample=True, version=1))
            db.session.commit()
        rows = db.session.execute(text("SELECT code, id, province_code FROM land_cases WHERE code LIKE 'LC-T9%'"))
        made = {r[0]: {"id": r[1], "province": r[2]} for r in rows}
        db.session.remove()
    return made


def remove_map_data(app) -> None:
    with app.app_context():
        db.session.execute(text("DELETE FROM land_cases WHERE code LIKE 'LC-T9%'"))
        db.session.execute(text("DELETE FROM funds WHERE name = ANY(:n)"), {"n": FUND_NAMES})
        db.session.execute(text("DELETE FROM pilot_areas WHERE name_th = ANY(:n)"), {"n": PILOT_NAMES})
        db.session.execute(text("DELETE FROM share_links WHERE label LIKE 'test:%'"))
        db.session.commit()
        db.session.remove()
