"""The AML alert queue (RSK-5). Alerts are kept 10 years (retention class ``aml``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class AmlAlertRow(Base):
    __tablename__ = "aml_alerts"
    __table_args__ = (UniqueConstraint("customer_id", "day", "rule", "currency"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(60), index=True)
    day: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(20, 2, asdecimal=True))
    transaction_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reviewer_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    retention_class: Mapped[str] = mapped_column(String(20))
    retain_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
