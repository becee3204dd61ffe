"""A community's land case (กรณีปัญหาที่ดิน)."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import SRID, AdminAreaMixin, created_at_column, point_column, updated_at_column
from gis.fields import AGREEMENT_TYPES, AREA_TYPES, CASE_STATUSES, LAND_OWNER_TYPES, PROBLEMS


def _in(column: str, values: dict) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"land_cases_{column}_check")


class LandCase(AdminAreaMixin, db.Model):
    __tablename__ = "land_cases"
    __table_args__ = (
        _in("status", CASE_STATUSES),
        _in("land_owner_type", LAND_OWNER_TYPES),
        _in("problem", PROBLEMS),
        _in("area_type", AREA_TYPES),
        _in("agreement_type", AGREEMENT_TYPES),  # migration 0007
        CheckConstraint("households >= 0", name="land_cases_households_check"),
        CheckConstraint("population >= 0", name="land_cases_population_check"),
        # the live cases of a region or province in id order: list pages and counts (migration 0006)
        Index("ix_land_cases_live_region_id", "region_code", "id", postgresql_where=text("deleted_at IS NULL")),
        Index("ix_land_cases_live_province_id", "province_code", "id", postgresql_where=text("deleted_at IS NULL")),
        # the case list's default order, recently changed first (migration 0015_people)
        Index("ix_land_cases_live_updated", text("updated_at DESC NULLS LAST"), "id",
              postgresql_where=text("deleted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(
        String(32), unique=True,
        server_default=text("'LC-' || lpad(nextval('land_case_code_seq')::text, 6, '0')"))
    community_name: Mapped[str] = mapped_column(String(200))
    community_name_en: Mapped[str | None] = mapped_column(String(200))
    households: Mapped[int] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    land_owner_type: Mapped[str | None] = mapped_column(String(32))
    land_owner: Mapped[str | None] = mapped_column(String(200))
    problem: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default="reported", index=True)
    area_type: Mapped[str | None] = mapped_column(String(10))
    geom = point_column()
    # the community's extent (migration 0009_land); area_rai computed by PostGIS on the ellipsoid
    footprint = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=True)
    area_rai: Mapped[float | None] = mapped_column(
        Float, Computed("ST_Area(footprint::geography) / 1600.0", persisted=True))
    opened_on: Mapped[date | None] = mapped_column(Date)
    team: Mapped[str | None] = mapped_column(String(200))
    agreement_type: Mapped[str | None] = mapped_column(String(32))
    lease_expires_on: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = updated_at_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
