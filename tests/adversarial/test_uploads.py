"""Hostile files: imports (the exchange's own builders from tests/exchange, posted here with this
suite's whole-database check), CSV formula injection in exports, and attached documents."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.models import LandCase
from tests.adversarial.conftest import PDF, refused, unchanged, upload
from tests.exchange.test_safety import LAUGHS, XXE, _shapefile_bytes, _xlsx_with, _zip, zip_bomb

IMPORT = "/api/v1/imports/cases"
KML_XXE = XXE + b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&xxe;</name><Point>' \
                b"<coordinates>100.5,13.7</coordinates></Point></Placemark></kml>"
KML_LAUGHS = LAUGHS + b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&lol3;</name></Placemark></kml>'


def _no_prj(tmp_path, points) -> bytes:
    parts = _shapefile_bytes(tmp_path, crs=None, points=points)
    return _zip({f"c{ext}": data for ext, data in parts.items()})


HOSTILE_IMPORTS = {
    # name: (builder(tmp_path) -> bytes, file name, expected statuses, words the message holds)
    "zip-traversal": (lambda t: _zip({f"../../x{e}": d for e, d in _shapefile_bytes(t).items()}), "x.zip", 400,
                      "../../x"),
    "zip-absolute": (lambda t: _zip({"/etc/cron.d/x.shp": b"x"}), "x.zip", 400, None),
    "zip-symlink": (lambda t: _zip({"c.shp": b"x", "c.dbf": b"/etc/passwd"}, symlinks=("c.dbf",)), "x.zip", 400,
                    "symlink"),
    "zip-bomb": (zip_bomb, "bomb.zip", 413, None),
    "zip-many-members": (lambda t: _zip({f"f{i}.txt": b"x" for i in range(500)}), "many.zip", 413, None),
    "xlsx-xxe": (lambda t: _xlsx_with(t, XXE, b"&xxe;"), "evil.xlsx", 400, "DOCTYPE"),
    "xlsx-billion-laughs": (lambda t: _xlsx_with(t, LAUGHS, b"&lol3;"), "laughs.xlsx", 400, "DOCTYPE"),
    "kml-xxe": (lambda t: KML_XXE, "evil.kml", 415, None),
    "kml-billion-laughs": (lambda t: KML_LAUGHS, "laughs.kml", 415, None),
    "kml-named-geojson": (lambda t: KML_XXE, "evil.geojson", 415, None),
    "kml-named-csv": (lambda t: KML_XXE, "evil.csv", 400, None),
    "shapefile-in-metres-without-prj": (lambda t: _no_prj(t, ((669_500.0, 1_516_000.0),)), "utm.zip", 400, "crs"),
    "html-as-csv": (lambda t: b"<html><script>alert(1)</script></html>\x00", "x.csv", 400, None),
    "latin1-csv": (lambda t: "community_name,households\nCafé Müller,1\n".encode("latin-1"), "x.csv", 400, "UTF-8"),
    "pdf-as-xlsx": (lambda t: PDF, "x.xlsx", 415, None),
}




@pytest.mark.parametrize("build, name, status, words", [
    pytest.param(*value, id=key) for key, value in HOSTILE_IMPORTS.items()])
def test_hostile_import_is_refused_and_nothing_is_written(app, client, auth, tmp_path, build, name, status, words):
    if "exchange_api.import_layer" not in app.view_functions:
        pytest.skip("POST /api/v1/imports/cases is not there yet")
    data = build(tmp_path)
    with unchanged(client):
        body = refused(upload(client, IMPORT, auth("land_team"), data, name),
                       status if isinstance(status, tuple) else (status,))
        if words:
            assert words in body["error"]["message"], body
        assert "root:x:0:0" not in str(body)
    assert not (tmp_path.parent.parent / "x.shp").exists()


def test_shapefile_in_degrees_without_prj_or_cpg_in_tis620(app, client, auth, session, tmp_path):
    """Old Thai shapefiles: no .prj (degrees) and a TIS-620 .dbf without .cpg: read as Thai, never as mojibake."""
    if "exchange_api.import_layer" not in app.view_functions:
        pytest.skip("imports are not there yet")
    import numpy as np
    import shapely
    from pyogrio import raw

    geometry = np.array([shapely.to_wkb(shapely.Point(100.564, 13.708))], dtype=object)
    raw.write(str(tmp_path / "c.shp"), geometry, [np.array(["ชุมชนรหัสไทยเก่า"], dtype=object),
                                                  np.array([12], dtype=np.int32)], ["COMM_NAME", "HOUSEHLDS"],
              driver="ESRI Shapefile", geometry_type="Point", crs=None, encoding="CP874")
    parts = {p.suffix: p.read_bytes() for p in tmp_path.iterdir() if p.suffix not in (".cpg", ".prj")}
    data = _zip({f"c{e}": d for e, d in parts.items()})
    with unchanged(client):  # without .prj: refused, saying what to add
        body = refused(upload(client, IMPORT, auth("land_team"), data, "old.zip"), 400, "bad_request")
        assert ".prj" in body["error"]["message"] and "crs=" in body["error"]["message"]
    response = upload(client, IMPORT, auth("land_team"), data, "old.zip", crs="EPSG:4326")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["notes"]["encoding"].upper().startswith(("CP874", "TIS"))
    assert session.scalar(select(LandCase.id).where(LandCase.community_name == "ชุมชนรหัสไทยเก่า"))


FORMULAS = ['=HYPERLINK("http://evil.example/","คลิก")', "=cmd|' /C calc'!A0", "+SUM(A1:A2)", "-2+3+cmd|' /C x'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0"]
FORMULA_FIELDS = ("community_name", "community_name_en", "land_owner", "team", "notes")


def _formula_case(client, auth) -> str:
    from tests.factories import case_payload

    body = case_payload(**{f: FORMULAS[i % len(FORMULAS)] for i, f in enumerate(FORMULA_FIELDS)},
                        code="ADV-FORMULA-1")
    response = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["properties"]["code"]


def test_formulas_are_neutralised_in_csv_and_xlsx_exports(app, client, auth, tmp_path):
    if "exchange_api.export_layer" not in app.view_functions:
        pytest.skip("exports are not there yet")
    code = _formula_case(client, auth)
    response = client.get(f"/api/v1/export/cases?format=csv&q={code}", headers=auth("land_team"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    cells = [v for v in rows[0].values() if v]
    assert not [c for c in cells if c[0] in "=+@" or (c[0] == "-" and not c.lstrip("-").replace(".", "").isdigit())]
    for i, f in enumerate(FORMULA_FIELDS):
        assert rows[0][f] == "'" + FORMULAS[i % len(FORMULAS)]
    response = client.get(f"/api/v1/export/cases?format=xlsx&q={code}", headers=auth("land_team"))
    path = tmp_path / "x.xlsx"
    path.write_bytes(response.data)
    sheet = openpyxl.load_workbook(path).active
    values = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in values)
    assert all(not str(c.value).startswith(("=", "+", "@")) for c in values)


# ---------------------------------------------------------------- documents (app/documents.py)

def _office(kind: str, *, bomb: bool = False, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
        if bomb:
            with archive.open(main, "w", force_zip64=True) as member:
                for _ in range(300):
                    member.write(b"\0" * (1024 * 1024))
        else:
            archive.writestr(main, "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
HOSTILE_DOCUMENTS = {
    "html-named-pdf": (HTML, "report.pdf", 415),
    "svg-named-png": (SVG, "photo.png", 415),
    "exe-named-jpg": (b"MZ\x90\x00" + b"\0" * 100, "photo.jpg", 415),
    "zip-named-docx": (_zip({"index.html": HTML}), "letter.docx", 415),
    "docx-zip-bomb": (_office("docx", bomb=True), "minutes.docx", 413),
    "xlsx-zip-bomb": (_office("xlsx", bomb=True), "table.xlsx", 413),
    "docx-with-5001-members": (_office("docx", extra={f"x/{i}": b"" for i in range(5001)}), "many.docx", 413),
    "truncated-zip": (b"PK\x03\x04" + b"\0" * 64, "x.docx", 415),
    "empty": (b"", "empty.pdf", 422),
}


def _stored_files(app) -> set[str]:
    root = Path(app.config["UPLOAD_DIR"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "imports" not in p.parts}


@pytest.mark.parametrize("kind", HOSTILE_DOCUMENTS)
@pytest.mark.parametrize("target", ["case", "pilot"])
def test_hostile_document_is_refused_and_nothing_is_stored(app, client, auth, records, kind, target):
    content, name, status = HOSTILE_DOCUMENTS[kind]
    path = (f"/api/v1/cases/{records['case_id']}/documents" if target == "case"
            else f"/api/v1/pilot-areas/{records['pilot_id']}/documents")
    files = _stored_files(app)
    with unchanged(client):
        refused(upload(client, path, auth("land_team"), content, name), status)
    assert _stored_files(app) == files, "a refused upload left a file behind"


def test_a_document_over_the_size_limit_is_413(app, client, auth, records, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 256 * 1024)
    files = _stored_files(app)
    with unchanged(client):
        response = upload(client, f"/api/v1/cases/{records['case_id']}/documents", auth("land_team"),
                          PDF + b"0" * (512 * 1024), "big.pdf")
        refused(response, 413, "payload_too_large")
    assert _stored_files(app) == files


@pytest.mark.parametrize("form, field", [({"kind": "passport"}, "kind"), ({"description": "x" * 2001}, "description")])
def test_bad_document_fields_are_422(client, auth, records, form, field):
    with unchanged(client):
        body = refused(upload(client, f"/api/v1/cases/{records['case_id']}/documents", auth("land_team"), PDF,
                              "x.pdf", **form), 422, "validation_error")
        assert body["error"]["details"][0]["field"] == field


POLYGLOTS = {
    "pdf-then-html": PDF + HTML,
    "jpeg-then-html": b"\xff\xd8\xff\xe0" + b"\0" * 16 + HTML,
    "png-then-script": b"\x89PNG\r\n\x1a\n" + b"\0" * 16 + HTML,
}


@pytest.mark.parametrize("kind", POLYGLOTS)
def test_a_polyglot_is_only_ever_served_as_a_sandboxed_attachment(client, auth, records, kind):
    """A file that starts like a PDF or an image is one by its magic bytes; the HTML after them must
    never run: it is sent as an attachment, with nosniff and a sandbox CSP, from our origin."""
    case_id = records["case_id"]
    response = upload(client, f"/api/v1/cases/{case_id}/documents", auth("land_team"), POLYGLOTS[kind], "x.html")
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert doc["content_type"] in ("application/pdf", "image/jpeg", "image/png")
    download = client.get(doc["url"], headers=auth("land_team"))
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.mimetype == doc["content_type"] != "text/html"


@pytest.mark.parametrize("name", ["../../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "....pdf",
                                  "/vsicurl/http://127.0.0.1:1/x.pdf", "/vsizip//etc/passwd/x.pdf"])
def test_file_names_are_data_never_paths_or_headers(app, client, auth, records, name):
    response = upload(client, f"/api/v1/cases/{records['case_id']}/documents", auth("land_team"), PDF, name)
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()["name"]
    assert "/" not in stored and "\\" not in stored and not stored.startswith(".") and stored.endswith("pdf")
    root = Path(app.config["UPLOAD_DIR"]).resolve()
    assert all(Path(dirpath).resolve().is_relative_to(root) for dirpath, _d, _f in os.walk(root))
    download = client.get(response.get_json()["url"], headers=auth("land_team"))
    disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "Set-Cookie" not in download.headers
