"""GIS exchange: export and import."""

from flask import Blueprint

pages = Blueprint("exchange", __name__, url_prefix="/imports")
api = Blueprint("exchange_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.exchange import export_views, import_views, page_views  # noqa: E402,F401  (register the routes)
