"""Parse the CODI region/zone table (CSV) and find provinces listed in more than one region."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from gis.errors import GisError

COLUMNS = ["region_code", "parent_code", "kind", "name_th", "name_en", "province_code", "primary", "note"]


@dataclass
class RegionTable:
    """Regions and zones with their province memberships."""

    regions: dict[str, dict] = field(default_factory=dict)
    memberships: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)


def _top(code: str, regions: dict[str, dict]) -> str:
    seen = set()
    while regions[code]["parent_code"] and code not in seen:
        seen.add(code)
        code = regions[code]["parent_code"]
    return code


def parse_regions(path: str | Path) -> RegionTable:
    """Read the table; a province placed in two top-level regions keeps one and is flagged."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GisError(f"Cannot read the region table: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:6] if c not in (reader.fieldnames or [])]
    if missing:
        raise GisError(f"The region table lacks the columns: {', '.join(missing)}")
    table = RegionTable()
    for number, row in enumerate(reader, start=2):
        _add_row(table, row, number)
    for region in table.regions.values():
        if region["parent_code"] and region["parent_code"] not in table.regions:
            raise GisError(f"Region {region['code']} names an unknown parent {region['parent_code']}")
    _flag_conflicts(table)
    return table


def _add_row(table: RegionTable, row: dict, number: int) -> None:
    code = (row.get("region_code") or "").strip()
    if not code:
        raise GisError(f"Row {number}: region_code is empty")
    table.regions.setdefault(code, {
        "code": code, "parent_code": (row.get("parent_code") or "").strip() or None,
        "kind": (row.get("kind") or "region").strip(), "name_th": (row.get("name_th") or code).strip(),
        "name_en": (row.get("name_en") or code).strip(), "sort_order": len(table.regions),
    })
    province = (row.get("province_code") or "").strip().upper().removeprefix("TH")
    if not province:
        return
    if not (province.isdigit() and len(province) == 2):
        raise GisError(f"Row {number}: province_code {province!r} is not a two-digit DOPA code")
    table.memberships.append({
        "region_code": code, "province_code": province,
        "is_primary": (row.get("primary") or "yes").strip().lower() not in ("no", "false", "0"),
        "note": (row.get("note") or "").strip() or None,
    })


def _flag_conflicts(table: RegionTable) -> None:
    by_province: dict[str, list[dict]] = {}
    for member in table.memberships:
        by_province.setdefault(member["province_code"], []).append(member)
    for province, members in by_province.items():
        tops = {_top(m["region_code"], table.regions) for m in members}
        if len(tops) < 2:
            continue
        primary = next((m for m in members if m["is_primary"]), members[0])
        for m in members:
            m["is_primary"] = m is primary
        table.conflicts.append({
            "province_code": province, "kept": primary["region_code"],
            "also_listed_in": [m["region_code"] for m in members if m is not primary],
        })
