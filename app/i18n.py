"""Language choice, Buddhist-Era dates and the October-September fiscal year."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, has_request_context, request, session

LANGUAGES = ("th", "en")
THAI_MONTHS = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
               "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]


def select_locale() -> str:
    """`?lang=` (remembered in the session), then Accept-Language, then Thai (also outside a request)."""
    if not has_request_context():  # the job worker and CLI commands
        return "th"
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES, default="th") or "th"


def buddhist_date(value: date | datetime | None, lang: str = "th") -> str:
    """`25 พ.ย. 2569` in Thai (B.E. = A.D. + 543); ISO in English."""
    if value is None:
        return ""
    if lang != "th":
        return value.strftime("%Y-%m-%d")
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + 543}"


def fiscal_quarter(value: date | datetime) -> tuple[int, int]:
    """(quarter 1-4, fiscal year B.E.): the fiscal year starts on 1 October (gis.fiscal)."""
    from gis.fiscal import quarter_of

    quarter = quarter_of(value.date() if isinstance(value, datetime) else value)
    return quarter.number, quarter.fiscal_year


def fiscal_quarter_label(value: date | datetime, lang: str = "th") -> str:
    """`ไตรมาส 1/2553` (Thai) or `Q1 FY2553` (English)."""
    quarter, year = fiscal_quarter(value)
    return f"ไตรมาส {quarter}/{year}" if lang == "th" else f"Q{quarter} FY{year}"


def register_filters(app: Flask) -> None:
    """Expose the date helpers to templates."""
    from flask_babel import get_locale

    def _lang() -> str:
        return str(get_locale() or "th")

    app.jinja_env.filters["be_date"] = lambda v: buddhist_date(v, _lang())
    app.jinja_env.filters["fiscal_quarter"] = lambda v: fiscal_quarter_label(v, _lang())
