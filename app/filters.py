"""One filter object per layer, parsed once from a request, and the one region predicate.

    f = parse_filter("funds")            # level=, region=, province=, q=, bbox=, limit=, offset=
    stmt = fund_select(f)                # the layer's own select builder reads the object
    links = f.links(matched)             # paging links from the parsed values only

The API lists, the case-list page, exports, OGC items and tiles all read their filters
through `parse_filter`; paging links are built from the parsed values, never from the
raw query string (so keys such as `_external` never reach `url_for`).
Bad values raise `BadRequest` (400) naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, or_, select
from werkzeug.datastructures import MultiDict

from app.api.params import bbox_value, bool_value, int_value
from app.errors import BadRequest
from app.extensions import db
from app.timeline.dates import parse_day
from gis.dates import DateInputError, read_date
from gis.fields import CASE_STATUSES, FUND_LEVELS, LAYER_FIELDS, PILOT_STAGES, Choices, Field, flagged

GEOJSON = "application/geo+json"
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
MAX_Q = 200


@dataclass(frozen=True)
class LayerFilters:
    """Which filters a layer takes: its vocabulary filter (`status`, `stage`, `level`) and more."""

    choice: str
    choices: Choices
    text_search: bool = True
    sortable: bool = False
    deleted: bool = False
    fields: tuple[Field, ...] = ()  # the layer's fields declared `filterable` in gis.fields
    as_of: bool = False  # `as_of=`: the layer as it stood at the end of a day (app.timeline)

    def names(self) -> set[str]:
        """Every query parameter of this layer's filter (paging and sorting aside)."""
        return ({self.choice, "region", "province", "bbox"} | ({"q"} if self.text_search else set())
                | {f.name for f in self.fields} | ({"as_of"} if self.as_of else set()))


def _filterable(layer: str, main: str) -> tuple[Field, ...]:
    return tuple(f for f in flagged(LAYER_FIELDS[layer], "filterable") if f.name != main)


LAYERS: dict[str, LayerFilters] = {
    "cases": LayerFilters("status", CASE_STATUSES, sortable=True, deleted=True,
                          fields=_filterable("cases", "status"), as_of=True),
    "pilot-areas": LayerFilters("stage", PILOT_STAGES, text_search=False, fields=_filterable("pilot-areas", "stage")),
    "funds": LayerFilters("level", FUND_LEVELS, fields=_filterable("funds", "level")),
}


@dataclass(frozen=True)
class DateRange:
    """`from/to` of a date filter; either end may be open (`..`)."""

    start: date | None
    end: date | None

    def __str__(self) -> str:
        return f"{self.start or '..'}/{self.end or '..'}"


FieldFilters = tuple[tuple[str, "tuple[str, ...] | DateRange"], ...]


@dataclass(frozen=True)
class Filter:
    """What a caller asked for: the same object for every layer (unused members stay empty)."""

    layer: str
    values: tuple[str, ...] = ()  # statuses, stages or levels (any of them)
    region: str | None = None
    province: str | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    ids: tuple[int, ...] | None = None
    fields: FieldFilters = ()  # (name, values) of the fields declared filterable
    sort: str | None = None
    include_deleted: bool = False
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    extra: tuple[tuple[str, str], ...] = field(default=())  # other parsed keys a link keeps (OGC datetime)
    as_of: date | None = None  # the rows as they stood at the end of that day (app.timeline.asof)

    @property
    def statuses(self) -> list[str]:
        return list(self.values)

    stages = levels = statuses

    @property
    def narrowed(self) -> bool:
        """True when anything beyond region/province/vocabulary narrows the rows (for file names)."""
        return bool(self.bbox or (self.q or "").strip())

    def query(self) -> list[tuple[str, str]]:
        """The filters as canonical query pairs (no paging)."""
        spec = LAYERS.get(self.layer)
        pairs: list[tuple[str, str]] = []
        if self.values and spec:
            pairs.append((spec.choice, ",".join(self.values)))
        for name in ("region", "province", "q", "sort"):
            if getattr(self, name):
                pairs.append((name, str(getattr(self, name))))
        if self.bbox:
            pairs.append(("bbox", ",".join(f"{v:g}" for v in self.bbox)))
        for name, value in self.fields:
            pairs.append((name, ",".join(value) if isinstance(value, tuple) else str(value)))
        if self.include_deleted:
            pairs.append(("include_deleted", "true"))
        if self.as_of:
            pairs.append(("as_of", self.as_of.isoformat()))
        return pairs + list(self.extra)

    def query_lists(self) -> dict[str, list[str]]:
        """`query()` as a dict of lists (for `url_for(..., **f.query_lists())` in templates)."""
        out: dict[str, list[str]] = {}
        for name, value in self.query():
            out.setdefault(name, []).append(value)
        return out

    def href(self, offset: int, *, base: str | None = None, more: Sequence[tuple[str, str]] = ()) -> str:
        pairs = self.query() + [("limit", str(self.limit)), ("offset", str(offset)), *more]
        return f"{base or request.base_url}?{urlencode(pairs)}"

    def links(self, matched: int, *, base: str | None = None, kind: str = GEOJSON) -> list[dict[str, str]]:
        """`self`, `next` and `prev` links of this page."""
        links = [{"rel": "self", "type": kind, "href": self.href(self.offset, base=base)}]
        if self.offset + self.limit < matched:
            links.append({"rel": "next", "type": kind, "href": self.href(self.offset + self.limit, base=base)})
        if self.offset > 0:
            links.append({"rel": "prev", "type": kind, "href": self.href(max(0, self.offset - self.limit), base=base)})
        return links

    def but(self, **changes: Any) -> Filter:
        return replace(self, **changes)


# ---------------------------------------------------------------- parsing

def split_list(args: Mapping[str, Any], name: str) -> list[str]:
    """`status=a,b&status=c` -> [a, b, c]: repeated keys and commas both work."""
    raws = args.getlist(name) if isinstance(args, MultiDict) else [args.get(name) or ""]
    return [v.strip() for raw in raws for v in str(raw).split(",") if v.strip()]


def _choices(args: Mapping[str, Any], name: str, allowed: Choices) -> tuple[str, ...]:
    values = split_list(args, name)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise BadRequest(_("ไม่รู้จัก %(n)s: %(v)s ใช้ได้: %(all)s", n=name, v=", ".join(unknown[:5])[:200],
                           all=", ".join(allowed)), [{"field": name, "message": "unknown value"}])
    return tuple(dict.fromkeys(values))


def _people_day(text: str) -> date | None:
    """One end of a range typed on a page: empty or `..` is open; `DateInputError` when unreadable."""
    text = text.strip()
    return None if text in ("", "..") else read_date(text)


def _people_range(raw: str) -> tuple[date | None, date | None]:
    """A page's range: `1/1/2567 - 31/12/2567`, `1 ม.ค. 2567 ถึง 31 ธ.ค. 2567`, one day, or the
    API's `from/to` (the `/` is found where both sides read as dates)."""
    for sep in (" - ", " – ", "ถึง", " to "):
        if sep in raw:
            first, _sep, second = raw.partition(sep)
            return _people_day(first), _people_day(second)
    try:
        day = _people_day(raw)
        return day, day
    except DateInputError:
        pass
    parts = raw.split("/")
    for cut in range(1, len(parts)):
        try:
            return _people_day("/".join(parts[:cut])), _people_day("/".join(parts[cut:]))
        except DateInputError:
            continue
    raise DateInputError("malformed", raw)


def _date_range(name: str, raw: str, lenient: bool = False) -> DateRange:
    """`2026-01-01/2026-12-31`, `../2026-12-31`, `2026-01-01/..` or one day `2026-05-01`; with
    `lenient` (the list pages) also dates as people type them (`gis.dates.read_date`)."""
    first, sep, second = raw.partition("/")
    last = second if sep else first
    try:
        if lenient:
            if len(raw) > 60 or raw.count("/") > 8:  # a range is short: no quadratic search of a long text
                raise ValueError(raw[:20])
            start, end = _people_range(raw)
        else:
            start = None if first.strip() in ("", "..") else date.fromisoformat(first.strip())
            end = None if last.strip() in ("", "..") else date.fromisoformat(last.strip())
    except ValueError:  # DateInputError too
        start = end = date.max
    if start == end == date.max or (start and end and start > end) or (start is None and end is None):
        if lenient:
            raise BadRequest(_("%(n)s: อ่านวันที่ไม่ได้ ใช้ วว/ดด/ปปปป (พ.ศ.) หรือช่วง 1/1/2567 - 31/12/2567",
                               n=name), [{"field": name, "message": "malformed"}])
        raise BadRequest(_("%(n)s ต้องเป็นวันที่ YYYY-MM-DD หรือช่วง วันแรก/วันสุดท้าย (.. คือไม่จำกัด)", n=name),
                         [{"field": name, "message": "malformed"}])
    return DateRange(start, end)


def _field_filters(args: Mapping[str, Any], fields: Sequence[Field], lenient: bool = False) -> FieldFilters:
    out: list[tuple[str, tuple[str, ...] | DateRange]] = []
    for f in fields:
        raw = (args.get(f.name) or "").strip()
        if not raw:
            continue
        out.append((f.name, _choices(args, f.name, f.choices or {}) if f.kind == "enum"
                    else _date_range(f.name, raw, lenient)))
    return tuple(out)


def field_predicates(source: Any, filters: FieldFilters) -> list[ColumnElement]:
    """WHERE terms of the field filters on `source` (a model or a subquery's `.c`)."""
    terms = []
    for name, value in filters:
        column = getattr(source, name)
        if isinstance(value, DateRange):
            terms += [t for t in ((column >= value.start) if value.start else None,
                                  (column <= value.end) if value.end else None) if t is not None]
        else:
            terms.append(column.in_(list(value)))
    return terms


def filter_names(layer: str) -> set[str]:
    """The query parameters that filter `layer` (for the allowlists of lists, exports and OGC)."""
    return LAYERS[layer].names()


def check_region(raw: str | None, name: str = "region") -> str | None:
    """A region or zone code that exists, or None when absent (400 when unknown)."""
    from app.models import Region

    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > 40 or db.session.get(Region, raw) is None:
        codes = db.session.scalars(select(Region.code).order_by(Region.sort_order)).all()
        raise BadRequest(_("ไม่รู้จักภาค %(r)s ใช้ได้: %(all)s", r=raw[:40], all=", ".join(codes)),
                         [{"field": name, "message": "unknown value"}])
    return raw


def check_province(raw: str | None, name: str = "province") -> str | None:
    """A loaded two-digit province code (`TH` prefix allowed), or None; 400 otherwise."""
    from app.models import Province

    code = (raw or "").strip().upper().removeprefix("TH")
    if not code:
        return None
    if not re.fullmatch(r"\d{2}", code):
        raise BadRequest(_("รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก เช่น 84"), [{"field": name, "message": "malformed"}])
    if not db.session.scalar(select(exists().where(Province.code == code))):
        raise BadRequest(_("ไม่รู้จักจังหวัด %(p)s (ใช้รหัสสองหลัก เช่น 10)", p=code),
                         [{"field": name, "message": "unknown province"}])
    return code


def like_pattern(q: str) -> str:
    """`%q%` for ILIKE ... ESCAPE '\\', with the wildcards in `q` taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", q) + "%"


def check_q(raw: str | None) -> str | None:
    q = (raw or "").strip()
    if not q:
        return None
    if len(q) > MAX_Q or "\x00" in q:
        raise BadRequest(_("คำค้นยาวเกินไปหรือมีอักขระที่ไม่อนุญาต"), [{"field": "q", "message": "invalid"}])
    return q


def parse_page(args: Mapping[str, Any], *, default_limit: int = DEFAULT_LIMIT,
               max_limit: int = MAX_LIMIT) -> tuple[int, int]:
    """`limit` (1..max_limit) and `offset` from the query string."""
    return (int_value("limit", args.get("limit"), default_limit, minimum=1, maximum=max_limit),
            int_value("offset", args.get("offset"), 0, minimum=0, maximum=10**9))


def parse_filter(layer: str, args: Mapping[str, Any] | None = None, *, paging: bool = True,
                 default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT, people: bool = False) -> Filter:
    """The layer's filters from the query string (`args`: the request's unless given).

    `people`: a page's filter form, whose date fields take dates as people type them (B.E.,
    Thai month names); the API keeps `YYYY-MM-DD`."""
    args = request.args if args is None else args
    spec = LAYERS[layer]
    include_deleted = bool_value("include_deleted", args.get("include_deleted")) if spec.deleted else False
    limit, offset = parse_page(args, default_limit=default_limit, max_limit=max_limit) if paging else (default_limit, 0)
    return Filter(
        layer=layer, values=_choices(args, spec.choice, spec.choices),
        region=check_region(args.get("region")), province=check_province(args.get("province")),
        q=check_q(args.get("q")) if spec.text_search else None, bbox=bbox_value("bbox", args.get("bbox")),
        sort=(args.get("sort") or "").strip() or None if spec.sortable else None,
        fields=_field_filters(args, spec.fields, people), include_deleted=include_deleted, limit=limit, offset=offset,
        as_of=parse_day("as_of", args.get("as_of")) if spec.as_of else None)


def sort_toggle(current: str | None, key: str, *, descending_first: bool = False) -> tuple[str, str | None]:
    """A list header's link: (the `sort=` it asks for, `ascending`/`descending` when the list is
    sorted by `key` now). A first click sorts the header's usual way (newest, largest first for
    dates and counts); a click on the sorted header turns the order round."""
    first = (current or "").split(",")[0].strip()
    if first.lstrip("+-") != key:
        return (f"-{key}" if descending_first else key), None
    descending = first.startswith("-")
    return (key if descending else f"-{key}"), ("descending" if descending else "ascending")


def check_unknown(allowed: set[str] | frozenset[str], args: Mapping[str, Any] | None = None) -> None:
    """400 naming every query parameter not in `allowed` (names starting with `_`, cache busters, pass)."""
    args = request.args if args is None else args
    unknown = sorted(k for k in args if k not in allowed and not k.startswith("_"))
    if unknown:
        raise BadRequest(_("ไม่รู้จักพารามิเตอร์ %(p)s ใช้ได้: %(all)s", p=", ".join(unknown)[:300],
                           all=", ".join(sorted(allowed))),
                         [{"field": k, "message": "unknown parameter"} for k in unknown])


# ---------------------------------------------------------------- the region predicate

def region_members(region: str) -> list[str]:
    """The provinces listed (as primary) under the region or zone itself; 400 unless it is one."""
    from app.models import Region, RegionProvince

    rows = db.session.execute(
        select(Region.code, RegionProvince.province_code)
        .outerjoin(RegionProvince, and_(RegionProvince.region_code == Region.code, RegionProvince.is_primary))
        .where(Region.code == region)).all()
    if not rows:
        raise BadRequest(_("ไม่รู้จักภาค/เขต %(r)s", r=region[:40]), [{"field": "region", "message": "unknown region"}])
    return [r.province_code for r in rows if r.province_code]


def region_predicate(region_col: Any, province_col: Any, region: str) -> ColumnElement:
    """Rows of a region (`south`: its own region code) or a zone (`south-z8`: the provinces it counts).

    The listed provinces are looked up first, so that the planner sees a plain `region_code = ...`
    when there are none (a region whose provinces sit in its zones) and can use an index on it.
    """
    members = region_members(region)
    in_region = region_col == region
    return or_(in_region, province_col.in_(members)) if members else in_region


def region_provinces(region: str) -> list[str]:
    """Province codes a region or zone counts (a region includes its zones' provinces)."""
    from sqlalchemy import text

    rows = db.session.execute(text("""SELECT province_code FROM province_regions
                                      WHERE region_code = :code OR zone_code = :code ORDER BY 1"""),
                              {"code": region})
    return [r[0] for r in rows]
