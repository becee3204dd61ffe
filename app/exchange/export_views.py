"""GET /api/v1/export/<layer>?format=shp|gpkg|geojson|csv|kml|xlsx with the list filters.

CSV, GeoJSON and KML stream straight from a server-side cursor. Shapefile, GeoPackage
and XLSX are written in chunks to a private temp folder, which is removed before the
response starts: the open file is streamed and vanishes when the response closes.
Contact columns only for roles with `case.contacts` that ask with `include_contacts=true`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, redirect, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _

from app.api.params import bool_param
from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import BadRequest, NotFound
from app.exchange import api, job_handlers, queries
from app.jobs.service import accepted
from gis.exchange.formats import EXPORT_FORMATS

FORMATS = EXPORT_FORMATS  # the one registry (gis/exchange/formats.py): name, media type, extension, writer


def content_disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@dataclass
class Prepared:
    """An export checked and ready to write: its select, spec, format and the response headers."""

    layer: str
    fmt: str
    source: queries.ExportSource
    name: str
    headers: dict[str, str]


def prepare(layer: str) -> Prepared:
    """Check the layer, format and filters of the request; 404/400 for bad ones."""
    if layer not in queries.LAYERS:
        raise NotFound(_("ไม่มีชั้นข้อมูล %(l)s ใช้ได้: %(all)s", l=layer, all=", ".join(queries.LAYERS)))
    fmt = (request.args.get("format") or "shp").strip().lower()
    if fmt not in FORMATS:
        raise BadRequest(_("format ต้องเป็นหนึ่งใน %(all)s", all=", ".join(FORMATS)),
                         [{"field": "format", "message": "unknown format"}])
    asked = bool_param("include_contacts")
    with_contacts = asked and layer in ("cases", "case-footprints") and allowed(current_role(), "case.contacts")
    source = queries.export_source(layer, with_contacts=with_contacts)
    name = queries.file_name(layer, source.scope, FORMATS[fmt].extension)
    headers = {"Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store",
               "X-Contacts-Included": "true" if with_contacts else "false"}
    return Prepared(layer, fmt, source, name, headers)


def write_file(p: Prepared, folder: Path, rows: Callable[[Iterator[Sequence[Any]]], Iterator[Sequence[Any]]]
               = lambda chunks: chunks) -> Path:
    """Write the export into `folder` (the job's); `rows` may watch the row chunks go by."""
    spool, stream = FORMATS[p.fmt].spool, FORMATS[p.fmt].stream
    if p.fmt == "shp":
        p.source.spec.widths = queries.text_widths(p.source)
    if FORMATS[p.fmt].labelled:
        p.source.spec.value_labels = queries.value_labels(p.source.spec)
    chunks = rows(queries.rows_for(p.source, FORMATS[p.fmt].features))
    if stream is not None:
        path = folder / p.name
        with path.open("wb") as out:
            for piece in stream(chunks, p.source.spec):
                out.write(piece)
        return path
    written = spool(chunks, p.source.spec, folder, p.name.rsplit(".", 2 if p.fmt == "shp" else 1)[0])
    if written.name != p.name:
        written = written.rename(folder / p.name)
    return written


@api.get("/export/<layer>")
@require("read")
def export_layer(layer: str):
    """The layer as a file; same filters as the list; the name says layer, scope and date.

    A large export (JOB_EXPORT_MIN_ROWS rows or more) is a job: 202 with its URL (a browser
    asking for a page is sent to the job's page).
    """
    p = prepare(layer)
    if job_handlers.is_large_export(p.source):
        job = job_handlers.start_export(layer)
        if job_handlers.wants_page():
            return redirect(url_for("jobs.job_page", job_id=job.id), 303)
        return jsonify(accepted(job)), 202, {"Location": url_for("jobs_api.get_job", job_id=job.id)}
    mimetype, stream = FORMATS[p.fmt].media_type, FORMATS[p.fmt].stream
    if stream is not None:
        body = stream(queries.rows_for(p.source, FORMATS[p.fmt].features), p.source.spec)
        return Response(stream_with_context(body), mimetype=mimetype, headers=p.headers)
    work = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        handle = write_file(p, work).open("rb")
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the open handle keeps the data until the response closes
    response = send_file(handle, mimetype=mimetype, as_attachment=True, download_name=p.name, max_age=0)
    response.headers.update(p.headers)
    return response
