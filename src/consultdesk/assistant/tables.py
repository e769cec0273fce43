"""Tables of the assistant: the review queue of questions the bot could not answer well
(QC-5) and question pairs agents labelled same/different (matcher calibration)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class ReviewItemRow(Base):
    """One unanswered or low-confidence customer question waiting for a knowledge editor."""

    __tablename__ = "assistant_review_items"
    __table_args__ = (Index("ix_assistant_review_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    consultation_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    branch: Mapped[str | None] = mapped_column(String(12), nullable=True)
    decision: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float)
    guesses: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    entry_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PairLabelRow(Base):
    """Two questions an agent labelled as meaning the same thing or not."""

    __tablename__ = "assistant_pair_labels"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    first: Mapped[str] = mapped_column(Text)
    second: Mapped[str] = mapped_column(Text)
    same: Mapped[bool] = mapped_column(Boolean)
    labelled_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
