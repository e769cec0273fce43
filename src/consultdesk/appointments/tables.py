from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class SlotRow(Base):
    __tablename__ = "appointment_slots"
    __table_args__ = (
        UniqueConstraint("branch", "day", "starts"),
        Index("ix_appointment_slots_branch_day", "branch", "day"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    branch: Mapped[str] = mapped_column(ForeignKey("org_branches.code"))
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppointmentRow(Base):
    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("branch", "day", "seq"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    slot_id: Mapped[str] = mapped_column(ForeignKey("appointment_slots.id"), index=True)
    branch: Mapped[str] = mapped_column(String(12))
    day: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    consultation_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    purpose: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(12))
    booked_by: Mapped[str] = mapped_column(String(40))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
