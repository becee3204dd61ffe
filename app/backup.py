"""Whole-database backup and restore with pg_dump / pg_restore (custom format).

A backup is written to a private temporary file (mode 0600: it holds contacts and password
hashes) and renamed into place only when pg_dump succeeded. A restore is all or nothing: the
archive's script runs in ONE transaction in psql, followed by checks (every table, constraint,
index and trigger of the archive exists, every table holds as many rows as the archive, the
migration version is one this code knows, history is append-only again); only then is the
transaction committed. A truncated, corrupted, empty or foreign file leaves the database
exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

# TOC entry kinds whose objects a restore must bring back (name checked in the result)
CHECKED_KINDS = ("TABLE", "CONSTRAINT", "FK CONSTRAINT", "INDEX", "TRIGGER")
KEY_TABLES = ("users", "land_cases", "history", "subdistricts", "pilot_areas", "funds")


def _libpq_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools; a Unix-socket URL keeps its folder."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "127.0.0.1"
    if isinstance(host, tuple):
        host = host[0]
    args = ["-h", host, "-p", str(parsed.port or parsed.query.get("port") or 5432),
            "-U", parsed.username or "postgres", "-d", parsed.database or "postgres"]
    env = {"PGPASSWORD": parsed.password or ""}
    return args, env


def _tool(name: str) -> str:
    for candidate in (f"/usr/lib/postgresql/15/bin/{name}", shutil.which(name)):
        if candidate and Path(candidate).exists():
            return candidate
    raise click.ClickException(f"{name} not found (install postgresql-client-15)")


def _env(url: str | None) -> tuple[list[str], dict[str, str]]:
    args, env = _libpq_args(url or current_app.config["SQLALCHEMY_DATABASE_URI"])
    return args, {**os.environ, **env}


def run_pg_tool(name: str, extra: list[str], url: str | None = None) -> str:
    """Run pg_dump or pg_restore against the app's database (or `url`); return its output."""
    args, env = _env(url)
    result = subprocess.run([_tool(name), *args, *extra], env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(f"{name} failed: {result.stderr.strip()[:500]}")
    return result.stdout


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """Dump the whole database to PATH (pg_dump custom format, file mode 0600)."""
    target = Path(path)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                   dir=target.parent if str(target.parent) else ".")
    os.close(fd)  # mkstemp made it 0600; pg_dump writes into it, keeping the mode
    try:
        os.chmod(partial, 0o600)
        # data_changes holds transaction ids of this cluster only (app/answers.py): never carried over
        run_pg_tool("pg_dump", ["-Fc", "--no-owner", "--no-privileges", "--exclude-table-data=data_changes",
                                "-f", partial])
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    click.echo(f"backup written to {path} (mode 0600: it holds contacts and password hashes)")


def read_toc(path: str) -> dict[str, list[tuple[str, ...]]]:
    """The archive's table of contents: {kind: [(schema, name words...), ...]}; refuses a non-archive."""
    result = subprocess.run([_tool("pg_restore"), "-l", path], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        reason = result.stderr.strip().removeprefix("pg_restore: error: ")[:300]
        raise click.ClickException(
            f"{path} is not a backup made by `flask backup` ({reason or 'unreadable'}); nothing was changed")
    toc: dict[str, list[tuple[str, ...]]] = {}
    for line in result.stdout.splitlines():
        if not line or line.startswith(";"):
            continue
        # "<id>; <catalog oid> <oid> <KIND...> <schema> <name...> <owner>"
        words = line.split(";", 1)[1].split()[2:]
        # TABLE DATA and the ATTACH entries of partitions (reference_parcels) are kinds of their own, not checked
        for kind in sorted(CHECKED_KINDS + ("TABLE DATA", "TABLE ATTACH", "INDEX ATTACH"), key=len, reverse=True):
            parts = kind.split()
            if words[:len(parts)] == parts:
                toc.setdefault(kind, []).append(tuple(words[len(parts):-1]))
                break
    if not toc.get("TABLE"):
        raise click.ClickException(f"{path} holds no tables: not a backup of this service; nothing was changed")
    return toc


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def checks_sql(toc: dict[str, list[tuple[str, ...]]], known_revisions: set[str],
               rows: dict[str, int] | None = None) -> str:
    """A DO block that raises (and so rolls the restore back) unless the result is whole.

    `rows`: {table as written in the archive's COPY: rows the archive held}, each one counted again.
    """
    lines = []
    # an extension's table (spatial_ref_sys) is dumped with only the rows added to it: not counted
    own_tables = {".".join(entry[:2]) for entry in toc.get("TABLE", []) if len(entry) >= 2}
    for table, count in (rows or {}).items():
        if table.replace('"', "") not in own_tables:
            continue
        lines.append(f"  IF (SELECT count(*) FROM {table}) <> {int(count)} THEN RAISE EXCEPTION "
                     f"'restore check: % rows in %, the backup holds {int(count)}', "
                     f"(SELECT count(*) FROM {table}), {_literal(table)}; END IF;")
    for kind, catalog in (("TABLE", "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE n.nspname = {s} AND c.relname = {a}"),
                          ("INDEX", "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE n.nspname = {s} AND c.relname = {a} AND c.relkind IN ('i', 'I')"),
                          ("CONSTRAINT", "SELECT 1 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                                         "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                         "WHERE n.nspname = {s} AND c.relname = {a} AND k.conname = {b}"),
                          ("FK CONSTRAINT", "SELECT 1 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                            "WHERE n.nspname = {s} AND c.relname = {a} AND k.conname = {b}"),
                          ("TRIGGER", "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                      "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                      "WHERE n.nspname = {s} AND c.relname = {a} AND t.tgname = {b}")):
        for entry in toc.get(kind, []):
            if len(entry) < (3 if kind in ("CONSTRAINT", "FK CONSTRAINT", "TRIGGER") else 2):
                continue
            schema, a, b = entry[0], entry[1], (entry[2] if len(entry) > 2 else "")
            query = catalog.format(s=_literal(schema), a=_literal(a), b=_literal(b))
            label = f"{kind.lower()} {schema}.{a}{' ' + b if b else ''}"
            lines.append(f"  IF NOT EXISTS ({query}) THEN RAISE EXCEPTION 'restore check: % missing', "
                         f"{_literal(label)}; END IF;")
    known = "ARRAY[" + ", ".join(_literal(r) for r in sorted(known_revisions)) + "]::text[]"
    lines += [
        "  IF to_regclass('public.alembic_version') IS NULL OR NOT EXISTS (SELECT 1 FROM public.alembic_version) THEN",
        "    RAISE EXCEPTION 'restore check: no migration version in the backup'; END IF;",
        f"  IF EXISTS (SELECT 1 FROM public.alembic_version WHERE version_num::text <> ALL({known})) THEN",
        "    RAISE EXCEPTION 'restore check: the backup comes from a newer version of the service "
        "(migration % unknown here)', (SELECT string_agg(version_num, ', ') FROM public.alembic_version); END IF;",
        "  IF to_regclass('public.history') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_trigger "
        "WHERE tgrelid = 'public.history'::regclass AND tgname = 'history_append_only') THEN",
        "    RAISE EXCEPTION 'restore check: history is not append-only'; END IF;",
    ]
    return "DO $codi_restore$\nBEGIN\n" + "\n".join(lines) + "\nEND\n$codi_restore$;\n"


def _migration_revisions() -> tuple[set[str], set[str]]:
    """All revisions this code knows, and its heads."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from app.config import ROOT

    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    scripts = ScriptDirectory.from_config(config)
    return {rev.revision for rev in scripts.walk_revisions()}, set(scripts.get_heads())


def _stream(source: IO[bytes], sink: IO[bytes]) -> tuple[bytes, dict[str, int]] | None:
    """Copy pg_restore's script to psql up to its final COMMIT, counting the rows of each COPY.

    Returns the held-back rest (from the COMMIT on) and {table: rows}; None if psql went away.
    """
    counts: dict[str, int] = {}
    table, rows, pending, size = None, 0, [], 0
    try:
        for line in source:
            if table is not None:
                if line == b"\\.\n":
                    counts[table], table = rows, None
                else:
                    rows += 1
            elif line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
                table, rows = line.split(b" ", 2)[1].decode(), 0
            elif line == b"COMMIT;\n":  # with --single-transaction, the only one: the end
                for piece in pending:
                    sink.write(piece)
                return line + source.read(), counts
            pending.append(line)
            size += len(line)
            if size > 1 << 16:
                sink.write(b"".join(pending))
                pending, size = [], 0
    except BrokenPipeError:
        return None
    for piece in pending:
        sink.write(piece)
    return b"", counts  # no COMMIT: the script ended early


# the restore is a writer like any other: every web process's kept answers are made again
# (app/answers.py; an archive from before migration 0017 restores no data_changes table)
NOTE_RESTORE_SQL = """
DO $$ BEGIN
  IF to_regclass('public.data_changes') IS NOT NULL THEN  -- (the script empties search_path)
    INSERT INTO public.data_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT (xid) DO NOTHING;
  END IF;
END $$;
"""

# --replace: the old contents go in the same transaction, so a failed restore keeps them
REPLACE_SQL = b"BEGIN;\nSET lock_timeout = '10s';\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"


def restore_archive(path: str, url: str, replace: bool = False) -> None:
    """Restore `path` into the database at `url` in one checked transaction (raises ClickException)."""
    toc = read_toc(path)
    known, _heads = _migration_revisions()
    args, env = _env(url)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_out, \
            tempfile.TemporaryFile() as psql_err:
        psql = subprocess.Popen([_tool("psql"), *args, "-X", "-q", "-v", "ON_ERROR_STOP=1"], env=env,
                                stdin=subprocess.PIPE, stdout=psql_out, stderr=psql_err)
        assert psql.stdin is not None
        if replace:  # the script's own BEGIN then only warns that a transaction is open
            psql.stdin.write(REPLACE_SQL)
        # --single-transaction: the script opens with BEGIN and ends with COMMIT (and no other
        # transaction control); the final COMMIT is held back until the checks have passed
        dump = subprocess.Popen([_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
                                 "-f", "-", path], env=env, stdout=subprocess.PIPE, stderr=restore_err)
        assert dump.stdout is not None
        streamed = _stream(dump.stdout, psql.stdin)
        dump_failed = dump.wait() != 0
        committed = False
        if streamed is not None and streamed[0].startswith(b"COMMIT;") and not dump_failed and psql.poll() is None:
            tail, rows = streamed
            try:
                psql.stdin.write(b"\n" + (checks_sql(toc, known, rows) + NOTE_RESTORE_SQL).encode() + tail)
                committed = True
            except BrokenPipeError:
                pass
        try:
            psql.stdin.close()  # without COMMIT, psql ends the session and the server rolls back
        except BrokenPipeError:
            pass
        psql_failed = psql.wait() != 0
        if dump_failed or psql_failed or not committed:
            restore_err.seek(0)
            psql_err.seek(0)
            reason = (restore_err.read().decode(errors="replace").strip()
                      or psql_err.read().decode(errors="replace").strip() or "the archive ended early")
            raise click.ClickException(f"restore failed, nothing was changed: {_first_error(reason)}")


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if "ERROR" in line or "error" in line:
            return line.strip()[:400]
    return text.splitlines()[0][:400] if text else "unknown error"


def _key_counts() -> dict[str, int]:
    from sqlalchemy import text

    from app.extensions import db

    counts = {}
    for table in KEY_TABLES:
        if db.session.execute(text("SELECT to_regclass(:t)"), {"t": f"public.{table}"}).scalar():
            counts[table] = db.session.execute(text(f'SELECT count(*) FROM public."{table}"')).scalar_one()
    db.session.close()
    return counts


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Replace what the database holds now (in the same transaction: a failed restore keeps it). "
                   "Stop the server first.")
def restore(path: str, replace: bool) -> None:
    """Restore a dump made by `flask backup`: all of it, or nothing. Into an empty database, or --replace."""
    from sqlalchemy import text

    from app.extensions import db

    tables = db.session.execute(text(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema='public' "
        "AND table_name NOT IN ('spatial_ref_sys')")).scalar_one()
    db.session.close()
    if tables and not replace:
        raise click.ClickException("restore needs an empty database (no tables in schema public), or --replace; "
                                   "nothing was changed")
    db.engine.dispose()
    restore_archive(path, current_app.config["SQLALCHEMY_DATABASE_URI"], replace=replace)
    _known, heads = _migration_revisions()
    version = {row[0] for row in db.session.execute(text("SELECT version_num FROM alembic_version"))}
    counts = ", ".join(f"{table} {n}" for table, n in _key_counts().items())
    click.echo(f"restored {path}: checked tables, keys, indexes and triggers; {counts}")
    if not version <= heads:
        click.echo("the backup is from an older version: run `flask db upgrade heads` before serving")
