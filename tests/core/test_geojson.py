"""The one FeatureCollection builder (app/geojson.py): every GeoJSON answer is built there, in PostGIS."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, literal, select

from app.geojson import collection, rows_of
from app.models import Province

ROOT = Path(__file__).resolve().parents[2]


def test_no_other_module_builds_a_feature_collection():
    builders = [str(p.relative_to(ROOT)) for folder in ("app", "gis") for p in (ROOT / folder).rglob("*.py")
                if "json_agg" in p.read_text(encoding="utf-8") or "'Feature'" in p.read_text(encoding="utf-8")]
    assert builders == ["app/geojson.py"]


def test_rows_and_members_in_one_statement(session):
    stmt = select(Province.code.label("id"), Province.name_th, Province.geom).where(Province.code.in_(["10", "84"]))
    body = json.loads(collection(rows_of(stmt), head={"numberMatched": 2},
                                 members=lambda sub: {"max_id": func.max(sub.c.id), "seven": literal(7)}))
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == len(body["features"]) == 2
    assert [f["id"] for f in body["features"]] == ["10", "84"]
    assert body["features"][0]["properties"] == {"id": "10", "name_th": body["features"][0]["properties"]["name_th"]}
    assert body["numberMatched"] == 2 and body["max_id"] == "84" and body["seven"] == 7
    assert body["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_an_empty_selection_is_an_empty_collection(session):
    stmt = select(Province.code.label("id"), Province.geom).where(Province.code == "none")
    assert json.loads(collection(rows_of(stmt))) == {"type": "FeatureCollection", "numberReturned": 0,
                                                     "features": []}
