"""The programme's numbers at a glance, each computed in PostgreSQL with one grouped query.

Regions are shown as the plan organises the work: the CODI regions, with the South split
into its zones 8 and 9. Progress by fiscal quarter (October to September) counts cases
*opened* by their `opened_on` date and cases *secured* by the first status change to
`secured` recorded in the history (its effective date, else the day it was recorded).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text

from app import answers, places
from app.extensions import db
from app.i18n import fiscal_quarter, fiscal_quarter_label
from app.models import Region
from app.timeline.asof import with_sql
from gis.fields import CASE_STATUSES, FUND_LEVELS, PILOT_STAGES, STATUS_COLOURS, label

UNKNOWN = "unknown"
BASIS = {
    "th": "นับกรณีที่รับเรื่องตามวันที่รับเรื่อง และนับกรณีที่มั่นคงแล้วตามวันที่มีผลของการเปลี่ยนสถานะเป็น "
          "\"มั่นคงแล้ว\" ครั้งแรกในประวัติ (ถ้าไม่มีวันที่มีผล ใช้วันที่บันทึก) ปีงบประมาณเริ่ม 1 ตุลาคม",
    "en": "Cases opened are counted by the day they were opened; cases secured by the effective date of their first "
          "status change to \"secured\" in the history (else the day it was recorded). The fiscal year starts on "
          "1 October.",
}


def _where(alias: str, region: str | None) -> str:
    """A region or zone filter on a table aliased `alias` (bound as :region)."""
    if not region:
        return "TRUE"
    return (f"({alias}.region_code = :region OR {alias}.province_code IN "
            f"(SELECT province_code FROM province_regions WHERE zone_code = :region))")


def region_units() -> list[Region]:
    """The regions as the plan organises the work: regions without zones, and zones."""
    regions = places.regions()
    parents = {r.parent_code for r in regions if r.parent_code}
    return [r for r in regions if r.code not in parents]


def quarter_start(fiscal_year_ad: int, quarter: int) -> date:
    """The first day of a fiscal quarter (quarter 1 starts on 1 October of the year before)."""
    return date(fiscal_year_ad - 1, 10, 1) if quarter == 1 else date(fiscal_year_ad, 3 * quarter - 5, 1)


def _rows(sql: str, region: str | None, as_of: date | None = None) -> list[Any]:
    """Run `sql` over `land_cases c`; with `as_of`, over the cases as they stood that day.

    The rows are kept while nothing they read is written (`app.answers`): the whole dashboard
    takes 0.6 s today and 1.2-1.9 s as of a past day at 100,000 cases, and is opened far more
    often than the land data changes."""
    def run() -> list[tuple[Any, ...]]:
        statement = sql
        if as_of is not None:
            own = sql.lstrip()
            ctes = with_sql(as_of)
            statement = f"WITH {ctes}, {own[5:]}" if own.startswith("WITH ") else f"WITH {ctes} {own}"
        return [tuple(row) for row in db.session.execute(text(statement), {"region": region, "as_of": as_of})]

    return answers.kept(("dashboard", sql, region, as_of), run, size=lambda rows: 200 * (len(rows) + 1))


def _cases(region: str | None, as_of: date | None) -> list[Any]:
    return _rows(f"""
        SELECT COALESCE(pr.zone_code, c.region_code, '{UNKNOWN}') AS unit, c.status,
               count(*) AS n, COALESCE(sum(c.households), 0) AS hh
        FROM land_cases c LEFT JOIN province_regions pr ON pr.province_code = c.province_code
        WHERE c.deleted_at IS NULL AND {_where('c', region)}
        GROUP BY 1, 2""", region, as_of)


def _funds(region: str | None) -> list[Any]:
    return _rows(f"""
        SELECT COALESCE(pr.zone_code, f.region_code, '{UNKNOWN}') AS unit, f.level,
               count(*) AS n, COALESCE(sum(f.capital_baht), 0) AS capital, COALESCE(sum(f.members), 0) AS members
        FROM funds f LEFT JOIN province_regions pr ON pr.province_code = f.province_code
        WHERE {_where('f', region)}
        GROUP BY 1, 2""", region)


def _pilots(region: str | None) -> dict[str, int]:
    rows = _rows(f"SELECT p.stage, count(*) FROM pilot_areas p WHERE p.deleted_at IS NULL AND {_where('p', region)} "
                 "GROUP BY 1", region)
    return {stage: n for stage, n in rows}


def _quarters(region: str | None, as_of: date | None) -> tuple[dict[tuple[int, int], dict[str, int]], int]:
    """Per (fiscal year A.D., quarter): cases opened and first secured, with households (up to `as_of`)."""
    out: dict[tuple[int, int], dict[str, int]] = {}

    def slot(fy: int, q: int) -> dict[str, int]:
        return out.setdefault((fy, q), {"opened": 0, "households_opened": 0, "secured": 0, "households_secured": 0})

    fq = ("extract(year from {d} + interval '3 months')::int, extract(quarter from {d} + interval '3 months')::int")
    for fy, q, n, hh in _rows(f"""
            SELECT {fq.format(d='c.opened_on')}, count(*), COALESCE(sum(c.households), 0)
            FROM land_cases c WHERE c.deleted_at IS NULL AND c.opened_on IS NOT NULL AND {_where('c', region)}
            GROUP BY 1, 2""", region, as_of):
        slot(fy, q).update(opened=n, households_opened=int(hh))
    until = "AND fs.d <= :as_of" if as_of is not None else ""
    for fy, q, n, hh in _rows(f"""
            WITH first_secured AS (
                SELECT DISTINCT ON (h.entity_id) h.entity_id,
                       COALESCE(h.effective_on, (h.at AT TIME ZONE 'Asia/Bangkok')::date) AS d
                FROM history h
                WHERE h.entity = 'land_case' AND h.action = 'status' AND h.new_value = 'secured'
                ORDER BY h.entity_id, COALESCE(h.effective_on, (h.at AT TIME ZONE 'Asia/Bangkok')::date), h.id)
            SELECT {fq.format(d='fs.d')}, count(*), COALESCE(sum(c.households), 0)
            FROM first_secured fs JOIN land_cases c ON c.id = fs.entity_id
            WHERE c.deleted_at IS NULL AND {_where('c', region)} {until}
            GROUP BY 1, 2""", region, as_of):
        slot(fy, q).update(secured=n, households_secured=int(hh))
    undated = _rows(f"""
        SELECT count(*) FROM land_cases c
        WHERE c.deleted_at IS NULL AND c.status = 'secured' AND {_where('c', region)}
          AND NOT EXISTS (SELECT 1 FROM history h WHERE h.entity = 'land_case' AND h.entity_id = c.id
                          AND h.action = 'status' AND h.new_value = 'secured')""", region, as_of)[0][0]
    return out, undated


def _quarter_series(counts: dict[tuple[int, int], dict[str, int]], lang: str,
                    as_of: date | None = None) -> list[dict[str, Any]]:
    if not counts:
        return []
    first = min(counts)
    today_q, today_fy_be = fiscal_quarter(as_of or datetime.now(UTC).date())
    last = max(max(counts), (today_fy_be - 543, today_q))
    series, cumulative = [], 0
    fy, q = first
    while (fy, q) <= last:
        item = counts.get((fy, q), {"opened": 0, "households_opened": 0, "secured": 0, "households_secured": 0})
        cumulative += item["households_secured"]
        series.append({"fiscal_year": fy + 543, "quarter": q,
                       "label": fiscal_quarter_label(quarter_start(fy, q), lang), **item,
                       "households_secured_cumulative": cumulative})
        fy, q = (fy, q + 1) if q < 4 else (fy + 1, 1)
    return series


def dashboard_data(region: str | None = None, lang: str = "th", as_of: date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as JSON-ready data (GET /api/v1/dashboard).

    With `as_of` the cases are those of the end of that day (`app.timeline.asof`) and the
    quarters stop there; pilot areas and funds are as they are now (their history is not rebuilt).
    """
    i = 0 if lang == "th" else 1
    units = region_units()
    if region:
        units = [u for u in units if u.code == region or u.parent_code == region]
    names = {u.code: (u.name_th, u.name_en)[i] for u in units}
    names[UNKNOWN] = "ไม่ทราบภาค" if lang == "th" else "Region unknown"

    by_unit: dict[str, dict[str, Any]] = {}
    by_status = {s: {"count": 0, "households": 0} for s in CASE_STATUSES}
    for unit, status, n, hh in _cases(region, as_of):
        entry = by_unit.setdefault(unit, {"count": 0, "households": 0, "households_secured": 0, "by_status": {}})
        entry["count"] += n
        entry["households"] += int(hh)
        entry["households_secured"] += int(hh) if status == "secured" else 0
        entry["by_status"][status] = n
        by_status[status]["count"] += n
        by_status[status]["households"] += int(hh)

    fund_units: dict[str, dict[str, Any]] = {}
    by_level = {lv: {"count": 0, "capital_baht": 0.0, "members": 0} for lv in FUND_LEVELS}
    for unit, level, n, capital, members in _funds(region):
        entry = fund_units.setdefault(unit, {"count": 0, "capital_baht": 0.0, "members": 0, "capital_by_level": {}})
        entry["count"] += n
        entry["capital_baht"] += float(capital)
        entry["members"] += int(members)
        entry["capital_by_level"][level] = float(capital)
        by_level[level]["count"] += n
        by_level[level]["capital_baht"] += float(capital)
        by_level[level]["members"] += int(members)

    stages = _pilots(region)
    quarters, undated = _quarters(region, as_of)
    order = [u.code for u in units] + [UNKNOWN]

    def unit_list(source: dict[str, dict[str, Any]], empty: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"code": code, "name": names.get(code, code), **source.get(code, empty)}
                for code in order if code in source or code != UNKNOWN]

    return {
        "region": region,
        "as_of": as_of.isoformat() if as_of else None,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "totals": {
            "cases": sum(v["count"] for v in by_status.values()),
            "households": sum(v["households"] for v in by_status.values()),
            "cases_secured": by_status["secured"]["count"],
            "households_secured": by_status["secured"]["households"],
            "pilot_areas": sum(stages.values()),
            "funds": sum(v["count"] for v in by_level.values()),
            "fund_capital_baht": round(sum(v["capital_baht"] for v in by_level.values()), 2),
            "fund_members": sum(v["members"] for v in by_level.values()),
        },
        "cases_by_status": [{"status": s, "label": label(CASE_STATUSES, s, lang), "colour": STATUS_COLOURS[s],
                             **by_status[s]} for s in CASE_STATUSES],
        "cases_by_region": unit_list(by_unit, {"count": 0, "households": 0, "households_secured": 0,
                                               "by_status": {}}),
        "pilots_by_stage": [{"stage": s, "label": label(PILOT_STAGES, s, lang), "count": stages.get(s, 0)}
                            for s in PILOT_STAGES],
        "fund_capital_by_level": [{"level": lv, "label": label(FUND_LEVELS, lv, lang), **by_level[lv]}
                                  for lv in FUND_LEVELS],
        "fund_capital_by_region": unit_list(fund_units, {"count": 0, "capital_baht": 0.0, "members": 0,
                                                         "capital_by_level": {}}),
        "progress_by_quarter": {"basis": BASIS["th" if lang == "th" else "en"],
                                "quarters": _quarter_series(quarters, lang, as_of),
                                "secured_without_date": undated},
    }
