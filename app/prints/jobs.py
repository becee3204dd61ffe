"""Large map prints as background jobs (`app.jobs`), like large exports.

A map view of `JOB_PRINT_MIN_CASES` cases or more (the national map at 100,000 cases) is
queued instead of drawn inside the request: the API gets `202` with the job's URL, a person
the job's page, which offers the PDF when it is done. The job replays the request (path,
query, language, its owner signed in) through the same `service.map_pdf` as the immediate
answer. A shared link's PDF is never a job (a link has no account to own one).
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from app.exchange.job_handlers import wants_page
from app.jobs import service as jobs
from app.jobs.runner import Progress
from app.maps import queries as map_queries
from app.maps.service import lang
from app.maps.state import Scope, ViewState, parse_view
from app.models import Job
from app.prints import service

__all__ = ["is_large_print", "print_job", "start_print", "wants_page"]


def is_large_print(scope: Scope, view: ViewState) -> bool:
    """True when the view holds `JOB_PRINT_MIN_CASES` cases or more (counted up to that number only)."""
    if scope.public:
        return False
    limit = int(current_app.config["JOB_PRINT_MIN_CASES"])
    if limit <= 0:
        return True
    provinces = view.provinces if view.provinces is not None else scope.provinces
    f = map_queries.CaseFilter(statuses=view.statuses, provinces=provinces, as_of=view.as_of)
    return map_queries.count_cases(f, cap=limit) >= limit


def start_print(region_code: str | None) -> Job:
    """Queue the print the current request asks for (its path and query string are the job's)."""
    params = {"region": region_code, "lang": lang(),
              "request": {"path": request.path, "query": request.query_string.decode("latin-1")}}
    job, _folder = jobs.new_job("print", current_user, params)
    return jobs.submit(job)


def print_job(job: Job, report: Progress) -> jobs.Outcome:
    """Draw the PDF the job's request asked for into the job's folder."""
    report(0, 2, "drawing")
    scope, region = service.region_scope(job.params.get("region"))
    size = service.parse_size(request.args.get("size"))
    view = parse_view(request.args, scope)
    current = lang()
    body, filename, doc = service.map_pdf(scope, view, size=size, title=service.region_title(region, current),
                                          name=region.code if region else "thailand", lang=current)
    path = jobs.jobs_root() / (job.folder or job.id) / filename
    path.write_bytes(body)
    report(2, 2, "written")
    return jobs.Outcome(200, {"file": filename, "bytes": len(body), "cases": doc.total, "size": size},
                        download_name=filename)
