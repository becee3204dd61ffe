"""Command-line tools: accounts, tokens, backup and restore."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app


def test_users_create_and_token(app, session):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "Staff@Example.org", "--role", "land_team"],
                            input="a long enough password\n")
    assert created.exit_code == 0, created.output
    token = runner.invoke(args=["users", "token", "staff@example.org"]).output.strip()
    assert token.startswith("lc_") and len(token) > 40
    client = app.test_client()
    assert client.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_tokens_listed_revoked_and_accounts_switched_off(app, session):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "qgis@example.org", "--role", "architect"], input="a long enough password\n")
    token = runner.invoke(args=["users", "token", "qgis@example.org", "--label", "QGIS office"]).output.strip()
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/regions", headers=bearer).status_code == 200
    listed = runner.invoke(args=["users", "tokens", "qgis@example.org"]).output
    assert "QGIS office" in listed and "active" in listed and token not in listed
    token_id = listed.split("\t", 1)[0]
    switched = runner.invoke(args=["users", "deactivate", "qgis@example.org"])
    assert switched.exit_code == 0 and "deactivated" in switched.output
    assert client.get("/api/v1/regions", headers=bearer).status_code == 401
    runner.invoke(args=["users", "deactivate", "qgis@example.org", "--activate"])
    assert client.get("/api/v1/regions", headers=bearer).status_code == 200
    revoked = runner.invoke(args=["users", "revoke-token", token_id])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert client.get("/api/v1/regions", headers=bearer).status_code == 401
    assert "revoked" in runner.invoke(args=["users", "tokens", "qgis@example.org"]).output


@pytest.mark.parametrize("args, stdin, message", [
    (["users", "create", "not-an-email", "--role", "viewer"], "password123\n", "not an e-mail"),
    (["users", "create", "a@example.org", "--role", "viewer"], "short\n", "at least 8"),
    (["users", "create", "a@example.org", "--role", "king"], "password123\n", "Invalid value"),
    (["users", "token", "ghost@example.org"], "", "no account"),
    (["users", "tokens", "ghost@example.org"], "", "no account"),
    (["users", "revoke-token", "999999999"], "", "no token"),
    (["users", "revoke-token", "abc"], "", "Invalid value"),
    (["users", "deactivate", "ghost@example.org"], "", "no account"),
])
def test_users_cli_refusals(app, session, args, stdin, message):
    result = app.test_cli_runner().invoke(args=args, input=stdin)
    assert result.exit_code != 0 and message in result.output


def _table_fingerprint(url: str) -> dict[str, tuple]:
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            # (data_changes: transaction ids of one cluster, never carried over: app/backup.py)
            "AND table_type = 'BASE TABLE' AND table_name NOT IN ('spatial_ref_sys', 'data_changes') "
            "ORDER BY 1")).scalars().all()
        out = {}
        for table in tables:
            count = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
            has_geom = conn.execute(text(
                "SELECT 1 FROM information_schema.columns WHERE table_name = :t AND column_name = 'geom'"),
                {"t": table}).scalar()
            digest = conn.execute(text(
                f'SELECT md5(string_agg(md5(ST_AsEWKB(geom)::text), \'\' ORDER BY md5(ST_AsEWKB(geom)::text))) '
                f'FROM "{table}"')).scalar() if has_geom else None
            out[table] = (count, digest)
    engine.dispose()
    return out


def test_backup_and_restore_into_a_fresh_database(app, tmp_path):
    source = app.config["SQLALCHEMY_DATABASE_URI"]
    target = make_url(source).set(database=make_url(source).database + "_restore")
    admin = create_engine(make_url(source).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    dump = tmp_path / "codi.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(dump)])
    assert result.exit_code == 0, result.output
    target_url = target.render_as_string(hide_password=False)
    restored_app = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "TESTING": True})
    result = restored_app.test_cli_runner().invoke(args=["restore", str(dump)])
    assert result.exit_code == 0, result.output
    assert _table_fingerprint(target_url) == _table_fingerprint(source)
    again = restored_app.test_cli_runner().invoke(args=["restore", str(dump)])
    assert again.exit_code != 0 and "empty database" in again.output
    with restored_app.app_context():
        from app.extensions import db

        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{target.database}"'))
    admin.dispose()
