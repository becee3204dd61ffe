"""Interactive maps by region."""

from flask import Blueprint

pages = Blueprint("maps", __name__, url_prefix="/map")
api = Blueprint("maps_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.maps import views  # noqa: E402,F401
