"""CODI regions and zones, and which provinces each one covers."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Region(db.Model):
    """A CODI region (ภาค) or a zone (เขต) inside one."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(10))  # region or zone
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(String(500))


class RegionProvince(db.Model):
    """A province listed in a region or zone; `is_primary` marks the one that counts."""

    __tablename__ = "region_provinces"

    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="CASCADE"), primary_key=True
    )
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(String(500))
