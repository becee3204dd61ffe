"""HTML pages of the community funds: list with a map, one fund, create and edit forms."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import history, places
from app.auth.security import current_role, require
from app.errors import ServiceError, ValidationError
from app.funds import pages
from app.funds.api_routes import fund_feature
from app.funds.service import EDITABLE, ENTITY, add_fund, edit_fund, fund_filter, fund_rows
from app.pilot_areas.views import programme_context
from gis.fields import FUND_LEVELS

FORM_FIELDS = (*EDITABLE, "lon", "lat")


@pages.context_processor
def _page_context() -> dict[str, Any]:
    return programme_context()


def _form() -> dict[str, str]:
    return {n: request.form.get(n, "").strip() for n in FORM_FIELDS}


def _errors(exc: ServiceError) -> dict[str, str]:
    out = {}
    for d in exc.details:
        name = d.get("field", "")
        name = "lon" if name in ("geometry", "lon/lat") else name
        out[name] = d.get("message", "")
    return out


@pages.get("")
@require("read")
def fund_list():
    """All funds (filters `region=`, `level=`), on a map and in a table."""
    regions = places.regions()
    region = request.args.get("region") or None
    level = request.args.get("level") or None
    filters = fund_filter(region=region if region in {r.code for r in regions} else None,
                          values=(level,) if level in FUND_LEVELS else ())
    rows = fund_rows(filters)
    points = [{"id": r["id"], "name": r["name"], "level": r["level"], "lon": r["lon"], "lat": r["lat"],
               "url": url_for("funds.fund_page", fund_id=r["id"])} for r in rows]
    totals = {"capital": sum(float(r["capital_baht"] or 0) for r in rows),
              "members": sum(r["members"] or 0 for r in rows)}
    return render_template("funds/list.html", rows=rows, points=points, regions=regions,
                           region=filters.region, level=level if filters.levels else None, totals=totals)


@pages.get("/<int:fund_id>")
@require("read")
def fund_page(fund_id: int):
    """One fund with its place and history."""
    feature = fund_feature(fund_id)
    return render_template("funds/detail.html", feature=feature, f=feature["properties"],
                           history=history.history_for(ENTITY, fund_id, role=current_role()))


@pages.route("/new", methods=["GET", "POST"])
@require("fund.write")
def fund_new():
    """Create a fund; click the map to place it."""
    if request.method == "GET":
        return render_template("funds/form.html", fund=None, form={"level": "city"}, errors={}, version="")
    form = _form()
    try:
        fund = add_fund(form, current_user, lenient=True)
    except ValidationError as exc:
        flash(exc.message, "error")
        return render_template("funds/form.html", fund=None, form=form, errors=_errors(exc), version=""), 422
    flash(_("บันทึกกองทุนแล้ว"), "success")
    return redirect(url_for("funds.fund_page", fund_id=fund.id))


@pages.route("/<int:fund_id>/edit", methods=["GET", "POST"])
@require("fund.write")
def fund_edit(fund_id: int):
    """Edit a fund (stale edits are refused, not merged)."""
    if request.method == "GET":
        props = fund_feature(fund_id)["properties"]
        form = {n: "" if props.get(n) is None else str(props[n]) for n in FORM_FIELDS}
        return render_template("funds/form.html", fund=props, form=form, errors={}, version=props["version"])
    form = _form()
    version = request.form.get("version", "")
    try:
        edit_fund(fund_id, form, current_user, if_match=version, lenient=True)
    except ServiceError as exc:
        flash(exc.message, "error")
        props = fund_feature(fund_id)["properties"]
        return render_template("funds/form.html", fund=props, form=form, errors=_errors(exc),
                               version=version), exc.status
    flash(_("บันทึกการแก้ไขแล้ว"), "success")
    return redirect(url_for("funds.fund_page", fund_id=fund_id))
