"""Background jobs: long imports and exports run by `flask jobs worker` (procrastinate)."""

from flask import Blueprint

pages = Blueprint("jobs", __name__, url_prefix="/jobs")
api = Blueprint("jobs_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.jobs import views  # noqa: E402,F401  (register the routes)
