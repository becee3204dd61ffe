"""Generic document storage for any record (land cases, pilot areas, ...).

* The type is decided by the content (magic bytes), never by the name or the
  client's Content-Type: PDF, JPEG, PNG, DOCX and XLSX (a zip holding
  `[Content_Types].xml` and `word/` or `xl/` members). Anything else: 415.
* Size limited by `DOCUMENT_MAX_BYTES` (default 20 MB): 413; a DOCX/XLSX whose zip directory
  declares more than 200 MB (or 5000 members) unpacked: 413 too.
* Stored once per content under `UPLOAD_DIR/<sha[:2]>/<sha256>`; the original
  (Thai) file name is data in the `documents` table, never part of a path.
* Served only as an attachment, with `nosniff`, the sniffed type and the
  original name in `filename*` (RFC 5987).

The caller checks permissions, writes history and commits.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask import Response, current_app, send_file
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import NotFound, ServiceError, ValidationError
from app.extensions import db
from app.models import Document, User
from gis.exchange import zipsafe
from gis.exchange.errors import ExchangeError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# a DOCX/XLSX is a zip: what its directory says it unpacks to (never unpacked here, but a
# reader's Word or Excel would), and how many members it may have
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 5000
CHUNK = 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_TYPES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "DOCX", XLSX: "XLSX"}
KINDS = ("deed", "lease", "minutes", "photo", "map", "letter", "other")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsupportedType(ServiceError):
    status, code = 415, "unsupported_media_type"


class TooLarge(ServiceError):
    status, code = 413, "payload_too_large"


def max_bytes() -> int:
    return int(current_app.config.get("DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def sniff(path: str | Path) -> str | None:
    """The content type of the file at `path` judged by its bytes, or None when not allowed;
    413 for an office file whose zip directory declares a bomb."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        limits = zipsafe.ZipLimits(max_members=MAX_MEMBERS, max_total=MAX_UNPACKED_BYTES,
                                   max_member=MAX_UNPACKED_BYTES)
        try:  # the directory only, counted before it is parsed; nothing is inflated
            archive, members = zipsafe.open_checked(Path(path), limits)
        except ExchangeError as exc:
            if exc.status == 413:
                raise TooLarge(_("ไฟล์ DOCX/XLSX นี้เมื่อแตกออกมีขนาดใหญ่เกินกำหนด (อาจเป็น zip bomb)"),
                               [{"field": "file", "message": "unpacks too large"}]) from None
            return None
        archive.close()
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def clean_name(name: str | None) -> str:
    """The original name kept as data: no folders, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _CONTROL.sub("", name).strip().lstrip(".")
    return name[:255] or "document"


def _spool(stream: IO[bytes], limit: int) -> tuple[str, str, int]:
    """Copy `stream` to a temporary file under UPLOAD_DIR; return (path, sha256, size)."""
    root = upload_dir()
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle = tempfile.NamedTemporaryFile(dir=root, prefix=".upload-", delete=False)
    try:
        with handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(_("ไฟล์ใหญ่เกินกำหนด (ไม่เกิน %(mb)s MB)", mb=round(limit / 1048576, 1)),
                                   [{"field": "file", "message": "too large"}])
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        os.unlink(handle.name)
        raise
    return handle.name, digest.hexdigest(), size


def stored_path(sha256: str) -> Path:
    """Where the content with this hash lives."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256")
    return upload_dir() / sha256[:2] / sha256


def store(entity: str, entity_id: int, file: Any, user: User | None, *,
          kind: str | None = None, description: str | None = None) -> Document:
    """Check and store an uploaded file (a werkzeug FileStorage) and add its row (not committed)."""
    _check_owner_scope(entity, entity_id, user)
    if file is None or not getattr(file, "filename", None):
        raise ValidationError(_("กรุณาเลือกไฟล์"), [{"field": "file", "message": "required"}])
    errors = []
    if kind is not None and kind not in KINDS:
        errors.append({"field": "kind", "message": _("ประเภทเอกสารต้องเป็นหนึ่งใน %(k)s", k=", ".join(KINDS))})
    if description is not None and len(description) > 2000:
        errors.append({"field": "description", "message": _("คำอธิบายยาวเกิน 2000 ตัวอักษร")})
    if description and "\x00" in description:
        errors.append({"field": "description", "message": _("มีอักขระที่ไม่อนุญาต")})
    if errors:
        raise ValidationError(_("ข้อมูลเอกสารไม่ถูกต้อง"), errors)
    temp, sha256, size = _spool(file.stream, max_bytes())
    try:
        if size == 0:
            raise ValidationError(_("ไฟล์ว่างเปล่า"), [{"field": "file", "message": "empty"}])
        content_type = sniff(temp)
        if content_type is None:
            raise UnsupportedType(
                _("รับเฉพาะไฟล์ PDF, JPEG, PNG, DOCX และ XLSX (ตรวจจากเนื้อไฟล์ ไม่ใช่จากชื่อไฟล์)"),
                [{"field": "file", "message": _("ชนิดไฟล์ไม่รองรับ")}])
        target = stored_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(temp)
        else:
            os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    document = Document(entity=entity, entity_id=entity_id, sha256=sha256, original_name=clean_name(file.filename),
                        content_type=content_type, size=size, kind=kind, description=description or None,
                        uploaded_by_id=user.id if user is not None else None)
    db.session.add(document)
    db.session.flush()
    return document


def _check_owner_scope(entity: str, entity_id: int, user: User | None) -> None:
    """Documents are writes on their record: the record's region must be the user's."""
    from app.auth.scope import check_scope, scope_of
    from app.models import LandCase, PilotArea

    if scope_of(user) is None:
        return
    model = {"land_case": LandCase, "pilot_area": PilotArea}.get(entity)
    if model is not None:
        check_scope(user, db.session.scalar(select(model.region_code).where(model.id == entity_id)))


def list_documents(entity: str, entity_id: int) -> list[Document]:
    """The record's documents that are not deleted, oldest first."""
    return list(db.session.scalars(
        select(Document).where(Document.entity == entity, Document.entity_id == entity_id,
                               Document.deleted_at.is_(None)).order_by(Document.id)))


def get_document(entity: str, entity_id: int, document_id: int) -> Document:
    """One live document of the record, or NotFound."""
    document = db.session.get(Document, document_id) if 0 < document_id < 2**31 else None
    if (document is None or document.entity != entity or document.entity_id != entity_id
            or document.deleted_at is not None):
        raise NotFound(_("ไม่พบเอกสาร"))
    return document


def remove(document: Document) -> None:
    """Mark a document deleted (the stored content stays: other rows may share it)."""
    document.deleted_at = datetime.now(UTC)


def serialise(document: Document, download_url: str | None = None) -> dict[str, Any]:
    """JSON for one document."""
    return {
        "id": document.id, "name": document.original_name, "content_type": document.content_type,
        "size": document.size, "sha256": document.sha256, "kind": document.kind,
        "description": document.description, "uploaded_by_id": document.uploaded_by_id,
        "uploaded_at": document.uploaded_at.isoformat() if document.uploaded_at else None,
        **({"url": download_url} if download_url else {}),
    }


def send(document: Document) -> Response:
    """The stored file as an attachment named with its original name (RFC 5987 `filename*`)."""
    path = stored_path(document.sha256)
    if not path.is_file():
        raise NotFound(_("ไม่พบไฟล์ของเอกสารนี้ในที่เก็บ"))
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.original_name, max_age=0, etag=document.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
