"""The one export-format registry: name, label, media type, extension and writer of each format.

The export API, the case-list download links and the import page all read it; a format
added here is offered everywhere. `spool` writers make a file in a work folder (shapefile,
GeoPackage, XLSX); `stream` writers yield bytes straight from the database cursor (CSV,
GeoJSON, KML); a `features` writer is given GeoJSON Feature texts already built in the
database (the app's one FeatureCollection builder) instead of rows. `importable`: the import
readers take the format back (round trip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gis.exchange import people_xlsx, streams, writers


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    media_type: str
    extension: str
    spool: Callable[..., Any] | None = None
    stream: Callable[..., Any] | None = None
    importable: bool = True
    accept: tuple[str, ...] = ()  # file name endings the import page offers for it
    features: bool = False  # the writer reads GeoJSON Feature texts built in the database, not rows
    labelled: bool = False  # shows names for codes (ExportSpec.value_labels: the export fills them)

    def __post_init__(self) -> None:
        if (self.spool is None) == (self.stream is None):
            raise ValueError(f"{self.name}: give either a spooled or a streamed writer")


EXPORT_FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("shp", "Shapefile", "application/zip", "shp.zip", spool=writers.write_shapefile_zip,
                 accept=(".zip",)),
    ExportFormat("gpkg", "GeoPackage", "application/geopackage+sqlite3", "gpkg", spool=writers.write_gpkg,
                 accept=(".gpkg",)),
    ExportFormat("kml", "KML", "application/vnd.google-earth.kml+xml", "kml", stream=streams.kml_stream,
                 importable=False),
    ExportFormat("csv", "CSV", "text/csv; charset=utf-8", "csv", stream=streams.csv_stream, accept=(".csv",)),
    ExportFormat("xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                 spool=writers.write_xlsx, accept=(".xlsx",)),
    ExportFormat("geojson", "GeoJSON", "application/geo+json", "geojson", stream=streams.geojson_stream,
                 accept=(".geojson", ".json"), features=True),
    # the people's spreadsheet: Thai headings and labels, B.E. dates; the importer reads it back
    ExportFormat("xlsx-th", "Excel (ภาษาไทย)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "th.xlsx", spool=people_xlsx.write_people_xlsx, accept=(".xlsx",), labelled=True),
)}


def import_accept() -> str:
    """The `accept=` list of the import page's file input."""
    return ",".join(dict.fromkeys(ending for f in EXPORT_FORMATS.values() if f.importable for ending in f.accept))
