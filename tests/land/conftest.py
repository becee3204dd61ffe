"""Helpers for the land tests: footprints near Khlong Toei and small polygon files."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from tests.factories import case_payload
from tests.prints.conftest import pdf  # noqa: F401  (the prints' `pdf` fixture, for the land prints)

LON, LAT = 100.564, 13.708


def square(lon: float = LON, lat: float = LAT, half: float = 0.001) -> dict[str, Any]:
    """A square footprint centred on (lon, lat), `half` degrees wide each way (about 110 m)."""
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


def feature_collection(*geometries: dict[str, Any], props: list[dict] | None = None) -> bytes:
    features = [{"type": "Feature", "properties": (props or [{}] * len(geometries))[i] if props else
                 {"parcel_no": f"P-{i + 1}", "deed": 1000 + i}, "geometry": g} for i, g in enumerate(geometries)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def upload(data: bytes, name: str = "layer.geojson", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "ที่ดินทดสอบ", "owner_type": "state_railway", **fields}
    body["file"] = (io.BytesIO(data), name)
    return body


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture()
def make_case(client, auth):
    def post(role: str = "land_team", **overrides: Any) -> dict:
        response = client.post("/api/v1/cases", json=case_payload(**overrides), headers=auth(role))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post


@pytest.fixture()
def make_layer(client, auth):
    def post(*geometries: dict[str, Any], owner_type: str = "state_railway", **fields: Any) -> dict:
        data = feature_collection(*(geometries or (square(half=0.01),)))
        response = client.post("/api/v1/reference-layers", data=upload(data, owner_type=owner_type, **fields),
                               headers=auth("land_team"), content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post


@pytest.fixture()
def counts(session):
    """`counts()`: rows of cases, history, layers, parcels and overlaps as the database holds them now."""
    from sqlalchemy import text

    def get() -> tuple[int, ...]:
        return tuple(session.execute(text(
            "SELECT (SELECT count(*) FROM land_cases), (SELECT count(*) FROM history), "
            "(SELECT count(*) FROM reference_layers), (SELECT count(*) FROM reference_parcels), "
            "(SELECT count(*) FROM land_overlaps)")).one())

    return get


@pytest.fixture()
def named_layer(client, auth):
    """`named_layer(name, owner_type)`: a reference layer of one square near Khlong Toei, with attributes."""
    def post(name: str = "ที่ดินทดสอบ", owner_type: str = "state_railway") -> dict:
        body = {"name": name, "owner_type": owner_type,
                "file": (io.BytesIO(feature_collection(square(half=0.01))), "layer.geojson")}
        response = client.post("/api/v1/reference-layers", data=body, headers=auth("land_team"),
                               content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post
