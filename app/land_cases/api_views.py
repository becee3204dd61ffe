"""The land-case JSON API under /api/v1 (see docs: interface.md).

ETags are strong and carry the record's version: `ETag: "7"`. PATCH needs
`If-Match: "7"` (W/"7" and a bare 7 are accepted too): 428 without it, 412 when
the case has moved on. The check is one UPDATE ... WHERE version = 7, so of
several concurrent edits with the same ETag exactly one wins.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import documents
from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired
from app.filters import check_unknown, filter_names, parse_filter
from app.land_cases import api, queries, serialise, service
from app.land_cases.validation import check_status_body, load_json, parse_json_body

LIST_PARAMS = filter_names("cases") | {"limit", "offset", "sort", "include_deleted", "lang", "f"}


def _contacts() -> bool:
    return allowed(current_role(), "case.contacts")


def _admin() -> bool:
    return allowed(current_role(), "case.restore")


def _feature_response(case_id: int, status: int = 200) -> Response:
    text = (serialise.feature_text(case_id, with_sensitive=_contacts(), include_deleted=_admin())
            if 0 < case_id < 2**31 else None)
    if text is None:
        raise NotFound(_("ไม่พบกรณีที่ดินหมายเลข %(id)s", id=case_id))
    response = Response(text, status=status, mimetype="application/geo+json")
    response.set_etag(str(json.loads(text)["properties"]["version"]))
    if status == 201:
        response.headers["Location"] = url_for("land_cases_api.get_case", case_id=case_id)
    return response


def if_match_versions(required: bool) -> list[int] | None:
    """Versions named by If-Match (`"7"`, `W/"7"`, `7`; a list is allowed); 428 when required and absent."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header:
        if required:
            raise PreconditionRequired(_("ต้องส่ง If-Match ที่มี ETag ของข้อมูลที่อ่านมา (GET แล้วส่ง ETag กลับมา)"),
                                       [{"field": "If-Match", "message": "required"}])
        return None
    versions = []
    for part in header.split(","):
        tag = part.strip()
        tag = tag[2:] if tag.startswith("W/") else tag
        if tag == "*":
            raise PreconditionRequired(_("If-Match: * ไม่ระบุรุ่นของข้อมูล ส่ง ETag ที่ได้จาก GET"),
                                       [{"field": "If-Match", "message": "a version is required"}])
        tag = tag[1:-1] if len(tag) >= 2 and tag[0] == tag[-1] == '"' else tag
        if tag.isascii() and tag.isdigit() and len(tag) < 11:
            versions.append(int(tag))
    if not versions:
        raise PreconditionFailed(_("If-Match ไม่ตรงกับรุ่นใดของข้อมูล"), [{"field": "If-Match", "message": "no match"}])
    return versions


def _json_object() -> Any:
    return parse_json_body(request.get_data(cache=False), request.mimetype or "")


@api.get("/cases")
@require("read")
def list_cases():
    """Cases as a GeoJSON FeatureCollection, filtered, sorted and paged."""
    check_unknown(LIST_PARAMS)
    f = parse_filter("cases")
    if f.include_deleted and not _admin():
        raise Forbidden(_("เฉพาะผู้ดูแลระบบที่ดูกรณีที่ถูกลบได้"))
    order = queries.sort_columns(f.sort)
    stmt = queries.case_select(f)
    body, _matched = serialise.feature_page(
        stmt, order=order, limit=f.limit, offset=f.offset, with_sensitive=_contacts(),
        with_deleted=f.include_deleted, one_pass=f.as_of is not None,
        keep=("cases", f, _contacts()) if f.as_of is not None else None,
        head=lambda matched: {"numberMatched": matched,
                              "timeStamp": datetime.now(UTC).isoformat(timespec="seconds"),
                              "links": f.links(matched)})
    return Response(body, mimetype="application/geo+json")


@api.get("/cases/<int:case_id>")
@require("read")
def get_case(case_id: int):
    """One case as a Feature, with its version as the ETag."""
    return _feature_response(case_id)


@api.post("/cases")
@require("case.write")
def create_case():
    """Create a case from a GeoJSON Feature or flat JSON with lon/lat; 201."""
    raw = _json_object()
    case = service.create_case(raw, current_user, may_set_sensitive=_contacts())
    return _feature_response(case.id, 201)


@api.patch("/cases/<int:case_id>")
@require("case.write")
def update_case(case_id: int):
    """Partial update guarded by If-Match."""
    service.get_case(case_id)  # 404 before 428 for a case that does not exist
    versions = if_match_versions(required=True)
    raw = _json_object()
    service.update_case(case_id, raw, current_user, versions, may_set_sensitive=_contacts())
    return _feature_response(case_id)


@api.post("/cases/<int:case_id>/status")
@require("case.write")
def change_status(case_id: int):
    """Move the case along the workflow: `{"status", "note", "date"}`."""
    service.get_case(case_id)
    versions = if_match_versions(required=False)
    status, note, when = check_status_body(load_json(request.get_data(cache=False), request.mimetype or ""))
    service.change_status(case_id, status, current_user, note=note, effective_on=when, versions=versions)
    return _feature_response(case_id)


@api.delete("/cases/<int:case_id>")
@require("case.write")
def delete_case(case_id: int):
    """Soft delete (204); admins can restore."""
    service.delete_case(case_id, current_user, versions=if_match_versions(required=False))
    return Response(status=204)


@api.post("/cases/<int:case_id>/restore")
@require("case.restore")
def restore_case(case_id: int):
    """Bring back a soft-deleted case (admins)."""
    service.restore_case(case_id, current_user)
    return _feature_response(case_id)


@api.get("/cases/<int:case_id>/history")
@require("read")
def case_history(case_id: int):
    """Every change, oldest first: who, when, action, field, old, new, note."""
    entries = service.case_history(case_id, role=current_role(), include_deleted=_admin())
    return jsonify({"case_id": case_id, "history": entries})


def _document_json(case_id: int, document) -> dict:
    url = url_for("land_cases_api.download_document", case_id=case_id, document_id=document.id)
    return documents.serialise(document, url)


@api.get("/cases/<int:case_id>/documents")
@require("documents.read")
def list_documents(case_id: int):
    """The case's documents."""
    service.get_case(case_id, include_deleted=_admin())
    items = documents.list_documents(service.ENTITY, case_id)
    return jsonify({"case_id": case_id, "documents": [_document_json(case_id, d) for d in items]})


@api.post("/cases/<int:case_id>/documents")
@require("documents.write")
def upload_document(case_id: int):
    """Attach a file (multipart `file`, optional `kind` and `description`); 201."""
    service.get_case(case_id)
    document = service.attach_document(case_id, request.files.get("file"), current_user,
                                       kind=request.form.get("kind") or None,
                                       description=request.form.get("description") or None)
    response = jsonify(_document_json(case_id, document))
    response.status_code = 201
    response.headers["Location"] = _document_json(case_id, document)["url"]
    return response


@api.get("/cases/<int:case_id>/documents/<int:document_id>")
@require("documents.read")
def download_document(case_id: int, document_id: int):
    """The file, as an attachment with its original name."""
    service.get_case(case_id, include_deleted=_admin())
    return documents.send(documents.get_document(service.ENTITY, case_id, document_id))


@api.delete("/cases/<int:case_id>/documents/<int:document_id>")
@require("documents.write")
def delete_document(case_id: int, document_id: int):
    """Remove a document from the case (204); its history stays."""
    service.remove_document(case_id, document_id, current_user)
    return Response(status=204)
