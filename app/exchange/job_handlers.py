"""Imports and exports as background jobs (`app.jobs`): when, how they start, how they run.

An upload of `JOB_IMPORT_MIN_BYTES` or more, or an export of `JOB_EXPORT_MIN_ROWS` rows or
more, is queued instead of answered at once. The job reruns the same code as the immediate
answer (`run_import`, `export_views.write_file`) and stores the same answer as its result.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from app.errors import Gone
from app.exchange.queries import ExportSource
from app.extensions import db
from app.jobs import service
from app.jobs.runner import Progress
from app.models import Job
from gis.exchange.readers import Table

PREVIEW_ROWS = 500
WRITTEN = {"cases": ("land_cases", "history", "status_moves", "case_edits"), "funds": ("funds", "history"),
           "pilot-areas": ("pilot_areas", "history")}
PROGRESS_EVERY = 2_000
PROGRESS_SECONDS = 0.5


def is_large_upload(path: Path) -> bool:
    return path.stat().st_size >= int(current_app.config["JOB_IMPORT_MIN_BYTES"])


def is_large_export(source: ExportSource) -> bool:
    limit = int(current_app.config["JOB_EXPORT_MIN_ROWS"])
    if limit <= 0:
        return True
    # count at most `limit` rows: cheap however big the layer is
    capped = source.stmt.order_by(None).limit(limit).subquery()
    return db.session.execute(select(func.count()).select_from(capped)).scalar_one() >= limit


def wants_page() -> bool:
    """A browser following a link (it prefers HTML) rather than a program asking for JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


def _lang() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "th")


def start_import(layer: str, path: Path, fmt: str, opts: dict[str, Any], *, dry_run: bool, filename: str | None,
                 stash_token: str | None = None, dedupe_key: str | None = None) -> Job:
    """Queue an import of the saved upload. The page's preview reads the file where it waits for
    the confirm (`stash_token`); otherwise the file moves into the job's own folder."""
    params: dict[str, Any] = {"layer": layer, "format": fmt, "options": opts, "dry_run": dry_run,
                              "filename": (filename or "")[:200], "lang": _lang(), "token": stash_token,
                              "request": {"path": request.path}}
    job, folder = service.new_job("import", current_user, params, dedupe_key=dedupe_key)
    root = Path(current_app.config["UPLOAD_DIR"])
    if stash_token:
        params["path"] = str(path.relative_to(root))
    else:
        target = folder / path.name
        shutil.move(str(path), target)
        params["path"] = str(target.relative_to(root))
    return service.submit(job)


class _Watched:
    """The table's rows (a list, or a CSV's lazy rows: never copied), reporting how many the importer
    has gone through."""

    def __init__(self, rows: Collection, report: Progress) -> None:
        self._rows, self._report = rows, report

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator:
        return self._watch(iter(self._rows))

    def _watch(self, items: Iterator) -> Iterator:
        total, reported = len(self), time.monotonic()
        for number, item in enumerate(items, 1):
            # a write of its own each time: not more often than the page asks (100,000 unchanged rows
            # pass in about a second)
            if number % PROGRESS_EVERY == 0 and time.monotonic() - reported >= PROGRESS_SECONDS:
                self._report(number, total, "checking")
                reported = time.monotonic()
            yield item
        self._report(total, total, "writing")

    def __getattr__(self, name: str) -> Any:
        """A CSV's raw records (`CsvRows.records`, `records_but`: watched the same way), `make` and what
        its COPY needs (`unchanged.copied`); AttributeError for rows that have none (a list)."""
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "records" and hasattr(self._rows, "records"):
            return lambda: self._watch(self._rows.records())
        if name == "records_but" and hasattr(self._rows, "records_but"):
            return lambda skip, whole=0: self._watch(self._rows.records_but(skip, whole))
        if name in ("make", "simple", "copy_blocks", "data_lines", "delimiter", "headers"):
            return getattr(self._rows, name)
        raise AttributeError(name)


def import_job(job: Job, report: Progress) -> service.Outcome:
    from app.exchange.import_views import report_body, run_import

    p = job.params
    path = Path(current_app.config["UPLOAD_DIR"]) / p["path"]
    if not path.is_file():
        raise Gone(str(service.MESSAGES["file_gone"]), code="file_gone")
    report(0, None, "reading")

    def watch(table: Table) -> None:
        report(0, len(table.rows), "checking")
        table.rows = _Watched(table.rows, report)

    result = run_import(p["layer"], path, p["format"], p["options"], dry_run=p["dry_run"], filename=p["filename"],
                        on_table=watch)
    body, status = report_body(result)
    body["preview_rows"] = result.rows[:PREVIEW_ROWS]
    body["rows_total"] = result.rows_total
    wrote = status == 200 and not p["dry_run"] and (result.created or result.updated)
    return service.Outcome(status, body, errors=body["errors"], analyze=WRITTEN[p["layer"]] if wrote else ())


def start_export(layer: str) -> Job:
    """Queue the export the current request asks for (its query string is the job's)."""
    params = {"layer": layer, "lang": _lang(),
              "request": {"path": request.path, "query": request.query_string.decode("latin-1")}}
    job, _folder = service.new_job("export", current_user, params)
    return service.submit(job)


def export_job(job: Job, report: Progress) -> service.Outcome:
    from app.exchange.export_views import prepare, write_file

    prepared = prepare(job.params["layer"])
    total = db.session.execute(select(func.count()).select_from(
        prepared.source.stmt.order_by(None).subquery())).scalar_one()
    report(0, total, "writing")

    def watch(chunks: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        done = 0
        for rows in chunks:
            yield rows
            done += len(rows)
            report(done, total, "writing")

    path = write_file(prepared, service.jobs_root() / (job.folder or job.id), watch)
    result = {"file": path.name, "rows": total, "bytes": path.stat().st_size,
              "contacts_included": prepared.headers.get("X-Contacts-Included") == "true"}
    return service.Outcome(200, result, download_name=path.name)
