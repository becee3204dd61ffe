"""The pure exchange core (no Flask, no database): cells, encodings, headings, zips, formats."""

from __future__ import annotations

import io
import zipfile

import pytest

from gis.exchange import encoding, zipsafe
from gis.exchange.cells import as_text, neutralise, unneutralise
from gis.exchange.errors import ExchangeError
from gis.exchange.readers import detect_format, gdal_safe, parse_crs, read_csv
from gis.exchange.schema import fields_csv, map_headers
from gis.fields import CASE_FIELDS


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("+66 81 234 5678", "'+66 81 234 5678"),
    ("-ไม่มี", "'-ไม่มี"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("-5", "-5"), ("+3.5e2", "+3.5e2"),
    ("ชุมชน", "ชุมชน"), ("", ""), ("'=x", "''=x"), ("'0812", "'0812"), (12, 12), (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    if isinstance(value, str):
        assert unneutralise(neutralise(value)) == value


def test_unneutralise_only_removes_our_own_apostrophe():
    assert unneutralise("'0812345678") == "'0812345678"
    assert unneutralise("'=HYPERLINK(1)") == "=HYPERLINK(1)"


def test_as_text():
    import numpy as np

    assert [as_text(v) for v in (None, "  ", " x ", True, 3.0, 2.5, float("nan"), np.int32(7))] == \
        [None, None, " x ", "true", "3", "2.5", None, "7"]
    assert as_text(np.datetime64("2024-01-05")) == "2024-01-05" and as_text(np.datetime64("NaT")) is None


def test_encoding_detection():
    thai = "ชื่อชุมชน,ครัวเรือน\nชุมชนริมคลอง,12\n"
    assert encoding.detect(thai.encode("utf-8")) == "utf-8"
    assert encoding.detect(b"\xef\xbb\xbf" + thai.encode("utf-8")) == "utf-8-sig"
    assert encoding.detect(thai.encode("cp874")) == "cp874"
    assert encoding.detect(thai.encode("tis-620")) == "cp874"
    assert encoding.detect("Müller,Straße".encode("latin-1")) is None
    assert encoding.decode_table(thai.encode("cp874"))[0] == thai
    with pytest.raises(ExchangeError) as refused:
        encoding.decode_table("Müller".encode("latin-1"))
    assert refused.value.code == "encoding_unknown"
    with pytest.raises(ExchangeError):
        encoding.decode_table(thai.encode("cp874"), "utf-8")
    assert encoding.cpg_encoding("ANSI 874", b"") == "CP874"
    assert encoding.cpg_encoding(None, "ชุมชน".encode()) == "UTF-8"
    with pytest.raises(ExchangeError):
        encoding.cpg_encoding("EBCDIC", b"")


def test_headings_map_full_short_and_thai_names():
    mapped = map_headers(["CODE", "comm_name", "จำนวนครัวเรือน", "Longitude", "lat", "favourite"], CASE_FIELDS)
    assert mapped.columns == {0: "code", 1: "community_name", 2: "households", 3: "lon", 4: "lat"}
    assert mapped.ignored == ["favourite"]
    with pytest.raises(ExchangeError) as twice:
        map_headers(["community_name", "comm_name"], CASE_FIELDS)
    assert twice.value.code == "duplicate_column"


def test_fields_csv_lists_short_full_and_thai_names():
    text = fields_csv(CASE_FIELDS).decode("utf-8-sig")
    assert "comm_name,community_name,ชื่อชุมชน,Community name,text" in text


def test_csv_reader_rows_delimiters_and_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("community_name;households\r\n\"ชุมชน; มีเครื่องหมาย\";12\r\n;\r\n'=x;3\r\n".encode())
    table = read_csv(path)
    assert table.notes["delimiter"] == ";"
    assert [(r.number, r.values) for r in table.rows] == [(2, ["ชุมชน; มีเครื่องหมาย", "12"]), (4, ["=x", "3"])]


# quote-free texts: each line a record (`CsvRows.simple`), counted and cut without `csv`
SIMPLE_TEXTS = [
    "a,b\r\n1,2\r\n\r\n,\r\n , \t\r\n3,\u3000\r\n\u00a0,4\r\n,,,\r\nx\r\n",
    "a;b\n1;2\n;\n\n 5 ; 6 \n", "a\tb\r1\t2\r\t\r3\t4", "a,b\r\n1,2\n3,4\r5,6",
    "a,b\r\n1,2,3\r\n4\r\n\u2028x,\u0085y\r\n,\u3000,\u2000\r\n'=1,2\r\n",
]


@pytest.mark.parametrize("text", SIMPLE_TEXTS)
def test_a_quote_free_csv_is_counted_and_cut_as_csv_reads_it(tmp_path, text):
    import csv

    path = tmp_path / "x.csv"
    path.write_bytes(text.encode())
    rows = read_csv(path).rows
    assert rows.simple()
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=rows.delimiter))
    data = [(n, r) for n, r in enumerate(records[1:], 2) if (r and r[0].strip()) or any(c.strip() for c in r)]
    assert len(rows) == len(data) and rows.data_lines == len(records) - 1
    assert list(rows.records()) == data
    assert list(rows.records_but(())) == data
    skip = {n for n, _r in data[::2]}
    assert list(rows.records_but(skip, 1)) == [(n, r if n not in skip or n == min(skip) else None)
                                               for n, r in data]


def test_a_quote_leaves_a_csv_to_csv(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'a,b\r\n1,"2\r\n3"\r\n')
    rows = read_csv(path).rows
    assert not rows.simple() and list(rows.records()) == [(2, ["1", "2\r\n3"])]


def test_format_detection_checks_magic_bytes():
    assert detect_format("a.CSV", b"code,name") == "csv"
    assert detect_format("a.shp.zip", b"PK\x03\x04") == "shp"
    assert detect_format("x.bin", b"{", declared="geojson") == "geojson"
    for name, head in [("a.xlsx", b"<xml"), ("a.gpkg", b"<OGRVRTDataSource>"), ("a.geojson", b"<kml"),
                       ("a.csv", b"PK\x03\x04"), ("a.shp", b"\0\0\x27\x0a"), ("a.vrt", b"<OGR")]:
        with pytest.raises(ExchangeError) as refused:
            detect_format(name, head)
        assert refused.value.status == 415


def test_crs_and_gdal_names():
    assert parse_crs("epsg:32647") == "EPSG:32647"
    assert parse_crs("") is None
    for bad in ("+proj=utm", "EPSG:32647 +towgs84", "/vsicurl/http://x", "EPSG:999999"):
        with pytest.raises(ExchangeError):
            parse_crs(bad)
    assert gdal_safe("cases") == "cases"
    for bad in ("/vsicurl/http://x", "a.vrt", "http://x", "<OGRVRTDataSource>"):
        with pytest.raises(ExchangeError):
            gdal_safe(bad)


def _zip(tmp_path, members: dict[str, bytes]):
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("name", ["../x.shp", "a/../../x.shp", "/abs.shp", "C:/x.shp", "..\\x.shp"])
def test_unsafe_member_names(tmp_path, name):
    with pytest.raises(ExchangeError) as refused:
        zipsafe.open_checked(_zip(tmp_path, {name: b"x"}), zipsafe.ZipLimits())
    assert refused.value.code == "zip_unsafe_name"


def test_limits_are_checked_before_reading(tmp_path):
    path = _zip(tmp_path, {f"{i}.txt": b"x" * 100 for i in range(5)})
    with pytest.raises(ExchangeError) as many:
        zipsafe.open_checked(path, zipsafe.ZipLimits(max_members=4))
    assert many.value.code == "zip_too_many_members"
    with pytest.raises(ExchangeError) as big:
        zipsafe.open_checked(path, zipsafe.ZipLimits(max_total=400))
    assert big.value.code == "zip_too_large" and big.value.status == 413


def test_shapefile_parts_are_copied_under_our_names(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = _zip(tmp_path, {"__MACOSX/._x.shp": b"junk", "Data/Cases.SHP": b"\x00\x00\x27\x0a" + b"\0" * 96,
                           "Data/Cases.shx": b"x", "Data/Cases.dbf": b"x", "Data/Cases.cpg": b"UTF-8\n",
                           "Data/readme.txt": b"ignored"})
    parts = zipsafe.extract_shapefile(path, out, zipsafe.ZipLimits())
    assert parts.cpg == "UTF-8" and not parts.prj
    assert sorted(p.name for p in out.iterdir()) == ["data.dbf", "data.shp", "data.shx"]


def test_xlsx_scan_catches_declarations_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(zipsafe, "CHUNK", 16)
    body = b"<worksheet>" + b" " * 40 + b"<!DOC" + b"TYPE x>"
    path = _zip(tmp_path, {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": body})
    with pytest.raises(ExchangeError) as refused:
        zipsafe.check_xlsx(path, zipsafe.ZipLimits())
    assert refused.value.code == "xlsx_entities"
    zipsafe.check_xlsx(_zip(tmp_path, {"[Content_Types].xml": b"<Types/>", "xl/a.xml": b"<a/>"}),
                       zipsafe.ZipLimits())


def test_zip_detection():
    assert zipsafe.is_zip(b"PK\x03\x04rest") and not zipsafe.is_zip(b"code,name")
    assert io  # (keeps the import list honest for readers)


def test_gis_files_open_only_with_their_own_driver(tmp_path):
    from gis.exchange.readers import read_vector

    vrt = tmp_path / "upload.geojson"
    vrt.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
                   "</OGRVRTLayer></OGRVRTDataSource>")
    with pytest.raises(ExchangeError) as refused:  # even without the magic-byte check before it
        read_vector(vrt, "geojson")
    assert refused.value.code == "geojson_bad" and "passwd" not in refused.value.message


def test_white_space_is_every_character_str_strip_strips():
    from gis.exchange.cells import WHITE_SPACE

    assert WHITE_SPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert ("x" + WHITE_SPACE).strip() == "x" and not WHITE_SPACE.strip()
