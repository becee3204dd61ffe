"""GET /tiles/<layer>/<z>/<x>/<y>.mvt: Mapbox vector tiles for the maps and for QGIS.

* layers: cases, pilot-areas (signed-in readers, like /api/v1: a session or a Bearer token;
  401 with `WWW-Authenticate: Bearer` otherwise), provinces, districts, subdistricts (public);
* cases take `status=a,b`, `region=`, `province=` as in /api/v1/cases; other query
  parameters are a 400 (names starting with `_`, e.g. cache busters, are ignored);
* z from 0 to 22, x and y inside the zoom's grid, otherwise 404; below a layer's first
  zoom (districts 6, subdistricts 9) and where nothing lies, the answer is 204 No Content;
* `Content-Type: application/vnd.mapbox-vector-tile`; a strong `ETag` of the bytes
  (304 on `If-None-Match`); `Cache-Control: public, max-age=3600` for boundaries,
  `private, max-age=60` for cases and pilot areas.
"""

from __future__ import annotations

import hashlib

from flask import Response, request

from app.auth.security import require
from app.errors import BadRequest, NotFound
from app.filters import Filter, parse_filter
from app.tiles import pages
from app.tiles.queries import LAYERS, MAX_ZOOM, tile
from app.web import cacheable

MVT = "application/vnd.mapbox-vector-tile"
CASE_PARAMS = {"status", "region", "province"}


def _check_params(allowed: set[str]) -> None:
    unknown = sorted(k for k in request.args if k not in allowed | {"lang"} and not k.startswith("_"))
    if unknown:
        raise BadRequest(f"Unknown query parameter(s): {', '.join(unknown)}; allowed: "
                         f"{', '.join(sorted(allowed)) or 'none'}",
                         [{"field": k, "message": "unknown parameter"} for k in unknown])


def _cache_headers(response: Response, public: bool) -> Response:
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=60"
    if not public:
        response.vary.update(("Authorization", "Cookie"))
    return cacheable(response)  # tiles select public fields only (app/tiles/queries.py): never contacts


@pages.get("/<layer>/<int:z>/<int:x>/<int:y>.mvt")
def vector_tile(layer: str, z: int, x: int, y: int):
    """One vector tile of `layer`, built with ST_AsMVT."""
    spec = LAYERS.get(layer)
    if spec is None:
        raise NotFound(f"Unknown tile layer {layer[:40]!r}; layers: {', '.join(LAYERS)}",
                       [{"field": "layer", "message": "unknown layer"}])
    if z > MAX_ZOOM or x >= 2 ** z or y >= 2 ** z:
        raise NotFound(f"No tile {z}/{x}/{y}: z must be 0..{MAX_ZOOM} and x, y 0..2^z-1",
                       [{"field": "z/x/y", "message": "outside the tile grid"}])
    if not spec.public:
        denied = require("read")(lambda: None)()
        if denied is not None:
            return denied
    _check_params(CASE_PARAMS if layer in ("cases", "case-footprints") else set())
    data = b""
    if z >= spec.min_zoom:
        # footprints are cases drawn as outlines: the same filters, parsed (and checked) the same way
        f = parse_filter("cases", paging=False) if layer in ("cases", "case-footprints") else Filter(layer)
        data = tile(spec, z, x, y, statuses=f.statuses, region=f.region, province=f.province)
    response = Response(data, status=200 if data else 204, mimetype=MVT)
    _cache_headers(response, spec.public)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    return response.make_conditional(request)
