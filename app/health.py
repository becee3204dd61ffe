"""Liveness and database check for load balancers and `make run`."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the app and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any database failure is reported, not raised
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status
