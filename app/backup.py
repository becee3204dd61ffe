"""Whole-database backup and restore with pg_dump / pg_restore (custom format)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


def _libpq_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
            "-U", parsed.username or "postgres", "-d", parsed.database or "postgres"]
    env = {"PGPASSWORD": parsed.password or ""}
    return args, env


def _tool(name: str) -> str:
    for candidate in (f"/usr/lib/postgresql/15/bin/{name}", shutil.which(name)):
        if candidate and Path(candidate).exists():
            return candidate
    raise click.ClickException(f"{name} not found (install postgresql-client-15)")


def run_pg_tool(name: str, extra: list[str], url: str | None = None) -> None:
    """Run pg_dump or pg_restore against the app's database (or `url`)."""
    import os

    args, env = _libpq_args(url or current_app.config["SQLALCHEMY_DATABASE_URI"])
    result = subprocess.run([_tool(name), *args, *extra], env={**os.environ, **env},
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(f"{name} failed: {result.stderr.strip()[:500]}")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """Dump the whole database to PATH (pg_dump custom format)."""
    run_pg_tool("pg_dump", ["-Fc", "--no-owner", "--no-privileges", "-f", path])
    click.echo(f"backup written to {path}")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore(path: str) -> None:
    """Restore a dump made by `flask backup` into an empty database."""
    from sqlalchemy import text

    from app.extensions import db

    tables = db.session.execute(text(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema='public' "
        "AND table_name NOT IN ('spatial_ref_sys')")).scalar_one()
    if tables:
        raise click.ClickException("restore needs an empty database (no tables in schema public)")
    db.session.close()
    run_pg_tool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", path])
    click.echo(f"restored {path}")
