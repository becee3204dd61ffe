"""Sample land data (with `flask demo load`) and generated footprints and parcels (benchmarks).

* About a third of the sample cases get a footprint: an octagon round their point whose size
  follows the households (about 45 m2 of land per household), made in PostGIS on the geography.
* Two clearly labelled sample reference layers (`is_sample`, names start with "ตัวอย่าง"): a State
  Railway corridor (60 m either side of a line through sample communities of Hat Yai, in parcels)
  and Treasury plots round some sample communities of Chiang Mai, so that the case page, the
  conflicts list and the map show the whole feature after `make run`.
* `generate_footprints` gives every generated benchmark case (codes LC-G...) a footprint;
  `generate_parcels_file` writes a GeoPackage of N square parcels over the generated cases' cities.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.land import overlaps
from app.land.layers import ensure_partition

SAMPLE_NOTE = "ข้อมูลตัวอย่าง (สมมติ) ไม่ใช่ข้อมูลจริงของหน่วยงาน"
RAILWAY = "ตัวอย่าง: แนวเขตทางรถไฟ หาดใหญ่ (ข้อมูลสมมติ)"
TREASURY = "ตัวอย่าง: ที่ราชพัสดุ เชียงใหม่ (ข้อมูลสมมติ)"
FOOTPRINT_SQL = """
    ST_Multi(ST_Buffer(geom::geography, GREATEST(25, sqrt(GREATEST(households, 10) * 45 / pi())),
                       'quad_segs=2')::geometry)"""


def _layer(conn: Any, name: str, owner_type: str, owner: str) -> int:
    return conn.execute(text("""
        INSERT INTO reference_layers (name, owner_type, owner, source, source_date, file_name, crs, is_sample,
                                      attribute_names)
        VALUES (:name, :owner_type, :owner, :source, DATE '2024-01-15', NULL, 'EPSG:4326', true,
                '["parcel_no", "note"]'::jsonb)
        RETURNING id"""), {"name": name, "owner_type": owner_type, "owner": owner, "source": SAMPLE_NOTE}).scalar_one()


def load_sample_land(conn: Any) -> str:
    """Footprints for a third of the sample cases and the two sample layers; then every overlap."""
    footprints = conn.execute(text(f"""
        UPDATE land_cases SET footprint = {FOOTPRINT_SQL}
        WHERE is_sample AND code LIKE 'LC-S%' AND footprint IS NULL AND (id % 3 = 0 OR province_code = '90')
        """)).rowcount
    railway = _layer(conn, RAILWAY, "state_railway", "การรถไฟแห่งประเทศไทย")
    ensure_partition(conn, railway)
    conn.execute(text("""
        WITH pts AS (SELECT geom FROM land_cases WHERE is_sample AND province_code = '90' AND footprint IS NOT NULL
                     ORDER BY ST_X(geom) LIMIT 6),
             line AS (SELECT ST_MakeLine(geom ORDER BY ST_X(geom)) AS g FROM pts),
             corridor AS (SELECT ST_Buffer(g::geography, 60, 'endcap=flat')::geometry AS g FROM line
                          WHERE ST_NPoints(g) >= 2),
             parts AS (SELECT ST_Subdivide(g, 24) AS g FROM corridor)
        INSERT INTO reference_parcels (layer_id, geom, attributes)
        SELECT :layer, ST_Multi(g), jsonb_build_object('parcel_no', 'รฟท.-ตัวอย่าง-' || lpad(row_number() OVER ()::text,
               3, '0'), 'note', CAST(:note AS text))
        FROM parts"""), {"layer": railway, "note": SAMPLE_NOTE})
    treasury = _layer(conn, TREASURY, "treasury", "กรมธนารักษ์")
    ensure_partition(conn, treasury)
    conn.execute(text("""
        INSERT INTO reference_parcels (layer_id, geom, attributes)
        SELECT :layer, ST_Multi(ST_Envelope(ST_Buffer(geom::geography, 150)::geometry)),
               jsonb_build_object('parcel_no', 'ชม.' || lpad(row_number() OVER (ORDER BY id)::text, 4, '0'),
                                  'note', CAST(:note AS text))
        FROM (SELECT id, geom FROM land_cases WHERE is_sample AND province_code = '50' ORDER BY id LIMIT 8) c"""),
                 {"layer": treasury, "note": SAMPLE_NOTE})
    conn.execute(text("""
        UPDATE reference_layers l SET parcel_count = (SELECT count(*) FROM reference_parcels p WHERE p.layer_id = l.id)
        WHERE l.id IN (:a, :b)"""), {"a": railway, "b": treasury})
    overlaps.refresh()
    return f"{footprints} footprints, 2 sample reference layers"


def generate_footprints(conn: Any) -> int:
    """A footprint for every generated benchmark case (codes LC-G...) that has none."""
    return conn.execute(text(f"""
        UPDATE land_cases SET footprint = {FOOTPRINT_SQL}
        WHERE code LIKE 'LC-G%' AND footprint IS NULL""")).rowcount


def generate_parcels_file(conn: Any, path: Path, parcels: int, seed: int = 1) -> int:
    """A GeoPackage of `parcels` squares (about 100 m wide) near the generated cases, with parcel and deed
    numbers: the benchmark's "large reference layer"."""
    import geopandas as gpd
    import shapely

    conn.execute(text("SELECT setseed(:s)"), {"s": ((seed % 1000) + 1) / 1001.0})
    data = conn.execute(text("""
        SELECT ST_AsBinary(ST_Envelope(ST_Buffer(ST_Translate(geom, (random() - 0.5) * 0.004,
                                                            (random() - 0.5) * 0.004)::geography, 50)::geometry))
        FROM (SELECT geom FROM land_cases WHERE code LIKE 'LC-G%' ORDER BY id LIMIT :n) c"""), {"n": parcels}).all()
    geoms = shapely.from_wkb([bytes(r[0]) for r in data])
    frame = gpd.GeoDataFrame({"parcel_no": [f"P-{i:06d}" for i in range(len(geoms))],
                              "deed_no": [10_000 + i for i in range(len(geoms))]},
                             geometry=geoms, crs="EPSG:4326")
    frame.to_file(path, driver="GPKG", engine="pyogrio", layer="parcels")
    return len(geoms)


def clear_sample_layers(conn: Any) -> int:
    """Delete the sample reference layers and drop their partitions."""
    ids = [r[0] for r in conn.execute(text("SELECT id FROM reference_layers WHERE is_sample"))]
    for layer_id in ids:
        conn.execute(text(f"DROP TABLE IF EXISTS reference_parcels_{int(layer_id)}"))
    conn.execute(text("DELETE FROM reference_layers WHERE is_sample"))
    return len(ids)
