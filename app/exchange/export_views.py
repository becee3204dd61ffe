"""GET /api/v1/export/<layer>?format=shp|gpkg|geojson|csv|kml|xlsx with the list filters.

CSV, GeoJSON and KML stream straight from a server-side cursor. Shapefile, GeoPackage
and XLSX are written in chunks to a private temp folder, which is removed before the
response starts: the open file is streamed and vanishes when the response closes.
Contact columns only for roles with `case.contacts` that ask with `include_contacts=true`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import Response, request, send_file, stream_with_context
from flask_babel import gettext as _

from app.api.params import bool_param
from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import BadRequest, NotFound
from app.exchange import api, queries
from gis.exchange import streams, writers

FORMATS = {
    # format: (extension, mimetype, spooled writer or None for streamed)
    "shp": ("shp.zip", "application/zip", writers.write_shapefile_zip),
    "gpkg": ("gpkg", "application/geopackage+sqlite3", writers.write_gpkg),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", writers.write_xlsx),
    "geojson": ("geojson", "application/geo+json", None),
    "csv": ("csv", "text/csv; charset=utf-8", None),
    "kml": ("kml", "application/vnd.google-earth.kml+xml", None),
}
STREAMS = {"geojson": streams.geojson_stream, "csv": streams.csv_stream, "kml": streams.kml_stream}


def content_disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@api.get("/export/<layer>")
@require("read")
def export_layer(layer: str):
    """The layer as a file; same filters as the list; the name says layer, scope and date."""
    if layer not in queries.LAYERS:
        raise NotFound(_("ไม่มีชั้นข้อมูล %(l)s ใช้ได้: %(all)s", l=layer, all=", ".join(queries.LAYERS)))
    fmt = (request.args.get("format") or "shp").strip().lower()
    if fmt not in FORMATS:
        raise BadRequest(_("format ต้องเป็นหนึ่งใน %(all)s", all=", ".join(FORMATS)),
                         [{"field": "format", "message": "unknown format"}])
    asked = bool_param("include_contacts")
    with_contacts = asked and layer in ("cases", "case-footprints") and allowed(current_role(), "case.contacts")
    source = queries.export_source(layer, with_contacts=with_contacts)
    extension, mimetype, spool = FORMATS[fmt]
    name = queries.file_name(layer, source.scope, extension)
    headers = {"Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store",
               "X-Contacts-Included": "true" if with_contacts else "false"}
    if spool is None:
        body = STREAMS[fmt](queries.chunks(source.stmt), source.spec)
        return Response(stream_with_context(body), mimetype=mimetype, headers=headers)
    if fmt == "shp":
        source.spec.widths = queries.text_widths(source)
    work = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        path = spool(queries.chunks(source.stmt), source.spec, work, name.rsplit(".", 2 if fmt == "shp" else 1)[0])
        handle = path.open("rb")
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the open handle keeps the data until the response closes
    response = send_file(handle, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.headers.update(headers)
    return response
