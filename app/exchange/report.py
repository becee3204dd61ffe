"""The import report: counts, every row error, and a per-row plan for the preview page.

The preview keeps the first `PREVIEW_LIMIT` rows only (`rows_total` counts them all), so a
report of 100,000 rows holds 500 small dicts, not 100,000.

Row numbers are what a spreadsheet user sees: the heading is row 1, the first data
row is row 2 (in GIS files the first feature is row 2 as well).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.errors import ValidationError
from app.extensions import db
from gis.exchange.schema import LOCATION_LABELS, HeaderMap
from gis.fields import Field

POINT_NAMES = ("location", "geometry", "lon", "lat")


def _cell(row: Any, index: int | None) -> Any:
    return row.values[index] if index is not None and index < len(row.values) else None


def _missing_point(table: Any, header: HeaderMap) -> str:
    """What to do about a row without a point, in terms of this file (not "click on the map")."""
    if table.has_geometry:
        return _("แถวนี้ไม่มีรูปร่าง (geometry) ในไฟล์: ใส่จุดของกรณีนี้ในโปรแกรม GIS แล้วส่งออกใหม่")
    lon, lat = header.headings.get("lon"), header.headings.get("lat")
    if lon or lat:
        lon, lat = lon or "lon", lat or "lat"
        return _("คอลัมน์ %(lon)s และ %(lat)s ของแถวนี้ว่าง: ใส่ลองจิจูดและละติจูด เช่น 100.5641 และ 13.7083",
                 lon=lon, lat=lat)
    return _("ไฟล์ไม่มีคอลัมน์พิกัด: เพิ่มคอลัมน์ lon และ lat (หรือ ลองจิจูด และ ละติจูด) "
             "เป็นองศา เช่น 100.5641 และ 13.7083")

PREVIEW_LIMIT = 500


@dataclass
class Report:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # preview: row, action, code, name, changes
    rows_total: int = 0  # every row planned (the preview holds the first PREVIEW_LIMIT)
    ignored_columns: list[str] = field(default_factory=list)
    read_only_columns: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    actions: Counter = field(default_factory=Counter)  # create / update / unchanged, counted as planned

    def tally(self, action: str, describe: Callable[[], dict[str, Any]]) -> None:
        """Count one planned row; keep its preview row (`describe()`) while the preview has room."""
        self.rows_total += 1
        self.actions[action] += 1
        if len(self.rows) < PREVIEW_LIMIT:
            self.rows.append(describe())

    def preview_full(self) -> bool:
        return len(self.rows) >= PREVIEW_LIMIT

    def tally_many(self, action: str, count: int) -> None:
        """Count `count` rows once the preview is full (`tally` of each, without a call a row)."""
        assert self.preview_full()
        self.rows_total += count
        self.actions[action] += count

    def error(self, row: int, name: str, message: str, reason: str | None = None) -> None:
        item: dict[str, Any] = {"row": row, "field": name, "message": message}
        if reason:
            item["reason"] = reason
        self.errors.append(item)

    def check_version(self, row: int, exported: Any, stored: int, code: Any) -> None:
        """A row from an export older than the stored record would undo the changes made since:
        refused, as the API refuses a stale If-Match. A blank or unreadable version is not checked."""
        try:
            version = int(float(str(exported).strip()))
        except (TypeError, ValueError, OverflowError):
            return
        if version != stored:
            self.error(row, "version", _("%(c)s ถูกแก้ไขในระบบหลังจากส่งออกไฟล์นี้ (ในไฟล์รุ่น %(f)s ในระบบรุ่น %(v)s): "
                                         "ส่งออกใหม่แล้วแก้ในไฟล์ใหม่", c=code, f=version, v=stored), "stale version")

    def add_validation(self, row: int, exc: ValidationError) -> None:
        for detail in exc.details or [{"field": "", "message": exc.message}]:
            self.error(row, str(detail.get("field", "")), str(detail.get("message") or exc.message),
                       detail.get("reason"))

    def explain(self, table: Any, header: HeaderMap, fields: list[Field]) -> None:
        """Errors in the file's own words, and every row in the preview (`app.exchange.import_views`).

        Each error gets `column`: the file's heading of its field (`จำนวนครัวเรือน` when the file
        says so), else the field's label; a missing point is told in terms of the file's columns;
        rows refused outright join the preview as `error` rows, and every row carries its errors.
        """
        lang = str(get_locale() or "th")
        by_name = {f.name: f for f in fields}

        def column(name: str) -> str:
            f = by_name.get(name)
            label = (f.label_th if lang == "th" else f.label_en) if f else None
            if name in ("lon", "lat"):
                label = LOCATION_LABELS[name][0 if lang == "th" else 1]
            return header.headings.get(name) or label or (_("ตำแหน่ง") if name in POINT_NAMES else name)

        for error in self.errors:
            name = error.get("field") or ""
            error["column"] = column(name)
            if name in POINT_NAMES and error.get("reason") == "required":
                error["message"] = _missing_point(table, header)
        names = [n for n in ("community_name", "name", "name_th") if n in header.headings]
        at = {name: index for index, name in header.columns.items()}
        by_row: dict[int, list[str]] = {}
        for error in self.errors:
            by_row.setdefault(error["row"], []).append(f"{error['column']}: {error['message']}")
        missing = set(by_row) - {r["row"] for r in self.rows}
        for row in table.rows if missing else ():  # another pass over the file only for rows refused outright
            if row.number in missing:
                missing.discard(row.number)
                self.rows.append({"row": row.number, "action": "error", "code": _cell(row, at.get("code")),
                                  "name": _cell(row, at.get(names[0]) if names else None), "changes": []})
                if not missing:
                    break
        for r in self.rows:
            r["errors"] = by_row.get(r["row"], [])
            r["changed"] = [column(name) for name in r.get("changes") or []]  # as the file heads them
        self.rows.sort(key=lambda r: r["row"])

    def as_json(self, *, with_rows: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": sorted(self.errors, key=lambda e: (e["row"], e["field"])), "dry_run": self.dry_run,
            "ignored_columns": self.ignored_columns, "read_only_columns": self.read_only_columns,
            "notes": self.notes,
        }
        if with_rows:
            body["rows"] = self.rows
        return body


class ImportRejected(Exception):
    """Raised inside the write transaction to roll it back when rows fail late (e.g. in the sea)."""


def all_or_nothing(report: Report, make_plans: Callable[[], Sequence[Any]], write: Callable[[Sequence[Any]], None],
                   describe: Callable[[Any], dict[str, Any]]) -> Report:
    """Plan every row, write only when no row failed, then commit once or roll everything back.

    Plans need an `action` of create, update or unchanged; `describe` gives a plan's preview row.
    """
    plans: Sequence[Any] = []
    try:
        plans = make_plans()
        if not report.errors:
            write(plans)
    except ImportRejected:
        pass
    except BaseException:
        db.session.rollback()
        raise
    for p in plans:
        report.tally(p.action, lambda p=p: describe(p))
    return finish(report)


def finish(report: Report) -> Report:
    """Commit, unless any row failed or this is a dry run (then roll back); the counts when no row failed."""
    if report.errors or report.dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if not report.errors:
        report.created, report.updated = report.actions["create"], report.actions["update"]
        report.unchanged = report.actions["unchanged"]
    return report
