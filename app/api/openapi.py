"""The OpenAPI 3 description of /api/v1, generated from the registered routes."""

from __future__ import annotations

import re

from flask import current_app, jsonify

from app.api import bp

_ERROR = {"$ref": "#/components/schemas/Error"}


def _operation(view, method: str, path_params: list[str]) -> dict:
    doc = (view.__doc__ or "").strip()
    summary = doc.splitlines()[0] if doc else view.__name__
    responses = {"200": {"description": "OK"}, "4XX": {"description": "Error",
                 "content": {"application/json": {"schema": _ERROR}}}}
    if method == "post":
        responses["201"] = {"description": "Created"}
    return {
        "summary": summary, "operationId": f"{method}_{view.__name__}",
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                       for p in path_params],
        "responses": responses,
    }


@bp.get("/openapi.json")
def openapi():
    """This description of the API."""
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        view = current_app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, method.lower(), list(rule.arguments))
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "Baan Mankong land-case map API", "version": "1"},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}}}}}}},
        },
        "security": [{"bearer": []}, {}],
        "paths": dict(sorted(paths.items())),
    })
