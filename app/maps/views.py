"""The map pages: `/map` (the whole country), `/map/<region_code>`, and their data `/map/data`."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _

from app import places
from app.auth.security import require
from app.errors import NotFound
from app.filters import region_provinces
from app.maps import pages, queries, service
from app.maps.state import Scope, parse_view
from app.models import Region
from app.timeline.controls import time_controls


def _render(scope: Scope, region: Region | None):
    view = parse_view(request.args, scope)
    parts = service.build_page(scope, view, data_url=url_for("maps.map_data"),
                               case_url=request.script_root + "/cases/{id}")
    current = service.lang()
    if region is None:
        title = _("แผนที่กรณีปัญหาที่ดินทั้งประเทศ")
    else:
        title = _("แผนที่กรณีปัญหาที่ดิน %(region)s", region=region.name_th if current == "th" else region.name_en)
    return render_template(
        "maps/map.html", title=title, parts=parts, config=parts.config, region=region,
        regions=service.region_choices(current), provinces=queries.province_names(scope.provinces, current),
        province=view.provinces[0] if view.provinces and len(view.provinces) == 1 else "",
        time=time_controls(as_of=view.as_of, period=view.period),
    )


@pages.get("/")
@pages.get("")
@require("read")
def national_map():
    """The whole country; `status=`, `layers=`, `province=`, `c=`, `z=`, `base=` set the view."""
    return _render(Scope(), None)


@pages.get("/<region_code>")
@require("read")
def region_map(region_code: str):
    """One CODI region or zone, fitted to its provinces."""
    region = places.region(region_code)
    provinces = region_provinces(region.code) if region else []
    if region is None or not provinces:
        raise NotFound(_("ไม่พบภาคหรือเขต %(code)s", code=region_code[:40]))
    return _render(Scope(provinces=provinces, region_code=region.code), region)


@pages.get("/data")
@require("read")
def map_data():
    """GeoJSON for the map: `layer=cases` (default; `bbox=`, `status=`, `province=`, `region=`,
    `q=`, `limit=`, `zoom=`), `pilot-areas`, `funds` or `choropleth` (`level=`)."""
    return service.data_response(Scope(), request.args)
