"""CODI regions and zones with their provinces."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from app.api import bp
from app.auth.permissions import allowed
from app.auth.security import current_role
from app.extensions import db
from app.models import Province, Region, RegionProvince


def region_tree(show_conflicts: bool) -> dict:
    """Regions, each with its zones and provinces; conflicts only for admins."""
    names = {p.code: (p.name_th, p.name_en) for p in db.session.execute(
        select(Province.code, Province.name_th, Province.name_en)).all()}
    regions = db.session.scalars(select(Region).order_by(Region.sort_order)).all()
    members = db.session.scalars(select(RegionProvince).order_by(RegionProvince.province_code)).all()
    by_region: dict[str, list[dict]] = {}
    for m in members:
        if not m.is_primary and not show_conflicts:
            continue
        name_th, name_en = names.get(m.province_code, (None, None))
        by_region.setdefault(m.region_code, []).append({
            "code": m.province_code, "name_th": name_th, "name_en": name_en,
            **({"is_primary": m.is_primary, "note": m.note} if show_conflicts else {}),
        })
    out = []
    for r in regions:
        item = {"code": r.code, "kind": r.kind, "parent_code": r.parent_code,
                "name_th": r.name_th, "name_en": r.name_en, "provinces": by_region.get(r.code, [])}
        out.append(item)
    body: dict = {"regions": out}
    if show_conflicts:
        body["conflicts"] = [
            {"province_code": m.province_code, "listed_in": m.region_code, "note": m.note,
             "kept_in": next((p.region_code for p in members
                              if p.province_code == m.province_code and p.is_primary), None)}
            for m in members if not m.is_primary
        ]
    return body


@bp.get("/regions")
def regions():
    """Regions and zones with their provinces (admins also see conflicting listings)."""
    return jsonify(region_tree(allowed(current_role(), "regions.conflicts")))
