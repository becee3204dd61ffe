"""Reference land layers (ชั้นข้อมูลที่ดินอ้างอิง), their parcels, and what each case stands on.

`land_overlaps`, `footprint_overlaps` and `case_land` are results: written only by the
set-based refresh in `app.land.overlaps` (migration 0009_land).
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import SRID, created_at_column, updated_at_column


class ReferenceLayer(db.Model):
    """A land holder's layer: State Railway right-of-way, Treasury land, a forest reserve..."""

    __tablename__ = "reference_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_type: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(500))
    source_date: Mapped[date | None] = mapped_column(Date)
    file_name: Mapped[str | None] = mapped_column(String(255))
    crs: Mapped[str | None] = mapped_column(String(80))
    parcel_count: Mapped[int] = mapped_column(Integer, default=0)
    attribute_names: Mapped[list] = mapped_column(JSONB, default=list)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = updated_at_column()


class ReferenceParcel(db.Model):
    """One polygon of a reference layer with the attribute table row it came with."""

    __tablename__ = "reference_parcels"

    # partitioned by layer_id (migration 0009_land): the key is (layer_id, id)
    layer_id: Mapped[int] = mapped_column(ForeignKey("reference_layers.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False)
    attributes: Mapped[dict] = mapped_column(JSONB, default=dict)


class LandOverlap(db.Model):
    """How much of a case (its footprint, else its point) lies on a layer's parcels."""

    __tablename__ = "land_overlaps"

    case_id: Mapped[int] = mapped_column(ForeignKey("land_cases.id", ondelete="CASCADE"), primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("reference_layers.id", ondelete="CASCADE"),
                                          primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(32))
    area_rai: Mapped[float | None] = mapped_column(Float)
    share: Mapped[float] = mapped_column(Float)


class FootprintOverlap(db.Model):
    """Two cases whose footprints overlap (stored in both directions)."""

    __tablename__ = "footprint_overlaps"

    case_id: Mapped[int] = mapped_column(ForeignKey("land_cases.id", ondelete="CASCADE"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("land_cases.id", ondelete="CASCADE"), primary_key=True)
    area_rai: Mapped[float] = mapped_column(Float)


class CaseLand(db.Model):
    """The owner type the reference layers suggest for a case (largest share)."""

    __tablename__ = "case_land"

    case_id: Mapped[int] = mapped_column(ForeignKey("land_cases.id", ondelete="CASCADE"), primary_key=True)
    overlay_owner_type: Mapped[str] = mapped_column(String(32))
    overlay_share: Mapped[float] = mapped_column(Float)
