"""Places for forms, filters and pages: regions, provinces and the names of admin areas.

One place for the lookups every page needs (the region menu of the case, pilot, fund and
dashboard pages; province names), so that views hold no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from app.extensions import db


def regions() -> list[Any]:
    """Regions and zones in their display order (for filter menus and forms)."""
    from app.models import Region

    return list(db.session.scalars(select(Region).order_by(Region.sort_order, Region.code)))


def region_names() -> dict[str, tuple[str, str]]:
    """Region and zone code -> (Thai name, English name)."""
    return {r.code: (r.name_th, r.name_en) for r in regions()}


def region(code: str | None) -> Any:
    """The region or zone with that code, or None."""
    from app.models import Region

    return db.session.get(Region, code[:32]) if code else None


def provinces() -> list[Any]:
    """(code, name_th, name_en) of every province, by Thai name."""
    from app.models import Province

    return list(db.session.execute(select(Province.code, Province.name_th, Province.name_en)
                                   .order_by(Province.name_th)))


def names(model: Any, codes: Iterable[str | None], lang: str) -> dict[str, str]:
    """Code -> name in `lang` (Thai when there is no English) of the given areas."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = db.session.execute(select(model.code, model.name_th, model.name_en).where(model.code.in_(wanted)))
    return {code: (th if lang == "th" or not en else en) for code, th, en in rows}


def region_tree(show_conflicts: bool) -> dict:
    """Regions, each with its zones and provinces; conflicts only for admins."""
    from app.models import Province, Region, RegionProvince

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
