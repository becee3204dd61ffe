"""GET /api/v1/changes?from=&to=&region=&province=: the status moves of a period (see interface.md)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.api.params import bool_param
from app.auth.security import require
from app.errors import BadRequest
from app.timeline import api
from app.timeline.changes import changes_json
from app.timeline.dates import parse_period
from app.web import text_response

PARAMS = {"from", "to", "region", "province", "points", "lang"}


@api.get("/changes")
@require("read")
def list_changes():
    """Status moves with an effective date from `from` to `to` (both included; `to` defaults to
    today), oldest first; `region=` (a region or zone) and `province=` narrow them; `points=true`
    adds each case's province and point (the map's changes view)."""
    unknown = sorted(k for k in request.args if k not in PARAMS and not k.startswith("_"))
    if unknown:
        raise BadRequest(_("ไม่รู้จักพารามิเตอร์ %(p)s ใช้ได้: %(all)s", p=", ".join(unknown),
                           all=", ".join(sorted(PARAMS))),
                         [{"field": k, "message": "unknown parameter"} for k in unknown])
    first, last = parse_period(request.args.get("from"), request.args.get("to"))
    body = changes_json(first, last, region=request.args.get("region") or None,
                        province=request.args.get("province") or None, points=bool_param("points"))
    return text_response(body, "application/json")
