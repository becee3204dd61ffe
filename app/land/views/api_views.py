"""Reference layers and a case's land, under /api/v1 (interface.md, section "Land")."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.api.params import bbox_param, bool_value, int_param
from app.auth.security import require
from app.land import layers, queries
from app.land.views import api
from app.land_cases import service as case_service
from app.ogc import features

UPLOAD_FIELDS = ("name", "owner_type", "owner", "source", "date")


def _option(name: str) -> str | None:
    value = request.form.get(name) if name in request.form else request.args.get(name)
    return (value or "").strip() or None


def _dry_run() -> bool:
    return bool_value("dry_run", request.form.get("dry_run", request.args.get("dry_run")))


@api.get("/reference-layers")
@require("read")
def list_layers():
    """Every reference layer with its parcel count and extent."""
    boxes = layers.layer_bboxes()
    return jsonify({"layers": [layers.layer_json(layer, bbox=boxes.get(layer.id)) for layer in layers.list_layers()]})


@api.post("/reference-layers")
@require("reference.write")
def create_layer():
    """Upload a layer: multipart `file`, `name`, `owner_type`, optional `owner`, `source`, `date`, `dry_run`."""
    meta = layers.parse_meta({k: request.form.get(k) for k in UPLOAD_FIELDS if k in request.form})
    dry_run = _dry_run()
    layer, body = layers.create_layer(request.files.get("file"), meta, current_user, dry_run=dry_run,
                                      crs=_option("crs"), encoding=_option("encoding"), layer=_option("layer"))
    if layer is None:
        return jsonify(body)
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("land_api.get_layer", layer_id=layer.id)
    return response


@api.get("/reference-layers/<int:layer_id>")
@require("read")
def get_layer(layer_id: int):
    layer = layers.get_layer(layer_id)
    return jsonify(layers.layer_json(layer, bbox=layers.layer_bboxes().get(layer.id)))


@api.delete("/reference-layers/<int:layer_id>")
@require("reference.write")
def delete_layer(layer_id: int):
    """Remove the layer and its parcels (204)."""
    layers.delete_layer(layer_id, current_user)
    return Response(status=204)


@api.route("/reference-layers/<int:layer_id>/parcels", methods=["PUT", "POST"])
@require("reference.write")
def replace_parcels(layer_id: int):
    """Replace every parcel with a new file's (a newer survey); the layer keeps its id."""
    body = layers.replace_parcels(layer_id, request.files.get("file"), current_user, dry_run=_dry_run(),
                                  crs=_option("crs"), encoding=_option("encoding"), layer=_option("layer"))
    return jsonify(body)


@api.get("/reference-layers/<int:layer_id>/parcels")
@require("read")
def parcels(layer_id: int):
    """The layer's parcels as GeoJSON (attributes in `attributes`); `bbox`, `limit` (max 10000), `offset`."""
    layer = layers.get_layer(layer_id)
    bbox = bbox_param()
    limit = int_param("limit", 1000, minimum=1, maximum=10000)
    offset = int_param("offset", 0, minimum=0, maximum=10**9)
    stmt = queries.parcels_of(layer.id, bbox)
    features.without_jit()
    matched = features.count(stmt)
    text, returned = features.features_text(stmt, limit=limit, offset=offset)
    extra = {"layer": {"id": layer.id, "name": layer.name, "owner_type": layer.owner_type, "owner": layer.owner},
             "numberMatched": matched, "timeStamp": datetime.now(UTC).isoformat(timespec="seconds")}
    return Response(features.collection_text(text, returned, extra), mimetype="application/geo+json")


@api.get("/cases/<int:case_id>/land")
@require("read")
def case_land(case_id: int):
    """What the case stands on: overlaps per layer, the suggested owner type, overlapping neighbours."""
    body = queries.case_land_text(case_id)
    if body is None:
        case_service.get_case(case_id)  # the 404, worded as everywhere
    return Response(body, mimetype="application/json")


@api.get("/land/summary")
@require("read")
def summary():
    """Cases and households per region and overlay owner type."""
    return jsonify({"summary": queries.by_overlay_owner(region=request.args.get("region") or None)})


@api.get("/case-footprints")
@require("read")
def case_footprints():
    """Footprints of live cases as GeoJSON polygons (the maps draw them from zoom 14):
    `bbox`, `status`, `region`, `province`, `limit` (default 1000, max 5000), `offset`."""
    from app.api.params import bbox_param as bbox_of

    statuses = [s.strip() for raw in request.args.getlist("status") for s in raw.split(",") if s.strip()]
    stmt = queries.footprint_select(bbox=bbox_of(), statuses=statuses, region=request.args.get("region") or None,
                                    province=request.args.get("province") or None, brief=True)
    limit = int_param("limit", 1000, minimum=1, maximum=5000)
    offset = int_param("offset", 0, minimum=0, maximum=10**9)
    features.without_jit()
    matched = features.count(stmt)
    text, returned = features.features_text(stmt, limit=limit, offset=offset)
    return Response(features.collection_text(text, returned, {"numberMatched": matched}),
                    mimetype="application/geo+json")


@api.post("/imports/case-footprints")
@require("import")
def import_case_footprints():
    """A polygon layer with a `code` column sets the matching cases' footprints (all rows or none)."""
    from app.land import imports

    report = imports.import_footprints(request.files.get("file"), current_user, dry_run=_dry_run(),
                                       crs=_option("crs"))
    if report["errors"]:
        rows = sorted({e["row"] for e in report["errors"]})
        listed = ", ".join(str(r) for r in rows[:20]) + (" ..." if len(rows) > 20 else "")
        if any(e.get("reason") == "out_of_scope" for e in report["errors"]):
            report["error"] = {"code": "out_of_scope", "details": report["errors"], "message": _(
                "แถวที่ %(rows)s อยู่นอกภาคของบัญชีคุณ: ไม่ได้บันทึกข้อมูลใด ๆ", rows=listed)}
            return jsonify(report), 403
        report["error"] = {"code": "validation_error", "details": report["errors"], "message": _(
            "ข้อมูลไม่ถูกต้อง %(n)s แถว (แถวที่ %(rows)s): ไม่ได้บันทึกข้อมูลใด ๆ", n=len(rows), rows=listed)}
        return jsonify(report), 422
    return jsonify(report)
