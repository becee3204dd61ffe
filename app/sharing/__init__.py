"""Read-only share links for officials without an account."""

from flask import Blueprint

pages = Blueprint("sharing", __name__, url_prefix="/s")
api = Blueprint("sharing_api", __name__, url_prefix="/api/v1")

blueprints = [pages, api]
