"""Uploads never make the server fetch a URL (SSRF), on every write route of the URL map.

A listener on 127.0.0.1 stands in for an internal service: a GeoJSON whose `crs` (top level, on
each feature, on each geometry) links to it, and `crs=` parameters naming it, are posted as
`file` to every POST/PUT/PATCH route (a new upload route is covered at once). The listener must
see zero requests; the top-level link is refused with a clear 400.
"""

from __future__ import annotations

import http.server
import io
import json
import socketserver
import threading
from collections.abc import Iterator

import pytest

from tests.adversarial.conftest import WRITE_METHODS, fill, refused, unchanged, upload, url_rules


class _Listener(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Listener.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_HEAD = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def seen() -> list[str]:
    _Listener.seen.clear()
    return _Listener.seen


def hostile_geojson(base: str, *, top: bool = True, nested: bool = True) -> bytes:
    """Two cases in Bangkok whose crs members all point at the listener (`type` link and url)."""
    link = {"type": "link", "properties": {"href": f"{base}/crs-link", "type": "proj4"}}
    url = {"type": "url", "properties": {"url": f"{base}/crs-url"}}
    features = []
    for i in range(2):
        geometry = {"type": "Point", "coordinates": [100.5 + i / 100, 13.7], **({"crs": url} if nested else {})}
        features.append({"type": "Feature", "properties": {"community_name": f"ชุมชน SSRF {i}", "households": 3},
                         "geometry": geometry, **({"CRS": link} if nested else {})})
    body = {"type": "FeatureCollection", "features": features, **({"crs": link} if top else {})}
    return json.dumps(body, ensure_ascii=False).encode()


UPLOAD_RULES = [(m, r, e) for m, r, e, _p in url_rules() if m in WRITE_METHODS and m != "DELETE"]


@pytest.mark.parametrize("method, rule, endpoint", [pytest.param(*r, id=f"{r[0]} {r[1]}") for r in UPLOAD_RULES])
def test_no_write_route_fetches_what_an_upload_links_to(client, auth, records, listener, seen, method, rule,
                                                        endpoint):
    path = fill(rule, records)
    # the file alone, as a dry run, with a page form's layer, and with crs= naming the listener
    # (the API refuses parameters it does not know, so each variant goes on its own)
    for top in (True, False):
        for query, form in (("", {}), ("?dry_run=true", {}), ("", {"layer": "cases"}),
                            (f"?crs={listener}/q", {}), ("", {"crs": f"{listener}/form"})):
            response = client.open(path + query, method=method, headers=auth("admin"),
                                   content_type="multipart/form-data",
                                   data={"file": (io.BytesIO(hostile_geojson(listener, top=top)), "c.geojson"),
                                         **form})
            assert response.status_code < 500, (endpoint, response.get_data(as_text=True)[:300])
    assert seen == [], f"{endpoint} made the server fetch {seen}"


@pytest.mark.parametrize("layer", ["cases", "funds"])
def test_import_refuses_a_linked_crs_and_fetches_nothing(client, auth, listener, seen, layer):
    with unchanged(client):
        body = refused(upload(client, f"/api/v1/imports/{layer}?dry_run=true", auth("land_team"),
                              hostile_geojson(listener), "x.geojson"), 400)
    assert "EPSG:32647" in body["error"]["message"], body
    assert seen == []


def test_nested_crs_links_are_ignored_and_the_file_is_read(client, auth, listener, seen):
    response = upload(client, "/api/v1/imports/cases?dry_run=true", auth("land_team"),
                      hostile_geojson(listener, top=False), "x.geojson")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["errors"] == [], response.get_json()
    assert seen == []


def test_a_named_crs_is_still_read(client, auth, seen):
    body = json.loads(hostile_geojson("http://unused", top=False, nested=False))
    body["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    response = upload(client, "/api/v1/imports/cases?dry_run=true", auth("land_team"),
                      json.dumps(body).encode(), "x.geojson")
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("name", ["/etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x",
                                  "+proj=longlat +init=/etc/passwd"])
def test_a_crs_name_that_is_a_path_or_url_is_refused(client, auth, name):
    body = json.loads(hostile_geojson("http://unused", top=False, nested=False))
    body["crs"] = {"type": "name", "properties": {"name": name}}
    with unchanged(client):
        refused(upload(client, "/api/v1/imports/cases?dry_run=true", auth("land_team"),
                       json.dumps(body).encode(), "x.geojson"), 400)


def test_gdal_itself_cannot_fetch_while_reading_an_upload(tmp_path, listener, seen):
    """The second layer: even a file that reached GDAL unchecked makes no request inside `offline()`."""
    import pyogrio

    from gis.exchange import offline

    if not offline.network_guard_available():
        pytest.skip("libgdal not found in this process: only the crs check and config options apply")
    path = tmp_path / "raw.geojson"
    path.write_bytes(hostile_geojson(listener))
    with offline.offline():
        pyogrio.read_info(f"GeoJSON:{path}")
    assert seen == []
    assert any("crs-link" in url for url in offline.refused_urls)


def test_a_boundary_file_cannot_make_the_server_fetch_either(tmp_path, listener, seen):
    """`flask boundaries load` (and reference layers read the same way) reads with GDAL offline too."""
    from gis.boundaries import read_boundaries
    from gis.errors import GisError

    path = tmp_path / "provinces.geojson"
    body = json.loads(hostile_geojson(listener))
    for feature in body["features"]:
        feature["properties"] = {"ADM1_PCODE": "TH10", "ADM1_TH": "x", "ADM1_EN": "x"}
        feature["geometry"] = {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [101, 14], [100, 13]]]}
    path.write_text(json.dumps(body))
    try:
        read_boundaries(path)
    except GisError:
        pass  # refused or read: either way, nothing was fetched
    assert seen == []
