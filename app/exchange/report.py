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

from flask_babel import gettext as _

from app.errors import ValidationError
from app.extensions import db

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
