"""One error family and the single place that maps errors to HTTP responses.

API paths answer `{"error": {"code", "message", "details"}}`; pages answer a
Thai (or English) HTML page with the same status.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from gis.errors import GisError

JSON_PREFIXES = ("/api/", "/ogc", "/tiles/", "/healthz")


class ServiceError(Exception):
    """An error the caller can act on; carries its HTTP status and a stable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None,
                 *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class Gone(ServiceError):
    status, code = 410, "gone"


class PreconditionFailed(ServiceError):
    status, code = 412, "precondition_failed"


class PreconditionRequired(ServiceError):
    status, code = 428, "precondition_required"


class ValidationError(ServiceError):
    status, code = 422, "validation_error"


HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 410: "gone", 412: "precondition_failed",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_error",
    428: "precondition_required", 429: "too_many_requests", 500: "internal_error",
    503: "database_unavailable",
}


# constraint names whose column is not spelled inside the name (`<table>_<column>_check`)
CONSTRAINT_FIELDS = {"funds_capital_check": "capital_baht"}
_KEY_DETAIL = re.compile(r"Key \((?P<cols>[^)]+)\)=")


def _constraint_field(name: str, table: str) -> str:
    if name in CONSTRAINT_FIELDS:
        return CONSTRAINT_FIELDS[name]
    field = name.removeprefix(f"{table}_") if table else name
    for suffix in ("_check", "_key", "_fkey"):
        field = field.removesuffix(suffix)
    return field


def integrity_error(exc: IntegrityError) -> ServiceError:
    """A database refusal as the caller's error, by its constraint: a duplicate is a 409 naming
    the field, a CHECK or NOT NULL violation a 422 naming it, a missing reference a 422."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
    name = getattr(diag, "constraint_name", None) or ""
    table = getattr(diag, "table_name", None) or ""
    if state == "23505":  # unique_violation
        match = _KEY_DETAIL.search(getattr(diag, "message_detail", None) or "")
        field = match.group("cols").split(",")[-1].strip() if match else _constraint_field(name, table)
        return Conflict(_("ค่า %(f)s นี้มีอยู่แล้ว", f=field),
                        [{"field": field, "message": "already used", "reason": "duplicate", "constraint": name}])
    if state == "23502":  # not_null_violation
        field = getattr(diag, "column_name", None) or "?"
        return ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=field),
                               [{"field": field, "message": _("จำเป็นต้องกรอก"), "reason": "required"}])
    if state == "23503":  # foreign_key_violation
        field = _constraint_field(name, table)
        return ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=field),
                               [{"field": field, "message": _("ไม่พบข้อมูลที่อ้างถึง"), "reason": "unknown reference"}])
    field = _constraint_field(name, table) if name else "?"
    return ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=field),
                           [{"field": field, "message": _("ค่านี้อยู่นอกช่วงที่ยอมรับได้"), "reason": "constraint",
                             "constraint": name}])


def coded_message(exc: GisError, templates: dict[str, str]) -> str:
    """The message of a GIS error that names its problem by `code` (filled with its `params`):
    the catalogue's template in the user's language, else the error's own (English) message."""
    template = templates.get(str(getattr(exc, "code", "")))
    try:
        return template % getattr(exc, "params", {}) if template else exc.message
    except (KeyError, TypeError, ValueError):
        return template or exc.message


def coded_error(exc: GisError, templates: dict[str, str]) -> ServiceError:
    """A coded GIS error as the caller's error: its message from `templates` (`coded_message`), its
    own status (400, 413, 415...; 422 when it has none) and details (else the file and the code)."""
    status = int(getattr(exc, "status", 422))
    code = str(getattr(exc, "code", "validation_error"))
    details = exc.details or [{"field": "file", "message": code, "reason": exc.message}]
    return ServiceError(coded_message(exc, templates), details, status=status, code=HTTP_CODES.get(status, code))


def gis_error(exc: GisError) -> ServiceError:
    """An error of the GIS core as the caller's error: exchange errors keep their own status and
    message (translated by code), other refusals of the core are 422s."""
    from app.land.messages import land_error
    from gis.exchange.errors import ExchangeError

    mapped = land_error(exc)  # footprints and reference layers: codes of their own
    if mapped is not None:
        return mapped
    if isinstance(exc, ExchangeError):
        from app.exchange.messages import service_error

        return service_error(exc)
    return ValidationError(exc.message, exc.details)


def as_service_error(exc: Exception) -> ServiceError | None:
    """The ServiceError that stands for `exc` (itself, a mapped GIS or database error), or None."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, GisError):
        return gis_error(exc)
    if isinstance(exc, IntegrityError):
        return integrity_error(exc)
    return None


def wants_json() -> bool:
    """True when the request is for the API (or asks for JSON)."""
    if g.get("prefers_html"):  # set by views that negotiated HTML, e.g. /ogc?f=html
        return False
    if request.path.startswith(JSON_PREFIXES) or request.path.endswith("/data"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


MAX_MESSAGE, MAX_DETAIL = 1000, 200


def _clip(value: Any, limit: int) -> Any:
    """Text from the request (an unknown field's name, say) is echoed at most `limit` characters long."""
    return value[:limit] + "…" if isinstance(value, str) and len(value) > limit else value


def error_response(status: int, code: str, message: str,
                   details: list[dict[str, Any]] | None = None) -> tuple[Response | str, int]:
    """Render an error as JSON for the API or as a page for people."""
    message = _clip(str(message), MAX_MESSAGE)
    details = [{k: _clip(v, MAX_DETAIL) for k, v in d.items()} if isinstance(d, dict) else d
               for d in details or []]
    if wants_json():
        body = {"error": {"code": code, "message": message, "details": details or []}}
        return jsonify(body), status
    try:
        return render_template("error.html", status=status, message=message, details=details or []), status
    except _database_unavailable_errors() as exc:  # the page needs the database (the signed-in user)
        if not is_outage(exc):
            raise
        return _database_unavailable(exc)


def _http_message(exc: HTTPException) -> str:
    messages = {
        400: _("คำขอไม่ถูกต้อง"), 401: _("กรุณาเข้าสู่ระบบ"), 403: _("คุณไม่มีสิทธิ์ทำรายการนี้"),
        404: _("ไม่พบสิ่งที่ต้องการ"), 405: _("ไม่รองรับวิธีเรียกนี้"),
        413: _("ไฟล์หรือข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด"), 429: _("มีการเรียกใช้บ่อยเกินไป กรุณารอสักครู่"),
    }
    return messages.get(exc.code or 500, exc.description or exc.name)


def register_error_handlers(app: Flask) -> None:
    """Attach the handlers that turn every error into a 4xx/5xx of the right shape."""

    @app.errorhandler(ServiceError)
    def _service(exc: ServiceError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(GisError)
    def _gis(exc: GisError):
        err = gis_error(exc)
        return error_response(err.status, err.code, err.message, err.details)

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError):
        from app.extensions import db

        db.session.rollback()
        err = integrity_error(exc)
        return error_response(err.status, err.code, err.message, err.details)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return error_response(400, "csrf_failed", _("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาลองใหม่"))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        return error_response(status, HTTP_CODES.get(status, "error"), _http_message(exc))

    def _database(exc: Exception):
        return _database_unavailable(exc) if is_outage(exc) else _unexpected(exc)

    for database_error in _database_unavailable_errors():
        app.register_error_handler(database_error, _database)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", _("เกิดข้อผิดพลาดภายในระบบ"))


# --- the database is unreachable (stopped, restarting, network): 503, not 500 -------------
RETRY_AFTER_SECONDS = 5
_UNAVAILABLE_PAGE: list[bytes] = []


def _database_unavailable_errors() -> tuple[type[Exception], ...]:
    """Connection-level failures: the server is down or the connection broke (not a bad query)."""
    import psycopg
    from sqlalchemy.exc import InterfaceError, OperationalError

    return OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError


# SQLSTATEs of a database that is away: connection exceptions (class 08), shut down or
# starting up (57P01-57P03), too many connections (53300); none at all when libpq could not connect
OUTAGE_STATES = ("57P01", "57P02", "57P03", "53300")


def is_outage(exc: Exception) -> bool:
    """True when the database cannot be reached (not a query it refused: a deadlock or a timeout stays a 500)."""
    state = getattr(getattr(exc, "orig", None) or exc, "sqlstate", None)
    return state is None or state.startswith("08") or state in OUTAGE_STATES


def _database_unavailable(exc: Exception):
    """503 with Retry-After; JSON for the API, a static Thai page (no database, no template) for people.

    One log line per failed request, no traceback: an outage must not flood the log. The pool
    reconnects by itself (pool_pre_ping) once the database is back.
    """
    from flask import current_app

    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    current_app.logger.error("database unavailable: %s %s answered 503: %s", request.method, request.path,
                             (reason[0] if reason else type(exc).__name__)[:200])
    if wants_json():
        response, status = error_response(503, "database_unavailable",
                                          _("ฐานข้อมูลไม่พร้อมใช้งานชั่วคราว กรุณาลองใหม่ในอีกสักครู่"))
    else:
        if not _UNAVAILABLE_PAGE:
            from app.config import ROOT

            _UNAVAILABLE_PAGE.append((ROOT / "static" / "errors" / "unavailable.html").read_bytes())
        response, status = Response(_UNAVAILABLE_PAGE[0], mimetype="text/html"), 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response, status
