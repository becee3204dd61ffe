"""Page-wide behaviour: home page, template context, security headers."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import exists, select

from app.auth.permissions import allowed
from app.extensions import db
from gis import fields

bp = Blueprint("web", __name__)

CSP = (
    "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


@bp.get("/")
def home():
    """Signed-in users land on the map; others on the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("home.html")


def _sample_data_present() -> bool:
    from app.models import LandCase

    return bool(db.session.scalar(select(exists().where(LandCase.is_sample.is_(True)))))


def register_web(app: Flask) -> None:
    """Register the home page, template helpers and response headers."""
    from app.i18n import register_filters

    app.register_blueprint(bp)
    register_filters(app)

    @app.context_processor
    def _context() -> dict:
        return {
            "lang": str(get_locale() or "th"),
            "fields": fields,
            "can": lambda permission: current_user.is_authenticated
            and allowed(current_user.role, permission),
            "sample_data_present": _sample_data_present,
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
        }

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
