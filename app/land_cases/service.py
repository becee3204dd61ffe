"""Land-case operations: each one validates, writes the change and its history, and commits once.

Views (API and pages) and importers call these; nothing here reads `request`.
A failure rolls everything back: no half-written case, no history without its change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, text, update
from sqlalchemy.exc import IntegrityError

from app import documents, history
from app.auth.scope import check_scope
from app.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ServiceError, ValidationError, integrity_error
from app.extensions import atomic, db
from app.land import case_footprints
from app.land_cases.validation import RawCase, validate
from app.land_cases.workflow import check_transition
from app.models import Document, LandCase, User
from app.validation import today
from gis.fields import CASE_FIELDS
from gis.geometry import from_db, to_db
from gis.spatial import derive_admin_areas

ENTITY = "land_case"
SENSITIVE = {f.name for f in CASE_FIELDS if f.sensitive}
DERIVED_AREAS = ("subdistrict_code", "district_code", "province_code", "region_code", "location_note")
# what history follows: every field a person sets, the location and what it derives
TRACKED = [f.name for f in CASE_FIELDS if not f.derived] + ["lon", "lat", *DERIVED_AREAS]
UNLOCATED = _l("ตำแหน่งนี้อยู่ในทะเลหรือไม่อยู่ในเขตจังหวัดใดของประเทศไทย "
               "(ไม่พบตำบล อำเภอ หรือจังหวัดที่ครอบคลุมจุดนี้)")


def case_values(case: LandCase) -> dict[str, Any]:
    """A case's stored values by field name, with `lon`/`lat` from its point."""
    values = {f.name: getattr(case, f.name) for f in CASE_FIELDS}
    point = from_db(case.geom)
    values.update(lon=round(point.x, 7), lat=round(point.y, 7), location_note=case.location_note,
                  created_at=case.created_at, deleted_at=case.deleted_at)
    return values


def get_case(case_id: int, *, include_deleted: bool = False) -> LandCase:
    """The case, or NotFound (deleted cases count as absent unless `include_deleted`)."""
    case = db.session.get(LandCase, case_id, populate_existing=True) if 0 < case_id < 2**31 else None
    if case is None or (case.deleted_at is not None and not include_deleted):
        raise NotFound(_("ไม่พบกรณีที่ดินหมายเลข %(id)s", id=case_id))
    return case


def _user_id(user: User | None) -> int | None:
    return user.id if user is not None else None


def _code_taken(code: str, but: int | None = None) -> bool:
    query = exists().where(LandCase.code == code)
    if but is not None:
        query = query.where(LandCase.id != but)
    return bool(db.session.scalar(select(query)))


def _next_code() -> str:
    """`LC-000123` from the sequence, skipping codes a client already supplied."""
    while True:
        number = db.session.scalar(text("SELECT nextval('land_case_code_seq')"))
        code = f"LC-{number:06d}"
        if not _code_taken(code):
            return code


def _code_conflict(code: str) -> Conflict:
    return Conflict(_("รหัสกรณี %(c)s มีอยู่แล้ว", c=code), [{"field": "code", "message": "already used",
                                                              "reason": "duplicate"}])


def _refused(exc: IntegrityError, code: str) -> ServiceError:
    """The database's refusal by its constraint (a duplicate code keeps its own message)."""
    err = integrity_error(exc)
    if isinstance(err, Conflict) and err.details and err.details[0].get("field") == "code":
        return _code_conflict(code)
    return err


def _check_sensitive(raw: RawCase, may_set_sensitive: bool) -> None:
    given = sorted(SENSITIVE & {k for k, v in raw.fields.items() if v not in (None, "")})
    if given and not may_set_sensitive:
        raise Forbidden(_("บทบาทของคุณบันทึกข้อมูลผู้ติดต่อไม่ได้"),
                        [{"field": name, "message": "not allowed"} for name in given])


def _locate(case_id: int) -> None:
    """Derive the admin areas of a case in this transaction; refuse points nothing holds."""
    if derive_admin_areas(db.session.connection(), "land_cases", [case_id]):
        message = str(UNLOCATED)
        raise ValidationError(message, [{"field": "location", "message": message, "reason": "unlocated"}])


def create_case(raw: RawCase, user: User | None, *, may_set_sensitive: bool = True) -> LandCase:
    """Validate and insert a case, derive its areas, write its history; commit. 422/409 otherwise."""
    _check_sensitive(raw, may_set_sensitive)
    land = case_footprints.take(raw)  # footprint out of the fields; a point on it when none is given
    clean = validate(raw)
    land.check(clean.point)
    values = dict(clean.values)
    with atomic():
        code = values.pop("code", None)
        if code and _code_taken(code):
            raise _code_conflict(code)
        case = LandCase(**values, **land.columns(), code=code or _next_code(), geom=to_db(clean.point),
                        version=1, created_by_id=_user_id(user), updated_by_id=_user_id(user))
        db.session.add(case)
        try:
            db.session.flush()
        except IntegrityError as exc:
            raise _refused(exc, case.code) from None
        _locate(case.id)
        db.session.refresh(case)
        check_scope(user, case.region_code)
        after = case_values(case)
        history.record(ENTITY, case.id, "create", user,
                       changes={k: (None, after[k]) for k in TRACKED if after.get(k) is not None})
        land.after_write(case.id, user, "create")
    return case


def parse_versions(values: Sequence[int]) -> list[int]:
    return [v for v in values if 0 <= v < 2**31]


def update_case(case_id: int, raw: RawCase, user: User | None, versions: Sequence[int], *,
                may_set_sensitive: bool = True) -> LandCase:
    """Apply a partial update if the case is still at one of `versions` (else 412), atomically."""
    versions = parse_versions(versions)
    with atomic():
        case = get_case(case_id)
        if case.version not in versions:
            raise PreconditionFailed(_("ข้อมูลถูกแก้ไขไปแล้ว (รุ่นปัจจุบัน %(v)s): โหลดใหม่แล้วแก้อีกครั้ง",
                                       v=case.version))
        check_scope(user, case.region_code)
        _check_sensitive(raw, may_set_sensitive)
        before = case_values(case)
        land = case_footprints.take(raw, case)
        clean = validate(raw, current=before)
        changes = history.diff(before, clean.values)
        point = clean.point
        moved = point is not None and (round(point.x, 7), round(point.y, 7)) != (before["lon"], before["lat"])
        land.check(point if moved else None, case)
        if not changes and not moved and not land.changed:
            return case
        if "code" in changes and _code_taken(changes["code"][1], but=case_id):
            raise _code_conflict(changes["code"][1])
        new_values: dict[str, Any] = {k: new for k, (_old, new) in changes.items()}
        new_values.update(land.columns())
        if moved:
            new_values["geom"] = to_db(point)
        stmt = (update(LandCase)
                .where(LandCase.id == case_id, LandCase.version.in_(versions), LandCase.deleted_at.is_(None))
                .values(**new_values, version=LandCase.version + 1, updated_at=func.now(),
                        updated_by_id=_user_id(user))
                .returning(LandCase.id).execution_options(synchronize_session=False))
        try:
            updated = db.session.execute(stmt).scalar_one_or_none()
        except IntegrityError as exc:
            raise _refused(exc, str(new_values.get("code"))) from None
        if updated is None:
            raise PreconditionFailed(_("ข้อมูลถูกแก้ไขไปแล้วโดยผู้อื่น: โหลดใหม่แล้วแก้อีกครั้ง"))
        if moved:
            _locate(case_id)
        db.session.refresh(case)
        if moved:  # moving a case across a region border needs both regions
            check_scope(user, case.region_code)
        tracked = history.diff(before, case_values(case), names=TRACKED)
        if tracked:
            history.record(ENTITY, case_id, "update", user, changes=tracked)
        land.after_write(case_id, user, "update", moved=moved)
    return case


def _guarded_update(case: LandCase, values: dict[str, Any], user: User | None,
                    versions: Sequence[int] | None, extra_where: Sequence[Any] = ()) -> None:
    """One atomic UPDATE that bumps the version; 412 (with If-Match) or 409 when the case moved on."""
    where = [LandCase.id == case.id, LandCase.version == case.version, *extra_where]
    stmt = (update(LandCase).where(*where)
            .values(**values, version=LandCase.version + 1, updated_at=func.now(), updated_by_id=_user_id(user))
            .returning(LandCase.id).execution_options(synchronize_session=False))
    if db.session.execute(stmt).scalar_one_or_none() is None:
        if versions is not None:
            raise PreconditionFailed(_("ข้อมูลถูกแก้ไขไปแล้วโดยผู้อื่น: โหลดใหม่แล้วลองอีกครั้ง"))
        raise Conflict(_("กรณีนี้เพิ่งถูกเปลี่ยนโดยผู้อื่น: โหลดใหม่แล้วลองอีกครั้ง"))


def _check_versions(case: LandCase, versions: Sequence[int] | None) -> None:
    if versions is not None and case.version not in parse_versions(versions):
        raise PreconditionFailed(_("ข้อมูลถูกแก้ไขไปแล้ว (รุ่นปัจจุบัน %(v)s): โหลดใหม่แล้วลองอีกครั้ง",
                                   v=case.version))


def change_status(case_id: int, status: str, user: User | None, *, note: str | None = None,
                  effective_on: date | None = None, versions: Sequence[int] | None = None) -> LandCase:
    """Move a case along the workflow (422 for a move the table does not allow), with history."""
    with atomic():
        case = get_case(case_id)
        check_scope(user, case.region_code)
        _check_versions(case, versions)
        old = case.status
        check_transition(old, status)
        _guarded_update(case, {"status": status}, user, versions,
                        [LandCase.status == old, LandCase.deleted_at.is_(None)])
        history.record(ENTITY, case_id, "status", user, field="status", old=old, new=status, note=note,
                       effective_on=effective_on or today())
        db.session.refresh(case)
    return case


def delete_case(case_id: int, user: User | None, *, versions: Sequence[int] | None = None,
                note: str | None = None) -> None:
    """Soft delete: the row and its history stay; lists, maps and exports stop showing it."""
    with atomic():
        case = get_case(case_id)
        check_scope(user, case.region_code)
        _check_versions(case, versions)
        _guarded_update(case, {"deleted_at": func.now(), "deleted_by_id": _user_id(user)}, user, versions,
                        [LandCase.deleted_at.is_(None)])
        history.record(ENTITY, case_id, "delete", user, note=note)


def restore_case(case_id: int, user: User | None) -> LandCase:
    """Undo a soft delete (admins); 409 when the case is not deleted."""
    with atomic():
        case = get_case(case_id, include_deleted=True)
        if case.deleted_at is None:
            raise Conflict(_("กรณีนี้ไม่ได้ถูกลบ"))
        check_scope(user, case.region_code)
        _guarded_update(case, {"deleted_at": None, "deleted_by_id": None}, user, None,
                        [LandCase.deleted_at.is_not(None)])
        history.record(ENTITY, case_id, "restore", user)
        db.session.refresh(case)
    return case


def attach_document(case_id: int, file: Any, user: User | None, *, kind: str | None = None,
                    description: str | None = None) -> Document:
    """Store a document for the case and note it in the history."""
    with atomic():
        check_scope(user, get_case(case_id).region_code)
        document = documents.store(ENTITY, case_id, file, user, kind=kind, description=description)
        history.record(ENTITY, case_id, "document", user, field="document", new=document.original_name,
                       note=description)
    return document


def remove_document(case_id: int, document_id: int, user: User | None) -> None:
    """Mark a document deleted and note it in the history."""
    with atomic():
        check_scope(user, get_case(case_id).region_code)
        document = documents.get_document(ENTITY, case_id, document_id)
        documents.remove(document)
        history.record(ENTITY, case_id, "document", user, field="document", old=document.original_name)


def case_history(case_id: int, *, role: str | None, include_deleted: bool = False) -> list[dict[str, Any]]:
    """The case's history, oldest first; contacts and document names masked as `role` requires."""
    get_case(case_id, include_deleted=include_deleted)
    return history.history_for(ENTITY, case_id, role=role, sensitive=SENSITIVE)
