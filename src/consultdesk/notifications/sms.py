"""The SMS gateway port (CLS-1, CLS-2): key facts and survey links to the customer's phone.

`send` is idempotent on `idempotency_key`: sending again with the same key and the same
message returns the first receipt and sends nothing; the same key with a different
message is a Conflict. Callers (the outbox) retry with the same key after
`SmsGatewayUnavailable`, so a customer never gets the same text twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NewType, Protocol

from consultdesk.shared.errors import DependencyDown, ValidationFailed
from consultdesk.validation.checks import check_mobile

SmsMessageId = NewType("SmsMessageId", str)

# A long SMS is split by the carrier into 67-character parts; beyond ~5 parts customers
# find it unreadable and some gateways refuse it.
MAX_SMS_CHARS = 335
MAX_KEY_CHARS = 128


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    """The gateway accepted the message; `to` is the normalised 11-digit number."""

    message_id: SmsMessageId
    to: str
    idempotency_key: str
    accepted_at: datetime


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One message as the gateway holds it."""

    message_id: SmsMessageId
    to: str
    text: str
    idempotency_key: str
    accepted_at: datetime


@dataclass(frozen=True, slots=True)
class SmsRequest:
    """A checked request: normalised number, trimmed text, checked key."""

    to: str
    text: str
    idempotency_key: str


class SmsGatewayUnavailable(DependencyDown):
    """The gateway did not accept the message (down, timeout, 5xx, bad credentials);
    retry later with the same idempotency key."""

    code = "sms_unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__("短信服务暂时不可用，稍后将自动重发")
        self.detail = detail


class SmsGateway(Protocol):
    """Sends text messages to mainland mobile numbers."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        """Send `text` to `to` once per `idempotency_key`. Raises ValidationFailed (field
        'to', 'text' or 'idempotency_key'), Conflict (key reused for another message),
        SmsGatewayUnavailable."""
        ...


def check_sms_request(*, to: str, text: str, idempotency_key: str) -> SmsRequest:
    """Validate and normalise a send request; raises ValidationFailed naming the field."""
    verdict = check_mobile(to)
    if not verdict.valid or verdict.normalized is None:
        raise ValidationFailed(
            verdict.reason or "手机号码无效", field="to", code=verdict.reason_code
        )
    body = text.strip()
    if not body:
        raise ValidationFailed("短信内容不能为空", field="text")
    if len(body) > MAX_SMS_CHARS:
        raise ValidationFailed(
            f"短信内容过长：{len(body)} 字，最多 {MAX_SMS_CHARS} 字", field="text"
        )
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            f"幂等键应为 1 至 {MAX_KEY_CHARS} 个可打印 ASCII 字符", field="idempotency_key"
        )
    return SmsRequest(to=verdict.normalized, text=body, idempotency_key=key)
