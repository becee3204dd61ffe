"""Read-only map links for officials without an account; only the token's hash is kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ARRAY, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import created_at_column


class ShareLink(db.Model):
    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(32))
    statuses: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    layers: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    as_of: Mapped[date | None] = mapped_column(Date)  # frozen at that day (migration 0011); None = live
    # the token is HMAC(SECRET_KEY, seed): the links page can show the address again (None: made
    # before migration 0012, its address was shown once)
    token_seed: Mapped[str | None] = mapped_column(String(64))
