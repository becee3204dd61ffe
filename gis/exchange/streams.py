"""Streamed exports: CSV (UTF-8 with BOM, lon/lat, formulas neutralised), GeoJSON and KML.

Each yields bytes chunk by chunk from the row chunks (see `gis.exchange.writers.ExportSpec`
for the row layout; GeoJSON gets Feature texts built in the database instead), so memory
stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from gis.exchange.cells import neutralise
from gis.exchange.writers import ExportSpec, Rows, plain_value
from gis.geometry import from_db

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
KML_TYPES = {"int": "int", "float": "double", "bool": "bool"}


def csv_stream(chunks: Rows, spec: ExportSpec) -> Iterator[bytes]:
    """UTF-8 with BOM (Excel shows Thai), full field names, `lon`/`lat` last; formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.name for f in spec.fields] + ["lon", "lat"])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    for rows in chunks:
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            values = []
            for f, v in zip(spec.fields, row, strict=False):
                v = plain_value(v, f.kind)
                values.append("true" if v is True else "false" if v is False else neutralise(v))
            writer.writerow(values + [_coord(row[spec.width + 1]), _coord(row[spec.width + 2])])
        yield buffer.getvalue().encode("utf-8")


def _coord(value: Any) -> str:
    return "" if value is None else repr(float(value))


def geojson_stream(chunks: Iterator[Sequence[str]], spec: ExportSpec) -> Iterator[bytes]:
    """A FeatureCollection (RFC 7946, WGS 84) from chunks of Feature texts, one per line."""
    yield ('{"type": "FeatureCollection", "name": ' + json.dumps(spec.layer) + ', "features": [').encode()
    first = True
    for features in chunks:
        if features:
            yield (("" if first else ",\n") + ",\n".join(features)).encode("utf-8")
            first = False
    yield b"]}\n"


def _xml(value: Any) -> str:
    return escape(_XML_BAD.sub("", str(value)))


def _kml_colour(hex_rgb: str) -> str:
    rgb = hex_rgb.lstrip("#")
    return f"ff{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}"


def _kml_rings(polygon: Any) -> str:
    def ring(coords: Any) -> str:
        return "<LinearRing><coordinates>" + " ".join(f"{x!r},{y!r}" for x, y, *_ in coords) + \
               "</coordinates></LinearRing>"

    inner = "".join(f"<innerBoundaryIs>{ring(r.coords)}</innerBoundaryIs>" for r in polygon.interiors)
    return f"<Polygon><outerBoundaryIs>{ring(polygon.exterior.coords)}</outerBoundaryIs>{inner}</Polygon>"


def _kml_geometry(spec: ExportSpec, row: Sequence[Any]) -> str:
    if spec.geometry_type == "Point":
        lon, lat = row[spec.width + 1], row[spec.width + 2]
        return "" if lon is None else f"<Point><coordinates>{float(lon)!r},{float(lat)!r}</coordinates></Point>"
    wkb = row[spec.width]
    if wkb is None:
        return ""

    geom = from_db(wkb)
    polygons = list(getattr(geom, "geoms", [geom]))
    return "<MultiGeometry>" + "".join(_kml_rings(p) for p in polygons) + "</MultiGeometry>"


def kml_stream(chunks: Rows, spec: ExportSpec) -> Iterator[bytes]:
    """KML 2.2 for Google Earth: placemark names in Thai, every field as typed ExtendedData."""
    schema = "".join(f'<SimpleField name={quoteattr(f.name)} type="{KML_TYPES.get(f.kind, "string")}"/>'
                     for f in spec.fields)
    styles = "".join(f'<Style id="s-{_xml(value)}"><IconStyle><color>{_kml_colour(colour)}</color></IconStyle>'
                     f'<PolyStyle><color>80{_kml_colour(colour)[2:]}</color></PolyStyle></Style>'
                     for value, colour in spec.styles.items())
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           f'<name>{_xml(spec.layer)}</name>{styles}<Schema name={quoteattr(spec.layer)} '
           f'id={quoteattr(spec.layer)}>{schema}</Schema><Folder><name>{_xml(spec.layer)}</name>\n').encode()
    index = {f.name: i for i, f in enumerate(spec.fields)}
    for rows in chunks:
        parts = []
        for row in rows:
            name = row[index[spec.name_field]] if spec.name_field in index else None
            style = row[index[spec.style_field]] if spec.style_field in index else None
            data = "".join(f'<SimpleData name={quoteattr(f.name)}>{_xml(_kml_value(v, f.kind))}</SimpleData>'
                           for f, v in zip(spec.fields, row, strict=False) if v is not None)
            parts.append("<Placemark>" + (f"<name>{_xml(name)}</name>" if name is not None else "")
                         + (f"<styleUrl>#s-{_xml(style)}</styleUrl>" if style in spec.styles else "")
                         + f'<ExtendedData><SchemaData schemaUrl="#{_xml(spec.layer)}">{data}</SchemaData>'
                         + "</ExtendedData>" + _kml_geometry(spec, row) + "</Placemark>\n")
        if parts:
            yield "".join(parts).encode("utf-8")
    yield b"</Folder></Document></kml>\n"


def _kml_value(value: Any, kind: str) -> Any:
    value = plain_value(value, kind)
    return ("true" if value else "false") if isinstance(value, bool) else value
