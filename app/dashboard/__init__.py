"""The programme dashboard."""

from flask import Blueprint

pages = Blueprint("dashboard", __name__, url_prefix="/dashboard")
api = Blueprint("dashboard_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.dashboard import views  # noqa: E402,F401
