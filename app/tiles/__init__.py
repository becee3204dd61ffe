"""Mapbox vector tiles from PostGIS."""

from flask import Blueprint

pages = Blueprint("tiles", __name__, url_prefix="/tiles")
api = Blueprint("tiles_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]
