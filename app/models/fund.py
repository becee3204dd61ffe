"""Community funds (กองทุน) at community, city, province, region and national level."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import AdminAreaMixin, created_at_column, point_column, updated_at_column
from gis.fields import FUND_LEVELS

_LEVELS = ", ".join(f"'{v}'" for v in FUND_LEVELS)


class Fund(AdminAreaMixin, db.Model):
    __tablename__ = "funds"
    __table_args__ = (
        CheckConstraint(f"level IN ({_LEVELS})", name="funds_level_check"),
        CheckConstraint("members >= 0", name="funds_members_check"),
        CheckConstraint("capital_baht >= 0", name="funds_capital_check"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    members: Mapped[int | None] = mapped_column(Integer)
    capital_baht: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    established_on: Mapped[date | None] = mapped_column(Date)
    network: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    geom = point_column()
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = updated_at_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
