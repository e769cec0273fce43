from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class RoutingAgentRow(Base):
    """An agent's presence, load, skills and certificates, as routing sees them."""

    __tablename__ = "routing_agents"
    __table_args__ = (Index("ix_routing_agents_branch_status", "branch", "status"),)

    agent_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    branch: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    status_since: Mapped[datetime] = mapped_column(UTCDateTime)
    idle_since: Mapped[datetime] = mapped_column(UTCDateTime)
    skills: Mapped[list[Any]] = mapped_column(JSON, default=list)
    certificates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    chats: Mapped[int] = mapped_column(Integer, default=0)
    on_call: Mapped[bool] = mapped_column(Boolean, default=False)


class RoutingQueueRow(Base):
    """A consultation waiting for, offered to, or held by an agent."""

    __tablename__ = "routing_queue"
    __table_args__ = (
        Index("ix_routing_queue_state_branch", "state", "branch", "priority_rank", "enqueued_at"),
        Index("ix_routing_queue_offer_expires_at", "offer_expires_at"),
    )

    consultation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    branch: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(12))
    priority_rank: Mapped[int] = mapped_column(Integer)
    business_line: Mapped[str | None] = mapped_column(String(30), nullable=True)
    needs_senior: Mapped[bool] = mapped_column(Boolean, default=False)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    passed_over: Mapped[list[Any]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(40))
