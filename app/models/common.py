"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gis.geometry import SRID  # the one SRID (4326)


def point_column() -> Mapped:
    """A WGS 84 point with a GiST index."""
    return mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)


def multipolygon_column() -> Mapped:
    """A WGS 84 multipolygon with a GiST index."""
    return mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class AdminAreaMixin:
    """Admin areas derived in PostGIS from a record's point; never typed in."""

    subdistrict_code: Mapped[str | None] = mapped_column(String(6), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    location_note: Mapped[str | None] = mapped_column(String(300))
