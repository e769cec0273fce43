"""The outbox table. The recipient is sealed (AES-GCM, the row id as associated data)
and only its masked form is readable; the body is what the customer will read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime
from consultdesk.security.key_rotation import EncryptedColumns, register_encrypted_columns


class OutboxRow(Base):
    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str | None] = mapped_column(String(80), index=True, nullable=True)
    recipient_sealed: Mapped[str] = mapped_column(Text)
    recipient_masked: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    receipt: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)


# `consultdesk keys rotate` re-seals the recipient; `backup`/`restore` check it opens (CLS-4).
register_encrypted_columns(
    EncryptedColumns(
        "notification_outbox",
        "id",
        ("recipient_sealed",),
        aad_fields={"recipient_sealed": "recipient"},
    )
)
