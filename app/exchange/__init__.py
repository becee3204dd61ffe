"""GIS exchange: export and import."""

from flask import Blueprint

pages = Blueprint("exchange", __name__, url_prefix="/imports")
api = Blueprint("exchange_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]
