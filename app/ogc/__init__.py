"""OGC API - Features for QGIS and GDAL (see app/ogc/views.py)."""

from flask import Blueprint

pages = Blueprint("ogc", __name__, url_prefix="/ogc")

blueprints = [pages]

from app.ogc import views  # noqa: E402,F401  (register the routes)
