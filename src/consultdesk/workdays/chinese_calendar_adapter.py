"""The `chinesecalendar` package as a WorkingCalendar (State Council schedules 2004-2026
in chinesecalendar 1.11.0). For years the package does not know it raises
CalendarUnknown instead of its own NotImplementedError."""

from __future__ import annotations

from datetime import date

import chinese_calendar

from consultdesk.workdays.domain import (
    CalendarUnknown,
    HolidayTable,
    LayeredCalendar,
    WorkingCalendar,
)


class ChineseCalendar:
    """Holidays and adjusted working weekends as published by the State Council."""

    def is_working_day(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarUnknown(day.year) from None


def mainland_calendar(table: HolidayTable | None = None) -> WorkingCalendar:
    """The production calendar: the bank's table first, then chinesecalendar."""
    return LayeredCalendar(table=table or HolidayTable(), fallback=ChineseCalendar())
