"""Mapbox vector tiles from PostGIS (see app/tiles/views.py)."""

from flask import Blueprint

pages = Blueprint("tiles", __name__, url_prefix="/tiles")

blueprints = [pages]

from app.tiles import views  # noqa: E402,F401  (register the routes)
