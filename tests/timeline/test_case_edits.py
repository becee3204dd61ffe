"""The history rows that rewind a case, with the case's point now (`case_edits`, migration 0019),
stay what the history and the cases say, whoever writes; and a box as of a day gives the cases
the whole map of that day has in the box."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, text

from app.extensions import db
from app.land_cases import service
from app.land_cases.queries import visible_cases
from app.land_cases.validation import RawCase
from app.models import LandCase
from tests.factories import make_case
from tests.timeline.test_as_of import log, make

# the rule of migration 0019 read from the history and the cases directly
REFERENCE = """
    SELECT h.id, h.entity_id, h.at,
           CASE WHEN h.action = 'update' THEN h.field WHEN h.action = 'status' THEN '~status' ELSE '~deletion' END,
           CASE WHEN h.action = 'update' THEN h.old_value WHEN h.action = 'status' THEN 'status' ELSE h.action END,
           ST_AsText(c.geom)
    FROM history h JOIN land_cases c ON c.id = h.entity_id
    WHERE h.entity = 'land_case' AND (h.action IN ('update', 'delete', 'restore') OR
          (h.action = 'status' AND h.effective_on < (h.at AT TIME ZONE 'Asia/Bangkok')::date))"""
KEPT = "SELECT history_id, case_id, at, key, value, ST_AsText(geom) FROM case_edits"


def assert_true() -> None:
    kept = set(db.session.execute(text(KEPT)).all())
    assert kept == set(db.session.execute(text(REFERENCE)).all())


def _edits_of(case_id: int) -> list[tuple]:
    return db.session.execute(text(KEPT + " WHERE case_id = :id ORDER BY history_id"), {"id": case_id}).all()


def test_the_sample_data_and_the_migration_agree_with_the_history(session):
    assert_true()


def test_an_edit_is_kept_and_follows_the_case_when_it_moves(session):
    case = make_case(households=40)
    service.update_case(case.id, RawCase(fields={"households": 55}), None, [case.record.version])
    (edit,) = _edits_of(case.id)
    assert edit[3:5] == ("households", "40")
    service.update_case(case.id, RawCase(fields={"lon": 100.61, "lat": 13.81}), None, [case.record.version])
    assert {e[5] for e in _edits_of(case.id)} == {"POINT(100.61 13.81)"}
    assert {"households", "lon", "lat"} <= {e[3] for e in _edits_of(case.id)}
    assert_true()


def test_status_rows_are_kept_only_when_back_dated(session):
    case = make()
    log(case, "status", when="2024-03-01", field="status", old="reported", new="surveying", effective="2024-03-01")
    assert _edits_of(case.id) == []
    log(case, "status", when="2024-05-01", field="status", old="surveying", new="agreed", effective="2024-04-15")
    assert [e[3:5] for e in _edits_of(case.id)] == [("~status", "status")]
    assert_true()


def test_deleted_restored_and_removed_cases(session):
    case = make_case()
    service.delete_case(case.id, None)
    service.restore_case(case.id, None)
    assert [e[3:5] for e in _edits_of(case.id)] == [("~deletion", "delete"), ("~deletion", "restore")]
    db.session.execute(text("DELETE FROM land_cases WHERE id = :id"), {"id": case.id})
    assert _edits_of(case.id) == []
    assert_true()


def test_a_history_row_of_a_case_that_does_not_exist_is_not_kept(session):
    db.session.execute(text("INSERT INTO history (entity, entity_id, action, field, old_value) "
                            "VALUES ('land_case', -5, 'update', 'households', '3')"))
    assert _edits_of(-5) == []


def test_generated_cases_and_their_histories_agree(session):
    from app.sample_data.generate import generate_cases

    generate_cases(60, seed=11)
    assert_true()


def _ids(day: date, bbox: tuple[float, float, float, float] | None) -> list[int]:
    stmt = visible_cases(as_of=day, bbox=bbox).with_only_columns(LandCase.id, maintain_column_froms=True)
    return sorted(db.session.execute(stmt).scalars())


def _ids_in(day: date, bbox: tuple[float, float, float, float]) -> list[int]:
    """The cases of the whole map of `day` whose point of that day lies in the box."""
    stmt = visible_cases(as_of=day).with_only_columns(LandCase.id, maintain_column_froms=True).where(
        func.ST_Intersects(LandCase.geom, func.ST_MakeEnvelope(*bbox, 4326)))
    return sorted(db.session.execute(stmt).scalars())


@pytest.mark.parametrize("day", [date(2019, 9, 30), date(2023, 3, 31), date(2025, 9, 30)])
@pytest.mark.parametrize("bbox", [(100.3, 13.5, 100.9, 14.1), (98.0, 7.0, 101.0, 10.0), (97.0, 5.0, 106.0, 21.0)])
def test_a_box_of_a_past_day_is_the_whole_map_of_that_day_cut_by_the_box(session, day, bbox):
    from app.sample_data.generate import generate_cases

    generate_cases(150, seed=5)
    moved = make(lon=100.95, lat=14.2)  # outside the first box now, inside it then
    log(moved, "update", when="2025-12-01", field="lon", old="100.5", new="100.95")
    log(moved, "update", when="2025-12-01", field="lat", old="13.7", new="14.2")
    assert _ids(day, bbox) == _ids_in(day, bbox)
    if bbox[0] == 100.3 and day >= date(2024, 1, 1):
        assert moved.id in _ids(day, bbox)


def test_an_import_that_edits_and_moves_a_case_is_kept(client, auth, session):
    from tests.exchange.conftest import csv_bytes, upload

    case = make_case(code="CE-IMPORT-1", households=10)
    row = {"code": "CE-IMPORT-1", "community_name": "ชุมชนทดสอบ", "households": "25",
           "lon": "100.474", "lat": "7.007"}  # from Khlong Toei to Hat Yai
    response = upload(client, auth("land_team"), csv_bytes([row]), "moved.csv")
    assert response.status_code == 200 and response.json["updated"] == 1, response.json
    edits = _edits_of(case.id)
    assert {"households", "lon", "lat"} <= {e[3] for e in edits}
    assert {e[5] for e in edits} == {"POINT(100.474 7.007)"}
    assert_true()
