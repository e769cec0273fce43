from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class CallRow(Base):
    __tablename__ = "cti_calls"
    # A month's speed of answer and talk time without reading the calls (quality/report.py).
    __table_args__ = (
        Index("ix_cti_calls_report", "rung_at", "branch", "speed_of_answer_s", "talk_s"),
    )

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(String(40), index=True)
    branch: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    rung_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hold_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    held_s: Mapped[float] = mapped_column(Float, default=0.0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    speed_of_answer_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    talk_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    transfers: Mapped[int] = mapped_column(Integer, default=0)


class CtiEventRow(Base):
    """Every CTI event received, once (idempotent on the sender's event id)."""

    __tablename__ = "cti_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
