"""Accounts: session login, API tokens and role checks."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import views  # noqa: E402,F401
