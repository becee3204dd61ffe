"""The OpenAPI 3.0 description of /ogc (the `service-desc` of the landing page).

Every query parameter the service accepts is declared here (unknown ones are a 400),
with one `/collections/<id>/items` path per collection so that each one lists its filters.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.filters import LAYERS
from app.ogc.collections import COLLECTIONS, Collection
from app.ogc.params import GEOJSON, HTML, JSON, OPENAPI

MAX_LIMIT, DEFAULT_LIMIT = 10000, 100

_PARAMS: dict[str, dict[str, Any]] = {
    "f": {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
          "description": "Output format (default: JSON, or HTML when the Accept header prefers it).",
          "schema": {"type": "string", "enum": ["json", "html"]}},
    "lang": {"name": "lang", "in": "query", "required": False,
             "description": "Language of the HTML pages and messages.",
             "schema": {"type": "string", "enum": ["th", "en"]}},
    "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
             "description": "minlon,minlat,maxlon,maxlat in CRS84 degrees; features that intersect it.",
             "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
    "limit": {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
              "description": f"Features per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).",
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    "offset": {"name": "offset", "in": "query", "required": False,
               "description": "Features to skip (the `next` link carries it).",
               "schema": {"type": "integer", "minimum": 0, "default": 0}},
    "datetime": {"name": "datetime", "in": "query", "required": False, "style": "form", "explode": False,
                 "description": "An RFC 3339 date-time, a date or an interval (`..` for an open end); "
                                "matches the record's last change. Accepted but not used for boundaries.",
                 "schema": {"type": "string"}},
    "status": {"name": "status", "in": "query", "required": False, "description": "Case statuses, comma-separated.",
               "schema": {"type": "string"}},
    "region": {"name": "region", "in": "query", "required": False, "description": "A CODI region or zone code.",
               "schema": {"type": "string"}},
    "province": {"name": "province", "in": "query", "required": False,
                 "description": "A two-digit province code.",
                 "schema": {"type": "string", "pattern": "^(TH)?[0-9]{2}$"}},
    "q": {"name": "q", "in": "query", "required": False, "description": "Text in the name (or code).",
          "schema": {"type": "string", "maxLength": 200}},
    "stage": {"name": "stage", "in": "query", "required": False, "description": "Pilot stages, comma-separated.",
              "schema": {"type": "string"}},
    "level": {"name": "level", "in": "query", "required": False, "description": "Fund levels, comma-separated.",
              "schema": {"type": "string"}},
    "layer": {"name": "layer", "in": "query", "required": False, "description": "A reference layer's id.",
              "schema": {"type": "integer", "minimum": 1}},
    "owner_type": {"name": "owner_type", "in": "query", "required": False,
                   "description": "A land owner type (treasury, state_railway, ...).", "schema": {"type": "string"}},
}


def _field_params() -> dict[str, dict[str, Any]]:
    """A parameter for each field declared filterable in gis.fields."""
    out: dict[str, dict[str, Any]] = {}
    for spec in LAYERS.values():
        for f in spec.fields:
            about = (f"{f.label_en}: any of {', '.join(f.choices or {})}, comma-separated." if f.kind == "enum"
                     else f"{f.label_en}: a date YYYY-MM-DD or an interval from/to ('..' for an open end).")
            out[f.name] = {"name": f.name, "in": "query", "required": False, "description": about,
                           "schema": {"type": "string"}}
    return out


_PARAMS.update({name: p for name, p in _field_params().items() if name not in _PARAMS})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _responses(*kinds: str, not_found: bool = False, protected: bool = False) -> dict[str, Any]:
    ok = {"description": "OK", "content": {k: {"schema": {"type": "object"} if k != HTML else {"type": "string"}}
                                           for k in kinds}}
    error = {"description": "Error", "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}
    out: dict[str, Any] = {"200": ok, "400": error}
    if protected:
        out["401"] = error
    if not_found:
        out["404"] = error
    return out


def _operation(op_id: str, summary: str, params: list[str], kinds: tuple[str, ...], *, protected: bool = False,
               not_found: bool = False, path_params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id, "summary": summary,
                          "parameters": (path_params or []) + [_ref(p) for p in params],
                          "responses": _responses(*kinds, not_found=not_found, protected=protected)}
    op["security"] = [{"bearer": []}, {"session": []}] if protected else [{}]
    return op


def _collection_paths(c: Collection) -> dict[str, Any]:
    fid = {"name": "featureId", "in": "path", "required": True,
           "schema": {"type": "integer" if c.int_ids else "string"}}
    base = f"/collections/{c.id}"
    item_params = ["bbox", "limit", "offset", "datetime", *c.filters, "f", "lang"]
    key = c.id.replace("-", "_")
    return {
        base: {"get": _operation(f"describe_{key}", f"{c.title_en}: the collection", ["f", "lang"], (JSON, HTML),
                                 not_found=True)},
        f"{base}/items": {"get": _operation(f"items_{key}", f"{c.title_en}: features ({c.description})",
                                            item_params, (GEOJSON, HTML), protected=c.protected)},
        f"{base}/items/{{featureId}}": {"get": _operation(f"item_{key}", f"{c.title_en}: one feature", ["f", "lang"],
                                                          (GEOJSON, HTML), protected=c.protected, not_found=True,
                                                          path_params=[fid])},
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    server = url_for("ogc.landing", _external=True).rstrip("/")
    paths: dict[str, Any] = {
        "/": {"get": _operation("landing", "Landing page", ["f", "lang"], (JSON, HTML))},
        "/conformance": {"get": _operation("conformance", "Conformance classes", ["f", "lang"], (JSON, HTML))},
        "/api": {"get": _operation("api", "This API description", ["f", "lang"], (OPENAPI, HTML))},
        "/collections": {"get": _operation("collections", "The feature collections", ["f", "lang"], (JSON, HTML))},
    }
    for collection in COLLECTIONS.values():
        paths.update(_collection_paths(collection))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Baan Mankong land cases: OGC API - Features", "version": "1.0.0",
                 "description": "Land cases, pilot areas, funds and administrative boundaries of CODI's "
                                "Baan Mankong programme. Cases, pilot areas and funds need a signed-in session "
                                "or a personal token (`flask users token EMAIL`) sent as "
                                "`Authorization: Bearer ...`; the boundaries are public.",
                 "license": {"name": "See the service's terms"}},
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "session": {"type": "apiKey", "in": "cookie", "name": "session"}},
            "parameters": _PARAMS,
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}}}}}}},
        },
        "paths": paths,
    }
