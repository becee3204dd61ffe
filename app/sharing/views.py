"""Share-link API (`/api/v1/share-links`) and the shared read-only map (`/s/<token>`)."""

from __future__ import annotations

from flask import Response, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import places
from app.auth.security import require
from app.land import map_config
from app.logging import install_token_filter
from app.maps import queries
from app.maps import service as maps
from app.maps.state import parse_view
from app.sharing import api, pages, service
from app.timeline.controls import time_controls


@api.post("/share-links")
@require("share.manage")
def create_link():
    """Body `{"region", "statuses", "layers", "expires_in_days", "label", "as_of"}` -> 201 `{"id", "url",
    "expires_at"}`; `as_of` (YYYY-MM-DD) freezes the map at the end of that day."""
    link, token = service.create(current_user, request.get_json(silent=True))
    body = {"id": link.id, "url": url_for("sharing.shared_map", token=token, _external=True),
            "expires_at": link.expires_at.isoformat(), "label": link.label, "region": link.region_code,
            "statuses": list(link.statuses), "layers": list(link.layers),
            "as_of": link.as_of.isoformat() if link.as_of else None}
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("sharing_api.list_links")
    return response


@api.get("/share-links")
@require("share.manage")
def list_links():
    """Every link with its scope, state and view count; never a token."""
    return jsonify({"share_links": service.list_links()})


@api.delete("/share-links/<int:link_id>")
@require("share.manage")
def revoke_link(link_id: int):
    """Revoke a link at once (204); its page and data answer 410 from then on."""
    service.revoke(link_id)
    return Response(status=204)


@pages.get("/<token>")
def shared_map(token: str):
    """The read-only map of exactly the link's scope; no account needed."""
    link = service.resolve(token)
    scope = service.scope_of(link)
    view = parse_view(request.args, scope)
    data_url = url_for("sharing.shared_data", token=token)
    parts = maps.build_page(scope, view, data_url=data_url, case_url=None)
    service.count_view(link)
    current = maps.lang()
    region = places.region(link.region_code)
    place = (region.name_th if current == "th" else region.name_en) if region else _("ทั้งประเทศ")
    return render_template("sharing/map.html", title=_("แผนที่กรณีปัญหาที่ดิน %(region)s", region=place),
                           parts=parts, config=parts.config, link=link, time=time_controls(as_of=view.as_of),
                           provinces=queries.province_names(scope.provinces, current),
                           land=map_config.shared_config(scope, data_url))


@pages.get("/<token>/data")
def shared_data(token: str):
    """GeoJSON of the link's scope, public fields only; parameters may only narrow it
    (`layer=reference:<id>`: the parcels of one of the link's reference land layers)."""
    link = service.resolve(token)
    scope = service.scope_of(link)
    if map_config.wants_reference(request.args.get("layer")):
        return maps.geojson(map_config.shared_parcels(scope, request.args["layer"]))
    return maps.data_response(scope, request.args)


@pages.after_request
def _private(response: Response) -> Response:
    """Shared pages: not indexed, no referrer (the token stays out of tile requests), not cached."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store, private"
    return response


pages.record_once(lambda state: install_token_filter(state.app))
