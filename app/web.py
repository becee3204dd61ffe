"""Page-wide behaviour: home page, template context, security headers."""

from __future__ import annotations

import functools
import gzip
import secrets
from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import exists, select

from app.auth.permissions import allowed
from app.auth.security import challenge
from app.errors import BadRequest
from app.extensions import db
from gis import fields

bp = Blueprint("web", __name__)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply is malformed JSON (a 400), not a RecursionError
    (a 500) in every view that reads `request.get_json()`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


@functools.cache
def tile_hosts() -> str:
    """The hosts of the base-map tiles (`{s}` subdomains as `*`): the only images from elsewhere."""
    from urllib.parse import urlsplit

    from gis.maps import BASE_LAYERS

    return " ".join(dict.fromkeys(f"https://{urlsplit(b.url).netloc.replace('{s}', '*')}" for b in BASE_LAYERS))


NONCE_KEY = "codi.csp_nonce"


def content_security_policy(nonce: str | None = None) -> str:
    """The page policy: scripts only from our own origin or inline with this response's nonce
    (no 'unsafe-inline', no 'unsafe-eval'), images from us and the tile servers, no framing."""
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return (f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob: {tile_hosts()}; font-src 'self' data:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")


def csp_nonce() -> str:
    """This response's script nonce (made on first use): `<script nonce="{{ csp_nonce() }}">`.

    Kept in the request's environ, not in `g`, which an app context shared by several
    requests (tests, the CLI) would carry over from one response to the next.
    """
    if NONCE_KEY not in request.environ:
        request.environ[NONCE_KEY] = secrets.token_urlsafe(18)
    return request.environ[NONCE_KEY]


def with_nonce(html: str) -> Markup:
    """Trusted generated HTML (the Folium map's header) with our nonce on its bare inline scripts."""
    return Markup(str(html).replace("<script>", f'<script nonce="{csp_nonce()}">'))


@bp.get("/")
def home():
    """Signed-in users land on the map; others on the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("home.html")


def _sample_data_present() -> bool:
    from app.models import LandCase

    return bool(db.session.scalar(select(exists().where(LandCase.is_sample.is_(True)))))


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_bytes() -> None:
    """A NUL byte in the path, a query or a form value is a 400 here, for every route.

    PostgreSQL text cannot hold NUL, so such a value would otherwise fail in the driver (a 500)
    wherever a view passes it to a query before checking it.
    """
    where = None
    if "\x00" in request.path:
        where = "path"
    else:
        sources = [request.args] + ([request.form] if request.mimetype in FORM_TYPES else [])
        where = next((key.replace("\x00", "")[:40] or "?" for values in sources
                      for key, value in values.items(multi=True) if "\x00" in key or "\x00" in value), None)
    if where is not None:
        raise BadRequest(_("คำขอมีอักขระที่ไม่อนุญาต (NUL)"), [{"field": where, "message": "NUL byte"}])


CACHE_REVIEWED = "codi.cache_reviewed"


def cacheable(response: Response) -> Response:
    """Keep this response's own Cache-Control: its view vouches that it never carries contacts,
    documents or disputes (vector tiles, public boundaries). Everything else is `no-store`."""
    request.environ[CACHE_REVIEWED] = True
    return response


def cache_policy(response: Response) -> None:
    """`Cache-Control: no-store` on every response that could carry contacts (pages, API, OGC, exports,
    errors), whatever a view set (`private, no-cache` still lets a browser keep it on disk); kept only
    for static files and the responses a view marked with `cacheable`."""
    if request.endpoint == "static" or request.environ.get(CACHE_REVIEWED):
        return
    response.headers["Cache-Control"] = "no-store"


def register_web(app: Flask) -> None:
    """Register the home page, template helpers and response headers."""
    from app.auth.scope import home_region, in_scope, team_label
    from app.i18n import register_filters

    app.register_blueprint(bp)
    register_filters(app)
    app.add_template_filter(with_nonce, "with_nonce")
    app.before_request(refuse_nul_bytes)

    @app.context_processor
    def _context() -> dict:
        return {
            "lang": str(get_locale() or "th"),
            "fields": fields,
            "can": lambda permission: current_user.is_authenticated
            and allowed(current_user.role, permission),
            "sample_data_present": _sample_data_present,
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
            "csp_nonce": csp_nonce,
            "can_write_in": lambda region_code: current_user.is_authenticated
            and in_scope(current_user, region_code),
            "team_label": lambda: team_label(current_user) if current_user.is_authenticated else None,
            "home_region": lambda: home_region(current_user) if current_user.is_authenticated else None,
        }

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.environ.get(NONCE_KEY)))
        cache_policy(response)
        challenge(response)
        return response


def text_response(body: str, mimetype: str) -> Response:
    """A large text answer (GeoJSON layers, a period's moves), gzipped when the client accepts it:
    level 5 for the usual layer, level 1 above a megabyte (a fiscal year's moves with their points,
    12 MB, go as 1.9 MB in 75 ms instead of 1.4 MB in 150 ms)."""
    data = body.encode()
    response = Response(mimetype=mimetype)
    if len(data) > 2048 and "gzip" in request.headers.get("Accept-Encoding", ""):
        data = gzip.compress(data, compresslevel=1 if len(data) > 1_000_000 else 5)
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "private, no-store"
    response.set_data(data)
    return response
