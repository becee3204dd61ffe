"""The pilot subdistricts and architects' reviews."""

from flask import Blueprint

pages = Blueprint("pilot_areas", __name__, url_prefix="/pilot-areas")
api = Blueprint("pilot_areas_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.pilot_areas import api_routes, views  # noqa: E402,F401
