"""Tables of the security feature: one-time code challenges (ACC-6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class OtpChallengeRow(Base):
    """A code sent to a registered phone; only its salted HMAC is stored, never the code."""

    __tablename__ = "otp_challenges"

    challenge_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    policy_version: Mapped[str] = mapped_column(String(32))


class RateHitRow(Base):
    """One counted attempt for a rate limit (RSK-2, ACC-6), shared by every process. The
    key (a client address, a customer or consultation id) is stored only as a keyed
    digest; rows older than the longest window are deleted by the jobs runner."""

    __tablename__ = "security_rate_hits"
    __table_args__ = (Index("ix_security_rate_hits_lookup", "kind", "key_digest", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key_digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
