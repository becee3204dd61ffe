"""Documents: content-checked upload, list, download with the Thai name, permissions, limits."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.models import Document

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
THAI_NAME = "สัญญาเช่าที่ดิน ชุมชนริมคลอง พ.ศ. 2553.pdf"


def _office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def _zip_without_office_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<html></html>")
    return buffer.getvalue()


def _upload(client, headers, case_id, content: bytes, name: str, **form):
    return client.post(f"/api/v1/cases/{case_id}/documents", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), **form})


def _documents(session) -> int:
    return session.scalar(select(func.count()).select_from(Document))


def test_round_trip_with_a_thai_file_name(app, client, auth, make_case):
    case = make_case()
    response = _upload(client, auth("land_team"), case["id"], PDF, THAI_NAME, kind="lease",
                       description="สัญญาเช่า 30 ปี")
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert (doc["name"], doc["content_type"], doc["size"]) == (THAI_NAME, "application/pdf", len(PDF))
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    # stored by content hash, never under the given name
    stored = Path(app.config["UPLOAD_DIR"]) / doc["sha256"][:2] / doc["sha256"]
    assert stored.read_bytes() == PDF
    assert not any("สัญญา" in name for _root, _dirs, files in os.walk(app.config["UPLOAD_DIR"]) for name in files)
    listed = client.get(f"/api/v1/cases/{case['id']}/documents", headers=auth("architect")).get_json()
    assert [d["name"] for d in listed["documents"]] == [THAI_NAME]
    download = client.get(doc["url"], headers=auth("architect"))
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(THAI_NAME)}" in disposition
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("architect")).get_json()["history"]
    assert history[-1]["action"] == "document" and history[-1]["new"] == THAI_NAME
    hidden = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("viewer")).get_json()["history"]
    assert hidden[-1]["masked"] and hidden[-1]["new"] is None  # no documents.read: the name is masked


@pytest.mark.parametrize(("content", "name", "expected"), [
    (PNG, "ภาพชุมชน.png", "image/png"),
    (JPEG, "photo.jpg", "image/jpeg"),
    (_office("docx"), "บันทึกการประชุม.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (_office("xlsx"), "รายชื่อ.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (PDF, "named-wrongly.png", "application/pdf"),  # the content decides
])
def test_types_are_judged_by_content(client, auth, make_case, content, name, expected):
    case = make_case()
    response = _upload(client, auth("land_team"), case["id"], content, name)
    assert response.status_code == 201
    assert response.get_json()["content_type"] == expected


@pytest.mark.parametrize(("content", "name"), [
    (HTML, "deed.pdf"),
    (b"MZ\x90\x00" + b"\x00" * 60, "minutes.docx"),
    (_zip_without_office_parts(), "plan.xlsx"),
    (b"PK\x03\x04 broken zip", "broken.docx"),
    (b"GIF89a" + b"\x00" * 20, "map.gif"),
])
def test_disguised_or_unsupported_files_are_refused(client, auth, make_case, session, counts, content, name):
    case = make_case()
    before, docs = counts(), _documents(session)
    response = _upload(client, auth("land_team"), case["id"], content, name)
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert counts() == before and _documents(session) == docs


def test_too_large_is_413(app, client, auth, make_case, session, monkeypatch):
    case = make_case()
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024)
    docs = _documents(session)
    response = _upload(client, auth("land_team"), case["id"], PDF + b"0" * 2048, "big.pdf")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert _documents(session) == docs
    leftovers = [n for _r, _d, files in os.walk(app.config["UPLOAD_DIR"]) for n in files if n.startswith(".upload-")]
    assert leftovers == []


@pytest.mark.parametrize(("form", "field"), [({}, "file"), ({"kind": "novel"}, "kind")])
def test_missing_file_or_bad_kind_is_422(client, auth, make_case, form, field):
    case = make_case()
    data = dict(form)
    if field != "file":
        data["file"] = (io.BytesIO(PDF), "a.pdf")
    response = client.post(f"/api/v1/cases/{case['id']}/documents", headers=auth("land_team"),
                           content_type="multipart/form-data", data=data)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == field


def test_empty_file_is_422(client, auth, make_case):
    case = make_case()
    assert _upload(client, auth("land_team"), case["id"], b"", "empty.pdf").status_code == 422


def test_file_names_are_data_not_paths(client, auth, make_case):
    case = make_case()
    response = _upload(client, auth("land_team"), case["id"], PDF, "../../etc/โฉนด\x07.pdf")
    assert response.status_code == 201
    assert response.get_json()["name"] == "โฉนด.pdf"


def test_document_permissions(client, auth, make_case):
    case = make_case()
    doc = _upload(client, auth("land_team"), case["id"], PDF, "a.pdf").get_json()
    for role in ("viewer", "policy"):
        assert client.get(f"/api/v1/cases/{case['id']}/documents", headers=auth(role)).status_code == 403
        assert client.get(doc["url"], headers=auth(role)).status_code == 403
    for role in ("viewer", "policy", "architect"):
        assert _upload(client, auth(role), case["id"], PDF, "b.pdf").status_code == 403
    assert client.get(doc["url"]).status_code == 401
    assert client.get(f"/api/v1/cases/{case['id']}/documents/{doc['id'] + 999}",
                      headers=auth("admin")).status_code == 404


def test_document_of_another_case_is_404(client, auth, make_case):
    first, second = make_case(), make_case()
    doc = _upload(client, auth("land_team"), first["id"], PDF, "a.pdf").get_json()
    assert client.get(f"/api/v1/cases/{second['id']}/documents/{doc['id']}", headers=auth("admin")).status_code == 404


def test_remove_document_keeps_history(client, auth, make_case):
    case = make_case()
    doc = _upload(client, auth("land_team"), case["id"], PDF, "ลบได้.pdf").get_json()
    assert client.delete(doc["url"], headers=auth("land_team")).status_code == 204
    assert client.get(doc["url"], headers=auth("land_team")).status_code == 404
    assert client.get(f"/api/v1/cases/{case['id']}/documents", headers=auth("land_team")).get_json()["documents"] == []
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("land_team")).get_json()["history"]
    assert [(e["old"], e["new"]) for e in history if e["action"] == "document"] == [(None, "ลบได้.pdf"),
                                                                                    ("ลบได้.pdf", None)]


def test_same_content_is_stored_once(app, client, auth, make_case):
    case = make_case()
    first = _upload(client, auth("land_team"), case["id"], PNG, "one.png").get_json()
    second = _upload(client, auth("land_team"), case["id"], PNG, "two.png").get_json()
    assert first["sha256"] == second["sha256"] and first["id"] != second["id"]
    folder = Path(app.config["UPLOAD_DIR"]) / first["sha256"][:2]
    assert [p.name for p in folder.iterdir()].count(first["sha256"]) == 1
