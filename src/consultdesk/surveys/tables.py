from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class RatingRow(Base):
    """CLS-2: one rating per consultation; a later one (e.g. from the survey) replaces it."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (Index("ix_satisfaction_ratings_rated_at_branch", "rated_at", "branch"),)

    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), primary_key=True)
    branch: Mapped[str] = mapped_column(String(12))
    rating: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(40))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyRow(Base):
    """A survey invitation and its answers; the link token is stored only as a hash."""

    __tablename__ = "surveys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), unique=True)
    branch: Mapped[str] = mapped_column(String(12), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    outbox_id: Mapped[str] = mapped_column(String(40))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, nullable=True)
    resolution: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attitude: Mapped[int | None] = mapped_column(Integer, nullable=True)
    efficiency: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(16), nullable=True)


class QualityReviewRow(Base):
    """QC-1: the cause analysis and improvement plan for a month below the minimum."""

    __tablename__ = "quality_reviews"
    __table_args__ = (UniqueConstraint("month", "branch"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    branch: Mapped[str] = mapped_column(String(12))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), nullable=True)
    threshold: Mapped[int] = mapped_column(Integer)
    cause_analysis: Mapped[str] = mapped_column(Text)
    improvement_plan: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    policy_version: Mapped[str] = mapped_column(String(40))
