"""Read-only share links for officials without an account."""

from flask import Blueprint, current_app

from app.extensions import limiter

pages = Blueprint("sharing", __name__, url_prefix="/s")
api = Blueprint("sharing_api", __name__, url_prefix="/api/v1")

# every /s/ request looks a token up: one limit per client address shared by all /s/ routes
# (config SHARE_RATE_LIMIT), so guessing tokens is slow
limiter.shared_limit(lambda: current_app.config["SHARE_RATE_LIMIT"], scope="share-links")(pages)

from app.sharing import views  # noqa: E402,F401
from app.sharing.links_page import links  # noqa: E402

blueprints = [pages, api, links]
