"""Each status move's JSON text (`status_moves`, migration 0018) stays what the history and the case
say, whoever writes: the answers of /api/v1/changes are held to the history read directly."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from app.extensions import db
from app.land_cases import service
from app.land_cases.validation import RawCase
from app.timeline import changes
from tests.factories import make_case
from tests.timeline.test_as_of import log, make

FIRST, LAST = date(2000, 1, 1), date(2030, 12, 31)
VARIANTS = [{}, {"points": True}, {"region": "bangkok"}, {"region": "south"}, {"province": "10"}]


def _reference(first: date, last: date, *, region=None, province=None, points=False) -> list[dict]:
    """The moves as the history and the cases say now (`changes_select`: no kept text)."""
    stmt = changes.changes_select(first, last, region=region, province=province)
    moves = []
    for r in db.session.execute(stmt.order_by("day", "case_id", "history_id")).mappings():
        move = {"case_id": r["case_id"], "code": r["code"], "community_name": r["community_name"],
                "from": r["from_status"], "to": r["to_status"],
                "date": r["day"].isoformat() if r["day"] else None, "region_code": r["region_code"]}
        if points:
            move.update(province_code=r["province_code"], province=r["province"],
                        lon=None if r["lon"] is None else round(r["lon"], 5),
                        lat=None if r["lat"] is None else round(r["lat"], 5))
        moves.append(move)
    return moves


def _answer(first: date = FIRST, last: date = LAST, **variant) -> dict:
    args = {"region": None, "province": None, "points": False, **variant}
    return json.loads(changes._changes_json(first, last, **args))


def assert_true(first: date = FIRST, last: date = LAST) -> None:
    for variant in VARIANTS:
        answer = _answer(first, last, **variant)
        assert answer["changes"] == _reference(first, last, **variant), variant
        assert answer["count"] == len(answer["changes"])
        assert (answer["from"], answer["to"]) == (first.isoformat(), last.isoformat())


def _moves_of(case_id: int, **variant) -> list[dict]:
    return [m for m in _answer(**variant)["changes"] if m["case_id"] == case_id]


def test_the_sample_data_and_the_migration_agree_with_the_history(session):
    assert db.session.execute(text("SELECT count(*) FROM status_moves")).scalar() > 0
    assert_true()


def test_a_status_change_is_listed_with_its_case(session):
    case = make_case(community_name="ชุมชนทดสอบย้าย")
    service.change_status(case.id, "surveying", None, effective_on=date(2025, 11, 3))
    service.change_status(case.id, "negotiating", None, effective_on=date(2025, 12, 1))
    moves = _moves_of(case.id)
    assert [(m["from"], m["to"], m["date"]) for m in moves] == [
        ("reported", "surveying", "2025-11-03"), ("surveying", "negotiating", "2025-12-01")]
    assert moves[0]["code"] == case.code and moves[0]["community_name"] == "ชุมชนทดสอบย้าย"
    assert_true(date(2025, 11, 1), date(2025, 12, 31))


def test_a_renamed_or_moved_case_reads_as_it_is_now(session):
    case = make_case(community_name="ชุมชนชื่อเดิม")
    service.change_status(case.id, "surveying", None, effective_on=date(2025, 11, 3))
    service.update_case(case.id, RawCase(fields={"community_name": "ชุมชนชื่อใหม่", "code": "LC-MOVE-1",
                                                 "lon": 100.50123456, "lat": 13.75123456}), None,
                        [case.record.version])
    (move,) = _moves_of(case.id, points=True)
    assert (move["community_name"], move["code"]) == ("ชุมชนชื่อใหม่", "LC-MOVE-1")
    assert (move["lon"], move["lat"]) == (100.50123, 13.75123)
    assert_true(date(2025, 11, 1), date(2025, 11, 30))


def test_a_case_moved_to_another_province_reads_with_it(session):
    case = make(status="surveying")
    log(case, "status", when="2024-03-01", field="status", old="reported", new="surveying", effective="2024-03-01")
    case.province_code, case.region_code = "90", "south"  # (an ORM flush: one UPDATE)
    db.session.flush()
    (move,) = _moves_of(case.id, region="south", points=True)
    assert (move["province_code"], move["region_code"]) == ("90", "south")
    assert _moves_of(case.id, region="bangkok") == []
    assert_true(date(2024, 1, 1), date(2024, 12, 31))


def test_deleted_restored_and_removed_cases(session):
    case = make_case()
    service.change_status(case.id, "surveying", None, effective_on=date(2025, 11, 3))
    service.delete_case(case.id, None)
    assert _moves_of(case.id) == []  # deleted by the end of the period
    assert_true(date(2025, 11, 1), date(2025, 11, 30))
    service.restore_case(case.id, None)
    assert len(_moves_of(case.id)) == 1
    db.session.execute(text("DELETE FROM land_cases WHERE id = :id"), {"id": case.id})
    assert db.session.execute(text("SELECT count(*) FROM status_moves WHERE case_id = :id"),
                              {"id": case.id}).scalar() == 0
    assert_true(date(2025, 11, 1), date(2025, 11, 30))


def test_a_renamed_province_reads_with_its_new_name(session):
    case = make()
    log(case, "status", when="2024-03-01", field="status", old="reported", new="surveying", effective="2024-03-01")
    db.session.execute(text("UPDATE provinces SET name_th = 'กรุงเทพฯ (ทดสอบ)' WHERE code = '10'"))
    (move,) = _moves_of(case.id, points=True)
    assert move["province"] == "กรุงเทพฯ (ทดสอบ)"
    assert_true(date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize("name", ['ชุมชน "ริมคลอง"', "back\\slash", "tab\there", "line\nbreak", "ปิด}ปีกกา,"])
def test_any_name_is_valid_json(session, name):
    case = make()
    case.community_name = name
    db.session.flush()
    log(case, "status", when="2024-03-01", field="status", old=None, new="surveying", effective="2024-03-01")
    (move,) = _moves_of(case.id)
    assert move["community_name"] == name and move["from"] is None


def test_a_history_row_of_a_case_that_does_not_exist_is_no_move(session):
    db.session.execute(text("INSERT INTO history (entity, entity_id, action, field, old_value, new_value, "
                            "effective_on) VALUES ('land_case', -5, 'status', 'status', 'reported', "
                            "'surveying', '2024-03-01')"))
    assert db.session.execute(text("SELECT count(*) FROM status_moves WHERE case_id = -5")).scalar() == 0


def test_generated_cases_and_their_histories_agree(session):
    from app.sample_data.generate import generate_cases

    generate_cases(60, seed=7)
    assert_true()
