"""POST /api/v1/imports/<layer>: multipart `file`; `dry_run=true` validates only; `crs=EPSG:xxxx`
for a file without a coordinate system; `encoding=utf-8|tis-620` to skip detection;
`format=` to override the file name; `layer=` for a GeoPackage with several layers.

Answer: `{"created", "updated", "unchanged", "errors": [{"row", "field", "message"}], "dry_run", ...}`,
200 when every row is valid, 422 (with the same report and the usual `error` member) when
any row is not, in which case nothing was written. Row 1 is the heading; data start at row 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.api.params import bool_value
from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import BadRequest, NotFound
from app.exchange import api, job_handlers, uploads
from app.exchange.messages import service_error
from app.exchange.report import Report
from app.jobs.service import accepted
from gis.exchange.errors import ExchangeError
from gis.exchange.readers import Table, parse_crs
from gis.exchange.schema import map_headers, read_labels
from gis.fields import LAYER_FIELDS

IMPORT_PARAMS = {"file", "dry_run", "crs", "encoding", "format", "layer", "lang"}


def importers() -> dict[str, Any]:
    from app.exchange.import_cases import import_cases
    from app.exchange.import_funds import import_funds
    from app.exchange.import_pilots import import_pilots

    return {"cases": import_cases, "pilot-areas": import_pilots, "funds": import_funds}


def _value(name: str) -> str | None:
    value = request.form.get(name)
    if value is None:
        value = request.args.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def flag(name: str) -> bool:
    return bool_value(name, _value(name))


def options(gpkg_field: str = "layer") -> dict[str, Any]:
    """crs, encoding and the GeoPackage layer from the form or the query string (checked).

    The API names the GeoPackage layer `layer` (the dataset is in its path); the page's form
    uses `layer` for the dataset, so it asks for `gpkg_layer`.
    """
    try:
        crs = parse_crs(_value("crs"))
    except ExchangeError as exc:
        raise service_error(exc) from None
    return {"crs": crs, "encoding": _value("encoding"), "layer": _value(gpkg_field)}


def run_import(layer: str, path: Path, fmt: str, opts: dict[str, Any], *, dry_run: bool,
               filename: str | None, on_table: Callable[[Table], None] | None = None) -> Report:
    """Read the saved upload and hand its rows to the layer's importer (`on_table` sees the rows first).

    A people's spreadsheet (Thai headings and value labels) reads like the round-trip one; the
    report's errors then name the file's own headings (`Report.explain`)."""
    table = uploads.read_table(path, fmt, crs=opts.get("crs"), encoding=opts.get("encoding"),
                               layer=opts.get("layer"))
    fields = LAYER_FIELDS[layer]
    note = _("นำเข้าจากไฟล์ %(f)s", f=(filename or "")[:200]) if filename else _("นำเข้าจากไฟล์")
    try:
        header = map_headers(table.headers, fields)
        read_labels(table.rows, header, fields)
        if on_table is not None:
            on_table(table)
        report = importers()[layer](table, current_user, dry_run=dry_run,
                                    may_set_sensitive=allowed(current_role(), "case.contacts"), note=note)
    except ExchangeError as exc:  # e.g. no known column: a 4xx like the read errors
        raise service_error(exc) from None
    report.explain(table, header, fields)
    return report


def check_layer(layer: str) -> None:
    if layer not in importers():
        raise NotFound(_("นำเข้าชั้นข้อมูล %(l)s ไม่ได้ ใช้ได้: %(all)s", l=layer, all=", ".join(importers())))


@api.post("/imports/<layer>")
@require("import")
def import_layer(layer: str):
    """Validate every row; write all of them in one transaction, or none."""
    check_layer(layer)
    unknown = sorted(k for k in set(request.args) | set(request.form) if k not in IMPORT_PARAMS)
    if unknown:
        raise BadRequest(_("ไม่รู้จักพารามิเตอร์ %(p)s ใช้ได้: %(all)s", p=", ".join(unknown),
                           all=", ".join(sorted(IMPORT_PARAMS))),
                         [{"field": k, "message": "unknown parameter"} for k in unknown])
    dry_run, opts = flag("dry_run"), options()
    file = request.files.get("file")
    with uploads.scratch() as folder:
        path, fmt = uploads.save_upload(file, folder, _value("format"))
        filename = file.filename if file else None
        if job_handlers.is_large_upload(path):  # a job: 202 and where to follow it
            job = job_handlers.start_import(layer, path, fmt, opts, dry_run=dry_run, filename=filename)
            return jsonify(accepted(job)), 202, {"Location": url_for("jobs_api.get_job", job_id=job.id)}
        report = run_import(layer, path, fmt, opts, dry_run=dry_run, filename=filename)
    body, status = report_body(report)
    return jsonify(body), status


def report_body(report: Report) -> tuple[dict[str, Any], int]:
    """The API's answer to an import: the report, with the usual `error` member and 422 when rows failed."""
    body = report.as_json()
    if report.errors:
        rows = sorted({e["row"] for e in report.errors})
        listed = ", ".join(str(r) for r in rows[:20]) + (" ..." if len(rows) > 20 else "")
        message = _("ข้อมูลไม่ถูกต้อง %(n)s แถว (แถวที่ %(rows)s): ไม่ได้บันทึกข้อมูลใด ๆ", n=len(rows), rows=listed)
        if any(e.get("reason") == "out_of_scope" for e in report.errors):
            body["error"] = {"code": "out_of_scope", "message": _("แถวที่ %(rows)s อยู่นอกภาคของบัญชีคุณ: "
                                                                  "ไม่ได้บันทึกข้อมูลใด ๆ", rows=listed),
                             "details": body["errors"]}
            return body, 403
        body["error"] = {"code": "validation_error", "message": message, "details": body["errors"]}
        return body, 422
    return body, 200

