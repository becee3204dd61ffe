"""Land cases: record, locate, workflow, history, documents."""

from flask import Blueprint

pages = Blueprint("land_cases", __name__, url_prefix="/cases")
api = Blueprint("land_cases_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]
