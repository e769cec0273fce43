from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class SlaTimerRow(Base):
    """One rule's clock on one consultation; at most one per (consultation, kind), so a
    rule fires at most once per consultation (STD-6)."""

    __tablename__ = "sla_timers"
    __table_args__ = (
        UniqueConstraint("consultation_id", "kind"),
        Index("ix_sla_timers_state_due_at", "state", "due_at"),
        Index("ix_sla_timers_due_at", "due_at"),
        # Service levels of a month: met or fired, per rule (quality/report.py).
        Index("ix_sla_timers_report", "kind", "started_at", "branch", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(24))
    branch: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    target_s: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10))
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fired_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class SlaEscalationRow(Base):
    """What fired: a breach or an escalation, for the supervisor's and QA's queues and for
    reports. Never deleted; acknowledged when someone takes it."""

    __tablename__ = "sla_escalations"
    __table_args__ = (Index("ix_sla_escalations_queue_ack", "queue", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    timer_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    consultation_id: Mapped[str] = mapped_column(String(40), index=True)
    rule: Mapped[str] = mapped_column(String(24))
    queue: Mapped[str] = mapped_column(String(12))
    branch: Mapped[str] = mapped_column(String(12), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
