"""The land blueprints: pages under /land (and the case page's footprint form), JSON under /api/v1."""

from flask import Blueprint

pages = Blueprint("land", __name__, url_prefix="/land")
api = Blueprint("land_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.land.views import api_views, page_views  # noqa: E402,F401  (register the routes)
