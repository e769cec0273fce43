from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class TicketRow(Base):
    __tablename__ = "counter_tickets"
    __table_args__ = (
        UniqueConstraint("branch", "day", "prefix", "number"),
        Index("ix_counter_tickets_branch_day_state", "branch", "day", "state"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    branch: Mapped[str] = mapped_column(String(12))
    day: Mapped[date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(1))
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(10))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counter_no: Mapped[str | None] = mapped_column(String(10), nullable=True)
    agent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    consultation_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
