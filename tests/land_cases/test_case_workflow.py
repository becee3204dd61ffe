"""The workflow table, the status endpoint and the history it writes."""

from __future__ import annotations

import pytest

from app.land_cases.workflow import TRANSITIONS, allowed_next
from gis.fields import CASE_STATUSES


def _status(client, headers, case_id, status, **extra):
    return client.post(f"/api/v1/cases/{case_id}/status", json={"status": status, **extra}, headers=headers)


def test_transition_table_covers_every_status():
    assert set(TRANSITIONS) == set(CASE_STATUSES)
    assert "reported" not in allowed_next("agreed")
    assert {"surveying", "negotiating", "agreed"} <= set(allowed_next("stalled"))  # resume
    assert allowed_next("closed") == ("reported",)  # re-open


def test_history_names_who_did_each_step(client, auth, users, make_case):
    case = make_case("land_team", community_name="ชุมชนริมคลอง")
    steps = [("surveying", "admin", "2010-01-15", "ลงพื้นที่สำรวจ"),
             ("negotiating", "land_team", "2010-03-02", "เริ่มเจรจากับกรมธนารักษ์"),
             ("agreed", "admin", "2010-06-30", "ได้สัญญาเช่า 30 ปี")]
    for status, role, when, note in steps:
        response = _status(client, auth(role), case["id"], status, note=note, date=when)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["properties"]["status"] == status
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("viewer")).get_json()["history"]
    created = [e for e in history if e["action"] == "create"]
    assert {e["user"]["email"] for e in created} == {users["land_team"].email}
    assert {"field": "status", "new": "reported"}.items() <= next(e for e in created if e["field"] == "status").items()
    moves = [e for e in history if e["action"] == "status"]
    assert [(e["old"], e["new"]) for e in moves] == [("reported", "surveying"), ("surveying", "negotiating"),
                                                      ("negotiating", "agreed")]
    assert [e["user"]["email"] for e in moves] == [users[role].email for _s, role, _d, _n in steps]
    assert [e["user"]["name"] for e in moves] == ["Test admin", "Test land_team", "Test admin"]
    assert [e["effective_on"] for e in moves] == [when for _s, _r, when, _n in steps]
    assert [e["note"] for e in moves] == [note for *_x, note in steps]
    assert [e["id"] for e in history] == sorted(e["id"] for e in history)  # oldest first
    assert all(e["at"] for e in history)


def test_status_change_bumps_version_and_defaults_the_date(client, auth, make_case):
    from app.timeline.dates import today  # the service's day: Thai time

    case = make_case()
    response = _status(client, auth("land_team"), case["id"], "surveying")
    assert response.headers["ETag"] == '"2"'
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("viewer")).get_json()["history"]
    assert history[-1]["effective_on"] == today().isoformat()


@pytest.mark.parametrize(("path", "target"), [
    (["surveying", "negotiating", "agreed"], "reported"),  # agreed never goes back to reported
    ([], "agreed"),
    ([], "secured"),
    (["closed"], "negotiating"),
    (["surveying", "negotiating", "agreed", "secured"], "stalled"),
])
def test_illegal_moves_are_422_naming_the_allowed_ones(client, auth, make_case, counts, path, target):
    case = make_case()
    headers = auth("land_team")
    for status in path:
        assert _status(client, headers, case["id"], status).status_code == 200
    before = counts()
    response = _status(client, headers, case["id"], target)
    assert response.status_code == 422
    error = response.get_json()["error"]
    current = path[-1] if path else "reported"
    allowed = list(allowed_next(current))
    assert error["details"][0]["allowed"] == allowed
    assert all(name in error["message"] for name in allowed)
    assert counts() == before


def test_stalled_case_resumes(client, auth, make_case):
    case = make_case()
    headers = auth("land_team")
    for status in ("surveying", "stalled", "negotiating", "agreed", "secured", "closed", "reported"):
        assert _status(client, headers, case["id"], status).status_code == 200, status


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "agreedd"}, "status"),
    ({"status": "surveying", "date": "15/01/2010"}, "date"),
    ({"status": "surveying", "date": "2999-01-01"}, "date"),
    ({"status": "surveying", "note": 5}, "note"),
    ({"status": "surveying", "note": "ก" * 2001}, "note"),
    ({"status": "surveying", "by": "me"}, "by"),
    ({"note": "no status"}, "status"),
    ({"status": "reported"}, "status"),  # unchanged
])
def test_bad_status_bodies(client, auth, make_case, counts, body, field):
    case = make_case()
    before = counts()
    response = client.post(f"/api/v1/cases/{case['id']}/status", json=body, headers=auth("land_team"))
    assert response.status_code == 422, response.get_json()
    assert field in {d["field"] for d in response.get_json()["error"]["details"]}
    assert counts() == before


def test_status_with_stale_if_match_is_412(client, auth, make_case):
    case = make_case()
    response = client.post(f"/api/v1/cases/{case['id']}/status", json={"status": "surveying"},
                           headers={**auth("land_team"), "If-Match": '"7"'})
    assert response.status_code == 412


def test_edit_history_has_old_and_new_per_field(client, auth, users, make_case):
    case = make_case(households=120, notes="เดิม")
    response = client.patch(f"/api/v1/cases/{case['id']}",
                            json={"households": 140, "notes": "ใหม่", "contact_phone": "02-111-2222"},
                            headers={**auth("admin"), "If-Match": '"1"'})
    assert response.status_code == 200
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("land_team")).get_json()["history"]
    updates = {e["field"]: e for e in history if e["action"] == "update"}
    assert set(updates) == {"households", "notes", "contact_phone"}
    assert (updates["households"]["old"], updates["households"]["new"]) == ("120", "140")
    assert updates["notes"]["user"]["email"] == users["admin"].email
    assert updates["contact_phone"]["new"] == "02-111-2222"
    masked = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("viewer")).get_json()["history"]
    phone = next(e for e in masked if e["action"] == "update" and e["field"] == "contact_phone")
    assert phone["masked"] is True and phone["old"] is None and phone["new"] is None


def test_history_writer_is_generic(session, users):
    from datetime import date

    from app import history

    written = history.record("fund", 987654321, "update", users["admin"],
                             changes={"members": (10, 12), "notes": (None, "x")})
    history.record("fund", 987654321, "status", users["admin"].id, field="level", old="city", new="province",
                   note="ย้ายระดับ", effective_on=date(2010, 10, 1))
    assert written == 2
    rows = history.history_for("fund", 987654321, hidden_fields={"notes"})
    assert [(r["field"], r["old"], r["new"]) for r in rows] == [("members", "10", "12"), ("notes", None, None),
                                                                ("level", "city", "province")]
    assert rows[1]["masked"] is True and rows[2]["effective_on"] == "2010-10-01"
    assert history.diff({"a": 1, "b": date(2010, 1, 1)}, {"a": 1, "b": "2010-01-01"}) == {}
    assert history.to_text(True) == "true"
