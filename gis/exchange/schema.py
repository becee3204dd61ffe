"""Column names in exchanged files: full names, shapefile names, Thai labels, all from `gis.fields`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from gis.exchange.errors import ExchangeError
from gis.fields import Field

LOCATION_COLUMNS = ("lon", "lat")


def _key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def aliases(fields: list[Field]) -> dict[str, str]:
    """Every accepted column heading (lower case) -> field name: full name, shapefile name, Thai label."""
    out: dict[str, str] = {}
    for f in fields:
        for alias in (f.label_th, f.shp, f.name):  # full names win over the others
            out[_key(alias)] = f.name
    for name in LOCATION_COLUMNS:
        out[name] = name
    out.update({"longitude": "lon", "latitude": "lat", "x": "lon", "y": "lat"})
    return out


@dataclass
class HeaderMap:
    """Which column of the file feeds which field; unknown headings are listed, not used."""

    columns: dict[int, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return set(self.columns.values())


def map_headers(headers: list[str], fields: list[Field], *, geometry_columns: tuple[str, ...] = ()) -> HeaderMap:
    """Match headings to fields (case-insensitive); refuse a field given twice."""
    known = aliases(fields)
    result = HeaderMap()
    seen: dict[str, str] = {}
    for index, heading in enumerate(headers):
        heading = heading if isinstance(heading, str) else ("" if heading is None else str(heading))
        key = _key(heading)
        if not key or key in geometry_columns:
            continue
        name = known.get(key)
        if name is None:
            result.ignored.append(heading)
            continue
        if name in seen:
            raise ExchangeError("duplicate_column", f"Columns {seen[name]!r} and {heading!r} both give {name}",
                                first=seen[name], second=heading, field=name)
        seen[name] = heading
        result.columns[index] = name
    if not result.columns and not geometry_columns:
        raise ExchangeError("no_known_column", "No column heading matches a field of this layer",
                            headings=", ".join(h for h in map(str, headers[:5]))[:120])
    return result


def fields_csv(fields: list[Field]) -> bytes:
    """`fields.csv` of a shapefile export: shapefile name, full name, Thai and English labels (UTF-8, BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["shapefile_name", "field_name", "label_th", "label_en", "type"])
    for f in fields:
        writer.writerow([f.shp, f.name, f.label_th, f.label_en, f.kind])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
