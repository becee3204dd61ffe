"""Land on paper: reference parcels and community footprints for map prints, site briefs and dossiers.

Read from PostGIS like the rest of a print (`app.prints.queries`): the parcels meeting the
map's frame, simplified to a quarter of a millimetre on paper, the largest first and at most
`MAX_PARCELS` (the print says when there are more); coloured by owner type as on screen
(`gis.fields.OWNER_COLOURS`), one legend entry per layer drawn. Footprints: those of the cases
the map shows, when it shows them one by one (not as clusters), of today (a map of the past
draws none: footprints have no "as of"). Neither ever goes on a shared link's print beyond what
its page shows: the link's own reference layers, no footprints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.geojson import geometry_text
from app.maps.queries import CaseFilter, case_select
from app.models import LandCase, ReferenceLayer, ReferenceParcel
from gis.fields import LAND_OWNER_TYPES, OWNER_COLOURS, label
from gis.print_map import Area, Bounds, LegendEntry

MAX_PARCELS = 4000
MAX_FOOTPRINTS = 1500
FOOTPRINT_COLOUR = "#d84315"


def _envelope(bounds: Bounds):
    return func.ST_MakeEnvelope(*bounds, 4326)


def parcel_areas(layer_ids: Sequence[int] | None, bounds: Bounds, *, tolerance: float,
                 lang: str) -> tuple[list[Area], list[LegendEntry], list[str]]:
    """Parcels of the layers (`None`: every layer) in `bounds`: areas, legend entries, notes."""
    if layer_ids is not None and not layer_ids:
        return [], [], []
    p, layer = ReferenceParcel, ReferenceLayer
    where = [p.geom.op("&&")(_envelope(bounds))]
    if layer_ids is not None:
        where.append(p.layer_id.in_(list(layer_ids)))
    counts = (select(p.layer_id, func.count().label("n")).where(*where).group_by(p.layer_id).subquery())
    layers = db.session.execute(select(layer.id, layer.name, layer.owner_type, layer.is_sample, counts.c.n)
                                .join(counts, counts.c.layer_id == layer.id)
                                .order_by(layer.name, layer.id)).all()
    if not layers:
        return [], [], []
    colour = {row.id: OWNER_COLOURS.get(row.owner_type, "#999999") for row in layers}
    stmt = (select(p.layer_id, geometry_text(func.ST_SimplifyPreserveTopology(p.geom, tolerance), 5))
            .where(*where).order_by(func.ST_Area(p.geom).desc(), p.layer_id, p.id).limit(MAX_PARCELS))
    areas = [Area(json.loads(g), "parcel", fill=colour[layer_id]) for layer_id, g in db.session.execute(stmt) if g]
    legend = [LegendEntry(f"{row.name} ({label(LAND_OWNER_TYPES, row.owner_type, lang)})"
                          + (f" · {_('ข้อมูลตัวอย่าง')}" if row.is_sample else ""), colour[row.id], shape="square")
              for row in layers]
    total = sum(row.n for row in layers)
    notes = [_("ชั้นข้อมูลที่ดิน: แสดงแปลงใหญ่ที่สุด %(shown)s จาก %(total)s แปลงในกรอบแผนที่",
               shown=f"{MAX_PARCELS:,}", total=f"{total:,}")] if total > MAX_PARCELS else []
    return areas, legend, notes


def footprint_areas(f: CaseFilter, bounds: Bounds, *, tolerance: float, but: int | None = None) -> list[Area]:
    """Footprints of the cases of `f` (live, or none for a map of the past) in `bounds`, but case `but`."""
    if f.as_of is not None:
        return []
    stmt = case_select(f).where(LandCase.footprint.is_not(None), LandCase.footprint.op("&&")(_envelope(bounds)))
    if but is not None:
        stmt = stmt.where(LandCase.id != but)
    simplified = func.ST_SimplifyPreserveTopology(LandCase.footprint, tolerance)
    stmt = (stmt.with_only_columns(geometry_text(simplified, 6), maintain_column_froms=True)
            .order_by(LandCase.id).limit(MAX_FOOTPRINTS))
    return [Area(json.loads(g), "footprint") for (g,) in db.session.execute(stmt) if g]


def footprint_entry() -> LegendEntry:
    return LegendEntry(_("ขอบเขตชุมชน"), FOOTPRINT_COLOUR, shape="square")
