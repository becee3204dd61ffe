"""Load the reference data (boundaries, regions) into the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, insert, select

from app.config import ROOT, boundary_dirs
from app.extensions import db
from app.models import Province, Region, RegionProvince, Subdistrict
from gis.boundaries import find_default_files, load_files
from gis.regions import RegionTable, parse_regions

DEFAULT_REGIONS = ROOT / "data" / "regions.csv"


def load_boundaries(paths: list[str | Path]) -> list[dict]:
    """Replace the levels found in `paths`, all in one transaction."""
    conn = db.session.connection()
    try:
        report = load_files(conn, paths)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def load_default_boundaries() -> list[dict]:
    """Load the boundary files from the configured folders."""
    files = find_default_files(boundary_dirs())
    if not files:
        searched = ", ".join(str(d) for d in boundary_dirs())
        raise FileNotFoundError(f"No tha_adm*.geojson boundary files in: {searched}")
    return load_boundaries(files)


def load_regions(path: str | Path = DEFAULT_REGIONS) -> RegionTable:
    """Replace the region table and memberships with those in the CSV."""
    table = parse_regions(path)
    db.session.execute(delete(RegionProvince))
    db.session.execute(delete(Region))
    db.session.execute(insert(Region), list(table.regions.values()))
    if table.memberships:
        db.session.execute(insert(RegionProvince), table.memberships)
    db.session.commit()
    return table


def provinces_without_region() -> list[str]:
    """Loaded provinces that no region places."""
    placed = select(RegionProvince.province_code).where(RegionProvince.is_primary)
    return list(db.session.scalars(select(Province.code).where(Province.code.not_in(placed))))


def reference_counts() -> dict[str, int]:
    return {
        "provinces": db.session.scalar(select(func.count()).select_from(Province)),
        "subdistricts": db.session.scalar(select(func.count()).select_from(Subdistrict)),
        "regions": db.session.scalar(select(func.count()).select_from(Region)),
    }
