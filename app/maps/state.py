"""What a map may show (its scope) and what the address asks it to show (its state).

A scope is the whole service for a signed-in user, or exactly what a share link allows.
The query string can only narrow a scope: anything outside it is a 400, never a wider map.
Query names (the public contract): `status=`, `layers=`, `province=`, plus `c=lat,lon`,
`z=zoom` and `base=` for the view, so any view is a permalink.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from app.errors import BadRequest
from app.filters import region_provinces
from app.maps import queries
from app.timeline.dates import as_of_from, parse_period
from gis.fields import CASE_STATUSES
from gis.maps import (
    BASE_KEYS,
    DEFAULT_LAYERS_NATIONAL,
    DEFAULT_LAYERS_REGION,
    OVERLAYS,
    REFERENCE_PREFIX,
    reference_id,
    reference_key,
)

_PROVINCE = re.compile(r"^\d{2}$")


@dataclass
class Scope:
    """What a map may show: statuses, overlays, and provinces (None = the whole country)."""

    statuses: list[str] = field(default_factory=lambda: list(CASE_STATUSES))
    layers: list[str] = field(default_factory=lambda: list(OVERLAYS))
    provinces: list[str] | None = None
    region_code: str | None = None
    public: bool = False   # a shared map: public fields only, no links to case pages
    as_of: date | None = None  # a map frozen at the end of that day (a share link); None = live
    # reference land layers (ids) the map may draw: None = any (signed in); a share link: exactly its own
    reference_layers: list[int] | None = None

    @property
    def default_layers(self) -> list[str]:
        wanted = DEFAULT_LAYERS_REGION if self.provinces is not None else DEFAULT_LAYERS_NATIONAL
        return [layer for layer in self.layers if layer in wanted]


@dataclass
class ViewState:
    """What the address asks for, already checked against the scope."""

    statuses: list[str]
    layers: list[str]
    provinces: list[str] | None
    center: tuple[float, float] | None
    zoom: int | None
    base: str
    as_of: date | None = None   # the map as it stood at the end of that day (app.timeline)
    period: tuple[date, date] | None = None  # "changes in this period": status moves from..to
    reference_layers: list[int] = field(default_factory=list)  # reference land layers drawn (ids)


def _items(args: Mapping[str, str], name: str) -> list[str] | None:
    """A comma list; None when the parameter is absent, [] when present but empty."""
    if name not in args:
        return None
    return [v.strip() for v in args.get(name, "").split(",") if v.strip()]


def _subset(args: Mapping[str, str], name: str, known: Sequence[str], allowed: Sequence[str],
            default: Sequence[str]) -> list[str]:
    items = _items(args, name)
    if items is None:
        return list(default)
    unknown = [v for v in items if v not in known]
    if unknown:
        raise BadRequest(_("ค่า %(name)s ไม่ถูกต้อง: %(values)s (ใช้ได้: %(allowed)s)", name=name,
                           values=", ".join(v[:40] for v in unknown[:5]), allowed=", ".join(allowed)),
                         [{"field": name, "message": "unknown value"}])
    outside = [v for v in items if v not in allowed]
    if outside:
        raise BadRequest(_("%(name)s อยู่นอกขอบเขตของแผนที่นี้: %(values)s", name=name, values=", ".join(outside)),
                         [{"field": name, "message": "outside the scope"}])
    return [v for v in allowed if v in items]


def parse_provinces(args: Mapping[str, str], scope: Scope) -> list[str] | None:
    """`province=` narrowed to the scope; `region=` (a region or zone code) narrows too."""
    chosen = scope.provinces
    region = (args.get("region") or "").strip()
    if region:
        codes = region_provinces(region[:40])
        if not codes:
            raise BadRequest(_("ไม่รู้จักภาคหรือเขต %(code)s", code=region[:40]),
                             [{"field": "region", "message": "unknown region"}])
        chosen = _narrow(chosen, codes, "region")
    items = _items(args, "province")
    if items:
        codes = [v.upper().removeprefix("TH") for v in items]
        known = queries.province_names(codes, "th")
        bad = [c for c in codes if not _PROVINCE.match(c) or c not in known]
        if bad:
            raise BadRequest(_("ไม่รู้จักรหัสจังหวัด: %(values)s", values=", ".join(b[:10] for b in bad[:5])),
                             [{"field": "province", "message": "unknown province"}])
        chosen = _narrow(chosen, codes, "province")
    return chosen


def _narrow(current: list[str] | None, wanted: list[str], name: str) -> list[str]:
    if current is None:
        return sorted(set(wanted))
    outside = [c for c in wanted if c not in current]
    if outside:
        raise BadRequest(_("%(name)s อยู่นอกขอบเขตของแผนที่นี้: %(values)s", name=name, values=", ".join(outside)),
                         [{"field": name, "message": "outside the scope"}])
    return [c for c in current if c in wanted]


def parse_layers(args: Mapping[str, str], scope: Scope) -> tuple[list[str], list[int]]:
    """`layers=`: overlay names and reference land layers (`reference:<id>`), inside the scope.
    Absent: the scope's default overlays, and the link's reference layers (none on signed-in maps)."""
    items = _items(args, "layers")
    if items is None:
        return scope.default_layers, list(scope.reference_layers or [])
    keys = [v for v in items if v.startswith(REFERENCE_PREFIX)]
    names = {"layers": ",".join(v for v in items if not v.startswith(REFERENCE_PREFIX))}
    overlays = _subset(names, "layers", list(OVERLAYS), scope.layers, scope.default_layers)
    ids = [reference_id(k) for k in keys]
    if any(i is None for i in ids):
        raise BadRequest(_("ค่า layers ไม่ถูกต้อง: %(values)s (ชั้นข้อมูลที่ดินเขียนเป็น reference:หมายเลข)",
                           values=", ".join(k[:40] for k, i in zip(keys, ids, strict=True) if i is None)),
                         [{"field": "layers", "message": "unknown value"}])
    wanted = list(dict.fromkeys(i for i in ids if i is not None))
    if scope.reference_layers is not None:
        outside = [i for i in wanted if i not in scope.reference_layers]
        if outside:
            raise BadRequest(_("%(name)s อยู่นอกขอบเขตของแผนที่นี้: %(values)s", name="layers",
                               values=", ".join(reference_key(i) for i in outside)),
                             [{"field": "layers", "message": "outside the scope"}])
    elif wanted:
        from app.land.queries import existing_layers

        known = existing_layers(wanted)
        missing = [i for i in wanted if i not in known]
        if missing:
            raise BadRequest(_("ไม่พบชั้นข้อมูลที่ดิน: %(values)s", values=", ".join(reference_key(i) for i in missing)),
                             [{"field": "layers", "message": "unknown reference layer"}])
    return overlays, wanted


def _float(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BadRequest(_("ค่า %(name)s ต้องเป็นตัวเลข", name=name), [{"field": name, "message": "not a number"}])
    return value


def parse_view(args: Mapping[str, str], scope: Scope) -> ViewState:
    """Read status=, layers=, province=, c=, z= and base= against the scope (400 when wrong)."""
    statuses = _subset(args, "status", list(CASE_STATUSES), scope.statuses, scope.statuses)
    layers, reference_layers = parse_layers(args, scope)
    provinces = parse_provinces(args, scope)
    center = zoom = None
    if args.get("c"):
        parts = args["c"].split(",")
        if len(parts) != 2:
            raise BadRequest(_("c ต้องอยู่ในรูป ละติจูด,ลองจิจูด"), [{"field": "c", "message": "malformed"}])
        lat, lon = _float(parts[0], "c"), _float(parts[1], "c")
        if not (-85 <= lat <= 85 and -180 <= lon <= 180):
            raise BadRequest(_("c อยู่นอกช่วงพิกัด"), [{"field": "c", "message": "out of range"}])
        center = (lat, lon)
    if args.get("z"):
        if not re.fullmatch(r"[0-9]{1,2}", args["z"]) or not 4 <= int(args["z"]) <= 19:
            raise BadRequest(_("z ต้องเป็นจำนวนเต็ม 4 ถึง 19"), [{"field": "z", "message": "out of range"}])
        zoom = int(args["z"])
    if center is not None and zoom is None:
        zoom = 12
    if center is None:
        zoom = None  # a zoom without a centre cannot place the map: fit the scope instead
    base = args.get("base") or "light"
    if base not in BASE_KEYS:
        raise BadRequest(_("ค่า base ไม่ถูกต้อง (ใช้ได้: %(allowed)s)", allowed=", ".join(BASE_KEYS)),
                         [{"field": "base", "message": "unknown value"}])
    as_of, period = parse_time(args, scope)
    if period is not None:
        statuses = []  # the moves are drawn instead of the cases
    return ViewState(statuses=statuses, layers=layers, provinces=provinces, center=center, zoom=zoom, base=base,
                     as_of=as_of, period=period, reference_layers=reference_layers)


def parse_time(args: Mapping[str, str], scope: Scope) -> tuple[date | None, tuple[date, date] | None]:
    """`as_of=` (the map of that day) or `from=`/`to=` (the moves of that period); a frozen scope
    (a share link fixed at a day) keeps its own day and takes neither."""
    wanted = as_of_from(args)
    if scope.as_of is not None:
        if (wanted is not None and wanted != scope.as_of) or "from" in args or "to" in args:
            raise BadRequest(_("แผนที่นี้แสดงข้อมูล ณ วันที่กำหนดไว้แล้ว เปลี่ยนวันที่ไม่ได้"),
                             [{"field": "as_of", "message": "fixed by the link"}])
        return scope.as_of, None
    if "from" in args or "to" in args:
        if scope.public:
            raise BadRequest(_("แผนที่ที่แชร์ไม่แสดงการเปลี่ยนแปลงรายช่วง"), [{"field": "from", "message": "not here"}])
        if wanted is not None:
            raise BadRequest(_("ใช้ as_of หรือ from/to อย่างใดอย่างหนึ่ง"),
                             [{"field": "as_of", "message": "not with from/to"}])
        return None, parse_period(args.get("from"), args.get("to"))
    return wanted, None


def parse_statuses(args: Mapping[str, str], scope: Scope) -> list[str]:
    """`status=` for the data endpoint: absent = every status of the scope."""
    return _subset(args, "status", list(CASE_STATUSES), scope.statuses, scope.statuses)
