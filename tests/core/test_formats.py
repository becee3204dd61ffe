"""The one export-format registry and its streaming XLSX writer."""

from __future__ import annotations

from openpyxl import load_workbook

from gis.exchange.formats import EXPORT_FORMATS, import_accept
from gis.exchange.xlsx import XlsxStream


def test_the_streaming_workbook_reads_back_with_text_kept_as_text(tmp_path):
    path = tmp_path / "x.xlsx"
    with XlsxStream(path) as book:
        sheet = book.sheet("cases")
        sheet.row(["code", "n", "flag", "note"])
        sheet.row(["LC-1", 12, True, "=HYPERLINK(\"x\")"])
        sheet.row([None, 2.5, False, "a <b> & c\x0bd ชุมชน"])
        book.sheet("fields").row(["field_name"])
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["cases", "fields"]
    rows = list(workbook["cases"].iter_rows(values_only=True))
    assert rows[1] == ("LC-1", 12, True, "=HYPERLINK(\"x\")")
    assert rows[2] == (None, 2.5, False, "a <b> & cd ชุมชน")


def test_the_registry_feeds_the_api_the_case_list_and_the_import_page(client, auth, session):
    assert set(EXPORT_FORMATS) == {"shp", "gpkg", "kml", "csv", "xlsx", "geojson", "xlsx-th"}
    assert all(f.spool or f.stream for f in EXPORT_FORMATS.values())
    assert ".xlsx" in import_accept() and ".kml" not in import_accept()
    response = client.get("/api/v1/export/funds?format=xlsx", headers=auth("viewer"))
    assert response.status_code == 200 and response.mimetype == EXPORT_FORMATS["xlsx"].media_type
    assert client.get("/api/v1/export/funds?format=doc", headers=auth("viewer")).status_code == 400
