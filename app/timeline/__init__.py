"""The map as it stood: cases as of a day, status moves over a period, Thai fiscal quarters."""

from flask import Blueprint

api = Blueprint("timeline_api", __name__, url_prefix="/api/v1")

blueprints = [api]

from app.timeline import views  # noqa: E402,F401  (register the routes)
