"""Footprints through the case service: `properties.footprint` on create and update.

The land-case service calls three things, in its own transaction:

    change = take(raw, case=None)     # before validate(): pops footprint and the read-only
                                      # land properties; a footprint without a point gives
                                      # the case a point on its surface
    change.check(point, case)         # after validate(): 422 when the footprint is far from the point
    change.after_write(case_id, user, action)   # history rows and the overlap refresh

History keeps two rows per footprint change: `area_rai` (before and after, what the
timeline shows) and `footprint` (the GeoJSON of the old and new outline, so any past
footprint can be rebuilt); a repair is named in their note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from app import history
from app.errors import ValidationError
from app.extensions import db
from app.land import overlaps
from app.land.messages import footprint_error
from app.models import CaseLand, LandCase, User
from gis.footprints import Footprint, FootprintError, check_footprint, parse_geojson, point_on_surface, to_geojson
from gis.geometry import SRID

ENTITY = "land_case"
LAND_PROPERTIES = ("area_rai", "overlay_owner_type", "owner_conflict")
UNSET: Any = object()


@dataclass
class FootprintChange:
    """What a request asks of the footprint: UNSET (nothing), None (remove) or a new outline."""

    given: Any = UNSET
    footprint: Footprint | None = None
    before: dict[str, Any] = field(default_factory=dict)  # {"geojson", "area_rai"} of the stored one

    @property
    def requested(self) -> bool:
        return self.given is not UNSET

    @property
    def changed(self) -> bool:
        if not self.requested:
            return False
        if self.footprint is None:
            return self.before.get("geojson") is not None
        return self.before.get("geojson") is None or not _same_shape(self.before["shape"], self.footprint)

    def columns(self) -> dict[str, Any]:
        """The footprint column to write (empty when the request does not change it)."""
        if not self.changed:
            return {}
        return {"footprint": from_shape(self.footprint.geom, srid=SRID) if self.footprint else None}

    def check(self, point: Point | None, case: LandCase | None = None) -> None:
        """422 when the (new or kept) footprint lies far from the (new or kept) point."""
        if self.requested:
            outline = self.footprint.geom if self.footprint is not None else None
        elif point is not None and case is not None and case.footprint is not None:
            outline = to_shape(case.footprint)  # the point moves: it must stay by the footprint
        else:
            return
        if outline is None:
            return
        if point is None and case is not None:
            point = to_shape(case.geom)
        if point is None:
            return
        try:
            check_footprint(outline, point=point)
        except FootprintError as exc:
            raise footprint_error(exc) from None

    def after_write(self, case_id: int, user: User | None, action: str, *, moved: bool = True) -> None:
        """History of a footprint change, then what the case stands on, refreshed for this case."""
        if self.changed:
            area_after = db.session.scalar(select(LandCase.area_rai).where(LandCase.id == case_id))
            new_geojson = json.dumps(to_geojson(self.footprint.geom)) if self.footprint else None
            note = (_("ซ่อมขอบเขตอัตโนมัติ: %(r)s", r=", ".join(self.footprint.repairs))
                    if self.footprint and self.footprint.repairs else None)
            history.record(ENTITY, case_id, action, user, note=note, changes={
                "area_rai": (_round(self.before.get("area_rai")), _round(area_after)),
                "footprint": (self.before.get("geojson"), new_geojson)})
        if self.changed or moved:
            overlaps.refresh(case_ids=[case_id])


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _same_shape(before: Any, footprint: Footprint) -> bool:
    return before is not None and before.equals_exact(footprint.geom, 1e-7)


def _stored(case: LandCase | None) -> dict[str, Any]:
    if case is None or case.footprint is None:
        return {}
    shape = to_shape(case.footprint)
    return {"shape": shape, "geojson": json.dumps(to_geojson(shape)), "area_rai": case.area_rai}


def current_land(case_id: int) -> dict[str, Any]:
    """The read-only land properties of a stored case, as the API shows them."""
    row = db.session.execute(
        select(func.round(func.cast(LandCase.area_rai, db.Numeric), 4), LandCase.land_owner_type,
               CaseLand.overlay_owner_type)
        .outerjoin(CaseLand, CaseLand.case_id == LandCase.id).where(LandCase.id == case_id)).one_or_none()
    if row is None:
        return {}
    area, recorded, overlay = row
    return {"area_rai": float(area) if area is not None else None, "overlay_owner_type": overlay,
            "owner_conflict": bool(recorded and overlay and recorded != overlay)}


def _read_only(fields: dict[str, Any], case: LandCase | None) -> None:
    """The derived land properties may be sent back unchanged (as a GET gave them), not set."""
    given = {k: fields.pop(k) for k in LAND_PROPERTIES if k in fields}
    if not given:
        return
    current = current_land(case.id) if case is not None else {}
    wrong = []
    for name, value in given.items():
        have = current.get(name, False if name == "owner_conflict" else None)
        same = (value is None and have is None) or (
            isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(have, float)
            and abs(value - have) < 1e-3) or value == have
        if not same:
            wrong.append(name)
    if wrong:
        message = _("ฟิลด์นี้ระบบกำหนดให้เอง แก้ไขไม่ได้")
        raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=", ".join(wrong)),
                              [{"field": name, "message": message, "reason": "read-only"} for name in wrong])


def _has_point(raw: Any) -> bool:
    from app.land_cases.validation import MISSING

    return ("lon" in raw.fields or "lat" in raw.fields) or (raw.geometry is not MISSING and raw.geometry is not None)


def take(raw: Any, case: LandCase | None = None) -> FootprintChange:
    """Take `footprint` (and the read-only land properties) out of a RawCase, checked (422 when bad)."""
    _read_only(raw.fields, case)
    change = FootprintChange(before=_stored(case))
    if "footprint" not in raw.fields:
        return change
    given = raw.fields.pop("footprint")
    change.given = given
    if given is None or (raw.lenient and given == ""):
        change.given = None
        return change
    try:
        geom, repairs = parse_geojson(given)
        change.footprint = check_footprint(geom, repairs=repairs)
    except FootprintError as exc:
        raise footprint_error(exc) from None
    if case is None and not _has_point(raw):
        spot = point_on_surface(change.footprint.geom)
        raw.geometry = {"type": "Point", "coordinates": [round(spot.x, 7), round(spot.y, 7)]}
    return change
