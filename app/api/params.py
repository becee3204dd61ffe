"""Parsing of query parameters shared by the API, OGC and export endpoints."""

from __future__ import annotations

import math

from flask import request
from flask_babel import gettext as _

from app.errors import BadRequest

_FALSE, _TRUE = ("", "false", "0", "no", "off"), ("true", "1", "yes", "on")


def bbox_param(name: str = "bbox") -> tuple[float, float, float, float] | None:
    """`minlon,minlat,maxlon,maxlat` in degrees from the query string, or None when absent."""
    return bbox_value(name, request.args.get(name))


def bbox_value(name: str, raw: str | None) -> tuple[float, float, float, float] | None:
    """`minlon,minlat,maxlon,maxlat` in degrees, or None when absent; 400 naming `name` otherwise."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadRequest(f"{name} must be four numbers: minlon,minlat,maxlon,maxlat",
                         [{"field": name, "message": "malformed"}])
    minx, miny, maxx, maxy = values
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise BadRequest(f"{name} must satisfy -180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90",
                         [{"field": name, "message": "out of range"}])
    return values  # type: ignore[return-value]


def int_param(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """An integer query parameter within bounds."""
    return int_value(name, request.args.get(name), default, minimum=minimum, maximum=maximum)


def int_value(name: str, raw: str | None, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """An integer within bounds (`default` when absent); 400 naming `name` otherwise."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer", [{"field": name, "message": "not an integer"}]) from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"{minimum}..{maximum}" if maximum is not None else f">= {minimum}"
        raise BadRequest(f"{name} must be in {bounds}", [{"field": name, "message": "out of range"}])
    return value


def float_param(name: str, default: float | None, *, minimum: float, maximum: float) -> float | None:
    """A finite float query parameter within bounds."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise BadRequest(f"{name} must be a number in {minimum}..{maximum}",
                         [{"field": name, "message": "out of range"}])
    return value


def list_param(name: str, allowed: set[str] | dict) -> list[str]:
    """A comma-separated list whose every item is in `allowed`."""
    raw = request.args.get(name, "")
    items = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise BadRequest(f"Unknown {name}: {', '.join(unknown[:5])}; allowed: {', '.join(sorted(allowed))}",
                         [{"field": name, "message": "unknown value"}])
    return items


def bool_value(name: str, raw: str | None) -> bool:
    """A yes/no parameter: true/1/yes/on or false/0/no/off (absent is false)."""
    value = (raw or "").strip().lower()
    if value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise BadRequest(_("%(n)s ต้องเป็น true หรือ false", n=name), [{"field": name, "message": "not a boolean"}])


def bool_param(name: str) -> bool:
    """A yes/no query parameter (see `bool_value`)."""
    return bool_value(name, request.args.get(name))
