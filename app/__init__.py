"""Baan Mankong land-case mapping service: the Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides the environment (tests pass theirs here)."""
    from app.config import ROOT, Config

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config())
    app.config.update(config or {})
    from app.web import JSONProvider

    app.json = JSONProvider(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError("No database: set DATABASE_URL or run `make run` to start the local cluster")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        from app.ratelimit import storage_uri_for

        app.config["RATELIMIT_STORAGE_URI"] = storage_uri_for(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config.get("TRUST_PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUST_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _init_extensions(app)
    _register_blueprints(app)
    from app.cli import register_cli
    from app.errors import register_error_handlers
    from app.web import register_web

    register_error_handlers(app)
    register_web(app)
    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from geoalchemy2 import alembic_helpers

    from app import answers, models  # noqa: F401  (models registers the tables)
    from app.auth.security import init_login
    from app.config import ROOT
    from app.extensions import babel, csrf, db, limiter, migrate
    from app.i18n import select_locale
    from app.ratelimit import PostgresStorage  # noqa: F401  (registers pglimits://)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"),
        include_object=alembic_helpers.include_object, render_item=alembic_helpers.render_item,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_login(app)
    answers.init_app(app)


FEATURES = ("land_cases", "pilot_areas", "funds", "dashboard", "maps", "sharing",
            "exchange", "ogc", "tiles", "admin", "prints", "jobs", "timeline", "land.views")


def _register_blueprints(app: Flask) -> None:
    import importlib

    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.extensions import csrf
    from app.health import bp as health_bp

    for blueprint in (health_bp, auth_bp, api_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)
    for feature in FEATURES:
        module = importlib.import_module(f"app.{feature}")
        for blueprint in module.blueprints:
            app.register_blueprint(blueprint)
            if blueprint.name.endswith("_api"):
                # the API checks CSRF itself for cookie sessions (app.auth.security)
                csrf.exempt(blueprint)
