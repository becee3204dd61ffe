"""JSON API of the pilot subdistricts: /api/v1/pilot-areas."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import documents, history
from app.auth.security import current_role, require
from app.errors import NotFound, ValidationError
from app.filters import Filter, parse_filter
from app.pilot_areas import api
from app.pilot_areas.records import (
    MAX_INT,
    check_if_match,
    etag,
    feature_collection,
    json_body,
    paged_collection,
)
from app.pilot_areas.service import (
    ENTITY,
    add_pilot,
    attach_document,
    delete_pilot,
    edit_pilot,
    get_pilot,
    pilot_filter,
    pilot_select,
    review_pilot,
    reviews_of,
    serialise_review,
)

GEOJSON = "application/geo+json"


def filters_from_request() -> Filter:
    """The list filters from the query string (also for exports of this layer)."""
    return parse_filter("pilot-areas")


def pilot_feature(pilot_id: int, *, with_reviews: bool = True) -> dict[str, Any]:
    """One pilot as a GeoJSON Feature (dict), with its reviews; 404 when missing."""
    get_pilot(pilot_id)
    body = json.loads(feature_collection(pilot_select(pilot_filter(ids=(pilot_id,)))))
    if not body["features"]:
        raise NotFound(_("ไม่พบพื้นที่รูปธรรมหมายเลข %(id)s", id=pilot_id))
    feature = body["features"][0]
    if with_reviews:
        feature["properties"]["reviews"] = reviews_of(pilot_id)
    return feature


def _feature_response(pilot_id: int, status: int = 200) -> Response:
    feature = pilot_feature(pilot_id)
    response = Response(json.dumps(feature, ensure_ascii=False), status=status, mimetype=GEOJSON)
    response.headers["ETag"] = etag(feature["properties"]["version"])
    if status == 201:
        response.headers["Location"] = url_for("pilot_areas_api.get_pilot_area", pilot_id=pilot_id)
    return response


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON, or a GeoJSON Feature's properties (a pilot's polygon is never sent)."""
    if "type" not in body:
        return body
    if body.get("type") != "Feature" or not isinstance(body.get("properties"), dict):
        raise ValidationError(_("ส่งเป็น JSON ธรรมดาหรือ GeoJSON Feature ที่มี properties"),
                              [{"field": "type", "message": "not a Feature"}])
    if body.get("geometry") is not None:
        raise ValidationError(_("ขอบเขตของพื้นที่รูปธรรมมาจากขอบเขตตำบลเสมอ ไม่ต้องส่ง geometry"),
                              [{"field": "geometry", "message": "read-only"}])
    return body["properties"]


@api.get("/pilot-areas")
@require("read")
def list_pilot_areas():
    """Pilot areas as GeoJSON with counts of what lies inside; filters region, province, stage, bbox."""
    f = filters_from_request()
    return Response(paged_collection(pilot_select(f), f), mimetype=GEOJSON)


@api.post("/pilot-areas")
@require("pilot.manage")
def create_pilot_area():
    """Create a pilot area on a subdistrict (by `subdistrict_code`, with or without `TH`)."""
    pilot = add_pilot(_properties(json_body()), current_user)
    return _feature_response(pilot.id, 201)


@api.get("/pilot-areas/<int:pilot_id>")
@require("read")
def get_pilot_area(pilot_id: int):
    """One pilot area with its polygon, counts and reviews; `ETag` carries the version."""
    return _feature_response(pilot_id)


@api.patch("/pilot-areas/<int:pilot_id>")
@require("pilot.write")
def patch_pilot_area(pilot_id: int):
    """Partial update; requires `If-Match: <ETag>` (428 without, 412 when stale)."""
    check_if_match(get_pilot(pilot_id).version, request.headers.get("If-Match") or "")  # 404, 428, 412 first
    edit_pilot(pilot_id, _properties(json_body()), current_user, if_match=request.headers.get("If-Match"))
    return _feature_response(pilot_id)


@api.delete("/pilot-areas/<int:pilot_id>")
@require("pilot.manage")
def delete_pilot_area(pilot_id: int):
    """Remove a pilot area (204): a soft delete with history; adding the subdistrict again restores it."""
    delete_pilot(pilot_id, current_user)
    return Response(status=204)


@api.get("/pilot-areas/<int:pilot_id>/reviews")
@require("read")
def list_reviews(pilot_id: int):
    """The architects' reviews of a pilot, oldest first, with author and date."""
    get_pilot(pilot_id)
    return jsonify({"reviews": reviews_of(pilot_id)})


@api.post("/pilot-areas/<int:pilot_id>/reviews")
@require("pilot.review")
def post_review(pilot_id: int):
    """An architect's review: `{"verdict": "approved" | "needs_changes", "comment": ...}`."""
    get_pilot(pilot_id)
    review = review_pilot(pilot_id, json_body(), current_user)
    return jsonify(serialise_review(review, current_user)), 201


@api.get("/pilot-areas/<int:pilot_id>/history")
@require("read")
def pilot_history(pilot_id: int):
    """Every change to a pilot area, oldest first: who, when, what."""
    get_pilot(pilot_id)
    return jsonify({"history": history.history_for(ENTITY, pilot_id, role=current_role())})


def _document_url(pilot_id: int, document_id: int) -> str:
    return url_for("pilot_areas_api.get_pilot_document", pilot_id=pilot_id, document_id=document_id)


@api.get("/pilot-areas/<int:pilot_id>/documents")
@require("documents.read")
def list_pilot_documents(pilot_id: int):
    """The pilot's plan documents."""
    get_pilot(pilot_id)
    return jsonify({"documents": [documents.serialise(d, _document_url(pilot_id, d.id))
                                  for d in documents.list_documents(ENTITY, pilot_id)]})


@api.post("/pilot-areas/<int:pilot_id>/documents")
@require("pilot.write")
def post_pilot_document(pilot_id: int):
    """Attach a plan document (multipart `file`, optional `kind`, `description`)."""
    get_pilot(pilot_id)
    document = attach_document(pilot_id, request.files.get("file"), current_user,
                               kind=request.form.get("kind") or None,
                               description=request.form.get("description") or None)
    return jsonify(documents.serialise(document, _document_url(pilot_id, document.id))), 201


@api.get("/pilot-areas/<int:pilot_id>/documents/<int:document_id>")
@require("documents.read")
def get_pilot_document(pilot_id: int, document_id: int):
    """Download one plan document (as an attachment)."""
    get_pilot(pilot_id)
    if document_id > MAX_INT:
        raise NotFound(_("ไม่พบเอกสาร"))
    return documents.send(documents.get_document(ENTITY, pilot_id, document_id))
