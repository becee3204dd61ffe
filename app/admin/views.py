"""The admin page and the audit API."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.admin import api, pages
from app.admin.service import accounts, change_scope, recent_changes, region_choices
from app.api.params import int_param
from app.api.regions import region_tree
from app.auth.security import require

ENTITIES = {"land_case", "pilot_area", "fund"}


@pages.get("/")
@require("audit.read")
def admin_home():
    """Recent changes, region conflicts and accounts."""
    from flask import request

    entity = request.args.get("entity") if request.args.get("entity") in ENTITIES else None
    return render_template("admin/index.html", changes=recent_changes(int_param("limit", 200, minimum=1,
                           maximum=2000), entity), conflicts=region_tree(True)["conflicts"],
                           users=accounts(), entity=entity, region_choices=region_choices())


@pages.post("/users/<int:user_id>/scope")
@require("users.manage")
def user_scope(user_id: int):
    """Limit an account to the ticked regions, or make it national (no region ticked)."""
    user = change_scope(user_id, request.form.getlist("region"))
    flash(_("บันทึกขอบเขตของ %(email)s แล้ว", email=user.email))
    return redirect(url_for("admin.admin_home") + "#accounts")


@api.get("/audit")
@require("audit.read")
def audit():
    """Recent changes to every record, newest first (admins)."""
    from flask import request

    from app.errors import BadRequest

    entity = request.args.get("entity")
    if entity and entity not in ENTITIES:
        raise BadRequest(f"entity must be one of {', '.join(sorted(ENTITIES))}")
    return jsonify({"changes": recent_changes(int_param("limit", 200, minimum=1, maximum=2000), entity)})
