"""Land cases: record, locate, workflow, history, documents."""

from flask import Blueprint

pages = Blueprint("land_cases", __name__, url_prefix="/cases")
api = Blueprint("land_cases_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]

from app.land_cases import api_views, page_views  # noqa: E402,F401  (register the routes)
