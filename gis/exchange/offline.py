"""GDAL without the network: what an uploaded file says must never make the server fetch a URL.

Two layers, both used by every GDAL read of an upload (`gis.exchange.readers`):

* `clean_geojson`: a GeoJSON is parsed here first (Python's parser, the one that decides). Its
  top-level `crs` may only be a plain name (`EPSG:32647`, `urn:ogc:def:crs:...`, the OGC
  `http://www.opengis.net/def/crs/...` URI, resolved without the network); a `link`, `url` or any
  other kind is refused. `crs` members deeper in the file (features, geometries: GDAL fetches a
  link there once per feature) are removed, since the reader only uses the layer's CRS. Keys are
  matched as GDAL matches them: any letter case, and only up to a NUL.
* `offline()`: while it is open, GDAL's HTTP client (`CPLHTTPFetch`, used for CRS URLs and every
  remote driver) answers every request with an error instead of connecting, on this thread
  (`CPLHTTPPushFetchCallback`); `/vsicurl/` is closed by its allowed-extension list, reading
  sibling files of an opened path is off, and any remaining timeout is 1 s.
"""

from __future__ import annotations

import ctypes
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gis.exchange.errors import ExchangeError

# plain names GDAL resolves from its own database (never a file, never the network)
SAFE_CRS_NAME = re.compile(
    r"^(?:EPSG:\d{1,6}|urn:ogc:def:crs:[A-Za-z0-9.]+:[A-Za-z0-9.]*:[A-Za-z0-9.]+"
    r"|https?://www\.opengis\.net/def/crs/[A-Za-z0-9]+/[A-Za-z0-9.]+/[A-Za-z0-9.]+)$")

CONFIG = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".codi-no-remote-files",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_NETRC": "NO",
}


def _key(name: str) -> str:
    return name.split("\x00", 1)[0].strip().lower()


class _Object(dict):
    """A JSON object without its `crs` members, which are kept aside."""

    crs: list[Any]


def clean_geojson(path: Path, work: Path) -> Path:
    """The GeoJSON to hand to GDAL: `path` itself when it holds no `crs` member, else a cleaned copy
    in `work`; 400 for a top-level `crs` that is not a plain name, or a file that is not JSON."""
    nested = 0

    def hook(pairs: list[tuple[str, Any]]) -> _Object:
        nonlocal nested
        obj = _Object((k, v) for k, v in pairs if _key(k) != "crs")
        obj.crs = [v for k, v in pairs if _key(k) == "crs"]
        nested += len(obj.crs)
        return obj

    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"), object_pairs_hook=hook)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ExchangeError("geojson_bad", "The file is not valid JSON (UTF-8)") from None
    if not isinstance(data, _Object):
        raise ExchangeError("geojson_bad", "The file is not GeoJSON (a JSON object)", status=415)
    top = data.crs
    nested -= len(top)
    if not top and not nested:
        return path
    if len(top) > 1:
        raise ExchangeError("crs_not_name", "The file names its coordinate system more than once")
    if top:
        data["crs"] = {"type": "name", "properties": {"name": crs_name(top[0])}}
    cleaned = work / "clean.geojson"
    cleaned.write_text(json.dumps(data, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return cleaned


def crs_name(member: Any) -> str:
    """The name of a GeoJSON `{"type": "name", "properties": {"name": ...}}` crs; 400 for anything else."""
    if isinstance(member, dict):
        kinds = {_key(k): v for k, v in member.items()}
        props = kinds.get("properties")
        if isinstance(props, dict) and len(kinds) == len(member) and set(kinds) <= {"type", "properties"} \
                and str(kinds.get("type")).lower() == "name":
            names = [v for k, v in props.items() if _key(k) == "name"]
            if len(names) == 1 and isinstance(names[0], str) and SAFE_CRS_NAME.match(names[0].strip()):
                return names[0].strip()
    raise ExchangeError("crs_not_name", "The file's crs must be a plain name such as EPSG:32647 "
                        "(a link or URL is never fetched)")


# ------------------------------------------------------------------ GDAL's HTTP client, refused

class _HTTPResult(ctypes.Structure):
    _fields_ = [("nStatus", ctypes.c_int), ("pszContentType", ctypes.c_void_p), ("pszErrBuf", ctypes.c_void_p),
                ("nDataLen", ctypes.c_int), ("nDataAlloc", ctypes.c_int), ("pabyData", ctypes.c_void_p),
                ("papszHeaders", ctypes.c_void_p), ("nMimePartCount", ctypes.c_int),
                ("pasMimePart", ctypes.c_void_p)]


_FETCH = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                          ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_lock = threading.Lock()
_state: dict[str, Any] = {}
refused_urls: list[str] = []  # the last few URLs GDAL was not allowed to fetch (for tests and logs)


def _gdal() -> ctypes.CDLL | None:
    """The libgdal that pyogrio loaded (found in this process's memory map), or None."""
    if "lib" in _state:
        return _state["lib"]
    import pyogrio  # noqa: F401  (loads libgdal)

    lib = None
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "libgdal" in line and "/" in line}
        for candidate in sorted(paths):
            try:
                found = ctypes.CDLL(candidate)
                found.CPLHTTPPushFetchCallback.argtypes = [_FETCH, ctypes.c_void_p]
                found.CPLHTTPPopFetchCallback.argtypes = []
                found.CPLCalloc.restype = ctypes.c_void_p
                found.CPLCalloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
                found.CPLStrdup.restype = ctypes.c_void_p
                found.CPLStrdup.argtypes = [ctypes.c_char_p]
                found.CPLGetThreadLocalConfigOption.restype = ctypes.c_char_p
                found.CPLGetThreadLocalConfigOption.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
                found.CPLSetThreadLocalConfigOption.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
                lib = found
                break
            except (OSError, AttributeError):
                continue
    except OSError:
        lib = None
    _state["lib"] = lib
    if lib is not None:
        _state["callback"] = _FETCH(_refuse)  # kept alive for the process
    return lib


def _refuse(url: bytes | None, *_args: Any) -> int:
    lib = _state["lib"]
    refused_urls[:] = [*refused_urls[-9:], (url or b"").decode("utf-8", "replace")[:200]]
    result = lib.CPLCalloc(1, ctypes.sizeof(_HTTPResult))
    record = _HTTPResult.from_address(result)
    record.nStatus = 1
    record.pszErrBuf = lib.CPLStrdup(b"network access is disabled while reading an upload")
    return result


def network_guard_available() -> bool:
    return _gdal() is not None


@contextmanager
def offline() -> Iterator[None]:
    """GDAL reads inside this block cannot reach the network (see the module's note). The options are
    set for this thread only and restored afterwards, so other GDAL work (exports, boundaries) is untouched."""
    lib = _gdal()
    if lib is None:  # no handle on libgdal: the same options, process-wide
        import pyogrio

        with _lock:
            if not _state.get("configured"):
                pyogrio.set_gdal_config_options(CONFIG)
                _state["configured"] = True
        yield
        return
    before = {key: lib.CPLGetThreadLocalConfigOption(key.encode(), None) for key in CONFIG}
    for key, value in CONFIG.items():
        lib.CPLSetThreadLocalConfigOption(key.encode(), value.encode())
    pushed = bool(lib.CPLHTTPPushFetchCallback(_state["callback"], None))
    try:
        yield
    finally:
        if pushed:
            lib.CPLHTTPPopFetchCallback()
        for key, value in before.items():
            lib.CPLSetThreadLocalConfigOption(key.encode(), value)
