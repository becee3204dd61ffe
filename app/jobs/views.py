"""GET /api/v1/jobs/<id> (state, progress, result, errors, download), its download, and /jobs/<id>.

Another user's job is a 404 (admins see all). The page shows a progress bar that follows
the job by itself (static/jobs/job.js) and, when the job ends, its result.
"""

from __future__ import annotations

from flask import jsonify, render_template, send_file
from flask_login import current_user

from app.auth.security import require
from app.errors import NotFound
from app.jobs import api, pages, service
from app.jobs.runner import HANDLERS  # noqa: F401  (the kinds a job can be)


@api.get("/jobs/<job_id>")
@require("read")
def get_job(job_id: str):
    job = service.get_for(job_id, current_user)
    return jsonify(service.as_json(job)), 200, {"Cache-Control": "private, no-store"}


@api.get("/jobs/<job_id>/download")
@require("read")
def download(job_id: str):
    """The file a finished export wrote (kept for a day)."""
    from app.exchange.export_views import FORMATS, content_disposition

    job = service.get_for(job_id, current_user)
    path = service.download_path(job)
    if path is None:
        raise NotFound(str(service.MESSAGES["file_gone"]))
    fmt = next((name for name, f in FORMATS.items() if path.name.endswith("." + f.extension)), "csv")
    mimetype = "application/pdf" if job.kind == "print" else FORMATS[fmt].media_type   # a map print (app.prints.jobs)
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=path.name, max_age=0)
    contacts = bool((job.result or {}).get("contacts_included"))
    response.headers.update({"Content-Disposition": content_disposition(path.name),
                             "Cache-Control": "private, no-store",
                             "X-Contacts-Included": "true" if contacts else "false"})
    return response


@pages.get("/<job_id>")
@require("read")
def job_page(job_id: str):
    job = service.get_for(job_id, current_user)
    data = service.as_json(job)
    result = job.result or {}
    return render_template("jobs/job.html", job=job, data=data, result=result,
                           rows=result.get("preview_rows") or [],
                           more=max(int(result.get("rows_total") or 0) - len(result.get("preview_rows") or []), 0))
