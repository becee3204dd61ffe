"""Clearly labelled sample data (`flask demo load`) and synthetic benchmark cases (`flask demo generate`).

Every record made here has `is_sample = true`; the page header shows "ข้อมูลตัวอย่าง"
while any sample case is present. Points are made in PostGIS inside real subdistrict
polygons (`ST_GeneratePoints`, seeded; `ST_PointOnSurface` when PostGIS returns a point
short) and admin areas derived with one `derive_admin_areas` call per table.
"""

from __future__ import annotations

import csv
import json
import time
from datetime import date
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import exists, select, text

from app.config import ROOT
from app.extensions import db
from app.models import Fund, LandCase, PilotArea
from app.sample_data.cases import SAMPLE_NOTE, build_cases
from app.sample_data.generate import generate_cases
from app.timeline.dates import today as thai_today  # the service's day
from gis.spatial import derive_admin_areas

SAMPLE_DIR = ROOT / "data" / "sample"
SEED = 2553
CASE_COUNT = 300
# cities named in the plan and elsewhere with many informal communities (urban anchors besides the pilots)
URBAN_EXTRA = ["500101", "500102", "500104", "500106", "840102", "840103", "840105", "840107", "901102",
               "901103", "901104", "103302", "103303", "100601", "101501", "104401", "120101", "800101",
               "830102", "950101", "960101", "910101", "930101", "510101", "540101", "560101", "580101",
               "630101", "640101", "660101", "670101", "420101", "470101", "480101", "440101", "350101",
               "310101", "320101", "150101", "180101", "760101", "770101", "200101", "210101", "230101",
               "240101", "260101", "270101", "840503"]
RURAL_PROVINCES = ["84", "80", "90", "94", "50", "57", "55", "65", "62", "41", "43", "40", "45", "30", "34",
                   "32", "71", "70", "22", "23", "86", "92"]


def _csv(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def database_is_empty() -> bool:
    """True when there are no cases, pilot areas or funds (accounts and reference data aside)."""
    return not any(db.session.scalar(select(exists().select_from(m))) for m in (LandCase, PilotArea, Fund))


def sample_present() -> bool:
    """True when the sample set (not only generated benchmark cases) has been loaded."""
    return bool(db.session.scalar(select(
        exists().where(LandCase.code.like("LC-S%")) | exists().where(PilotArea.is_sample.is_(True)))))


def _rural_anchors(conn: Any) -> list[str]:
    """Two rural subdistricts per listed province, chosen by a seeded hash (stable across runs)."""
    rows = conn.execute(text("""
        SELECT code FROM (
            SELECT code, row_number() OVER (PARTITION BY province_code ORDER BY md5(code || :seed)) AS k
            FROM subdistricts WHERE province_code = ANY(:provinces) AND district_code NOT LIKE '__01') s
        WHERE k <= 2 ORDER BY code"""), {"provinces": RURAL_PROVINCES, "seed": str(SEED)})
    return [r[0] for r in rows]


def _load_pilots(conn: Any) -> list[int]:
    rows = _csv("pilot_areas.csv")
    result = conn.execute(text("""
        INSERT INTO pilot_areas (subdistrict_code, district_code, province_code, region_code, name_th, team,
                                 architect, stage, targets, notes, is_sample, version)
        SELECT s.code, s.district_code, s.province_code, pr.region_code, s.name_th, r.team, r.architect,
               r.stage, r.targets, :note, true, 1
        FROM jsonb_to_recordset(CAST(:rows AS jsonb))
             AS r(subdistrict_code text, team text, architect text, stage text, targets text)
        JOIN subdistricts s ON s.code = r.subdistrict_code
        LEFT JOIN province_regions pr ON pr.province_code = s.province_code
        ON CONFLICT (subdistrict_code) DO NOTHING
        RETURNING id"""), {"rows": json.dumps(rows, ensure_ascii=False), "note": SAMPLE_NOTE})
    return [r[0] for r in result]


def _load_funds(conn: Any) -> list[int]:
    rows = [{**r, "k": k} for k, r in enumerate(_csv("funds.csv"), start=1)]
    result = conn.execute(text("""
        INSERT INTO funds (name, level, members, capital_baht, established_on, network, notes, geom,
                           is_sample, version)
        SELECT r.name, r.level, r.members, r.capital_baht, r.established_on, r.network, :note,
               COALESCE(ST_GeometryN(ST_GeneratePoints(s.geom, 2, :seed + r.k), 1), ST_PointOnSurface(s.geom)),
               true, 1
        FROM jsonb_to_recordset(CAST(:rows AS jsonb))
             AS r(k int, name text, level text, subdistrict_code text, network text, members int,
                  capital_baht numeric, established_on date)
        JOIN subdistricts s ON s.code = r.subdistrict_code
        ORDER BY r.k
        RETURNING id"""), {"rows": json.dumps(rows, ensure_ascii=False), "note": SAMPLE_NOTE, "seed": SEED})
    ids = [r[0] for r in result]
    derive_admin_areas(conn, "funds", ids)
    return ids


def _load_cases(conn: Any, today: date) -> tuple[list[int], int]:
    pilots = [r["subdistrict_code"] for r in _csv("pilot_areas.csv")]
    anchors = ([(c, True) for c in pilots] * 3 + [(c, True) for c in URBAN_EXTRA]
               + [(c, False) for c in _rural_anchors(conn)])
    cases = build_cases(anchors, CASE_COUNT, SEED, today)
    result = conn.execute(text("""
        WITH r AS (
            SELECT r.*, row_number() OVER (PARTITION BY r.subdistrict_code ORDER BY r.n) AS k,
                   count(*) OVER (PARTITION BY r.subdistrict_code) AS per_code
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                n int, subdistrict_code text, code text, community_name text, households int, population int,
                land_owner_type text, land_owner text, problem text, status text, area_type text,
                opened_on date, updated_on date, team text, contact_name text, contact_phone text,
                notes text)),
        codes AS (SELECT subdistrict_code, max(per_code)::int AS n FROM r GROUP BY 1),
        points AS (
            SELECT c.subdistrict_code, d.path[1] AS k, d.geom
            FROM codes c JOIN subdistricts s ON s.code = c.subdistrict_code,
                 LATERAL ST_Dump(ST_GeneratePoints(s.geom, c.n + 3, :seed)) AS d)
        INSERT INTO land_cases (code, community_name, households, population, land_owner_type, land_owner,
                                problem, status, area_type, geom, opened_on, team, contact_name, contact_phone,
                                notes, is_sample, version, created_at, updated_at)
        SELECT r.code, r.community_name, r.households, r.population, r.land_owner_type, r.land_owner, r.problem,
               r.status, r.area_type, COALESCE(p.geom, ST_PointOnSurface(s.geom)), r.opened_on, r.team,
               r.contact_name, r.contact_phone, r.notes,
               true, 1, r.opened_on::timestamptz, r.updated_on::timestamptz
        FROM r JOIN subdistricts s ON s.code = r.subdistrict_code
        LEFT JOIN points p ON p.subdistrict_code = r.subdistrict_code AND p.k = r.k
        ORDER BY r.n
        ON CONFLICT (code) DO NOTHING
        RETURNING id, code"""), {"rows": json.dumps([{k: v for k, v in c.items() if k != "history"} for c in cases],
                                                     ensure_ascii=False), "seed": SEED})
    ids_by_code = {code: id_ for id_, code in result}
    ids = list(ids_by_code.values())
    derive_admin_areas(conn, "land_cases", ids)
    conn.execute(text("""
        UPDATE land_cases c SET team = 'ทีมบ้านมั่นคง' || regexp_replace(r.name_th, '^ภาค', '')
        FROM province_regions pr JOIN regions r ON r.code = COALESCE(pr.zone_code, pr.region_code)
        WHERE c.id = ANY(:ids) AND c.team IS NULL AND pr.province_code = c.province_code"""), {"ids": ids})
    history = []
    for c in cases:
        case_id = ids_by_code.get(c["code"])
        if case_id is None:
            continue
        history.append({"id": case_id, "action": "create", "field": None, "old": None, "new": None,
                        "day": c["opened_on"]})
        history += [{"id": case_id, "action": "status", "field": "status", "old": old, "new": new, "day": when}
                    for old, new, when in c["history"]]
    conn.execute(text("""
        INSERT INTO history (entity, entity_id, action, field, old_value, new_value, note, effective_on, at)
        SELECT 'land_case', h.id, h.action, h.field, h.old, h.new, :note, h.day,
               (h.day + time '10:00') AT TIME ZONE 'Asia/Bangkok'
        FROM jsonb_to_recordset(CAST(:rows AS jsonb))
             AS h(id int, action text, field text, old text, new text, day date)
        ORDER BY h.day, h.id"""), {"rows": json.dumps(history), "note": SAMPLE_NOTE})
    return ids, len(history)


def load_sample() -> str:
    """Load the sample pilots, funds and cases (all `is_sample`) unless sample cases are present."""
    if sample_present():
        return "sample data already present: nothing loaded"
    started = time.perf_counter()
    conn = db.session.connection()
    try:
        pilots = _load_pilots(conn)
        funds = _load_funds(conn)
        cases, entries = _load_cases(conn, thai_today())
        conn.execute(text("""
            INSERT INTO history (entity, entity_id, action, note)
            SELECT 'pilot_area', id, 'create', :note FROM pilot_areas WHERE id = ANY(:pilots)
            UNION ALL
            SELECT 'fund', id, 'create', :note FROM funds WHERE id = ANY(:funds)"""),
                     {"pilots": pilots, "funds": funds, "note": SAMPLE_NOTE})
        from app.land.sample import load_sample_land

        land = load_sample_land(conn)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    seconds = time.perf_counter() - started
    return (f"sample data: {len(pilots)} pilot areas, {len(funds)} funds, {len(cases)} cases "
            f"with {entries} history entries, {land} in {seconds:.1f} s (all marked is_sample)")


def clear_sample() -> dict[str, int]:
    """Delete every sample record (history rows stay: the history is append-only)."""
    counts = {}
    from app.land.sample import clear_sample_layers

    counts["reference_layers"] = clear_sample_layers(db.session.connection())
    for table in ("pilot_areas", "funds", "land_cases"):
        counts[table] = db.session.execute(text(f"DELETE FROM {table} WHERE is_sample")).rowcount
    db.session.commit()
    return counts


demo_cli = AppGroup("demo", help="Sample data and synthetic benchmark cases.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the clearly labelled sample data (30 pilots, ~60 funds, ~300 cases)."""
    click.echo(load_sample())


@demo_cli.command("generate")
@click.option("--cases", "count", type=click.IntRange(1, 5_000_000), required=True, help="How many cases.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same cases.")
@click.option("--footprints", is_flag=True, help="Give every generated case a footprint (and refresh overlaps).")
@click.option("--analyze/--no-analyze", default=True, show_default=True,
              help="ANALYZE the tables written, so the first requests after the load get good plans.")
def demo_generate(count: int, seed: int, footprints: bool, analyze: bool) -> None:
    """Make N synthetic cases inside real subdistricts (set-based; marked is_sample, codes LC-G...)."""
    from sqlalchemy import text

    started = time.perf_counter()
    made = generate_cases(count, seed)
    shapes = ""
    from app.land import overlaps

    if footprints:
        from app.land.sample import generate_footprints

        shapes = f", {generate_footprints(db.session.connection())} footprints"
    overlaps.refresh()  # what every case stands on, with the new ones
    db.session.commit()
    if analyze:  # stale statistics right after a bulk insert made the first pages 10-20x slower (bench/JOBS.md)
        for table in ("land_cases", "history", "status_moves", "case_edits"):
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()
    click.echo(f"generated {made} synthetic cases{shapes} (seed {seed}) in {time.perf_counter() - started:.1f} s")


@demo_cli.command("clear")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def demo_clear(yes: bool) -> None:
    """Delete every sample and synthetic record (before real use); their history rows stay."""
    if not yes:
        click.confirm("Delete all records marked is_sample?", abort=True)
    counts = clear_sample()
    click.echo(", ".join(f"{table}: {n} deleted" for table, n in counts.items()))


__all__ = ["clear_sample", "database_is_empty", "demo_cli", "generate_cases", "load_sample"]
