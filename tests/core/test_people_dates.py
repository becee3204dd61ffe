"""Issue 15 point 7: one lenient reader for the dates people type (forms, list filters, spreadsheets);
the API keeps its strict `YYYY-MM-DD`."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import BadRequest
from app.validation import Invalid, check_value
from gis.dates import DateInputError, be_text, read_date
from gis.exchange.cells import as_text
from gis.fields import CASE_FIELDS

OPENED = next(f for f in CASE_FIELDS if f.name == "opened_on")
DAY = date(2024, 1, 15)


@pytest.mark.parametrize("text", ["15/01/2567", "15/1/2567", "15/01/67", "15 ม.ค. 2567", "15 มกราคม 2567",
                                  "2024-01-15", "15/01/2024", "15.01.2567", "15-01-2567", "15 ม.ค. พ.ศ. 2567",
                                  "๑๕/๐๑/๒๕๖๗", " 15  มค  67 ", "15 Jan 2024", "15 January 2024"])
def test_every_way_people_write_a_day(text):
    assert read_date(text) == DAY


@pytest.mark.parametrize(("text", "reason"), [("31/02/2567", "no_such_day"), ("2567-01-15", "be_in_iso"),
                                              ("15 ธันวา 2567", "malformed"), ("abc", "malformed"),
                                              ("", "malformed"), ("15/13/2567", "no_such_day")])
def test_what_names_no_day(text, reason):
    with pytest.raises(DateInputError) as caught:
        read_date(text)
    assert caught.value.reason == reason


def test_be_text_is_the_forms_own_form():
    assert be_text(DAY) == "15/01/2567" and read_date(be_text(DAY)) == DAY


def test_forms_read_people_dates_and_answer_in_the_words_of_the_hint(app):
    with app.test_request_context():
        assert check_value(OPENED, "15 ม.ค. 2567", lenient=True) == DAY
        assert check_value(OPENED, "15/01/67", lenient=True) == DAY
        with pytest.raises(Invalid) as bad:
            check_value(OPENED, "15 จ.ค. 2567", lenient=True)
        assert "วว/ดด/ปปปป (พ.ศ.)" in bad.value.message and "YYYY-MM-DD" in bad.value.message
        assert "ค.ศ." in bad.value.message and "ต้องเป็นวันที่ในรูป YYYY-MM-DD" not in bad.value.message
        with pytest.raises(Invalid) as iso_be:
            check_value(OPENED, "2567-01-15", lenient=True)
        assert iso_be.value.reason == "buddhist era year" and "15/01/2567" in iso_be.value.message
        with pytest.raises(Invalid) as no_day:
            check_value(OPENED, "30/02/2567", lenient=True)
        assert no_day.value.reason == "no such day" and "30/02/2567" in no_day.value.message


def test_the_api_keeps_yyyy_mm_dd(app):
    with app.test_request_context():
        assert check_value(OPENED, "2024-01-15") == DAY
        for text in ("15/01/2567", "15 ม.ค. 2567"):
            with pytest.raises(Invalid) as caught:
                check_value(OPENED, text)
            assert caught.value.reason == "bad date"


def test_a_spreadsheet_date_cell_typed_in_be_reads_as_be():
    assert read_date(as_text(datetime(2567, 1, 15))) == DAY
    assert as_text(datetime(2024, 1, 15)) == "2024-01-15"


def test_list_filters_take_people_dates_on_pages_only(app):
    from app.filters import DateRange, parse_filter

    with app.test_request_context():
        def lease(raw: str, people: bool):
            return dict(parse_filter("cases", MultiDict({"lease_expires_on": raw}), people=people).fields)[
                "lease_expires_on"]

        assert lease("1/1/2567 - 31/12/2567", True) == DateRange(date(2024, 1, 1), date(2024, 12, 31))
        assert lease("1 ม.ค. 2567 ถึง 31 ธ.ค. 2567", True) == DateRange(date(2024, 1, 1), date(2024, 12, 31))
        assert lease("15/01/2567", True) == DateRange(DAY, DAY)
        assert lease("1/1/2567/31/12/2567", True) == DateRange(date(2024, 1, 1), date(2024, 12, 31))
        assert lease("2024-01-01/..", True) == DateRange(date(2024, 1, 1), None)
        assert lease("../31/12/2567", True) == DateRange(None, date(2024, 12, 31))
        assert lease("2024-01-01/2024-12-31", False) == DateRange(date(2024, 1, 1), date(2024, 12, 31))
        with pytest.raises(BadRequest) as bad:
            lease("1/1/2567 - 31/12/2567", False)
        assert bad.value.details[0]["field"] == "lease_expires_on"
        with pytest.raises(BadRequest) as people_bad:
            lease("พรุ่งนี้", True)
        assert "วว/ดด/ปปปป" in people_bad.value.message
