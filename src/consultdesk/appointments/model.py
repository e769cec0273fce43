"""Counter slots and appointments (SOL-4, CLS-1). Pure: standard library only.

An appointment number reads ``<branch>-<yyyymmdd>-<seq>``, e.g. ``BJ01-20261130-007``:
the branch, the day of the visit and the booking's sequence at that branch on that day
(numbers are never reused, cancelled ones included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import NewType

from consultdesk.shared.errors import ValidationFailed

SlotId = NewType("SlotId", str)
AppointmentId = NewType("AppointmentId", str)

MAX_CAPACITY = 200
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
MAX_PURPOSE = 100


class AppointmentState(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Slot:
    id: SlotId
    branch: str
    day: date
    starts: time
    ends: time
    capacity: int
    booked: int

    @property
    def available(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def window(self) -> str:
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"


@dataclass(frozen=True)
class Appointment:
    id: AppointmentId
    number: str
    slot_id: SlotId
    branch: str
    day: date
    window: str
    customer_id: str
    consultation_id: str | None
    purpose: str
    state: AppointmentState
    booked_at: datetime
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None


def local_date(moment: datetime) -> date:
    """The calendar date in Beijing at ``moment``."""
    return moment.astimezone(BEIJING).date()


def appointment_number(*, branch: str, day: date, seq: int) -> str:
    """``BJ01-20261130-007``: three digits, more when a day has over 999 bookings."""
    return f"{branch}-{day:%Y%m%d}-{seq:03d}"


def check_slot(*, starts: time, ends: time, capacity: int) -> None:
    """A time window that ends after it starts, and a capacity of 1 to 200."""
    if ends <= starts:
        raise ValidationFailed("结束时间须晚于开始时间", field="ends")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationFailed(f"容量须为 1–{MAX_CAPACITY}", field="capacity")


def check_purpose(text: str) -> str:
    value = text.strip()
    if not value or len(value) > MAX_PURPOSE:
        raise ValidationFailed(f"办理事项须为 1–{MAX_PURPOSE} 个字符", field="purpose")
    return value


def booking_text(*, bank: str, branch_name: str, appointment: Appointment) -> str:
    """CLS-1: the SMS with the appointment number and what to bring."""
    d = appointment.day
    return (
        f"【{bank}】您已预约{branch_name}{d.month}月{d.day}日{appointment.window}"
        f"柜台办理“{appointment.purpose}”，预约号 {appointment.number}。"
        "请携带本人有效身份证件按时到达，凭预约号取号。"
    )


def cancel_text(*, bank: str, appointment: Appointment) -> str:
    d = appointment.day
    return (
        f"【{bank}】您{d.month}月{d.day}日{appointment.window}的柜台预约"
        f"（预约号 {appointment.number}）已取消。如需办理请重新预约。"
    )
