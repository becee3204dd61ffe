"""Prints: PDF maps, pilot-site briefs and case dossiers, drawn on the server (WeasyPrint)."""

from flask import Blueprint

pages = Blueprint("prints", __name__)

blueprints = [pages]

from app.prints import views  # noqa: E402,F401
