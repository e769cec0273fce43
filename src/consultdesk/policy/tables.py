from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class PolicyVersionRow(Base):
    """One version of one scope's settings: a full snapshot of that scope's overrides."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("scope", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(12), index=True)  # "HO" or a branch code
    number: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_key: Mapped[str] = mapped_column(String(80))
    old_value: Mapped[str | None] = mapped_column(String(40))
    new_value: Mapped[str | None] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
