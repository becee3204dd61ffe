"""Administration: audit trail, region conflicts, accounts."""

from flask import Blueprint

pages = Blueprint("admin", __name__, url_prefix="/admin")
api = Blueprint("admin_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.admin import views  # noqa: E402,F401
