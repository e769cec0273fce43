from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class ConsultationRow(Base):
    __tablename__ = "consultations"
    __table_args__ = (
        Index("ix_consultations_status_branch", "status", "branch"),
        # The monthly report (quality/report.py) groups a month by these columns: the
        # indexes cover them, so the bank's month and one branch's are index-only scans.
        Index(
            "ix_consultations_report",
            "opened_at",
            "channel",
            "type",
            "business_line",
            "problem_category",
            "id",
        ),
        Index(
            "ix_consultations_branch_report",
            "branch",
            "opened_at",
            "channel",
            "type",
            "business_line",
            "problem_category",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))
    type: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))
    branch: Mapped[str] = mapped_column(ForeignKey("org_branches.code"))
    policy_version: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.id"), index=True, nullable=True
    )
    agent_id: Mapped[str | None] = mapped_column(String(40), index=True, nullable=True)
    complexity: Mapped[str | None] = mapped_column(String(8), nullable=True)
    business_line: Mapped[str | None] = mapped_column(String(30), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The problem it was about (quality/categories.py): from the agent's closing choice,
    # the knowledge-base entry that answered, or the classifier over the first message.
    problem_category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    category_source: Mapped[str | None] = mapped_column(String(12), nullable=True)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ConsultationEventRow(Base):
    """Every lifecycle move and notable fact, with actor and time."""

    __tablename__ = "consultation_events"
    # The month's bot answers and hand-overs, read from the index (quality/report.py).
    __table_args__ = (Index("ix_consultation_events_kind_at", "kind", "at", "consultation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    actor: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MessageRow(Base):
    __tablename__ = "consultation_messages"
    __table_args__ = (
        UniqueConstraint("consultation_id", "seq"),
        UniqueConstraint("consultation_id", "client_msg_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    author_kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    client_msg_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    redacted: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
