"""The dashboard page (/dashboard) and its numbers as JSON (/api/v1/dashboard)."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import get_locale

from app import places
from app.auth.security import require
from app.dashboard import api, pages
from app.dashboard.service import dashboard_data
from app.filters import check_region


def _lang() -> str:
    return str(get_locale() or "th")


@api.get("/dashboard")
@require("read")
def dashboard_json():
    """The dashboard's numbers: cases by status and region, households secured, pilots by stage,
    fund capital by level and region, progress by fiscal quarter; optional `region=`."""
    return jsonify(dashboard_data(check_region(request.args.get("region")), _lang()))


@pages.get("")
@require("read")
def dashboard():
    """The programme at a glance, with charts (Chart.js from static/vendor)."""
    region = check_region(request.args.get("region"))
    regions = places.regions()
    return render_template("dashboard/dashboard.html", data=dashboard_data(region, _lang()),
                           regions=regions, region=region)
