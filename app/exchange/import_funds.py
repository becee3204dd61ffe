"""Import of community funds: like cases, all rows or none; funds have no code, so rows match on `id`.

A row with an `id` updates that fund (an unknown id is a row error: clear the cell to
create a new fund); a row without one creates a fund. Values are checked with the funds'
own validator (`app.validation.check_fields`, as `app.funds.service` uses it);
`is_sample` is set only on creation, as in the API. Admin areas are derived in one call
for every created or moved fund; history as `app.funds.service` writes it (one `create`
row; one row per changed field, `location` as "lon,lat").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ARRAY, Integer, any_, bindparam, func, insert, literal, select

from app import history
from app.auth.scope import report_outside, rows_outside
from app.exchange.bulk import point_expr, update_in_groups
from app.exchange.import_cases import GEOMETRY_MESSAGES
from app.exchange.report import ImportRejected, Report, all_or_nothing
from app.extensions import db
from app.funds.service import ENTITY, lonlat, money
from app.models import Fund, User
from app.validation import check_fields
from gis.errors import GisError
from gis.exchange.readers import Table
from gis.exchange.schema import map_headers
from gis.fields import FUND_FIELDS
from gis.geometry import checked_point
from gis.spatial import derive_admin_areas

EDITABLE = [f for f in FUND_FIELDS if not f.derived]
DERIVED = {f.name for f in FUND_FIELDS if f.derived}


@dataclass
class FundPlan:
    row: int
    action: str
    fund_id: int | None
    name: str | None
    values: dict[str, Any] = field(default_factory=dict)
    point: tuple[float, float] | None = None
    before: dict[str, Any] | None = None


def _current(ids: list[int], lock: bool) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    t = Fund.__table__
    stmt = select(*[t.c[f.name] for f in FUND_FIELDS], t.c.subdistrict_code, func.ST_X(t.c.geom).label("lon"),
                  func.ST_Y(t.c.geom).label("lat")).where(t.c.id == any_(literal(ids, ARRAY(Integer))))
    if lock:
        stmt = stmt.with_for_update(of=t).order_by(t.c.id)  # id order: concurrent imports never deadlock
    return {row["id"]: dict(row) for row in db.session.execute(stmt).mappings()}


def _clean(number: int, values: dict[str, Any], creating: bool, report: Report) -> dict[str, Any]:
    """The row's values through the funds' validator (`app.validation`, lenient for cell text)."""
    editable = {f.name for f in EDITABLE} - ({"is_sample"} if not creating else set())  # set once, as in the API
    given = {k: v for k, v in values.items() if k in editable}
    if str(given.get("is_sample") or "").strip() == "":
        given.pop("is_sample", None)  # an empty cell: not sample (the default)
    out, errors = check_fields(given, EDITABLE, creating=creating, lenient=True)
    for error in errors:
        report.error(number, error["field"], error["message"], error["reason"])
    if "capital_baht" in out:
        out["capital_baht"] = money(out["capital_baht"])
    return out


def _point(number: int, lon: Any, lat: Any, report: Report) -> tuple[float, float] | None:
    if lon in (None, "") and lat in (None, ""):
        return None
    try:
        point = checked_point(lon, lat)
    except GisError as exc:
        report.error(number, "location", exc.message, exc.details[0]["message"] if exc.details else None)
        return None
    return point.x, point.y


def plan(table: Table, report: Report, *, lock: bool) -> list[FundPlan]:
    header = map_headers(table.headers, FUND_FIELDS)
    report.ignored_columns = header.ignored
    report.read_only_columns = sorted({table.headers[i] for i, n in header.columns.items()
                                       if n in DERIVED and n != "id"})
    rows = []
    for row in table.rows:
        values = {n: (row.values[i] if i < len(row.values) else None) for i, n in header.columns.items()}
        if table.has_geometry:
            values["lon"], values["lat"] = row.lon, row.lat
            if row.geometry_error and row.geometry_error != "missing":
                report.error(row.number, "geometry", str(GEOMETRY_MESSAGES[row.geometry_error]), row.geometry_error)
        raw_id = (values.get("id") or "").strip()
        fund_id = None
        if raw_id:
            if not re.fullmatch(r"[0-9]{1,10}", raw_id) or int(raw_id) >= 2**31:  # not str.isdigit: '²'
                report.error(row.number, "id", _("id ต้องเป็นจำนวนเต็ม (เว้นว่างเพื่อสร้างกองทุนใหม่)"), "invalid")
                continue
            fund_id = int(raw_id)
        rows.append((row.number, fund_id, values))
    seen: dict[int, int] = {}
    for number, fund_id, _values in rows:
        if fund_id is not None and fund_id in seen:
            report.error(number, "id", _("id %(i)s ซ้ำกับแถวที่ %(r)s", i=fund_id, r=seen[fund_id]), "duplicate")
        elif fund_id is not None:
            seen[fund_id] = number
    current = _current(list(seen), lock)
    plans = []
    for number, fund_id, values in rows:
        before = current.get(fund_id) if fund_id is not None else None
        if fund_id is not None and before is None:
            report.error(number, "id", _("ไม่มีกองทุน id %(i)s (เว้นว่างเพื่อสร้างใหม่)", i=fund_id), "unknown id")
            continue
        clean = _clean(number, {k: v for k, v in values.items() if k not in DERIVED}, before is None, report)
        point = _point(number, values.get("lon"), values.get("lat"), report)
        if before is None:
            if point is None and not any(e["row"] == number and e["field"] == "location" for e in report.errors):
                report.error(number, "location", _("ต้องระบุตำแหน่ง: lon และ lat หรือ geometry แบบ Point"),
                             "required")
            plans.append(FundPlan(number, "create", None, clean.get("name"),
                                  {"is_sample": False, **{f.name: clean.get(f.name) for f in EDITABLE
                                                          if f.name != "is_sample"}, **clean}, point))
            continue
        changes = history.diff(before, clean)
        if point is not None and lonlat(*point) == lonlat(before["lon"], before["lat"]):
            point = None
        action = "update" if changes or point else "unchanged"
        if action == "update" and values.get("version") is not None:
            report.check_version(number, values["version"], before["version"], fund_id)
        plans.append(FundPlan(number, action, fund_id, before["name"], {k: v[1] for k, v in changes.items()},
                              point, before))
    return plans


def write(plans: list[FundPlan], user: User | None, report: Report, note: str | None) -> None:
    t = Fund.__table__
    uid = user.id if user is not None else None
    creates = [p for p in plans if p.action == "create"]
    updates = [p for p in plans if p.action == "update"]
    names = [f.name for f in EDITABLE]
    if report_outside(user, report, rows_outside(user, t, [p.fund_id for p in updates]),
                      {p.fund_id: p.row for p in updates}):
        raise ImportRejected()
    if creates:
        stmt = insert(t).values({**{n: bindparam(f"p_{n}") for n in names}, "geom": point_expr(), "version": 1,
                                 "created_by_id": uid, "updated_by_id": uid})
        stmt = stmt.returning(t.c.id, sort_by_parameter_order=True)
        params = [{**{f"p_{n}": p.values.get(n) for n in names}, "p_lon": p.point[0], "p_lat": p.point[1]}
                  for p in creates]
        ids = db.session.execute(stmt, params).scalars().all()
        for p, fund_id in zip(creates, ids, strict=True):
            p.fund_id = fund_id
    update_in_groups(t, [(p.fund_id, p.values, p.point) for p in updates], uid)
    located = [p.fund_id for p in creates] + [p.fund_id for p in updates if p.point is not None]
    unlocated = set(derive_admin_areas(db.session.connection(), "funds", located))
    for p in plans:
        if p.fund_id in unlocated:
            report.error(p.row, "location", _("ตำแหน่งนี้ไม่อยู่ในเขตตำบลใดของประเทศไทย"), "unlocated")
    if unlocated:
        raise ImportRejected()
    if report_outside(user, report, rows_outside(user, t, located), {p.fund_id: p.row for p in plans}):
        raise ImportRejected()
    after = _current([p.fund_id for p in updates], lock=False)
    rows = [row for p in creates for row in history.rows(ENTITY, p.fund_id, "create", uid, note=p.values.get("name"))]
    for p in updates:
        changes = dict(history.diff(p.before or {}, p.values))
        if p.point is not None:
            changes["location"] = (lonlat(p.before["lon"], p.before["lat"]), lonlat(*p.point))
            if after[p.fund_id]["subdistrict_code"] != p.before["subdistrict_code"]:
                changes["subdistrict_code"] = (p.before["subdistrict_code"], after[p.fund_id]["subdistrict_code"])
        if changes:
            rows += history.rows(ENTITY, p.fund_id, "update", uid, changes=changes, note=note)
    history.write(rows)


def import_funds(table: Table, user: User | None, *, dry_run: bool, may_set_sensitive: bool,
                 note: str | None = None) -> Report:
    """Validate and (unless `dry_run` or any error) write every fund row in one transaction."""
    report = Report(dry_run=dry_run, notes=dict(table.notes))
    return all_or_nothing(report, lambda: plan(table, report, lock=not dry_run),
                          lambda plans: write(plans, user, report, note), _preview_row)


def _preview_row(p: FundPlan) -> dict[str, Any]:
    changes = sorted(p.values) + (["location"] if p.point else []) if p.action == "update" else []
    return {"row": p.row, "action": p.action, "code": p.fund_id, "name": p.name, "changes": changes}
