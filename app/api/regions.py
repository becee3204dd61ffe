"""CODI regions and zones with their provinces (the lookup: `app.places.region_tree`)."""

from __future__ import annotations

from flask import jsonify

from app.api import bp
from app.auth.permissions import allowed
from app.auth.security import current_role
from app.places import region_tree


@bp.get("/regions")
def regions():
    """Regions and zones with their provinces (admins also see conflicting listings)."""
    return jsonify(region_tree(allowed(current_role(), "regions.conflicts")))
