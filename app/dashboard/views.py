"""The dashboard page (/dashboard) and its numbers as JSON (/api/v1/dashboard)."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import get_locale

from app import places
from app.auth.security import require
from app.dashboard import api, pages
from app.dashboard.service import dashboard_data
from app.filters import check_region
from app.timeline.controls import time_controls
from app.timeline.dates import as_of_from


def _lang() -> str:
    return str(get_locale() or "th")


@api.get("/dashboard")
@require("read")
def dashboard_json():
    """The dashboard's numbers: cases by status and region, households secured, pilots by stage,
    fund capital by level and region, progress by fiscal quarter; optional `region=`."""
    return jsonify(dashboard_data(check_region(request.args.get("region")), _lang(), as_of_from(request.args)))


@pages.get("")
@require("read")
def dashboard():
    """The programme at a glance, with charts (Chart.js from static/vendor)."""
    region = check_region(request.args.get("region"))
    as_of = as_of_from(request.args)
    regions = places.regions()
    return render_template("dashboard/dashboard.html", data=dashboard_data(region, _lang(), as_of),
                           regions=regions, region=region, time=time_controls(as_of=as_of))
