"""The one validator over gis.fields.Field: every kind has a checker, bounds live on the field."""

from __future__ import annotations

from datetime import date

import pytest

from app import validation
from app.validation import CHECKS, Invalid, check_fields, check_value
from gis.fields import CASE_FIELDS, FUND_FIELDS, LAYER_FIELDS, PILOT_AREA_FIELDS, Field


@pytest.fixture()
def ctx(app):
    with app.test_request_context("/"):
        yield


def test_every_kind_a_field_may_have_has_a_checker():
    kinds = {f.kind for fields in LAYER_FIELDS.values() for f in fields if not f.derived}
    assert kinds <= set(CHECKS)
    assert {"text", "int", "float", "bool", "date", "enum"} <= set(CHECKS)


def test_a_float_field_on_a_case_is_checked_not_a_key_error(ctx):
    area = Field("area_rai", "area_rai", "float", "ไร่", "Rai", minimum=0)
    assert check_value(area, 1.5) == 1.5
    assert check_value(area, "1,200.5", lenient=True) == 1200.5
    with pytest.raises(Invalid) as refused:
        check_value(area, -1)
    assert refused.value.reason == "negative"
    clean, errors = check_fields({"area_rai": "abc"}, [*CASE_FIELDS, area], creating=False)
    assert clean == {} and errors[0]["field"] == "area_rai"


def test_a_year_ahead_is_measured_in_days_so_29_february_works(ctx, monkeypatch):
    monkeypatch.setattr(validation, "today", lambda: date(2028, 2, 29))
    established = next(f for f in FUND_FIELDS if f.name == "established_on")
    assert check_value(established, "2028-06-01") == date(2028, 6, 1)
    assert check_value(established, "2029-02-28") == date(2029, 2, 28)
    with pytest.raises(Invalid):
        check_value(established, "2030-01-01")


def test_bounds_are_declared_on_the_field_and_shared(ctx):
    households = next(f for f in CASE_FIELDS if f.name == "households")
    members = next(f for f in FUND_FIELDS if f.name == "members")
    for f in (households, members):
        with pytest.raises(Invalid) as refused:
            check_value(f, -1)
        assert (refused.value.message, refused.value.reason) == ("ต้องไม่ติดลบ", "negative")
    with pytest.raises(Invalid) as refused:
        check_value(households, 1_000_001)
    assert refused.value.reason == "too large"


def test_cases_pilots_and_funds_say_the_same_thing_for_the_same_mistake(ctx):
    body = {"team": "x" * 201, "colour": "red"}
    _clean, pilot_errors = check_fields(body, PILOT_AREA_FIELDS, creating=False)
    _clean, case_errors = check_fields(body, CASE_FIELDS, creating=False)
    assert pilot_errors == case_errors


def test_fund_and_pilot_pages_use_the_same_messages_as_cases(client, auth, session):
    response = client.post("/api/v1/funds", headers=auth("land_team"),
                           json={"name": "x", "level": "city", "members": -3, "lon": 99.84, "lat": 10.095})
    detail = next(d for d in response.get_json()["error"]["details"] if d["field"] == "members")
    assert (detail["message"], detail["reason"]) == ("ต้องไม่ติดลบ", "negative")
