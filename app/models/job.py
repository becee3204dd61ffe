"""Long work run by the worker (`flask jobs worker`): state, progress, result, errors, owner, files.

The queue itself is procrastinate's (`procrastinate_jobs`, same database); this table is
what the people who asked for the work see: `GET /api/v1/jobs/<id>` and `/jobs/<id>`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import created_at_column

JOB_STATES = ("queued", "running", "done", "failed")


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="jobs_state_check"),
        Index("ix_jobs_owner_created", "owner_id", "created_at"),
        Index("ix_jobs_unfinished", "state", postgresql_where="state IN ('queued', 'running')"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 128 random bits, hex
    kind: Mapped[str] = mapped_column(String(40))  # import, export
    state: Mapped[str] = mapped_column(String(12), default="queued")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    phase: Mapped[str | None] = mapped_column(String(20))
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)  # what the immediate answer's status would have been
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    folder: Mapped[str | None] = mapped_column(String(200))  # under UPLOAD_DIR/jobs, removed when done with
    download_name: Mapped[str | None] = mapped_column(String(255))
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # a page's confirm token
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)  # procrastinate_jobs.id
    worker: Mapped[str | None] = mapped_column(String(120))  # host:pid that ran it
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
