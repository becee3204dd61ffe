"""Column names in exchanged files: full names, shapefile names, Thai labels, all from `gis.fields`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from gis.exchange.errors import ExchangeError
from gis.fields import Field

LOCATION_COLUMNS = ("lon", "lat")
# the people's spreadsheet heads the point's columns in Thai (gis.exchange.writers.write_people_xlsx)
LOCATION_LABELS = {"lon": ("ลองจิจูด", "Longitude"), "lat": ("ละติจูด", "Latitude")}
BOOL_LABELS = {True: ("ใช่", "Yes"), False: ("ไม่ใช่", "No")}


def _key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def aliases(fields: list[Field]) -> dict[str, str]:
    """Every accepted column heading (lower case) -> field name: full name, shapefile name, Thai and
    English label."""
    out: dict[str, str] = {}
    for f in fields:
        for alias in (f.label_en, f.label_th, f.shp, f.name):  # full names win over the others
            out[_key(alias)] = f.name
    for name in LOCATION_COLUMNS:
        out.update({_key(label): name for label in LOCATION_LABELS[name]})
        out[name] = name
    out.update({"longitude": "lon", "latitude": "lat", "x": "lon", "y": "lat"})
    return out


def value_labels(f: Field) -> dict[str, str]:
    """A field's Thai and English value labels (lower case) -> the stored value (vocabularies, yes/no)."""
    if f.kind == "enum":
        return {_key(text): name for name, labels in (f.choices or {}).items() for text in labels}
    if f.kind == "bool":
        return {_key(text): "true" if value else "false" for value, labels in BOOL_LABELS.items() for text in labels}
    return {}


def read_labels(rows: list[Any], header: HeaderMap, fields: list[Field]) -> None:
    """Put the stored values back where a people's file has labels (`เจรจา` -> `negotiating`), in place.

    Only cells that are a label of their column's field change; anything else is left for the
    validator to judge (and name)."""
    by_name = {f.name: f for f in fields}
    columns = [(index, labels) for index, name in header.columns.items()
               if name in by_name and (labels := value_labels(by_name[name]))]
    for row in rows if columns else ():
        values = row.values
        for index, labels in columns:
            if index < len(values) and isinstance(values[index], str):
                stored = labels.get(_key(values[index]))
                if stored is not None:
                    values[index] = stored


@dataclass
class HeaderMap:
    """Which column of the file feeds which field; unknown headings are listed, not used."""

    columns: dict[int, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)  # field name -> the file's own heading

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
        result.headings[name] = heading.strip()
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
