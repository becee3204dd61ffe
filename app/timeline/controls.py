"""What the time controls of the map and dashboard pages show: the day, the quarters, the banner.

    time = time_controls(as_of=date(2026, 9, 30))          # a page showing the past
    time = time_controls(period=(date(2026, 7, 1), date(2026, 9, 30)))   # "changes in this period"

Quarters are the Thai fiscal ones in B.E. (`gis.fiscal`): ไตรมาส 1/2569 = ต.ค.-ธ.ค. 2568.
The quarter picker's value is the quarter's last day (today for the quarter in progress).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.timeline.dates import today as thai_today
from gis.dates import MONTHS
from gis.fiscal import BE_OFFSET, MONTHS_TH_SHORT, Quarter, fiscal_year, quarter_of, recent_quarters, thai_date

YEARS_SHOWN = 5


def _lang() -> str:
    return str(get_locale() or "th")


def day_label(day: date, lang: str | None = None) -> str:
    """`30 กันยายน 2569` in Thai; `30 September 2026` in English."""
    if (lang or _lang()) == "th":
        return thai_date(day)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def quarter_label(quarter: Quarter, lang: str | None = None) -> str:
    """`ไตรมาส 1/2569 (ต.ค.-ธ.ค. 2568)` in Thai; `Q1 FY2569 (Oct-Dec 2025)` in English."""
    if (lang or _lang()) == "th":
        return quarter.label
    first, last = quarter.first, quarter.last
    return f"Q{quarter.number} FY{quarter.fiscal_year} ({first.strftime('%b')}-{last.strftime('%b')} {last.year})"


def be_input(day: date | None) -> str:
    """`30/09/2569`: how the B.E. date field shows a day."""
    return f"{day.day:02d}/{day.month:02d}/{day.year + BE_OFFSET}" if day else ""


def _quarter_item(quarter: Quarter, today: date, lang: str) -> dict[str, Any]:
    last = min(quarter.last, today)
    return {"key": quarter.key, "label": quarter_label(quarter, lang), "first": quarter.first.isoformat(),
            "last": last.isoformat(), "in_progress": quarter.last > today}


def time_controls(*, as_of: date | None = None, period: tuple[date, date] | None = None,
                  today: date | None = None) -> dict[str, Any]:
    """The template context of the time controls and banner (see templates/timeline/_controls.html)."""
    lang = _lang()
    today = today or thai_today()
    current = quarter_of(today)
    quarters = [_quarter_item(q, today, lang) for q in reversed(recent_quarters(today, YEARS_SHOWN))]
    previous = current.previous()
    year = fiscal_year(today)
    picks = [
        {"key": "last-quarter", "label": _("ไตรมาสที่แล้ว (%(q)s)", q=quarter_label(previous, lang)),
         "from": previous.first.isoformat(), "to": previous.last.isoformat()},
        {"key": "this-year", "label": _("ปีงบประมาณนี้ (%(y)s ถึงวันนี้)", y=year),
         "from": Quarter(year, 1).first.isoformat(), "to": today.isoformat()},
    ]
    selected_quarter = next((q["key"] for q in quarters if as_of and q["last"] == as_of.isoformat()), "")
    banner = None
    if as_of is not None and as_of < today:
        banner = _("แสดงข้อมูล ณ วันที่ %(d)s (ไม่ใช่ข้อมูลปัจจุบัน): สถานะและรายละเอียดตามที่บันทึกไว้ถึงสิ้นวันนั้น",
                   d=day_label(as_of, lang))
    if period is not None:
        banner = _("แสดงกรณีที่เปลี่ยนสถานะระหว่าง %(a)s ถึง %(b)s", a=day_label(period[0], lang),
                   b=day_label(period[1], lang))
    return {
        "as_of": as_of.isoformat() if as_of else "", "as_of_be": be_input(as_of),
        "as_of_label": day_label(as_of, lang) if as_of else "", "today": today.isoformat(),
        "today_be": be_input(today), "quarters": quarters, "selected_quarter": selected_quarter,
        "picks": picks, "banner": banner,
        "period": {"from": period[0].isoformat(), "to": period[1].isoformat(),
                   "from_be": be_input(period[0]), "to_be": be_input(period[1])} if period else None,
        "months": MONTHS_TH_SHORT,
        "month_names": MONTHS,  # the day field reads "15 ม.ค. 2567" like every form (gis.dates)
    }
