"""Append-only change history and attached documents, shared by every kind of record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import created_at_column


class HistoryEntry(db.Model):
    """One change to one field (or one event) of a record; never updated or deleted."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_entity", "entity", "entity_id", "id"),
        # the map as it stood on a day (app/timeline: migrations 0015 and 0020; the rest in case_edits)
        Index("ix_history_case_moves", "at", "entity_id", postgresql_include=["field", "old_value"],
              postgresql_where=text(
            "entity = 'land_case' AND action = 'update' AND field IN ('lon', 'lat')")),
        Index("ix_history_case_status_on", "effective_on", "entity_id", "id",
              postgresql_include=["old_value", "new_value"],
              postgresql_where=text("entity = 'land_case' AND action = 'status'")),
        Index("ix_history_case_status_by_case", "entity_id", "effective_on", "id",
              postgresql_include=["old_value", "new_value"],
              postgresql_where=text("entity = 'land_case' AND action = 'status'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # land_case, pilot_area, fund
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # create, update, status, document, delete, restore, review
    field: Mapped[str | None] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    effective_on: Mapped[date | None] = mapped_column(Date)
    # a user: checked by statement triggers, one lookup a statement, not a foreign key's check a row
    # (migration 0021: an import writes 1.3 million rows of one user)
    user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = created_at_column()


class StatusMove(db.Model):
    """A land case's status move as the JSON text `/api/v1/changes` gives for it, written only by
    the database's triggers (migration 0018: made with the history row, remade when the case's
    listed fields or a province's name change); never written by the app."""

    __tablename__ = "status_moves"
    __table_args__ = (
        Index("ix_status_moves_on", "effective_on", "case_id", "history_id"),
        Index("ix_status_moves_case", "case_id"),
    )

    history_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer)  # (removed with its case by a trigger: no key to check)
    effective_on: Mapped[date | None] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(String(32))
    province_code: Mapped[str | None] = mapped_column(String(2))
    case_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)  # {"case_id":..,"code":..,"community_name":..,"from":..,"to":..,
    #                                             "date":..,"region_code":..  (no closing brace)
    move: Mapped[str] = mapped_column(Text)  # ,"from":..,"to":..,"date":..  (the body's part from history)
    place: Mapped[str] = mapped_column(Text)  # ,"province_code":..,"province":..,"lon":..,"lat":..


class CaseEdit(db.Model):
    """A history row that rewinds a land case on a past day (a field edit, a delete or restore, a
    back-dated status change) with the case's point now, so that a box finds its edits by the
    spatial index; written only by the database's triggers (migration 0019), never by the app."""

    __tablename__ = "case_edits"
    __table_args__ = (
        Index("ix_case_edits_at", "at"),
        Index("ix_case_edits_geom", "geom", postgresql_using="gist"),
        Index("ix_case_edits_case", "case_id"),
    )

    history_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer)  # (removed with its case by a trigger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key: Mapped[str | None] = mapped_column(Text)  # the field, '~deletion' or '~status'
    value: Mapped[str | None] = mapped_column(Text)  # its old value, 'delete'/'restore', or 'status'
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))


class Document(db.Model):
    """A file attached to a record, stored by content hash under UPLOAD_DIR."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = created_at_column()
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
