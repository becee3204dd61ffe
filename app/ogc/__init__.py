"""OGC API - Features for QGIS and GDAL."""

from flask import Blueprint

pages = Blueprint("ogc", __name__, url_prefix="/ogc")
api = Blueprint("ogc_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]
