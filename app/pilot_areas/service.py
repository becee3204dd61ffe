"""Pilot subdistricts: the query with what lies inside each one, create, edit, review.

What lies inside a pilot is counted by equality on `subdistrict_code`: a case's code is
derived in PostGIS from the same subdistrict polygons (`gis.spatial.derive_admin_areas`),
including the coastline tolerance that places stilt-house communities just outside a
simplified shoreline, so a case counts in exactly the pilot its own record names, once,
and the count is an index lookup rather than a point-in-polygon test per request.
Soft-deleted cases (`deleted_at IS NOT NULL`) are left out.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.exc import IntegrityError

from app import documents, history
from app.auth.scope import check_scope
from app.errors import Conflict, NotFound, ValidationError, integrity_error
from app.extensions import atomic, db
from app.filters import Filter, field_predicates, region_predicate
from app.models import District, Document, Fund, LandCase, PilotArea, PilotReview, Province, Subdistrict, User
from app.pilot_areas.records import MAX_INT, check_if_match, province_regions
from app.validation import Invalid, check_value, validate_fields
from gis.fields import PILOT_AREA_FIELDS, REVIEW_VERDICTS, Field

ENTITY = "pilot_area"
COMMENT = Field("comment", "comment", "text", "ความเห็น", "Comment", max_length=5000)
EDITABLE = ("name_th", "team", "architect", "stage", "targets", "notes")


def _inside_counts() -> tuple[Any, Any]:
    """Per pilot subdistrict: cases (by status), households, funds, computed set-based."""
    pa, lc, fd = PilotArea.__table__, LandCase.__table__, Fund.__table__
    pilot_codes = select(pa.c.subdistrict_code).where(pa.c.deleted_at.is_(None))
    per_status = (
        select(lc.c.subdistrict_code, lc.c.status, func.count().label("n"),
               func.sum(lc.c.households).label("hh"))
        .where(lc.c.deleted_at.is_(None), lc.c.subdistrict_code.in_(pilot_codes))
        .group_by(lc.c.subdistrict_code, lc.c.status).subquery("cs"))
    cases = (
        select(per_status.c.subdistrict_code,
               func.sum(per_status.c.n).label("case_count"),
               func.sum(per_status.c.hh).label("households"),
               func.sum(case((per_status.c.status == "secured", per_status.c.hh), else_=0))
               .label("households_secured"),
               func.jsonb_object_agg(per_status.c.status, per_status.c.n).label("cases_by_status"))
        .group_by(per_status.c.subdistrict_code).subquery("c"))
    funds = (
        select(fd.c.subdistrict_code, func.count().label("fund_count"),
               func.sum(fd.c.capital_baht).label("fund_capital_baht"))
        .where(fd.c.subdistrict_code.in_(pilot_codes))
        .group_by(fd.c.subdistrict_code).subquery("f"))
    return cases, funds


def pilot_filter(**values: Any) -> Filter:
    """A filter of this layer made in code, e.g. `pilot_filter(ids=(3,))`."""
    return Filter("pilot-areas", **values)


def pilot_select(filters: Filter | None = None) -> Select:
    """Pilot areas as a `select()`: every field, place names, computed counts and `geom`
    (the subdistrict polygon, joined, never stored). Ordered by id; reuse for export/OGC."""
    filters = filters or pilot_filter()
    pa, s, d, p = PilotArea.__table__, Subdistrict.__table__, District.__table__, Province.__table__
    cases, funds = _inside_counts()
    zero = literal_column("0")
    stmt = (
        select(
            pa.c.id, pa.c.subdistrict_code, pa.c.district_code, pa.c.province_code, pa.c.region_code,
            province_regions.c.zone_code,
            pa.c.name_th, s.c.name_th.label("subdistrict_name_th"), s.c.name_en.label("subdistrict_name_en"),
            d.c.name_th.label("district_name_th"), p.c.name_th.label("province_name_th"),
            p.c.name_en.label("province_name_en"),
            pa.c.team, pa.c.architect, pa.c.stage, pa.c.targets, pa.c.notes,
            func.coalesce(cases.c.case_count, zero).label("case_count"),
            func.coalesce(cases.c.households, zero).label("households"),
            func.coalesce(cases.c.households_secured, zero).label("households_secured"),
            func.coalesce(funds.c.fund_count, zero).label("fund_count"),
            func.coalesce(funds.c.fund_capital_baht, zero).label("fund_capital_baht"),
            func.coalesce(cases.c.cases_by_status, literal_column("'{}'::jsonb")).label("cases_by_status"),
            pa.c.is_sample, pa.c.version, pa.c.updated_at, s.c.geom.label("geom"))
        .select_from(
            pa.outerjoin(s, s.c.code == pa.c.subdistrict_code)
            .outerjoin(d, d.c.code == pa.c.district_code)
            .outerjoin(p, p.c.code == pa.c.province_code)
            .outerjoin(province_regions, province_regions.c.province_code == pa.c.province_code)
            .outerjoin(cases, cases.c.subdistrict_code == pa.c.subdistrict_code)
            .outerjoin(funds, funds.c.subdistrict_code == pa.c.subdistrict_code))
        .where(pa.c.deleted_at.is_(None))  # a removed pilot area is gone from every list, map and export
        .order_by(pa.c.id))
    if filters.region:
        stmt = stmt.where(region_predicate(pa.c.region_code, pa.c.province_code, filters.region))
    if filters.province:
        stmt = stmt.where(pa.c.province_code == filters.province)
    if filters.stages:
        stmt = stmt.where(pa.c.stage.in_(list(filters.stages)))
    if filters.bbox:
        stmt = stmt.where(func.ST_Intersects(s.c.geom, func.ST_MakeEnvelope(*filters.bbox, 4326)))
    if filters.fields:
        stmt = stmt.where(*field_predicates(pa.c, filters.fields))
    if filters.ids is not None:
        stmt = stmt.where(pa.c.id.in_(list(filters.ids)))
    return stmt


def pilot_rows(filters: Filter | None = None) -> list[dict[str, Any]]:
    """The pilot list without geometry, as dicts (for pages and the dashboard)."""
    stmt = pilot_select(filters)
    q = stmt.subquery()
    cols = [c for c in q.c if c.key != "geom"]
    return [dict(r._mapping) for r in db.session.execute(select(*cols).order_by(q.c.id))]


def pilot_count() -> int:
    """How many pilot areas there are now (for the list's heading)."""
    return db.session.scalar(select(func.count()).select_from(PilotArea).where(PilotArea.deleted_at.is_(None))) or 0


def normalise_code(raw: Any) -> str:
    """`TH500102`, `th500102` or `500102` -> `500102`; 422 unless six digits."""
    code = raw.strip().upper().removeprefix("TH") if isinstance(raw, str) else raw
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        raise ValidationError(_("รหัสตำบลต้องเป็นตัวเลข 6 หลัก เช่น 500102 (มี TH นำหน้าได้)"),
                              [{"field": "subdistrict_code", "message": "malformed"}])
    return code


def get_pilot(pilot_id: int, *, lock: bool = False) -> PilotArea:
    pilot = db.session.get(PilotArea, pilot_id, with_for_update=lock) if 0 < pilot_id <= MAX_INT else None
    if pilot is None or pilot.deleted_at is not None:
        raise NotFound(_("ไม่พบพื้นที่รูปธรรมหมายเลข %(id)s", id=pilot_id))
    return pilot


def create_pilot(body: dict[str, Any], user: User | None, *, lenient: bool = False) -> PilotArea:
    """A pilot on a subdistrict: district, province, region and the default Thai name come
    from the boundary tables and `province_regions`. 422 for an unknown code, 409 when taken."""
    if "subdistrict_code" not in body:
        raise ValidationError(_("ต้องระบุรหัสตำบล (subdistrict_code)"),
                              [{"field": "subdistrict_code", "message": "required"}])
    code = normalise_code(body["subdistrict_code"])
    values = validate_fields(body, PILOT_AREA_FIELDS, creating=False, lenient=lenient, extra={"subdistrict_code"})
    values.setdefault("stage", "analysis")
    if values["stage"] is None:
        values["stage"] = "analysis"
    existing = db.session.scalar(select(PilotArea).where(PilotArea.subdistrict_code == code).with_for_update())
    if existing is not None and existing.deleted_at is not None:
        return _bring_back(existing, values, user)
    if existing is not None:
        raise Conflict(_("ตำบล %(c)s เป็นพื้นที่รูปธรรมอยู่แล้ว", c=code),
                       [{"field": "subdistrict_code", "message": "already a pilot area"}])
    s = Subdistrict.__table__
    place = db.session.execute(
        select(s.c.code, s.c.name_th, s.c.district_code, s.c.province_code, province_regions.c.region_code)
        .select_from(s.outerjoin(province_regions, province_regions.c.province_code == s.c.province_code))
        .where(s.c.code == code)).first()
    if place is None:
        raise ValidationError(_("ไม่พบตำบลรหัส %(c)s ในข้อมูลขอบเขตการปกครอง", c=code),
                              [{"field": "subdistrict_code", "message": "unknown subdistrict"}])
    check_scope(user, place.region_code)
    pilot = PilotArea(
        subdistrict_code=code, district_code=place.district_code, province_code=place.province_code,
        region_code=place.region_code, name_th=values.pop("name_th", None) or place.name_th,
        is_sample=bool(values.pop("is_sample", False)), version=1,
        created_by_id=user.id if user else None, updated_by_id=user.id if user else None, **values)
    try:
        with db.session.begin_nested():
            db.session.add(pilot)
            db.session.flush()
    except IntegrityError as exc:
        err = integrity_error(exc)
        if isinstance(err, Conflict) and err.details and err.details[0].get("field") == "subdistrict_code":
            err = Conflict(_("ตำบล %(c)s เป็นพื้นที่รูปธรรมอยู่แล้ว", c=code),
                           [{"field": "subdistrict_code", "message": "already a pilot area"}])
        raise err from None
    new_id = pilot.id
    history.record(ENTITY, new_id, "create", user, note=_("สร้างพื้นที่รูปธรรมตำบล %(c)s", c=code))
    return pilot


def _bring_back(pilot: PilotArea, values: dict[str, Any], user: User | None) -> PilotArea:
    """Adding a removed subdistrict again restores its pilot area (with its history and reviews)."""
    check_scope(user, pilot.region_code)
    pilot.deleted_at = None
    pilot.deleted_by_id = None
    for name, value in values.items():
        if name not in ("is_sample", "name_th") or value is not None:
            setattr(pilot, name, value)
    pilot.version += 1
    pilot.updated_by_id = user.id if user else None
    db.session.flush()
    history.record(ENTITY, pilot.id, "restore", user, note=_("นำพื้นที่รูปธรรมตำบล %(c)s กลับมา",
                                                               c=pilot.subdistrict_code))
    return pilot


def remove_pilot(pilot: PilotArea, user: User | None, reason: str | None = None) -> None:
    """Remove a pilot area: a soft delete (the row, its reviews and history stay; re-adding the
    subdistrict brings it back)."""
    check_scope(user, pilot.region_code)
    pilot.deleted_at = func.now()
    pilot.deleted_by_id = user.id if user else None
    pilot.version += 1
    db.session.flush()
    history.record(ENTITY, pilot.id, "delete", user,
                   note=reason or _("นำตำบล %(c)s ออกจากพื้นที่รูปธรรม", c=pilot.subdistrict_code))


def update_pilot(pilot: PilotArea, body: dict[str, Any], user: User | None, *,
                 lenient: bool = False) -> dict[str, tuple[Any, Any]]:
    """Apply a partial update (the caller checked the version); history per changed field."""
    check_scope(user, pilot.region_code)
    values = validate_fields(body, PILOT_AREA_FIELDS, creating=False, lenient=lenient,
                             fixed={"subdistrict_code", "is_sample"})
    if "stage" in values and values["stage"] is None:
        raise ValidationError(_("ต้องระบุขั้นตอน"), [{"field": "stage", "message": _("จำเป็นต้องกรอก")}])
    old = {n: getattr(pilot, n) for n in values}
    changes = history.diff(old, values)
    if changes:
        for name in changes:
            setattr(pilot, name, values[name])
        pilot.version += 1
        pilot.updated_by_id = user.id if user else None
        db.session.flush()
        history.record(ENTITY, pilot.id, "update", user, changes=changes)
    return changes


def add_review(pilot: PilotArea, body: dict[str, Any], user: User) -> PilotReview:
    """An architect's review; kept in order with its author and date."""
    check_scope(user, pilot.region_code)
    unknown = sorted(set(body) - {"verdict", "comment"})
    errors = [{"field": n, "message": _("ไม่รู้จักฟิลด์นี้")} for n in unknown]
    verdict = body.get("verdict")
    if verdict not in REVIEW_VERDICTS:
        errors.append({"field": "verdict", "message": _("ต้องเป็นหนึ่งใน %(v)s", v=", ".join(REVIEW_VERDICTS))})
    try:
        comment = check_value(COMMENT, body.get("comment"))
    except Invalid as exc:
        errors.append({"field": "comment", "message": exc.message, "reason": exc.reason})
        comment = None
    if errors:
        raise ValidationError(_("ความเห็นไม่ถูกต้อง"), errors)
    review = PilotReview(pilot_area_id=pilot.id, author_id=user.id, verdict=verdict, comment=comment)
    db.session.add(review)
    db.session.flush()
    history.record(ENTITY, pilot.id, "review", user, field="verdict", new=verdict, note=comment)
    return review


def reviews_of(pilot_id: int) -> list[dict[str, Any]]:
    """The pilot's reviews, oldest first, with author and date."""
    rows = db.session.execute(
        select(PilotReview, User).join(User, User.id == PilotReview.author_id)
        .where(PilotReview.pilot_area_id == pilot_id).order_by(PilotReview.created_at, PilotReview.id)).all()
    return [serialise_review(review, author) for review, author in rows]


def serialise_review(review: PilotReview, author: User) -> dict[str, Any]:
    return {
        "id": review.id, "pilot_area_id": review.pilot_area_id, "verdict": review.verdict,
        "verdict_label": REVIEW_VERDICTS[review.verdict][0], "comment": review.comment,
        "author": {"id": author.id, "name": author.display_name, "role": author.role},
        "created_at": review.created_at.isoformat() if review.created_at else None,
    }



# ---------------------------------------------------------------- operations (each one transaction)

def add_pilot(body: dict[str, Any], user: User | None, *, lenient: bool = False) -> PilotArea:
    """Create a pilot area and commit (see `create_pilot`)."""
    with atomic():
        return create_pilot(body, user, lenient=lenient)


def edit_pilot(pilot_id: int, body: dict[str, Any], user: User | None, *, if_match: str | None,
               lenient: bool = False) -> PilotArea:
    """A partial update guarded by the version the caller read (428/412), committed."""
    with atomic():
        pilot = get_pilot(pilot_id, lock=True)
        check_if_match(pilot.version, if_match or "")
        update_pilot(pilot, body, user, lenient=lenient)
    return pilot


def delete_pilot(pilot_id: int, user: User | None, reason: str | None = None) -> PilotArea:
    """Remove a pilot area from the programme (see `remove_pilot`), committed."""
    with atomic():
        pilot = get_pilot(pilot_id, lock=True)
        remove_pilot(pilot, user, reason)
    return pilot


def review_pilot(pilot_id: int, body: dict[str, Any], user: User) -> PilotReview:
    """An architect's review of the pilot, committed."""
    with atomic():
        return add_review(get_pilot(pilot_id), body, user)


def attach_document(pilot_id: int, file: Any, user: User | None, *, kind: str | None = None,
                    description: str | None = None) -> Document:
    """Store a plan document on the pilot and note it in the history, committed."""
    with atomic():
        get_pilot(pilot_id)
        document = documents.store(ENTITY, pilot_id, file, user, kind=kind, description=description)
        history.record(ENTITY, pilot_id, "document", user, field="document",
                       new=document.original_name, note=document.description)
    return document


def cases_inside(subdistrict_code: str, limit: int = 2000) -> list[dict[str, Any]]:
    """The live cases of a subdistrict as points for the pilot's map."""
    lc = LandCase.__table__
    rows = db.session.execute(
        select(lc.c.id, lc.c.code, lc.c.community_name, lc.c.status, lc.c.households,
               func.ST_X(lc.c.geom).label("lon"), func.ST_Y(lc.c.geom).label("lat"))
        .where(lc.c.subdistrict_code == subdistrict_code, lc.c.deleted_at.is_(None))
        .order_by(lc.c.id).limit(limit))
    return [dict(r._mapping) for r in rows]
