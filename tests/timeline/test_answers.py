"""Answers of the past are kept only while nothing they read was written (app/answers.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from app import answers
from app.extensions import db
from tests.timeline.test_as_of import log, make

BOX = "100.5,13.6,100.6,13.8"


def _counted(value: str = "answer"):
    calls = []

    def make_it() -> str:
        calls.append(1)
        return f"{value}-{len(calls)}"

    return make_it, calls


def test_an_answer_is_made_once_while_nothing_is_written(session):
    make_it, calls = _counted()
    key = ("test", "unwritten")
    assert answers.kept(key, make_it, size=len) == "answer-1"
    assert answers.kept(key, make_it, size=len) == "answer-1"
    assert len(calls) == 1


def test_a_write_in_this_transaction_makes_it_again_and_keeps_nothing(session):
    make_it, calls = _counted()
    key = ("test", "written")
    answers.kept(key, make_it, size=len)
    make(recorded="2024-01-01")  # a land case and its history: both tables note the writer
    assert answers.kept(key, make_it, size=len) == "answer-2"
    assert answers.kept(key, make_it, size=len) == "answer-3"  # a writer's own answers are not kept


def test_every_watched_table_notes_its_writer(session):
    before = answers.stamp()[0]
    db.session.execute(text("UPDATE provinces SET name_en = name_en WHERE code = '10'"))
    assert not answers.still(before)
    assert answers.stamp()[1] is True


def test_a_writer_that_commits_later_is_seen(app):
    """The stamp is taken before the answer is made; a writer running then and committing after
    changes what is visible from the stamp's xmin (here with committed rows, on connections of their own)."""
    with app.app_context():
        with db.engine.connect() as writer, db.engine.connect() as reader:
            writer.execute(text("INSERT INTO data_changes (xid) VALUES (pg_current_xact_id())"))
            xmin, count, digest, _wrote = reader.execute(answers.STAMP_SQL).one()
            reader.commit()
            kept = answers.Stamp(xmin, count, digest)

            def still() -> bool:
                now = reader.execute(answers.CHECK_SQL, {"xmin": kept.xmin}).one()
                reader.commit()
                return tuple(now) == (kept.count, kept.digest)

            assert still()
            writer.commit()  # a writer that was running when the stamp was taken
            assert not still()
            writer.execute(text("DELETE FROM data_changes WHERE at > now() - interval '1 minute'"))
            writer.commit()


def test_prune_removes_notes_older_than_a_day(app):
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO data_changes (xid, at) "
                              "VALUES (pg_current_xact_id(), now() - interval '2 days')"))
        assert answers.prune() >= 1
        db.session.commit()
        left = db.session.scalar(text("SELECT count(*) FROM data_changes WHERE at < now() - interval '1 day'"))
        assert left == 0
        db.session.remove()


def test_the_store_is_bounded_by_size_and_zero_keeps_nothing():
    store = answers.Answers(max_bytes=10)
    stamp = answers.Stamp("1", 0, "")
    store.put("a", stamp, "aaaa", 4)
    store.put("b", stamp, "bbbb", 4)
    store.get("a")  # used: b is now the oldest
    store.put("c", stamp, "cccc", 4)
    assert store.get("b") is None and store.get("a") and store.get("c") and store.used == 8
    store.put("big", stamp, "x" * 11, 11)
    assert store.get("big") is None
    off = answers.Answers(max_bytes=0)
    off.put("a", stamp, "a", 1)
    assert off.get("a") is None


def test_changes_of_a_period_follow_a_back_dated_status_change(client, auth, session, monkeypatch):
    from app.timeline import changes

    made, build = [], changes._changes_json
    monkeypatch.setattr(changes, "_changes_json", lambda *a, **k: made.append(1) or build(*a, **k))
    url = "/api/v1/changes?from=2024-04-01&to=2024-06-30"
    first = client.get(url, headers=auth("viewer")).get_json()
    assert client.get(url, headers=auth("viewer")).get_json() == first
    assert len(made) == 1  # the second answer was the kept one
    case = make(recorded="2024-01-01", status="reported")
    assert client.get(url, headers=auth("viewer")).get_json() == first and len(made) == 2
    mine = [c for c in first["changes"] if c["case_id"] == case.id]
    assert mine == []
    # recorded today, dated in the period: the period's answer changes
    log(case, "status", when=date.today().isoformat(), field="status", old="reported", new="surveying",
        effective="2024-05-02")
    again = client.get(url, headers=auth("viewer")).get_json()
    assert again["count"] == first["count"] + 1
    assert [c["to"] for c in again["changes"] if c["case_id"] == case.id] == ["surveying"]


@pytest.mark.parametrize("path", ["/api/v1/cases", "/map/data"])
def test_a_page_of_a_past_day_shows_a_case_recorded_later_with_an_old_opening_date(client, auth, session, path):
    url = f"{path}?as_of=2024-06-30&bbox={BOX}&limit=1000"
    before = client.get(url, headers=auth("land_team"))
    assert before.status_code == 200, before.get_data(as_text=True)[:300]
    ids = {f["id"] for f in before.get_json()["features"]}
    assert client.get(url, headers=auth("land_team")).get_json()["features"] == before.get_json()["features"]
    case = make(recorded="2024-08-01", opened_on="2024-02-01", lon=100.55, lat=13.72)
    after = {f["id"] for f in client.get(url, headers=auth("land_team")).get_json()["features"]}
    assert after == ids | {case.id}
