"""Administrative boundaries: provinces, districts, subdistricts (DOPA codes, no TH prefix)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import multipolygon_column


class Province(db.Model):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    geom = multipolygon_column()


class District(db.Model):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    geom = multipolygon_column()


class Subdistrict(db.Model):
    __tablename__ = "subdistricts"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(4), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    geom = multipolygon_column()
