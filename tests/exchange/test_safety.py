"""Upload safety: each hostile file is a clear 4xx, nothing is written, and the server stays healthy."""

from __future__ import annotations

import io
import stat
import zipfile

import numpy as np
import openpyxl
import pytest
import shapely
from pyogrio import raw

from tests.exchange.conftest import counts, upload

XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')


def _refused(client, auth, data: bytes, filename: str, status: int, **form: str) -> dict:
    before = counts()
    response = upload(client, auth("land_team"), data, filename, **form)
    assert response.status_code == status, response.json
    assert response.json["error"]["message"]
    assert counts() == before
    assert client.get("/healthz").status_code == 200
    return response.json


def _shapefile_bytes(tmp_path, crs: str | None = "EPSG:4326", points=((100.564, 13.708),)) -> dict[str, bytes]:
    geometry = np.array([shapely.to_wkb(shapely.Point(x, y)) for x, y in points], dtype=object)
    raw.write(str(tmp_path / "c.shp"), geometry, [np.array(["ชุมชน"] * len(points), dtype=object)], ["comm_name"],
              driver="ESRI Shapefile", geometry_type="Point", crs=crs, encoding="UTF-8")
    return {p.suffix: p.read_bytes() for p in tmp_path.iterdir()}


def _zip(members: dict[str, bytes], symlinks: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.create_system = 3
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return out.getvalue()


def test_zip_traversal_is_refused(client, auth, tmp_path):
    parts = _shapefile_bytes(tmp_path)
    data = _zip({"../../x.shp": parts[".shp"], "../../x.shx": parts[".shx"], "../../x.dbf": parts[".dbf"]})
    body = _refused(client, auth, data, "evil.zip", 400)
    assert "../../x.shp" in body["error"]["message"]
    assert not (tmp_path.parent.parent / "x.shp").exists()
    _refused(client, auth, _zip({"/etc/x.shp": parts[".shp"]}), "abs.zip", 400)
    _refused(client, auth, _zip({"C:\\x.shp": parts[".shp"]}), "drive.zip", 400)


def test_symlink_member_is_refused(client, auth, tmp_path):
    parts = _shapefile_bytes(tmp_path)
    data = _zip({"c.shp": parts[".shp"], "c.shx": parts[".shx"], "c.dbf": b"/etc/passwd"}, symlinks=("c.dbf",))
    body = _refused(client, auth, data, "link.zip", 400)
    assert "symlink" in body["error"]["message"]


def zip_bomb(tmp_path) -> bytes:
    """A shapefile zip whose .dbf unpacks to 300 MB (the upload is under 2 MB)."""
    parts = _shapefile_bytes(tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("c.shp", parts[".shp"])
        archive.writestr("c.shx", parts[".shx"])
        with archive.open("c.dbf", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                member.write(block)
    return out.getvalue()


def test_300_mb_zip_bomb_is_refused_before_reading(client, auth, tmp_path):
    data = zip_bomb(tmp_path)
    assert len(data) < 2 * 1024 * 1024  # a small upload that unpacks to 300 MB
    _refused(client, auth, data, "bomb.zip", 413)


def test_zip_member_larger_than_declared_is_refused(client, auth, tmp_path):
    parts = _shapefile_bytes(tmp_path)
    data = bytearray(_zip({"c.shp": parts[".shp"], "c.shx": parts[".shx"], "c.dbf": b"A" * 100_000}))
    # lie about the .dbf's size in its local header and in the central directory: 100 bytes
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if bytes(data[name_at:name_at + 5]) == b"c.dbf":
                data[at + offset:at + offset + 4] = (100).to_bytes(4, "little")
            at += 4
    _refused(client, auth, bytes(data), "liar.zip", 400)


def test_too_many_members_is_refused(client, auth):
    data = _zip({f"f{i}.txt": b"x" for i in range(500)})
    _refused(client, auth, data, "many.zip", 413)


def test_oversized_upload_is_413(app, client, auth):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 4096
    try:
        body = _refused(client, auth, b"code,community_name\n" + b"x" * 10_000, "big.csv", 413)
        assert body["error"]["code"] == "payload_too_large"
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


def _xlsx_with(tmp_path, prolog: bytes, cell: bytes) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["community_name", "households", "lon", "lat"])
    book.active.append(["PLACEHOLDER", 1, 100.564, 13.708])
    path = tmp_path / "base.xlsx"
    book.save(path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                body = body.replace(b"PLACEHOLDER", cell)
                data = prolog + (body.decode().encode("utf-16-le") if prolog.startswith(b"\xff\xfe") else body)
            target.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("prolog,cell", [(XXE, b"&xxe;"), (LAUGHS, b"&lol3;")])
def test_xlsx_with_entities_is_refused(client, auth, tmp_path, prolog, cell):
    data = _xlsx_with(tmp_path, prolog, cell)
    body = _refused(client, auth, data, "evil.xlsx", 400)
    assert "DOCTYPE" in body["error"]["message"]


def test_xlsx_entities_in_utf16_are_refused(client, auth, tmp_path):
    prolog = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'.encode("utf-16")
    _refused(client, auth, _xlsx_with(tmp_path, prolog, b"&a;"), "evil16.xlsx", 400)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_shapefile_in_metres_without_prj_is_refused(client, auth, tmp_path):
    parts = _shapefile_bytes(tmp_path, crs=None, points=((669_500.0, 1_516_000.0),))
    assert ".prj" not in parts
    body = _refused(client, auth, _zip({f"c{ext}": data for ext, data in parts.items()}), "utm.zip", 400)
    assert "crs=EPSG:32647" in body["error"]["message"]


def test_files_that_would_open_other_gdal_drivers_are_refused(client, auth, tmp_path):
    vrt = b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/http://127.0.0.1:9/x.csv' \
          b'</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'
    _refused(client, auth, vrt, "layer.geojson", 415)
    _refused(client, auth, vrt, "layer.gpkg", 415)
    _refused(client, auth, vrt, "layer.zip", 415)
    parts = _shapefile_bytes(tmp_path)
    _refused(client, auth, _zip({"c.shp": vrt, "c.shx": parts[".shx"], "c.dbf": parts[".dbf"]}), "vrt.zip", 400)
    _refused(client, auth, b"SQLite format 3\x00" + b"\0" * 200, "fake.gpkg", 415)


def test_binary_and_empty_files_are_refused(client, auth):
    _refused(client, auth, b"code,community_name\n\x00\x01\x02,x\n", "nul.csv", 400)
    _refused(client, auth, b"", "empty.csv", 400)
    _refused(client, auth, b"{not json", "broken.geojson", 400)


def test_temp_files_are_removed(client, auth, tmp_path, monkeypatch):
    import tempfile

    (tmp_path / "src").mkdir()
    parts = _shapefile_bytes(tmp_path / "src")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    upload(client, auth("land_team"), _zip({f"c{e}": d for e, d in parts.items()}), "ok.zip", dry_run="true")
    response = client.get("/api/v1/export/cases?format=shp&q=XT-", headers=auth("viewer"))
    assert response.status_code == 200
    response.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]
