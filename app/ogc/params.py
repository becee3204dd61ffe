"""Query parameters of the OGC API: output format, the allowed names, `datetime`.

Unknown query parameters are rejected with 400 (OGC API - Features Part 1,
/req/core/query-param-unknown); every parameter we accept is declared in /ogc/api.
Names starting with `_` (cache busters) are let through, as in /api/v1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from flask import g, request

from app.errors import BadRequest

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
COMMON = ("f", "lang")
FORMATS = {"json": "json", "geojson": "json", "html": "html"}


def negotiate() -> str:
    """`json` or `html`: `f=` wins, then the Accept header; JSON when nothing says otherwise."""
    raw = request.args.get("f")
    if raw is not None:
        if raw.lower() not in FORMATS:
            raise BadRequest(f"f must be one of json, html (got {raw[:20]!r})",
                             [{"field": "f", "message": "unknown format"}])
        return FORMATS[raw.lower()]
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, OPENAPI, HTML])
    if best == HTML and request.accept_mimetypes[HTML] > request.accept_mimetypes[JSON]:
        return "html"
    return "json"


def remember_format() -> str:
    """Negotiate and note the choice in `g` so that errors come back in the same format."""
    fmt = "json"
    try:
        fmt = negotiate()
    finally:
        g.prefers_html = fmt == "html"
    return fmt


def check_known(allowed: Iterable[str]) -> None:
    """400 naming every query parameter that is neither `allowed` nor common."""
    names = set(allowed) | set(COMMON)
    unknown = sorted(k for k in request.args if k not in names and not k.startswith("_"))
    if unknown:
        raise BadRequest(f"Unknown query parameter(s): {', '.join(unknown)}; allowed: {', '.join(sorted(names))}",
                         [{"field": k, "message": "unknown parameter"} for k in unknown])


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?)?$")


def _instant(raw: str, *, end: bool) -> datetime | None:
    """An RFC 3339 date-time (UTC when no offset) or a whole date; `..` or empty means open."""
    if raw in ("..", ""):
        return None
    if not _DATE_TIME.match(raw):
        raise ValueError(raw)
    if len(raw) == 10:
        day = date.fromisoformat(raw)
        start = datetime.combine(day, time.min, tzinfo=UTC)
        return start + timedelta(days=1) - timedelta(microseconds=1) if end else start
    value = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def datetime_param(name: str = "datetime") -> tuple[datetime | None, datetime | None] | None:
    """`datetime=` as (start, end), either open; an instant gives start == end (a date: that day)."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if "/" in raw:
            first, _sep, second = raw.partition("/")
            if "/" in second or (first in ("..", "") and second in ("..", "")):
                raise ValueError(raw)
            start, stop = _instant(first, end=False), _instant(second, end=True)
            if start and stop and start > stop:
                raise ValueError(raw)
            return start, stop
        if raw == "..":
            raise ValueError(raw)
        return _instant(raw, end=False), _instant(raw, end=True)
    except ValueError:
        raise BadRequest(f"{name} must be an RFC 3339 date-time, a date, or an interval a/b with '..' "
                         "for an open end, e.g. 2024-01-01T00:00:00Z/..",
                         [{"field": name, "message": "malformed"}]) from None
