"""The sample data (`flask demo load`) and the benchmark generator (`flask demo generate`)."""

from __future__ import annotations

from app.extensions import db
from app.sample_data import database_is_empty, generate_cases, load_sample
from tests.pilot_areas.support import login, scalar


def test_sample_spread_over_the_regions_of_the_plan(session):
    # the map tests' own rows (tests/maps/data.py) are marked sample too and may be there
    ours = "name_th NOT LIKE '%(ทดสอบ)'"
    assert scalar(f"SELECT count(*) FROM pilot_areas WHERE is_sample AND {ours}") == 30
    units = set(scalar(f"""SELECT array_agg(DISTINCT COALESCE(pr.zone_code, p.region_code)) FROM pilot_areas p
                           JOIN province_regions pr ON pr.province_code = p.province_code
                           WHERE p.is_sample AND p.{ours}"""))
    assert units == {"south-z8", "south-z9", "north-upper", "north-lower", "isan-upper", "isan-middle",
                     "isan-lower", "central", "bangkok", "east"}
    # 500102 is left free so that a new user can try creating the pilot of the acceptance check
    assert scalar("SELECT count(*) FROM pilot_areas WHERE subdistrict_code = '500102'") == 0
    assert 55 <= scalar("SELECT count(*) FROM funds WHERE is_sample") <= 65
    assert scalar("SELECT count(*) FROM land_cases WHERE is_sample AND code LIKE 'LC-S%'") == 300
    for province in ("84", "90", "50", "10"):
        assert scalar("SELECT count(*) FROM land_cases WHERE is_sample AND province_code = :p", p=province) > 3
    assert scalar("SELECT count(*) FROM land_cases WHERE subdistrict_code = '103301'") > 0  # Khlong Toei


def test_sample_records_are_placed_inside_their_subdistricts(session):
    for table in ("land_cases", "funds"):
        assert scalar(f"SELECT count(*) FROM {table} WHERE is_sample AND region_code IS NULL") == 0
        assert scalar(f"""SELECT count(*) FROM {table} t JOIN subdistricts s ON s.code = t.subdistrict_code
                          WHERE t.is_sample AND NOT ST_Intersects(s.geom, t.geom)""") == 0
    assert scalar("SELECT subdistrict_code FROM funds WHERE name = 'กองทุนออมทรัพย์ชุมชนเกาะเต่า'") == "840503"


def test_sample_mix_is_realistic_and_clearly_fake(session):
    statuses = dict(db.session.execute(db.text(
        "SELECT status, count(*) FROM land_cases WHERE code LIKE 'LC-S%' GROUP BY 1")).all())
    assert set(statuses) == {"reported", "surveying", "negotiating", "agreed", "secured", "stalled", "evicted",
                             "closed"}
    assert max(statuses.values()) < 120
    assert scalar("SELECT count(DISTINCT land_owner_type) FROM land_cases WHERE code LIKE 'LC-S%'") >= 9
    assert scalar("SELECT count(DISTINCT problem) FROM land_cases WHERE code LIKE 'LC-S%'") == 6
    assert scalar("SELECT count(DISTINCT community_name) FROM land_cases WHERE code LIKE 'LC-S%'") == 300
    assert scalar("SELECT min(opened_on) >= '2009-10-01' AND max(opened_on) <= '2026-09-30' "
                  "FROM land_cases WHERE code LIKE 'LC-S%'")
    assert scalar("""SELECT count(DISTINCT extract(year FROM opened_on + interval '3 months'))
                     FROM land_cases WHERE code LIKE 'LC-S%'""") >= 15  # fiscal years 2553-2569
    assert scalar("SELECT bool_and(contact_phone LIKE '000-000-%' AND contact_name LIKE '%ตัวอย่าง') "
                  "FROM land_cases WHERE code LIKE 'LC-S%'")
    assert scalar("SELECT count(*) FROM land_cases WHERE code LIKE 'LC-S%' AND team IS NULL") == 0


def test_sample_histories_follow_the_workflow_and_end_at_the_status(session):
    from app.land_cases.workflow import TRANSITIONS

    rows = db.session.execute(db.text("""
        SELECT c.id, c.status, c.opened_on, h.old_value, h.new_value, h.effective_on
        FROM land_cases c JOIN history h ON h.entity = 'land_case' AND h.entity_id = c.id AND h.action = 'status'
        WHERE c.code LIKE 'LC-S%' ORDER BY c.id, h.id""")).all()
    assert rows
    last: dict[int, tuple] = {}
    for case_id, _status, opened, old, new, on in rows:
        assert new in TRANSITIONS[old], (old, new)
        previous = last.get(case_id)
        assert (previous[0] if previous else "reported") == old
        assert on >= (previous[1] if previous else opened)
        last[case_id] = (new, on)
    for case_id, status, *_ in rows:
        assert last[case_id][0] == status


def test_load_is_idempotent_and_the_badge_shows(client, users):
    assert not database_is_empty()
    before = scalar("SELECT count(*) FROM land_cases")
    assert "already present" in load_sample()
    assert scalar("SELECT count(*) FROM land_cases") == before
    login(client, users["viewer"])
    assert "ข้อมูลตัวอย่าง" in client.get("/").get_data(as_text=True)


def test_generate_makes_cases_inside_real_subdistricts_deterministically(session):
    def run(seed: int) -> list[tuple]:
        nested = db.session.begin_nested()
        made = generate_cases(400, seed)
        rows = db.session.execute(db.text("""
            SELECT code, subdistrict_code, status, households, opened_on, ST_AsText(geom)
            FROM land_cases WHERE code LIKE 'LC-G%' ORDER BY code""")).all()
        inside = scalar("""SELECT count(*) FROM land_cases c JOIN subdistricts s ON s.code = c.subdistrict_code
                           WHERE c.code LIKE 'LC-G%' AND ST_Intersects(s.geom, c.geom)""")
        located = scalar("SELECT count(*) FROM land_cases WHERE code LIKE 'LC-G%' AND region_code IS NOT NULL")
        histories = scalar("""SELECT count(DISTINCT h.entity_id) FROM history h JOIN land_cases c ON c.id = h.entity_id
                              WHERE c.code LIKE 'LC-G%'""")
        nested.rollback()
        assert made == len(rows) == inside == located == histories == 400
        assert all(row[0].startswith("LC-G") for row in rows)
        return [tuple(r) for r in rows]

    first = run(7)
    assert run(7) == first
    assert run(8) != first
    assert len({r[2] for r in first}) == 8  # every status
    assert sum(1 for r in first if r[1].startswith("10")) > 20  # Bangkok weighs more


def test_demo_cli(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "already present" in result.output
    result = runner.invoke(args=["demo", "generate", "--cases", "0"])
    assert result.exit_code != 0


def test_setup_loads_the_sample_into_an_empty_database(app, session):
    for table in ("pilot_areas", "funds", "land_cases"):
        db.session.execute(db.text(f"DELETE FROM {table}"))
    assert database_is_empty()
    message = load_sample()
    assert "30 pilot areas, 61 funds, 300 cases" in message
    assert not database_is_empty()
    assert scalar("SELECT count(*) FROM land_cases WHERE NOT is_sample") == 0
    assert "already present" in load_sample()
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0 and "sample data" not in result.output
