"""The land-case workflow: the one table of allowed status changes.

    reported     -> surveying, stalled, closed
    surveying    -> negotiating, stalled, evicted, closed
    negotiating  -> agreed, stalled, evicted, closed
    agreed       -> secured, stalled, evicted          (never back to reported)
    secured      -> closed
    stalled      -> surveying, negotiating, agreed, evicted, closed   (resume)
    evicted      -> reported, negotiating, closed      (re-opened)
    closed       -> reported                           (re-open)
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import ValidationError
from gis.fields import CASE_STATUSES, label

INITIAL_STATUS = "reported"

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "reported": ("surveying", "stalled", "closed"),
    "surveying": ("negotiating", "stalled", "evicted", "closed"),
    "negotiating": ("agreed", "stalled", "evicted", "closed"),
    "agreed": ("secured", "stalled", "evicted"),
    "secured": ("closed",),
    "stalled": ("surveying", "negotiating", "agreed", "evicted", "closed"),
    "evicted": ("reported", "negotiating", "closed"),
    "closed": ("reported",),
}
assert set(TRANSITIONS) == set(CASE_STATUSES)
assert all(set(targets) <= set(CASE_STATUSES) for targets in TRANSITIONS.values())


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses a case in `status` may move to."""
    return TRANSITIONS.get(status, ())


def check_transition(current: str, target: str, lang: str = "th") -> None:
    """Raise a 422 ValidationError unless `current -> target` is in the table."""
    if target not in CASE_STATUSES:
        raise ValidationError(
            _("สถานะ %(s)s ไม่มีในระบบ ใช้ได้: %(all)s", s=target, all=", ".join(CASE_STATUSES)),
            [{"field": "status", "message": "unknown value"}])
    nexts = allowed_next(current)
    if target == current:
        raise ValidationError(_("กรณีนี้อยู่ในสถานะ %(s)s อยู่แล้ว", s=label(CASE_STATUSES, current, lang)),
                              [{"field": "status", "message": "unchanged", "allowed": list(nexts)}])
    if target not in nexts:
        names = ", ".join(f"{s} ({label(CASE_STATUSES, s, lang)})" for s in nexts) or "-"
        raise ValidationError(
            _("เปลี่ยนจากสถานะ %(a)s เป็น %(b)s ไม่ได้ สถานะถัดไปที่ทำได้: %(n)s",
              a=current, b=target, n=names),
            [{"field": "status", "message": "transition not allowed", "allowed": list(nexts)}])
