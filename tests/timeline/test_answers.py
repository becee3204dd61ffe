"""Answers of the past are kept only while nothing they read was written (app/answers.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from app import answers
from app.extensions import db
from gis.fields import CASE_STATUSES
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


def test_two_frozen_links_of_one_day_keep_answers_of_their_own(client, auth, session):
    """A share link's scope (its statuses, public fields) is part of what a kept layer answers
    (the sample cases, committed: nothing here writes a watched table, so the answers are kept)."""
    from app.timeline.dates import today

    day = (today() - timedelta(days=1)).isoformat()

    def link(statuses: list[str]) -> str:
        made = client.post("/api/v1/share-links", headers=auth("policy"), json={
            "label": f"เวที {len(statuses)}", "as_of": day, "statuses": statuses})
        assert made.status_code == 201, made.get_data(as_text=True)[:300]
        return "/" + made.get_json()["url"].split("/", 3)[3]

    def statuses_of(path: str) -> set[str]:
        response = client.get(f"{path}/data?limit=5000")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return {f["properties"].get("status") for f in response.get_json()["features"]}

    every = statuses_of(link(list(CASE_STATUSES)))
    assert len(every) >= 2, every
    one = sorted(every)[0]
    assert statuses_of(link([one])) == {one}
    signed_in = client.get(f"/map/data?as_of={day}&limit=5000", headers=auth("land_team")).get_json()
    assert {f["properties"].get("status") for f in signed_in["features"]} == every
    public = client.get(f"{link(list(CASE_STATUSES))}/data?limit=5000").get_json()
    assert set(signed_in["features"][0]["properties"]) != set(public["features"][0]["properties"])


def test_a_kept_page_never_gives_contacts_to_a_role_without_them(client, auth, session):
    from app.timeline.dates import today

    url = f"/api/v1/cases?as_of={(today() - timedelta(days=1)).isoformat()}&limit=200"
    with_contacts = client.get(url, headers=auth("land_team")).get_json()["features"]
    assert with_contacts and "contact_name" in with_contacts[0]["properties"]
    for role in ("viewer", "policy"):
        features = client.get(url, headers=auth(role)).get_json()["features"]
        assert [f["id"] for f in features] == [f["id"] for f in with_contacts]
        assert not any("contact_name" in f["properties"] or "contact_phone" in f["properties"] for f in features)


@pytest.mark.parametrize("as_of", [None, "2024-06-30"])
def test_the_dashboard_counts_a_case_written_after_its_rows_were_kept(client, auth, session, as_of):
    url = "/api/v1/dashboard" + (f"?as_of={as_of}" if as_of else "")
    before = client.get(url, headers=auth("viewer")).get_json()
    assert client.get(url, headers=auth("viewer")).get_json()["totals"] == before["totals"]
    make(recorded="2024-08-01", opened_on="2024-02-01")
    after = client.get(url, headers=auth("viewer")).get_json()
    assert after["totals"]["cases"] == before["totals"]["cases"] + 1


def test_a_past_page_is_built_once_and_answers_as_if_built_anew(session, monkeypatch):
    from app.land_cases import queries, serialise
    from app.land_cases.queries import visible_cases

    monkeypatch.setattr(serialise, "_BUILT", type(serialise._BUILT)())
    monkeypatch.setattr(serialise, "BUILT_KEPT", 2)
    case = make(recorded="2024-01-01")
    order = queries.sort_columns(None)

    def page(day: date, keep):
        stmt = visible_cases(as_of=day, bbox=(100.0, 13.0, 101.0, 14.5))
        return serialise.feature_page(stmt, order=order, limit=50, offset=0, with_sensitive=False,
                                      one_pass=True, keep=keep, head=lambda matched: {"numberMatched": matched})

    day = date(2024, 6, 30)
    fresh = page(day, None)
    assert page(day, ("test-built", day)) == fresh and page(day, ("test-built", day)) == fresh
    assert len(serialise._BUILT) == 1
    assert case.id in {f["id"] for f in json.loads(fresh[0])["features"]}
    for other in (date(2024, 7, 31), date(2024, 8, 31)):
        page(other, ("test-built", other))
    assert len(serialise._BUILT) == 2 and ("test-built", day) not in serialise._BUILT
