"""The transactional outbox (CLS-1, CLS-2, CLS-3): what a notification is and how its
delivery is retried. Pure: standard library only.

A notification is written as a row in the same transaction as the business change that
causes it (an appointment booked, a survey invited), so it is sent if and only if that
change commits: nothing lost. A dispatcher claims due rows, sends them and marks them
sent with the provider's receipt. Each row carries an idempotency key that goes to the
provider: if the dispatcher dies between sending and marking, the row's claim expires,
it is sent again with the same key, and the SMS gateway answers with the first receipt
instead of sending a second text: nothing sent twice.

E-mail over SMTP has no idempotency key. The Message-ID header is derived from the key,
so a repeat after a crash in the window between the server's "250 OK" and the mark is the
same message to mail clients that de-duplicate on Message-ID; SMTP delivery is therefore
at-least-once, with that window (one SMTP transaction) the only way to get two copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

OutboxId = NewType("OutboxId", str)


class NotificationChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (first time or after a failure)
    SENDING = "sending"  # claimed by a dispatcher until its claim expires
    SENT = "sent"  # the provider accepted it; the receipt is stored
    DEAD = "dead"  # given up: too many failures or refused for good; visible for staff


STATUS_ZH = {
    OutboxStatus.PENDING: "待发送",
    OutboxStatus.SENDING: "发送中",
    OutboxStatus.SENT: "已发送",
    OutboxStatus.DEAD: "发送失败",
}

DEFAULT_MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# How long a claimed row stays with its dispatcher; after that another one may take it
# over (the first died). Much longer than one send (SMS 5 s timeout, SMTP 10 s).
CLAIM_LEASE = timedelta(minutes=2)


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failures: 30 s, 60 s, 2 min, … capped
    at one hour (exponential backoff)."""
    if attempts < 1:
        return timedelta(0)
    delay: timedelta = FIRST_RETRY * (2 ** min(attempts - 1, 20))
    return delay if delay < LONGEST_RETRY else LONGEST_RETRY


@dataclass(frozen=True, slots=True)
class AfterFailure:
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime


def after_failure(
    *, attempts: int, now: datetime, permanent: bool, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> AfterFailure:
    """The row's state after one more failed try: retried later with backoff, or dead
    when the failure is permanent (bad address) or the tries are used up."""
    tried = attempts + 1
    if permanent or tried >= max_attempts:
        return AfterFailure(OutboxStatus.DEAD, tried, now)
    return AfterFailure(OutboxStatus.PENDING, tried, now + retry_delay(tried))


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A notification as staff may see it: the recipient only masked."""

    id: OutboxId
    channel: NotificationChannel
    purpose: str
    ref: str | None
    recipient_masked: str
    subject: str | None
    body: str
    status: OutboxStatus
    attempts: int
    idempotency_key: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    receipt: str | None
    last_error: str | None


def mask_email(address: str) -> str:
    """'zhang.san@example.com' -> 'z***@example.com' (the domain stays for support)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
