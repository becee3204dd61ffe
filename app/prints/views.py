"""PDF routes: `/map.pdf`, `/map/<region>.pdf`, `/s/<token>.pdf`, `/pilot-areas/<id>.pdf`, `/cases/<id>.pdf`.

The map prints read the same query as the map page (`status=`, `layers=`, `province=`, `as_of=`)
plus `size=A4|A3`; a share link frozen at a date prints that date.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask_babel import gettext as _

from app.auth.security import current_role, require
from app.errors import NotFound
from app.extensions import db, limiter
from app.i18n import buddhist_date
from app.maps import queries as map_queries
from app.maps.service import lang
from app.maps.state import Scope, ViewState, parse_view
from app.models import Region
from app.prints import pages, records, service
from app.prints.render import pdf_response, render_pdf, safe_filename
from app.sharing import service as sharing
from gis.fields import CASE_STATUSES, label
from gis.maps import OVERLAYS


def _notes(scope: Scope, view: ViewState, current: str) -> list[str]:
    """What narrows the view, in words (statuses, layers, provinces)."""
    notes = []
    if view.statuses != scope.statuses:
        shown = ", ".join(label(CASE_STATUSES, s, current) for s in view.statuses) or _("ไม่มี")
        notes.append(_("แสดงเฉพาะสถานะ: %(list)s", list=shown))
    if view.provinces is not None and view.provinces != scope.provinces:
        names = map_queries.province_names(view.provinces, current)
        notes.append(_("เฉพาะจังหวัด: %(list)s", list=", ".join(names.values())))
    layers = [OVERLAYS[x][0 if current == "th" else 1] for x in view.layers]
    notes.append(_("ชั้นข้อมูล: %(list)s", list=", ".join(layers) if layers else _("ไม่มี")))
    return notes


def _map_pdf(scope: Scope, region: Region | None, *, title: str, name: str, extra: list[str] | None = None) -> Response:
    size = service.parse_size(request.args.get("size"))
    view = parse_view(request.args, scope)
    current = lang()
    doc = service.map_print(scope, view, size=size, title=title, lang=current,
                            notes=[*(extra or []), *_notes(scope, view, current)])
    body = render_pdf("print/map.html", doc=doc, doc_title=title, size=size, printed_on=doc.printed_on,
                      as_of=doc.as_of, sample=doc.sample > 0, subtitle=_("%(n)s กรณี", n=f"{doc.total:,}"))
    return pdf_response(body, safe_filename("map", name, size, service.today().isoformat()))


def _region_title(region: Region | None, current: str) -> str:
    if region is None:
        return _("แผนที่กรณีปัญหาที่ดินทั้งประเทศ")
    return _("แผนที่กรณีปัญหาที่ดิน %(region)s", region=region.name_th if current == "th" else region.name_en)


@pages.get("/map.pdf")
@require("read")
def national_map_pdf():
    """The national map on paper (`size=A4|A3`, `status=`, `layers=`, `province=`)."""
    return _map_pdf(Scope(), None, title=_region_title(None, lang()), name="thailand")


@pages.get("/map/<region_code>.pdf")
@require("read")
def region_map_pdf(region_code: str):
    """One region's or zone's map on paper; an unknown region is a 404."""
    region = db.session.get(Region, region_code[:32])
    provinces = map_queries.region_provinces(region.code) if region else []
    if region is None or not provinces:
        raise NotFound(_("ไม่พบภาคหรือเขต %(code)s", code=region_code[:40]))
    scope = Scope(provinces=provinces, region_code=region.code)
    return _map_pdf(scope, region, title=_region_title(region, lang()), name=region.code)


@pages.get("/s/<token>.pdf")
@limiter.shared_limit(lambda: current_app.config["SHARE_RATE_LIMIT"], scope="share-links")
def shared_map_pdf(token: str):
    """A shared link's map on paper: public fields only; 404 unknown, 410 revoked or expired."""
    link = sharing.resolve(token)
    scope = sharing.scope_of(link)
    region = db.session.get(Region, link.region_code) if link.region_code else None
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
