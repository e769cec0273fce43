"""Transcript messages (pure). A message is written before it is acknowledged, ordered by a
per-consultation sequence number, and idempotent on the client's message id."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consultdesk.shared.errors import ValidationFailed

MAX_MESSAGE_CHARS = 5000
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


@dataclass(frozen=True)
class Message:
    id: str
    consultation_id: str
    seq: int
    author_kind: AuthorKind
    author_id: str | None
    text: str
    client_msg_id: str | None
    created_at: datetime
    redacted: tuple[str, ...] = ()


def check_message_text(text: str) -> str:
    body = text.strip()
    if not body:
        raise ValidationFailed("消息内容不能为空", field="text")
    if len(body) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(f"单条消息不得超过 {MAX_MESSAGE_CHARS} 个字符", field="text")
    return body


def check_client_msg_id(value: str | None) -> str | None:
    if value is None:
        return None
    if not _CLIENT_ID.match(value):
        raise ValidationFailed(
            "client_msg_id 须为 1–64 位字母、数字或 _ . : -", field="client_msg_id"
        )
    return value
