"""Backups are private files; a restore is all or nothing and checked (issue 16, points 2 and 3)."""

from __future__ import annotations

import os
import random
import stat

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app import create_app


@pytest.fixture(scope="module")
def good_dump(app, tmp_path_factory):
    dump = tmp_path_factory.mktemp("backup") / "codi.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(dump)])
    assert result.exit_code == 0, result.output
    return dump


@pytest.fixture()
def target(app):
    """An empty scratch database and an app on it; dropped afterwards."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    url = source.set(database=f"{source.database}_rst")
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    target_url = url.render_as_string(hide_password=False)
    restored = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "TESTING": True})
    yield target_url, restored
    with restored.app_context():
        from app.extensions import db

        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def _state(url: str) -> tuple:
    """What a failed restore must not change: relations, extensions, functions of the database."""
    engine = create_engine(url)
    with engine.connect() as conn:
        relations = conn.execute(text(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2")).all()
        extensions = conn.execute(text("SELECT extname FROM pg_extension ORDER BY 1")).all()
        functions = conn.execute(text(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public'")).scalar()
    engine.dispose()
    return relations, extensions, functions


def _broken(kind: str, good: bytes) -> bytes:
    rng = random.Random(16)
    if kind == "truncated_half":
        return good[: len(good) // 2]
    if kind == "truncated_end":
        return good[:-200]
    if kind == "truncated_header":
        return good[:300]
    if kind == "corrupted":
        data = bytearray(good)
        for offset in range(len(data) // 2, len(data) // 2 + 64):
            data[offset] ^= 0x5A
        return bytes(data)
    if kind == "empty":
        return b""
    if kind == "random":
        return rng.randbytes(200_000)
    if kind == "sql_text":
        return b"CREATE TABLE users (id int); INSERT INTO users VALUES (1);\n"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["truncated_half", "truncated_end", "truncated_header", "corrupted",
                                  "empty", "random", "sql_text"])
def test_a_bad_file_changes_nothing_and_a_good_restore_still_works(kind, good_dump, target, tmp_path):
    url, restored = target
    before = _state(url)
    bad = tmp_path / f"{kind}.dump"
    bad.write_bytes(_broken(kind, good_dump.read_bytes()))
    result = restored.test_cli_runner().invoke(args=["restore", str(bad)])
    assert result.exit_code != 0
    assert "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert _state(url) == before  # the database is exactly as it was: no tables, no half schema
    again = restored.test_cli_runner().invoke(args=["restore", str(good_dump)])
    assert again.exit_code == 0, again.output
    assert "restored" in again.output and "users" in again.output


def test_a_restore_is_checked_and_history_is_append_only_afterwards(app, good_dump, target):
    url, restored = target
    result = restored.test_cli_runner().invoke(args=["restore", str(good_dump)])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    source = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    count_sql = text("SELECT (SELECT count(*) FROM land_cases), (SELECT count(*) FROM history), "
                     "(SELECT count(*) FROM subdistricts), (SELECT count(*) FROM alembic_version)")
    with engine.connect() as conn, source.connect() as original:
        assert conn.execute(count_sql).one() == original.execute(count_sql).one()
        keys = conn.execute(text("SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace "
                                 "WHERE n.nspname = 'public' AND k.contype = 'p'")).scalar()
        assert keys >= 10
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("UPDATE history SET note = 'rewritten'"))
        # the source's transaction ids stay behind; the restore itself is noted as one writer, so
        # the answers kept by running web processes are made again (app/answers.py)
        conn.rollback()
        assert conn.execute(text("SELECT count(*) FROM data_changes")).scalar() == 1
    engine.dispose()
    source.dispose()
    # a second restore over the restored database is refused and changes nothing
    before = _state(url)
    again = restored.test_cli_runner().invoke(args=["restore", str(good_dump)])
    assert again.exit_code != 0 and "empty database" in again.output
    assert _state(url) == before


def test_replace_swaps_the_contents_all_or_nothing(good_dump, target, tmp_path):
    url, restored = target
    assert restored.test_cli_runner().invoke(args=["restore", str(good_dump)]).exit_code == 0
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE land_cases SET community_name = 'changed since the backup' WHERE id = "
                          "(SELECT min(id) FROM land_cases)"))
    engine.dispose()
    before = _state(url)
    for kind in ("truncated_end", "corrupted", "random"):
        bad = tmp_path / f"{kind}.dump"
        bad.write_bytes(_broken(kind, good_dump.read_bytes()))
        failed = restored.test_cli_runner().invoke(args=["restore", "--replace", str(bad)])
        assert failed.exit_code != 0 and "nothing was changed" in failed.output
        assert _state(url) == before
    changed = text("SELECT count(*) FROM land_cases WHERE community_name = 'changed since the backup'")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(changed).scalar() == 1  # the current data survived every failed attempt
    engine.dispose()
    done = restored.test_cli_runner().invoke(args=["restore", "--replace", str(good_dump)])
    assert done.exit_code == 0, done.output
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(changed).scalar() == 0  # back to the backup
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM history"))
    engine.dispose()


def test_row_counts_are_checked_before_commit(good_dump, target, monkeypatch):
    from app import backup

    url, restored = target
    before = _state(url)
    real = backup._stream

    def miscounted(source, sink):
        tail, rows = real(source, sink)
        rows["public.land_cases"] += 1  # as if a row had gone missing on the way
        return tail, rows

    monkeypatch.setattr(backup, "_stream", miscounted)
    result = restored.test_cli_runner().invoke(args=["restore", str(good_dump)])
    assert result.exit_code != 0 and "rows in" in result.output and "nothing was changed" in result.output
    assert _state(url) == before


def test_a_backup_from_a_newer_version_is_refused(good_dump, target, tmp_path, monkeypatch):
    from app import backup

    url, restored = target
    before = _state(url)
    monkeypatch.setattr(backup, "_migration_revisions", lambda: ({"0001_initial_schema"}, {"0001_initial_schema"}))
    result = restored.test_cli_runner().invoke(args=["restore", str(good_dump)])
    assert result.exit_code != 0 and "newer version" in result.output
    assert _state(url) == before


def test_backups_are_private_files(app, tmp_path):
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.dump"
        assert app.test_cli_runner().invoke(args=["backup", str(fresh)]).exit_code == 0
        existing = tmp_path / "existing.dump"
        existing.write_bytes(b"old")
        existing.chmod(0o644)
        result = app.test_cli_runner().invoke(args=["backup", str(existing)])
        assert result.exit_code == 0 and "0600" in result.output
    finally:
        os.umask(old)
    for path in (fresh, existing):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_failed_backup_leaves_no_file(tmp_path):
    broken = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
                         "TESTING": True})
    result = broken.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code != 0 and "pg_dump failed" in result.output
    assert list(tmp_path.iterdir()) == []
