"""Queue numbers at a branch counter, pure: numbered per branch, per day (Beijing) and
per prefix — A001, A002 … — and the visit's states."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from consultdesk.shared.errors import ValidationFailed
from consultdesk.sla.model import BEIJING

MAX_NUMBER = 999
_PREFIX = re.compile(r"^[A-Z]$")


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"


def business_day(now: datetime) -> date:
    """Numbers restart each day at midnight Beijing time."""
    return now.astimezone(BEIJING).date()


def ticket_code(prefix: str, number: int) -> str:
    """``A`` and 7 → ``A007``."""
    return f"{prefix}{number:03d}"


def check_prefix(prefix: str) -> str:
    value = prefix.strip().upper()
    if not _PREFIX.match(value):
        raise ValidationFailed("号码前缀须为一个大写字母", field="prefix")
    return value


def next_number(last: int | None) -> int:
    number = (last or 0) + 1
    if number > MAX_NUMBER:
        raise ValidationFailed(f"今日该类号码已发完（最多 {MAX_NUMBER} 个）", field="prefix")
    return number
