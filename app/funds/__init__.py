"""Community funds."""

from flask import Blueprint

pages = Blueprint("funds", __name__, url_prefix="/funds")
api = Blueprint("funds_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.funds import api_routes, views  # noqa: E402,F401
