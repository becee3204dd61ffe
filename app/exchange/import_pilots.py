"""Import of pilot areas: rows match on `subdistrict_code`; all rows or none.

There are only some thirty pilots, so each row goes through the pilot service itself
(`create_pilot` / `update_pilot`: their validation, boundary lookup and history) inside
one transaction; any row error rolls every row back. Polygons in GIS files are not read:
a pilot's shape is always its subdistrict boundary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import ServiceError
from app.exchange.report import Report, all_or_nothing
from app.extensions import db
from app.models import PilotArea, User
from gis.exchange.errors import ExchangeError
from gis.exchange.readers import Table
from gis.exchange.schema import map_headers
from gis.fields import PILOT_AREA_FIELDS

DERIVED = {f.name for f in PILOT_AREA_FIELDS if f.derived}
MAX_ROWS = 1000  # the programme has some thirty pilots; each row goes through the service


@dataclass
class PilotRow:
    row: int
    action: str  # create, update, unchanged
    code: str
    name: str | None
    changes: list[str]


def import_pilots(table: Table, user: User | None, *, dry_run: bool, may_set_sensitive: bool,
                  note: str | None = None) -> Report:
    """Create or update every pilot row through the pilot service; commit once or roll back all."""
    if len(table.rows) > MAX_ROWS:
        raise ExchangeError("too_many_rows", f"More than {MAX_ROWS} pilot rows", status=413, limit=MAX_ROWS)
    report = Report(dry_run=dry_run, notes=dict(table.notes))
    return all_or_nothing(report, lambda: _apply(table, user, report), lambda _rows: None, asdict)


def _apply(table: Table, user: User | None, report: Report) -> list[PilotRow]:
    """Each row through the service, in the open transaction; errors go to `report`."""
    from app.pilot_areas.service import create_pilot, normalise_code, update_pilot

    header = map_headers(table.headers, PILOT_AREA_FIELDS)
    report.ignored_columns = header.ignored
    report.read_only_columns = sorted({table.headers[i] for i, n in header.columns.items() if n in DERIVED})
    done: list[PilotRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        body = {n: (row.values[i] if i < len(row.values) else None) for i, n in header.columns.items()
                if n not in DERIVED and n not in ("lon", "lat")}
        try:
            code = normalise_code(body.pop("subdistrict_code", None) or "")
            if code in seen:
                report.error(row.number, "subdistrict_code", _("ตำบล %(c)s ซ้ำกับแถวที่ %(r)s ในไฟล์เดียวกัน",
                                                               c=code, r=seen[code]), "duplicate in file")
                continue
            seen[code] = row.number
            pilot = db.session.scalar(select(PilotArea).where(PilotArea.subdistrict_code == code).with_for_update())
            if pilot is None:
                create_pilot({"subdistrict_code": code, **body}, user)
                action, changes = "create", []
            else:
                body.pop("is_sample", None)
                changes = sorted(update_pilot(pilot, body, user))
                action = "update" if changes else "unchanged"
            done.append(PilotRow(row.number, action, code, body.get("name_th"), changes))
        except ServiceError as exc:
            for detail in exc.details or [{"field": "", "message": exc.message}]:
                message = str(detail.get("message") or "")
                # reason codes ("malformed") are English: the Thai sentence is the error's own message
                report.error(row.number, str(detail.get("field", "")),
                             message if message and not message.isascii() else exc.message, message or None)
    return done
