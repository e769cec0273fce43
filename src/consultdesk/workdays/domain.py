"""Working-day arithmetic over a calendar port. Pure: standard library only.

A `WorkingCalendar` answers one question, "is this date a working day?", and raises
`CalendarUnknown` for a year it has no data for, so a deadline is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from consultdesk.shared.errors import DomainError


class CalendarUnknown(DomainError):
    """No calendar source knows the holidays of `year`; the bank must publish a table."""

    status = 503
    code = "calendar_unknown"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"{year} 年的节假日安排尚未录入，无法计算工作日，请管理员补充节假日表",
            field="date",
        )
        self.year = year


class WorkingCalendar(Protocol):
    """The calendar port."""

    def is_working_day(self, day: date) -> bool:
        """True on working days; raises CalendarUnknown for a year the calendar lacks."""
        ...


@dataclass(frozen=True, slots=True)
class HolidayTable:
    """The bank's own, editable holiday table; it takes precedence over packaged data.

    `holidays`: dates off even if they fall on a weekday. `working_days`: adjusted
    working days (调休上班) even if they fall on a weekend. `complete_years`: years the
    bank confirms the table lists in full; for those years every other date follows the
    plain rule (Monday to Friday work). For other years, only the listed dates are
    answered and the rest is left to the next calendar.
    """

    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    complete_years: frozenset[int] = frozenset()
    notes: dict[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        both = self.holidays & self.working_days
        if both:
            first = min(both).isoformat()
            raise ValueError(f"{first} is listed both as a holiday and as a working day")

    def answer(self, day: date) -> bool | None:
        """True/False when the table decides `day`, None when it does not know."""
        if day in self.holidays:
            return False
        if day in self.working_days:
            return True
        if day.year in self.complete_years:
            return day.weekday() < 5
        return None


@dataclass(frozen=True, slots=True)
class LayeredCalendar:
    """The bank's table first, then the fallback calendar (e.g. chinesecalendar)."""

    table: HolidayTable
    fallback: WorkingCalendar | None = None

    def is_working_day(self, day: date) -> bool:
        decided = self.table.answer(day)
        if decided is not None:
            return decided
        if self.fallback is None:
            raise CalendarUnknown(day.year)
        return self.fallback.is_working_day(day)


def is_working_day(day: date, *, calendar: WorkingCalendar) -> bool:
    """True when `day` is a working day on `calendar`."""
    return calendar.is_working_day(day)


def add_working_days(start: date, n: int, *, calendar: WorkingCalendar) -> date:
    """The date `n` working days after `start` (before it when n < 0).

    `start` itself is not counted: a complaint received on Wednesday 2026-09-30 with a
    3-working-day deadline is due Saturday 2026-10-10: National Day week is off and
    that Saturday is an adjusted working day.
    n == 0 returns `start` unchanged.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    day = start
    while remaining:
        day += timedelta(days=step)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def next_working_day(day: date, *, calendar: WorkingCalendar) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_between(start: date, end: date, *, calendar: WorkingCalendar) -> int:
    """Working days in the half-open span (start, end]; negative when end < start."""
    if end < start:
        return -working_days_between(end, start, calendar=calendar)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count
