"""OGC API - Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) under /ogc.

JSON by default; HTML with `f=html` or an Accept header that prefers text/html.
Cases, pilot areas and funds need the same sign-in as /api/v1 (a session or
`Authorization: Bearer <token>`): anonymous callers get 401 with `WWW-Authenticate: Bearer`
(or, in a browser asking for HTML, the login page). Boundaries are public.
Unknown query parameters are a 400 (see app/ogc/params.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, g, jsonify, render_template, url_for

from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import NotFound
from app.filters import Filter
from app.ogc import collections as registry
from app.ogc import openapi, pages
from app.ogc.features import collection_text
from app.ogc.params import GEOJSON, HTML, JSON, OPENAPI, check_known, remember_format

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


@pages.before_request
def _negotiate() -> None:
    remember_format()


@pages.after_request
def _headers(response: Response) -> Response:
    response.vary.update(("Accept", "Authorization", "Cookie"))
    return response


@pages.teardown_request
def _forget(_exc: BaseException | None) -> None:
    g.pop("prefers_html", None)


# ---------------------------------------------------------------- helpers

def _url(endpoint: str, fmt: str | None = None, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values, **({"f": fmt} if fmt else {}))


def _link(href: str, rel: str, kind: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": kind}
    if title:
        link["title"] = title
    return link


def _self_links(endpoint: str, json_type: str = JSON, **values: Any) -> list[dict[str, str]]:
    fmt = "html" if g.get("prefers_html") else "json"
    json_link = _link(_url(endpoint, "json", **values), "self" if fmt == "json" else "alternate", json_type,
                      "This document as JSON")
    html_link = _link(_url(endpoint, "html", **values), "self" if fmt == "html" else "alternate", HTML,
                      "This document as HTML")
    return [json_link, html_link] if fmt == "json" else [html_link, json_link]


def _html(template: str, **context: Any) -> str:
    return render_template(f"ogc/{template}", **context)


def _contacts() -> bool:
    return allowed(current_role(), "case.contacts")


def _guard(collection: registry.Collection) -> Response | None:
    """The API's own sign-in rule (`require("read")`) for the collections that need it."""
    if collection.protected:
        return require("read")(lambda: None)()
    return None


def _collection_json(c: registry.Collection, extent: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": c.id, "title": c.title, "title_th": c.title_th, "title_en": c.title_en,
                            "description": c.description}
    if extent:
        body["extent"] = extent
    body.update({
        "itemType": "feature", "crs": [registry.CRS84],
        "links": [
            _link(_url("ogc.collection", "json", collection_id=c.id), "self", JSON, c.title),
            _link(_url("ogc.collection", "html", collection_id=c.id), "alternate", HTML, c.title),
            _link(_url("ogc.items", collection_id=c.id), "items", GEOJSON, f"{c.title_en} as GeoJSON"),
            _link(_url("ogc.items", "html", collection_id=c.id), "items", HTML, f"{c.title_en} as HTML"),
        ],
    })
    return body


def _visible_extents(ids: list[str]) -> dict[str, dict[str, Any]]:
    """Extents of the public collections, and of the others only for signed-in readers."""
    may_read = allowed(current_role(), "read")
    return registry.extents([i for i in ids if may_read or not registry.COLLECTIONS[i].protected])


def _page_links(collection_id: str, matched: int, page: Filter, fmt: str) -> list[dict[str, str]]:
    """Paging links from the parsed filter only (never the raw query string)."""
    base = _url("ogc.items", collection_id=collection_id)
    limit, offset = page.limit, page.offset

    def href(new_offset: int, f: str) -> str:
        return page.href(new_offset, base=base, more=[("f", f)])

    own, other = (("json", GEOJSON), ("html", HTML)) if fmt == "json" else (("html", HTML), ("json", GEOJSON))
    links = [_link(href(offset, own[0]), "self", own[1], "This page"),
             _link(href(offset, other[0]), "alternate", other[1], "This page"),
             _link(_url("ogc.collection", "json", collection_id=collection_id), "collection", JSON, "The collection")]
    if offset + limit < matched:
        links.append(_link(href(offset + limit, own[0]), "next", own[1], "Next page"))
    if offset > 0:
        links.append(_link(href(max(offset - limit, 0), own[0]), "prev", own[1], "Previous page"))
    return links


# ---------------------------------------------------------------- routes

@pages.get("/")
@pages.get("")
def landing():
    """Landing page: links to the API description, the conformance classes and the collections."""
    check_known(())
    body = {
        "title": "บ้านมั่นคง · Baan Mankong land cases (OGC API - Features)",
        "description": "Land cases, pilot areas, community funds and administrative boundaries of CODI's "
                       "Baan Mankong programme, for QGIS, GDAL and other OGC API - Features clients.",
        "links": _self_links("ogc.landing") + [
            _link(_url("ogc.api_document"), "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            _link(_url("ogc.api_document", "html"), "service-doc", HTML, "The API documentation"),
            _link(_url("ogc.conformance"), "conformance", JSON, "Conformance classes"),
            _link(_url("ogc.collections"), "data", JSON, "The collections"),
        ],
    }
    if g.get("prefers_html"):
        return _html("landing.html", doc=body)
    return jsonify(body)


@pages.get("/conformance")
def conformance():
    """The conformance classes this service implements."""
    check_known(())
    body = {"conformsTo": CONFORMANCE, "links": _self_links("ogc.conformance")}
    if g.get("prefers_html"):
        return _html("conformance.html", doc=body)
    return jsonify(body)


@pages.get("/api")
def api_document():
    """The OpenAPI 3.0 description of this service."""
    check_known(())
    doc = openapi.document()
    if g.get("prefers_html"):
        return _html("api.html", doc=doc, text=json.dumps(doc, ensure_ascii=False, indent=2))
    return Response(json.dumps(doc, ensure_ascii=False), content_type=OPENAPI)


@pages.get("/collections")
def collections():
    """The six collections with their extents."""
    check_known(())
    ids = list(registry.COLLECTIONS)
    extents = _visible_extents(ids)
    body = {"links": _self_links("ogc.collections"),
            "collections": [_collection_json(registry.COLLECTIONS[i], extents.get(i)) for i in ids]}
    if g.get("prefers_html"):
        return _html("collections.html", doc=body)
    return jsonify(body)


@pages.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One collection's description and extent."""
    c = registry.get(collection_id)
    check_known(())
    body = _collection_json(c, _visible_extents([c.id]).get(c.id))
    if g.get("prefers_html"):
        return _html("collection.html", doc=body, collection=c)
    return jsonify(body)


@pages.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features: bbox, datetime, the collection's filters; limit/offset with next/prev links."""
    c = registry.get(collection_id)
    denied = _guard(c)
    if denied is not None:
        return denied
    check_known(registry.ITEM_PARAMS + c.filters)
    fmt = "html" if g.get("prefers_html") else "json"
    page = registry.collection_filter(c, default_limit=openapi.DEFAULT_LIMIT, max_limit=openapi.MAX_LIMIT)
    limit, offset = page.limit, page.offset
    features, matched, returned = registry.items(c, page, with_contacts=_contacts())
    extra = {"numberMatched": matched,
             "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
             "links": _page_links(c.id, matched, page, fmt)}
    text = collection_text(features, returned, extra)
    if fmt == "html":
        return _html("items.html", doc=json.loads(text), collection=c, limit=limit, offset=offset)
    return Response(text, mimetype=GEOJSON)


@pages.get("/collections/<collection_id>/items/<fid>")
def item(collection_id: str, fid: str):
    """One feature; 404 when it does not exist (deleted cases do not)."""
    c = registry.get(collection_id)
    denied = _guard(c)
    if denied is not None:
        return denied
    check_known(())
    text = registry.item(c, fid, with_contacts=_contacts())
    if text is None:
        raise NotFound(f"No feature {fid[:40]!r} in collection {c.id!r}",
                       [{"field": "featureId", "message": "not found"}])
    links = _self_links("ogc.item", GEOJSON, collection_id=c.id, fid=fid) + [
        _link(_url("ogc.collection", "json", collection_id=c.id), "collection", JSON, c.title)]
    if g.get("prefers_html"):
        feature = json.loads(text)
        feature["links"] = links
        return _html("item.html", feature=feature, collection=c)
    return Response(f'{text[:-1]}, "links": {json.dumps(links, ensure_ascii=False)}}}', mimetype=GEOJSON)
