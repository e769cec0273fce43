"""Per-consultation customer chat tokens (the widget's and the app's credential)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class ChatTokenRow(Base):
    """Only a SHA-256 digest of the token is stored; the token is shown once, at opening."""

    __tablename__ = "consultation_chat_tokens"

    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
