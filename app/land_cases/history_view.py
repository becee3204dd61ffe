"""A case's history in people's words, for the case page: field labels instead of names,
labels instead of stored codes, B.E. dates, one folded "created" entry instead of a row per
field, and the status timeline in the order of the effective dates. The pilot-area page reads
its history through the same functions (`fields=` its own list, `actions=` its own words).

Reads the rows `service.case_history` already masked for the reader's role; a masked row stays
masked here (its values are None and `masked` is true)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.i18n import buddhist_date
from gis.fields import CASE_FIELDS, CASE_STATUSES, REVIEW_VERDICTS, Field, label

_FIELDS = {f.name: f for f in CASE_FIELDS}
_EXTRA_CHOICES = {"verdict": REVIEW_VERDICTS}
_EXTRA_LABELS = {"lon": ("ลองจิจูด", "Longitude"), "lat": ("ละติจูด", "Latitude"),
                 "geometry": ("ตำแหน่ง", "Location"), "location": ("ตำแหน่ง", "Location"),
                 "document": ("เอกสาร", "Document"), "footprint": ("ขอบเขตชุมชน", "Community footprint"),
                 "area_rai": ("เนื้อที่ขอบเขต (ไร่)", "Footprint area (rai)"),
                 "verdict": ("ความเห็น", "Verdict")}


def action_label(action: str) -> str:
    return {"create": _("สร้างกรณี"), "update": _("แก้ไขข้อมูล"), "status": _("เปลี่ยนสถานะ"),
            "document": _("เพิ่มเอกสาร"), "delete": _("ลบกรณี"), "restore": _("กู้คืนกรณี")}.get(action, action)


def field_label(name: str | None, lang: str, fields: dict[str, Field] = _FIELDS) -> str:
    if not name:
        return ""
    f = fields.get(name)
    if f is not None:
        return f.label_th if lang == "th" else f.label_en
    pair = _EXTRA_LABELS.get(name)
    return (pair[0] if lang == "th" else pair[1]) if pair else name


def _date(text: str, lang: str) -> str:
    try:
        return buddhist_date(date.fromisoformat(text[:10]), lang)
    except ValueError:
        return text


def value_text(name: str | None, value: str | None, lang: str, fields: dict[str, Field] = _FIELDS) -> str:
    """A stored history value (text) as a person reads it."""
    if value is None or value == "":
        return ""
    f: Field | None = fields.get(name or "")
    if name == "footprint":  # the outline itself stays in the history (app.land), not on the page
        return _("ขอบเขต (เก็บรูปไว้)")
    if name == "area_rai":
        from gis.footprints import format_rai

        try:
            return format_rai(float(value), lang)
        except ValueError:
            return value
    if name == "status":
        return label(CASE_STATUSES, value, lang)
    if name in _EXTRA_CHOICES:
        return label(_EXTRA_CHOICES[name], value, lang)
    if f is None:
        return value
    if f.kind == "enum":
        return label(f.choices or {}, value, lang)
    if f.kind == "bool":
        return _("ใช่") if value == "true" else _("ไม่ใช่") if value == "false" else value
    if f.kind in ("date", "datetime"):
        return _date(value, lang)
    if f.kind == "int":
        try:
            return f"{int(value):,}"
        except ValueError:
            return value
    return value


def _row(entry: dict[str, Any], lang: str, fields: dict[str, Field] = _FIELDS,
         actions: Callable[[str], str] = action_label) -> dict[str, Any]:
    return {**entry, "action_label": actions(entry["action"]),
            "field_label": field_label(entry.get("field"), lang, fields),
            "old_text": value_text(entry.get("field"), entry.get("old"), lang, fields),
            "new_text": value_text(entry.get("field"), entry.get("new"), lang, fields),
            "when": _date(entry["at"], lang) if entry.get("at") else ""}


def people_history(entries: list[dict[str, Any]], lang: str, *, fields: list[Field] | None = None,
                   actions: Callable[[str], str] = action_label) -> list[dict[str, Any]]:
    """The rows for the page's history table, oldest first; the rows of one "create" (same time,
    same person) become one row whose `values` list the fields it was created with."""
    by_name = {f.name: f for f in fields} if fields is not None else _FIELDS
    out: list[dict[str, Any]] = []
    for entry in entries:
        row = _row(entry, lang, by_name, actions)
        last = out[-1] if out else None
        if (entry["action"] == "create" and last is not None and last["action"] == "create"
                and last["at"] == entry["at"] and last.get("user") == entry.get("user")):
            last["values"].append(row)
            continue
        if entry["action"] == "create":
            row = {**row, "values": [row], "field_label": "", "old_text": "", "new_text": ""}
        out.append(row)
    for row in out:
        if row["action"] == "create":
            row["values"] = [v for v in row["values"] if v["field"] and (v["new_text"] or v.get("masked"))]
    return out


def status_timeline(entries: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The first status, then the status changes ordered by their effective date (else the day
    they were recorded), then as recorded."""
    moves = [_row(e, lang) for e in entries if e.get("field") == "status" and e["action"] in ("create", "status")]
    return sorted(moves, key=lambda e: (e["action"] != "create", (e.get("effective_on") or e.get("at") or "")[:10],
                                        e.get("id") or 0))
