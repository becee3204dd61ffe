"""Uploaded files: saved under names we choose, read, and removed.

The API works in a private temp folder removed when the request ends. The HTML page's
preview-then-confirm keeps the upload between the two requests in
`UPLOAD_DIR/imports/<random id>/` (with the owner's id, layer and options in
`meta.json`) for at most `PENDING_SECONDS`; the id is 128 random bits, checked by
pattern before it touches a path, and bound to the user who uploaded.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.errors import BadRequest, Gone
from app.exchange.messages import service_error
from gis.exchange.errors import ExchangeError
from gis.exchange.readers import Table, detect_format, read_upload

PENDING_SECONDS = 30 * 60
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")
MAX_ROWS = 100_000


def save_upload(file: FileStorage | None, folder: Path, declared: str | None = None) -> tuple[Path, str]:
    """Save the uploaded file as `folder/upload.<format>`; 400 without a file, 415 for an unknown type."""
    if file is None or not file.filename and not file.content_length:
        raise BadRequest(_("กรุณาเลือกไฟล์ที่จะนำเข้า (ฟิลด์ file)"), [{"field": "file", "message": "required"}])
    head = file.stream.read(128)
    file.stream.seek(0)
    try:
        fmt = detect_format(file.filename, head, declared)
    except ExchangeError as exc:
        raise service_error(exc) from None
    path = folder / f"upload.{fmt}"
    file.save(path)
    if path.stat().st_size == 0:
        raise BadRequest(_("ไฟล์ว่างเปล่า"), [{"field": "file", "message": "empty"}])
    return path, fmt


def read_table(path: Path, fmt: str, *, crs: str | None, encoding: str | None, layer: str | None) -> Table:
    """Read a saved upload in a fresh work folder (removed afterwards); exchange errors become 4xx."""
    with tempfile.TemporaryDirectory(prefix="import-work-") as work:
        try:
            return read_upload(path, fmt, Path(work), crs=crs, encoding=encoding, layer=layer, max_rows=MAX_ROWS)
        except ExchangeError as exc:
            raise service_error(exc) from None


@contextmanager
def scratch() -> Iterator[Path]:
    """A private temp folder for one request, always removed."""
    folder = Path(tempfile.mkdtemp(prefix="import-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _pending_root() -> Path:
    root = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    root.mkdir(parents=True, exist_ok=True)
    return root


def sweep() -> None:
    """Remove pending uploads older than PENDING_SECONDS."""
    cutoff = time.time() - PENDING_SECONDS
    for folder in _pending_root().iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def stash(file: FileStorage | None, meta: dict[str, Any], declared: str | None = None) -> tuple[str, Path, str]:
    """Keep an upload for the confirm step: (token, path, format)."""
    sweep()
    token = secrets.token_urlsafe(16)
    folder = _pending_root() / token
    folder.mkdir(mode=0o700)
    try:
        path, fmt = save_upload(file, folder, declared)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    (folder / "meta.json").write_text(json.dumps({**meta, "format": fmt, "at": time.time()}))
    return token, path, fmt


@contextmanager
def claimed(token: str, user_id: int) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The pending upload of `token` (this user's, fresh), taken by one request only, then removed.

    The folder is renamed before use: of two confirms at once (a double click) one wins and
    the other gets 410, so a file is never imported twice.
    """
    gone = Gone(_("ไม่พบไฟล์ที่รอยืนยัน (หมดเวลาแล้วหรือยืนยันไปแล้ว): กรุณาอัปโหลดใหม่"))
    if not TOKEN_RE.match(token or ""):
        raise gone
    folder = _pending_root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        raise gone from None
    if meta.get("user_id") != user_id or time.time() - meta.get("at", 0) > PENDING_SECONDS:
        raise gone
    taken = folder.with_name(f"{token}.{secrets.token_hex(4)}.claimed")
    try:
        folder.rename(taken)
    except OSError:
        raise gone from None
    try:
        yield taken / f"upload.{meta['format']}", meta
    finally:
        shutil.rmtree(taken, ignore_errors=True)


def discard(token: str) -> None:
    if TOKEN_RE.match(token or ""):
        shutil.rmtree(_pending_root() / token, ignore_errors=True)
