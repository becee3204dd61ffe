"""The pilot subdistricts (พื้นที่รูปธรรม 30 ตำบล) and architects' reviews of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import created_at_column, updated_at_column
from gis.fields import PILOT_STAGES, REVIEW_VERDICTS

_STAGES = ", ".join(f"'{s}'" for s in PILOT_STAGES)
_VERDICTS = ", ".join(f"'{v}'" for v in REVIEW_VERDICTS)


class PilotArea(db.Model):
    """A whole-subdistrict pilot; its polygon is the subdistrict boundary."""

    __tablename__ = "pilot_areas"
    __table_args__ = (CheckConstraint(f"stage IN ({_STAGES})", name="pilot_areas_stage_check"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subdistrict_code: Mapped[str] = mapped_column(String(6), unique=True)
    district_code: Mapped[str | None] = mapped_column(String(4))
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    name_th: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    architect: Mapped[str | None] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(20), default="analysis")
    targets: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = updated_at_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # removed (soft delete)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PilotReview(db.Model):
    __tablename__ = "pilot_reviews"
    __table_args__ = (
        CheckConstraint(f"verdict IN ({_VERDICTS})", name="pilot_reviews_verdict_check"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pilot_area_id: Mapped[int] = mapped_column(
        ForeignKey("pilot_areas.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
