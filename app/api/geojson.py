"""Build GeoJSON in PostGIS: one round trip, no per-row Python."""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy import text

from app.extensions import db


def feature_collection_sql(inner_sql: str, *, extra: str = "") -> str:
    """Wrap a query with columns `id`, `geom` and `props` (jsonb) into one FeatureCollection.

    `extra` adds top-level members, e.g. `'numberMatched', :matched`.
    """
    members = f", {extra}" if extra else ""
    return f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature', 'id', q.id,
                'geometry', ST_AsGeoJSON(q.geom, 6)::json,
                'properties', q.props) ORDER BY q.ord), '[]'::json){members}
        )::text
        FROM ({inner_sql}) AS q
    """


def geojson_response(sql: str, params: dict[str, Any], status: int = 200) -> Response:
    """Run SQL that yields one JSON text and send it as GeoJSON."""
    body = db.session.execute(text(sql), params).scalar_one()
    return Response(body, status=status, mimetype="application/geo+json")
