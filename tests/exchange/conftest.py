"""Helpers for the exchange tests: cases made in the rolled-back test transaction."""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import HistoryEntry, LandCase
from tests import factories

_numbers = itertools.count(1)
# points inside subdistricts: Khlong Toei (Bangkok), Chiang Mai town, Hat Yai, Khon Kaen
PLACES = [(100.564, 13.708), (98.985, 18.788), (100.474, 7.007), (102.835, 16.43)]
SEA = (101.0, 10.0)  # Gulf of Thailand, far from any coast


@pytest.fixture()
def make_case(session):
    """`make_case(community_name=..., lon=..., lat=...)`: a stored, located case (rolled back after),
    from the one case factory (tests/factories.py), spread over four towns with `XT-` codes."""

    def make(**values: Any):
        n = next(_numbers)
        lon, lat = values.pop("lon", PLACES[n % len(PLACES)][0]), values.pop("lat", PLACES[n % len(PLACES)][1])
        fields = {"code": f"XT-{n:06d}", "community_name": f"ชุมชนทดสอบ {n}", "households": 10 + n,
                  "status": "reported", **values}
        return factories.make_case(None, history=False, lon=lon, lat=lat, **fields)

    return make


def counts() -> tuple[int, int]:
    """(cases, history rows): compared before and after an import that must write nothing."""
    return (db.session.scalar(select(func.count()).select_from(LandCase)),
            db.session.scalar(select(func.count()).select_from(HistoryEntry)))


def upload(client, headers: dict, data: bytes, filename: str, layer: str = "cases", **form: str):
    """POST a file to the import API."""
    body = {"file": (io.BytesIO(data), filename), **form}
    return client.post(f"/api/v1/imports/{layer}", data=body, headers=headers, content_type="multipart/form-data")


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    """A CSV file of `rows` (header from the first row's keys) as a spreadsheet saves it: UTF-8 with BOM, CRLF."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")

