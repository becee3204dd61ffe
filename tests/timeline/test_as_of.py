"""The as-of rules on crafted histories: every case as it stood at the end of a day (Thai time)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func

from app.extensions import db
from app.land_cases.queries import visible_cases
from app.models import HistoryEntry, LandCase
from app.timeline.asof import end_of_day
from app.timeline.dates import THAI_TIME


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=THAI_TIME)


def make(*, households: int = 100, status: str = "reported", recorded: str = "2024-01-01",
         opened_on: str | None = "2024-01-01", lon: float = 100.55, lat: float = 13.72, **extra) -> LandCase:
    opened = date.fromisoformat(opened_on) if opened_on else None
    case = LandCase(community_name="ชุมชนย้อนเวลา", households=households, status=status,
                    geom=f"SRID=4326;POINT({lon} {lat})", opened_on=opened,
                    is_sample=False, version=1, created_at=at(recorded), province_code="10", region_code="bangkok",
                    **extra)
    db.session.add(case)
    db.session.flush()
    log(case, "create", when=recorded)
    return case


def log(case: LandCase, action: str, *, when: str, field: str | None = None, old: str | None = None,
        new: str | None = None, effective: str | None = None, hour: int = 10, minute: int = 0) -> None:
    db.session.add(HistoryEntry(entity="land_case", entity_id=case.id, action=action, field=field,
                                old_value=old, new_value=new, at=at(when, hour, minute),
                                effective_on=date.fromisoformat(effective) if effective else None))
    db.session.flush()


def then(case: LandCase, day: str, **filters) -> dict | None:
    """The case as of `day` (None when it was not there), through the one case select."""
    stmt = visible_cases(ids=[case.id], as_of=date.fromisoformat(day), **filters)
    row = db.session.execute(stmt.with_only_columns(
        LandCase.id, LandCase.status, LandCase.households, LandCase.opened_on, LandCase.community_name,
        func.ST_X(LandCase.geom).label("lon"), func.ST_Y(LandCase.geom).label("lat"),
        maintain_column_froms=True)).mappings().first()
    return dict(row) if row else None


def status_on(case: LandCase, day: str) -> str | None:
    row = then(case, day)
    return row["status"] if row else None


def test_status_follows_effective_dates_including_a_change_dated_in_the_past(session):
    case = make(status="negotiating")
    log(case, "status", when="2024-03-01", field="status", old="reported", new="surveying", effective="2024-03-01")
    # recorded on 10 July, but dated 1 May: from 1 May on it counts, even as of days before 10 July
    log(case, "status", when="2024-07-10", field="status", old="surveying", new="negotiating", effective="2024-05-01")
    assert status_on(case, "2024-02-01") == "reported"
    assert status_on(case, "2024-03-01") == "surveying"
    assert status_on(case, "2024-04-30") == "surveying"
    assert status_on(case, "2024-05-01") == "negotiating"
    assert status_on(case, "2024-07-09") == "negotiating"
    assert status_on(case, "2024-12-31") == "negotiating"


def test_status_filter_applies_to_the_status_of_that_day(session):
    case = make(status="surveying")
    log(case, "status", when="2024-03-01", field="status", old="reported", new="surveying", effective="2024-03-01")
    assert then(case, "2024-02-01", statuses=["reported"]) is not None
    assert then(case, "2024-02-01", statuses=["surveying"]) is None
    assert then(case, "2024-03-02", statuses=["surveying"]) is not None


def test_field_edits_are_the_last_values_recorded_by_the_end_of_the_day(session):
    case = make(households=150)
    log(case, "update", when="2024-04-01", field="households", old="100", new="120")
    log(case, "update", when="2024-08-01", field="households", old="120", new="150", hour=23, minute=30)
    assert then(case, "2024-03-31")["households"] == 100
    assert then(case, "2024-04-01")["households"] == 120
    assert then(case, "2024-08-01")["households"] == 150  # 23:30 Thai time is still that day
    assert then(case, "2024-07-31")["households"] == 120


def test_the_day_ends_at_midnight_thai_time(session):
    case = make(households=2)
    log(case, "update", when="2024-05-02", field="households", old="1", new="2", hour=0, minute=30)
    assert end_of_day(date(2024, 5, 1)) == at("2024-05-02", 0)
    assert then(case, "2024-05-01")["households"] == 1
    assert then(case, "2024-05-02")["households"] == 2


def test_a_case_deleted_later_is_still_there_and_gone_after(session):
    case = make()
    case.deleted_at = at("2024-10-01")
    log(case, "delete", when="2024-10-01")
    assert then(case, "2024-09-30") is not None
    assert then(case, "2024-10-01") is None
    assert then(case, "2024-12-01") is None


def test_deleted_then_restored(session):
    case = make()
    log(case, "delete", when="2024-10-01")
    log(case, "restore", when="2024-11-01")
    assert then(case, "2024-09-30") is not None
    assert then(case, "2024-10-15") is None
    assert then(case, "2024-11-01") is not None


def test_a_case_recorded_later_shows_its_first_recorded_values_from_its_opening(session):
    case = make(recorded="2024-06-01", opened_on="2024-01-10", households=90, status="surveying")
    log(case, "update", when="2024-07-01", field="households", old="80", new="90")
    log(case, "status", when="2024-07-01", field="status", old="reported", new="surveying", effective="2024-07-01")
    assert then(case, "2024-01-09") is None
    early = then(case, "2024-01-10")
    assert early["households"] == 80 and early["status"] == "reported"
    assert then(case, "2024-06-15")["households"] == 80
    assert then(case, "2024-07-01")["households"] == 90


def test_opened_on_as_it_was_recorded_then(session):
    case = make(recorded="2024-01-01", opened_on="2023-06-01")
    log(case, "update", when="2024-03-01", field="opened_on", old="2024-02-01", new="2023-06-01")
    assert then(case, "2024-01-15") is None  # on 15 January it was recorded as opening on 1 February
    assert then(case, "2024-03-01")["opened_on"] == date(2023, 6, 1)


def test_without_an_opening_date_a_case_exists_from_the_day_it_was_recorded(session):
    case = make(recorded="2024-02-20", opened_on=None)
    assert then(case, "2024-02-19") is None
    assert then(case, "2024-02-20") is not None


def test_a_moved_point_is_where_it_was_then_and_the_box_filter_follows_it(session):
    case = make(lon=100.60, lat=13.80)
    log(case, "update", when="2024-05-01", field="lon", old="100.5", new="100.6")
    log(case, "update", when="2024-05-01", field="lat", old="13.7", new="13.8")
    before = then(case, "2024-04-30")
    assert (round(before["lon"], 6), round(before["lat"], 6)) == (100.5, 13.7)
    old_box, new_box = (100.45, 13.65, 100.55, 13.75), (100.55, 13.75, 100.65, 13.85)
    assert then(case, "2024-04-30", bbox=old_box) is not None
    assert then(case, "2024-04-30", bbox=new_box) is None
    assert then(case, "2024-05-01", bbox=new_box) is not None
    assert then(case, "2024-05-01", bbox=old_box) is None


def test_other_fields_and_status_together(session):
    case = make(status="agreed", households=60, community_name_en="Riverside")
    log(case, "update", when="2024-02-01", field="community_name", old="ชุมชนเดิม", new="ชุมชนย้อนเวลา")
    for old, new, day in [("reported", "surveying", "2024-02-10"), ("surveying", "negotiating", "2024-03-10"),
                          ("negotiating", "agreed", "2024-04-10")]:
        log(case, "status", when=day, field="status", old=old, new=new, effective=day)
    row = then(case, "2024-03-15")
    assert row["status"] == "negotiating" and row["community_name"] == "ชุมชนย้อนเวลา"
    assert then(case, "2024-01-31")["community_name"] == "ชุมชนเดิม"


@pytest.mark.parametrize("bbox", [None, (97.0, 5.0, 106.0, 21.0)])
def test_as_of_today_is_the_live_list(session, bbox):
    today = datetime.now(THAI_TIME).date()
    live = db.session.execute(visible_cases(bbox=bbox).with_only_columns(
        LandCase.id, LandCase.status, LandCase.households).order_by(LandCase.id)).all()
    past = db.session.execute(visible_cases(bbox=bbox, as_of=today).with_only_columns(
        LandCase.id, LandCase.status, LandCase.households, maintain_column_froms=True).order_by(LandCase.id)).all()
    assert past == live and live


def test_a_point_moved_along_one_axis_is_found_in_the_box_it_left(session):
    case = make(lon=100.70, lat=13.70)  # moved east out of the box: only a `lon` row
    log(case, "update", when="2024-05-01", field="lon", old="100.5", new="100.7")
    box = (100.45, 13.65, 100.55, 13.75)
    assert then(case, "2024-04-30", bbox=box) is not None
    assert then(case, "2024-05-01", bbox=box) is None


def test_a_page_past_the_end_still_counts_the_matches_of_that_day(client, auth, session):
    from app.timeline.dates import today

    day = today().isoformat()
    head = client.get(f"/api/v1/cases?as_of={day}&limit=1", headers=auth("viewer")).get_json()
    past = client.get(f"/api/v1/cases?as_of={day}&limit=5&offset=100000", headers=auth("viewer")).get_json()
    assert past["numberReturned"] == 0 and past["features"] == []
    assert past["numberMatched"] == head["numberMatched"]
