"""PDF routes: `/map.pdf`, `/map/<region>.pdf`, `/s/<token>.pdf`, `/pilot-areas/<id>.pdf`, `/cases/<id>.pdf`.

The map prints read the same query as the map page (`status=`, `layers=`, `province=`, `as_of=`)
plus `size=A4|A3`; a share link frozen at a date prints that date.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from app import places
from app.auth.security import current_role, require
from app.extensions import limiter
from app.i18n import buddhist_date
from app.jobs.service import accepted
from app.maps.service import lang
from app.maps.state import Scope, parse_view
from app.models import Region
from app.prints import jobs, pages, records, service
from app.prints.render import pdf_response, render_pdf, safe_filename
from app.sharing import service as sharing


def _map_pdf(scope: Scope, region: Region | None, *, title: str, name: str,
             extra: list[str] | None = None) -> Response | tuple[Response, int, dict[str, str]]:
    """The PDF at once, or, for a view of many cases (JOB_PRINT_MIN_CASES), a job: 202 and its URL for
    programs, the job's progress page for people (a shared link's PDF is always immediate)."""
    size = service.parse_size(request.args.get("size"))
    view = parse_view(request.args, scope)
    if jobs.is_large_print(scope, view):
        job = jobs.start_print(region.code if region else None)
        if jobs.wants_page():
            return redirect(url_for("jobs.job_page", job_id=job.id), 303)
        return jsonify(accepted(job)), 202, {"Location": url_for("jobs_api.get_job", job_id=job.id)}
    body, filename, _doc = service.map_pdf(scope, view, size=size, title=title, name=name, lang=lang(), extra=extra)
    return pdf_response(body, filename)


@pages.get("/map.pdf")
@require("read")
def national_map_pdf():
    """The national map on paper (`size=A4|A3`, `status=`, `layers=`, `province=`)."""
    return _map_pdf(Scope(), None, title=service.region_title(None, lang()), name="thailand")


@pages.get("/map/<region_code>.pdf")
@require("read")
def region_map_pdf(region_code: str):
    """One region's or zone's map on paper; an unknown region is a 404."""
    scope, region = service.region_scope(region_code)
    return _map_pdf(scope, region, title=service.region_title(region, lang()), name=region.code if region else "")


@pages.get("/s/<token>.pdf")
@limiter.shared_limit(lambda: current_app.config["SHARE_RATE_LIMIT"], scope="share-links")
def shared_map_pdf(token: str):
    """A shared link's map on paper: public fields only; 404 unknown, 410 revoked or expired."""
    link = sharing.resolve(token)
    scope = sharing.scope_of(link)
    region = places.region(link.region_code)
    current = lang()
    place = (region.name_th if current == "th" else region.name_en) if region else _("ทั้งประเทศ")
    note = _("แผนที่อ่านอย่างเดียว ใช้ได้ถึง %(date)s", date=buddhist_date(link.expires_at, current))
    response = _map_pdf(scope, region, title=_("แผนที่กรณีปัญหาที่ดิน %(region)s", region=place),
                        name=link.region_code or "thailand", extra=[note])
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@pages.get("/pilot-areas/<int:pilot_id>.pdf")
@require("read")
def pilot_brief_pdf(pilot_id: int):
    """A pilot subdistrict's site brief (A4 landscape)."""
    current = lang()
    doc = records.pilot_brief(pilot_id, current)
    p = doc["p"]
    title = _("ข้อมูลพื้นที่รูปธรรม %(name)s", name=p["name_th"] or p.get("subdistrict_name_th") or "")
    body = render_pdf("print/pilot.html", doc=doc, p=p, doc_title=title, size="A4", printed_on=doc["printed_on"],
                      sample=bool(p.get("is_sample")), subtitle=_("ตำบล%(s)s อำเภอ%(d)s จังหวัด%(p)s", s=p.get(
                          "subdistrict_name_th") or "", d=p.get("district_name_th") or "",
                          p=p.get("province_name_th") or ""))
    return pdf_response(body, safe_filename("pilot", str(pilot_id), p["subdistrict_code"]))


@pages.get("/cases/<int:case_id>.pdf")
@require("read")
def case_dossier_pdf(case_id: int):
    """A land case's dossier: what the reader may see of it on screen."""
    current = lang()
    doc = records.case_dossier(case_id, current_role(), current)
    case = doc["case"]
    title = f"{case.code} {case.community_name}"
    body = render_pdf("print/case.html", doc=doc, case=case, doc_title=title, size="A4",
                      printed_on=doc["printed_on"], sample=bool(case.is_sample),
                      subtitle=_("แฟ้มข้อมูลกรณีปัญหาที่ดิน"))
    return pdf_response(body, safe_filename("case", case.code))
