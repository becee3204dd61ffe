"""Reference land layers: upload (with a dry run), replace the parcels, delete, list; all or nothing.

Loading is one bulk path, the one ogr2ogr takes: the file is read through Arrow and checked
as a whole (`gis.reference_layers`), then one `COPY` writes every parcel (MultiPolygon as hex
EWKB, the attribute row as `jsonb`) into a new table of the layer's own, which gets its GiST
index in one build and is attached as the layer's partition of `reference_parcels` (a newer
survey swaps the partition; deleting the layer drops it). Then what the cases stand on is
refreshed for that layer, set-based. Everything runs in one transaction: a refusal at any
step leaves nothing written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text, update
from werkzeug.datastructures import FileStorage

from app.auth.scope import check_national
from app.errors import BadRequest, NotFound, ValidationError, gis_error
from app.exchange import uploads
from app.extensions import db
from app.land import overlaps
from app.models import ReferenceLayer, User
from gis.errors import GisError
from gis.exchange.errors import ExchangeError
from gis.fields import LAND_OWNER_TYPES
from gis.reference_layers import PolygonLayer, attribute_names, copy_rows, detect_polygon_format, read_polygons

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class LayerMeta:
    name: str
    owner_type: str
    owner: str | None = None
    source: str | None = None
    source_date: date | None = None


def _text(form: dict[str, Any], name: str, limit: int, errors: list[dict]) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if "\x00" in value or any(ord(c) < 32 and c not in "\t" for c in value):
        errors.append({"field": name, "message": _("มีอักขระที่ไม่อนุญาต"), "reason": "invalid character"})
        return None
    if len(value) > limit:
        errors.append({"field": name, "message": _("ยาวเกิน %(n)s ตัวอักษร", n=limit), "reason": "too long"})
        return None
    return value or None


def parse_meta(form: dict[str, Any], *, partial: bool = False) -> LayerMeta:
    """The layer's form fields (`name`, `owner_type`, optional `owner`, `source`, `date`); 422 when wrong."""
    errors: list[dict] = []
    name = _text(form, "name", 200, errors)
    owner_type = (form.get("owner_type") or "").strip()
    if not name and not partial:
        errors.append({"field": "name", "message": _("จำเป็นต้องกรอก"), "reason": "required"})
    if owner_type not in LAND_OWNER_TYPES and not (partial and not owner_type):
        errors.append({"field": "owner_type", "reason": "unknown value",
                       "message": _("ค่าที่ใช้ได้: %(c)s", c=", ".join(LAND_OWNER_TYPES))})
    when = None
    raw_date = (form.get("date") or "").strip()
    if raw_date:
        try:
            when = date.fromisoformat(raw_date) if DATE_RE.match(raw_date) else None
        except ValueError:
            when = None
        if when is None or when.year > 2400 or when.year < 1900:
            errors.append({"field": "date", "message": _("ต้องเป็นวันที่ในรูป YYYY-MM-DD (ค.ศ.)"), "reason": "bad date"})
    meta = LayerMeta(name or "", owner_type, _text(form, "owner", 200, errors), _text(form, "source", 500, errors),
                     when)
    if errors:
        raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=", ".join(dict.fromkeys(e["field"] for e in errors))),
                              errors)
    return meta


def _save(file: FileStorage | None, folder: Path) -> tuple[Path, str]:
    """The upload saved under our own name: KML here, every other format through the import's checks."""
    from app.exchange.uploads import save_upload

    if file is not None and file.filename:
        head = file.stream.read(128)
        file.stream.seek(0)
        try:
            fmt = detect_polygon_format(file.filename, head)
        except ExchangeError as exc:
            raise gis_error(exc) from None
        if fmt == "kml":
            path = folder / "upload.kml"
            file.save(path)
            if path.stat().st_size == 0:
                raise BadRequest(_("ไฟล์ว่างเปล่า"), [{"field": "file", "message": "empty"}])
            return path, fmt
    path, fmt = save_upload(file, folder)
    if fmt in ("csv", "xlsx"):
        raise BadRequest(_("ชั้นข้อมูลที่ดินต้องเป็นไฟล์รูปหลายเหลี่ยม: shapefile (zip), GeoPackage, GeoJSON หรือ KML"),
                         [{"field": "file", "message": "not a polygon format", "reason": fmt}])
    return path, fmt


def read_file(file: FileStorage | None, *, crs: str | None = None, encoding: str | None = None,
              layer: str | None = None, max_features: int | None = None) -> PolygonLayer:
    """Save, read and check an uploaded polygon file (4xx for anything refused)."""
    from gis.exchange.readers import parse_crs

    with uploads.scratch() as folder:
        path, fmt = _save(file, folder)
        work = folder / "work"
        work.mkdir()
        try:
            crs = parse_crs(crs)
            kwargs = {"max_features": max_features} if max_features else {}
            return read_polygons(path, fmt, work, crs=crs, encoding=encoding, layer=layer, **kwargs)
        except GisError as exc:
            raise gis_error(exc) from None


def partition(layer_id: int) -> str:
    """The name of a layer's own table of parcels (a partition of reference_parcels)."""
    return f"reference_parcels_{int(layer_id)}"


def ensure_partition(conn: Any, layer_id: int) -> None:
    """An (empty, indexed) partition for a layer, for plain INSERTs (the sample data)."""
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {partition(layer_id)} PARTITION OF reference_parcels "
                      f"FOR VALUES IN ({int(layer_id)})"))


def _copy_parcels(layer_id: int, polygons: PolygonLayer) -> int:
    """The bulk path: a table of the layer's own, one COPY of every parcel (hex EWKB, attributes as
    JSON), its GiST index built once, then attached as the layer's partition (replacing the old one)."""
    conn = db.session.connection()
    name, building = partition(layer_id), f"{partition(layer_id)}_load"
    conn.execute(text(f"DROP TABLE IF EXISTS {building}"))
    conn.execute(text(f"CREATE TABLE {building} (LIKE reference_parcels INCLUDING DEFAULTS, "
                      f"CHECK (layer_id = {int(layer_id)}))"))
    data = copy_rows(polygons.geoms, polygons.attributes, layer_id)
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {building} (layer_id, geom, attributes) FROM STDIN WITH (FORMAT csv)") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start:start + (1 << 20)])
        count = int(cursor.rowcount)
    conn.execute(text(f"ALTER TABLE {building} ADD PRIMARY KEY (layer_id, id)"))
    conn.execute(text(f"CREATE INDEX ON {building} USING gist (geom)"))
    conn.execute(text(f"CREATE INDEX ON {building} (id)"))
    old = conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar()
    if old is not None:
        conn.execute(text(f"ALTER TABLE reference_parcels DETACH PARTITION {name}"))
        conn.execute(text(f"DROP TABLE {name}"))
    conn.execute(text(f"ALTER TABLE {building} RENAME TO {name}"))
    conn.execute(text(f"ALTER TABLE reference_parcels ATTACH PARTITION {name} FOR VALUES IN ({int(layer_id)})"))
    conn.execute(text(f"ANALYZE {name}"))
    return count


def summary(polygons: PolygonLayer, meta: LayerMeta | None = None, *, dry_run: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if meta is not None:
        body.update(name=meta.name, owner_type=meta.owner_type)
    body.update(parcels=polygons.count, dry_run=dry_run, repaired=polygons.repaired,
                attributes=attribute_names(polygons.attributes), crs=polygons.notes.get("crs"))
    if polygons.repairs:
        body["repairs"] = polygons.repairs
    return body


_LAYERS = _l("ชั้นข้อมูลที่ดินอ้างอิง")


def create_layer(file: FileStorage | None, meta: LayerMeta, user: User | None, *, dry_run: bool = False,
                 crs: str | None = None, encoding: str | None = None, layer: str | None = None,
                 is_sample: bool = False) -> tuple[ReferenceLayer | None, dict[str, Any]]:
    """Upload a layer: (the layer, its summary); with `dry_run` nothing is written (layer None)."""
    check_national(user, _LAYERS)
    polygons = read_file(file, crs=crs, encoding=encoding, layer=layer)
    if dry_run:
        return None, summary(polygons, meta, dry_run=True)
    from app.land_cases.service import atomic

    with atomic():
        record = ReferenceLayer(name=meta.name, owner_type=meta.owner_type, owner=meta.owner, source=meta.source,
                                source_date=meta.source_date, file_name=_file_name(file), crs=polygons.notes.get("crs"),
                                attribute_names=attribute_names(polygons.attributes), is_sample=is_sample,
                                created_by_id=getattr(user, "id", None), updated_by_id=getattr(user, "id", None))
        db.session.add(record)
        db.session.flush()
        record.parcel_count = _copy_parcels(record.id, polygons)
        overlaps.refresh(layer_ids=[record.id])
    return record, {"id": record.id, **summary(polygons, meta, dry_run=False)}


def replace_parcels(layer_id: int, file: FileStorage | None, user: User | None, *, dry_run: bool = False,
                    crs: str | None = None, encoding: str | None = None,
                    layer: str | None = None) -> dict[str, Any]:
    """A newer survey: every parcel of the layer replaced by the file's, the layer's id kept."""
    check_national(user, _LAYERS)
    record = get_layer(layer_id)
    polygons = read_file(file, crs=crs, encoding=encoding, layer=layer)
    if dry_run:
        return {"id": record.id, "name": record.name, "owner_type": record.owner_type,
                **summary(polygons, dry_run=True)}
    from app.land_cases.service import atomic

    with atomic():
        db.session.execute(select(ReferenceLayer.id).where(ReferenceLayer.id == layer_id).with_for_update())
        count = _copy_parcels(layer_id, polygons)
        db.session.execute(update(ReferenceLayer).where(ReferenceLayer.id == layer_id).values(
            parcel_count=count, file_name=_file_name(file), crs=polygons.notes.get("crs"),
            attribute_names=attribute_names(polygons.attributes), version=ReferenceLayer.version + 1,
            updated_at=func.now(), updated_by_id=getattr(user, "id", None)))
        overlaps.refresh(layer_ids=[layer_id])
    db.session.refresh(record)
    return {"id": record.id, "name": record.name, "owner_type": record.owner_type,
            **summary(polygons, dry_run=False)}


def delete_layer(layer_id: int, user: User | None = None) -> None:
    """Remove a layer, its parcels and what cases stood on it (the cascade), then the suggestions."""
    from app.land_cases.service import atomic

    check_national(user, _LAYERS)
    with atomic():
        get_layer(layer_id)
        db.session.execute(text(f"DROP TABLE IF EXISTS {partition(layer_id)}"))
        db.session.execute(text("DELETE FROM reference_layers WHERE id = :id"), {"id": layer_id})
        overlaps.summarise()


def _file_name(file: FileStorage | None) -> str | None:
    name = (file.filename if file is not None else None) or None
    return name[:255].replace("\x00", "") if name else None


def get_layer(layer_id: int) -> ReferenceLayer:
    layer = db.session.get(ReferenceLayer, layer_id, populate_existing=True) if 0 < layer_id < 2**31 else None
    if layer is None:
        raise NotFound(_("ไม่พบชั้นข้อมูลที่ดินหมายเลข %(id)s", id=layer_id))
    return layer


def list_layers() -> list[ReferenceLayer]:
    return list(db.session.scalars(select(ReferenceLayer).order_by(ReferenceLayer.name, ReferenceLayer.id)))


def layer_json(layer: ReferenceLayer, *, bbox: list[float] | None = None) -> dict[str, Any]:
    return {"id": layer.id, "name": layer.name, "owner_type": layer.owner_type,
            "owner_type_label": LAND_OWNER_TYPES.get(layer.owner_type, ("", ""))[0], "owner": layer.owner,
            "source": layer.source, "date": layer.source_date.isoformat() if layer.source_date else None,
            "parcels": layer.parcel_count, "attributes": layer.attribute_names or [], "crs": layer.crs,
            "file_name": layer.file_name, "is_sample": layer.is_sample, "version": layer.version,
            "created_at": layer.created_at.isoformat() if layer.created_at else None,
            "updated_at": layer.updated_at.isoformat() if layer.updated_at else None,
            **({"bbox": bbox} if bbox else {})}


def layer_bboxes() -> dict[int, list[float]]:
    rows = db.session.execute(text("""SELECT layer_id, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
                                       FROM (SELECT layer_id, ST_Extent(geom) AS e FROM reference_parcels
                                             GROUP BY layer_id) t"""))
    return {r[0]: [round(v, 6) for v in r[1:]] for r in rows}
