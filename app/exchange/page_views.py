"""The import page at /imports: upload, dry-run preview (rows and errors), then confirm.

Between preview and confirm the upload waits in `UPLOAD_DIR/imports/<random id>/` (see
`app.exchange.uploads`), bound to the user and removed on confirm, on cancel or after
30 minutes; the confirm step reads and validates the file again before writing.
Exports are linked from here too.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.security import require
from app.errors import Gone, ServiceError, gis_error
from app.exchange import job_handlers, pages, uploads
from app.exchange.import_views import check_layer, importers, options, run_import
from app.jobs import service as job_service
from gis.errors import GisError
from gis.exchange.formats import EXPORT_FORMATS as FORMATS
from gis.exchange.formats import import_accept

PREVIEW_ROWS = 500
RESULT_KEY, RESULT_CODES = "import_result", 40  # codes kept in the (cookie) session for the result page
EXPORT_FORMATS = tuple(FORMATS)  # the one registry: gis/exchange/formats.py


def _form(errors: list | None = None, status: int = 200, **context):
    return render_template("exchange/import.html", layers=list(importers()), formats=EXPORT_FORMATS,
                           accept=import_accept(),
                           errors=errors or [], **context), status


@pages.get("/")
@pages.get("")
@require("import")
def import_form():
    """The upload form, and links to the exports."""
    return _form()


@pages.post("/preview")
@require("import")
def import_preview():
    """Save the upload, validate every row (nothing written) and show what would happen."""
    layer = request.form.get("layer") or "cases"
    try:
        check_layer(layer)
        opts = options(gpkg_field="gpkg_layer")
        file = request.files.get("file")
        meta = {"user_id": current_user.id, "layer": layer, "filename": (file.filename if file else "")[:200],
                "options": opts}  # crs, encoding, the GeoPackage layer: read again on confirm
        token, path, fmt = uploads.stash(file, meta, request.form.get("format") or None)
    except ServiceError as exc:
        return _form([{"row": "", "field": "file", "message": exc.message}], exc.status)
    if job_handlers.is_large_upload(path):  # checked by the worker; the upload waits for the confirm
        job = job_handlers.start_import(layer, path, fmt, opts, dry_run=True, filename=meta["filename"],
                                        stash_token=token)
        return redirect(url_for("jobs.job_page", job_id=job.id), 303)
    try:
        report = run_import(layer, path, fmt, opts, dry_run=True, filename=meta["filename"])
    except (ServiceError, GisError) as exc:
        uploads.discard(token)
        exc = exc if isinstance(exc, ServiceError) else gis_error(exc)
        return _form([{"row": "", "field": "file", "message": exc.message}], exc.status)
    if report.errors:
        uploads.discard(token)
        token = None
    return render_template("exchange/preview.html", report=report, rows=report.rows[:PREVIEW_ROWS],
                           more=max(len(report.rows) - PREVIEW_ROWS, 0), token=token, layer=layer,
                           filename=meta["filename"], fmt=fmt), 422 if report.errors else 200


@pages.post("/confirm")
@require("import")
def import_confirm():
    """Import the file previewed (validated again: the data may have changed meanwhile).

    A double click imports once: the second request finds the upload claimed (410), or, for a
    large file, is sent to the job the first one started.
    """
    token = request.form.get("token", "")
    try:
        with uploads.claimed(token, current_user.id) as (path, meta):
            if job_handlers.is_large_upload(path):
                job = job_handlers.start_import(meta["layer"], path, meta["format"], meta["options"], dry_run=False,
                                                filename=meta["filename"], dedupe_key=token)
                return redirect(url_for("jobs.job_page", job_id=job.id), 303)
            report = run_import(meta["layer"], path, meta["format"], meta["options"], dry_run=False,
                                filename=meta["filename"])
    except Gone:
        started = job_service.by_dedupe_key(token, current_user) if uploads.TOKEN_RE.match(token) else None
        if started is None:
            raise
        return redirect(url_for("jobs.job_page", job_id=started.id), 303)
    except GisError as exc:  # a file refused on the second reading: shown on the form, like the first
        err = gis_error(exc)
        return _form([{"row": "", "field": "file", "message": err.message}], err.status)
    if report.errors:
        return render_template("exchange/preview.html", report=report, rows=report.rows[:PREVIEW_ROWS],
                               more=max(len(report.rows) - PREVIEW_ROWS, 0), token=None, layer=meta["layer"],
                               filename=meta["filename"], fmt=meta["format"]), 422
    flash(_("นำเข้าแล้ว: สร้างใหม่ %(c)s รายการ แก้ไข %(u)s รายการ ไม่เปลี่ยนแปลง %(n)s รายการ",
            c=report.created, u=report.updated, n=report.unchanged), "success")
    session[RESULT_KEY] = result_summary(meta["layer"], meta["filename"], report.rows)
    return redirect(url_for("exchange.import_result"), 303)


def result_summary(layer: str, filename: str, rows: list[dict]) -> dict:
    """What the result page links: the codes of the new and the changed cases (the first few; the
    case list, recently changed first, holds them all)."""
    def codes(action: str) -> list[str]:
        return [r["code"] for r in rows if r.get("action") == action and r.get("code")]

    new, changed = codes("create"), codes("update")
    return {"layer": layer, "filename": filename[:100], "created": len(new), "updated": len(changed),
            "new": new[:RESULT_CODES], "changed": changed[:RESULT_CODES]}


@pages.get("/result")
@require("import")
def import_result():
    """The last import's result: counts and links to the new and changed cases."""
    result = session.get(RESULT_KEY)
    if not result:
        return redirect(url_for("exchange.import_form"))
    return render_template("exchange/result.html", result=result)


@pages.post("/cancel")
@require("import")
def import_cancel():
    uploads.discard(request.form.get("token", ""))
    return redirect(url_for("exchange.import_form"))
