"""JSON API of the community funds: /api/v1/funds."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import history
from app.auth.security import current_role, require
from app.errors import NotFound
from app.filters import Filter, parse_filter
from app.funds import api
from app.funds.service import ENTITY, add_fund, edit_fund, fund_filter, fund_select, get_fund
from app.pilot_areas.records import (
    check_if_match,
    etag,
    feature_collection,
    json_body,
    paged_collection,
)

GEOJSON = "application/geo+json"


def filters_from_request() -> Filter:
    """The list filters from the query string (also for exports of this layer)."""
    return parse_filter("funds")


def fund_feature(fund_id: int) -> dict[str, Any]:
    """One fund as a GeoJSON Feature (dict); 404 when missing."""
    get_fund(fund_id)
    body = json.loads(feature_collection(fund_select(fund_filter(ids=(fund_id,)))))
    if not body["features"]:
        raise NotFound(_("ไม่พบกองทุนหมายเลข %(id)s", id=fund_id))
    return body["features"][0]


def _feature_response(fund_id: int, status: int = 200) -> Response:
    feature = fund_feature(fund_id)
    response = Response(json.dumps(feature, ensure_ascii=False), status=status, mimetype=GEOJSON)
    response.headers["ETag"] = etag(feature["properties"]["version"])
    if status == 201:
        response.headers["Location"] = url_for("funds_api.get_fund_item", fund_id=fund_id)
    return response


@api.get("/funds")
@require("read")
def list_funds():
    """Community funds as GeoJSON; filters region, province, level, bbox, q; paging limit/offset."""
    f = filters_from_request()
    return Response(paged_collection(fund_select(f), f), mimetype=GEOJSON)


@api.post("/funds")
@require("fund.write")
def create_fund_item():
    """Create a fund: JSON with `lon`,`lat` (or `geometry`) or a GeoJSON Feature with a Point; 201."""
    fund = add_fund(json_body(), current_user)
    return _feature_response(fund.id, 201)


@api.get("/funds/<int:fund_id>")
@require("read")
def get_fund_item(fund_id: int):
    """One fund; `ETag` carries its version."""
    return _feature_response(fund_id)


@api.patch("/funds/<int:fund_id>")
@require("fund.write")
def patch_fund_item(fund_id: int):
    """Partial update; requires `If-Match: <ETag>` (428 without, 412 when stale)."""
    check_if_match(get_fund(fund_id).version, request.headers.get("If-Match") or "")  # 404, 428, 412 first
    edit_fund(fund_id, json_body(), current_user, if_match=request.headers.get("If-Match"))
    return _feature_response(fund_id)


@api.get("/funds/<int:fund_id>/history")
@require("read")
def fund_history(fund_id: int):
    """Every change to a fund, oldest first."""
    get_fund(fund_id)
    return jsonify({"history": history.history_for(ENTITY, fund_id, role=current_role())})
