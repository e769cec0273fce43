"""Working days on the mainland calendar (CLS-3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from consultdesk.shared.errors import ValidationFailed
from consultdesk.workdays.chinese_calendar_adapter import ChineseCalendar, mainland_calendar
from consultdesk.workdays.domain import (
    CalendarUnknown,
    HolidayTable,
    LayeredCalendar,
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)
from consultdesk.workdays.table_file import EXAMPLE_2027, load_holiday_table, parse_holiday_table

CALENDAR = mainland_calendar()

TABLE_2027 = """
complete_years: [2027]
holidays:
  - date: 2027-01-01
    note: 元旦
  - {date: 2027-02-08, note: 春节}
working_days:
  - date: 2027-02-06
    note: 春节调休
"""


# REQ: CLS-3
def test_national_day_week_2026_is_skipped() -> None:
    # Wednesday 30 Sept + 3 working days: 1-7 Oct off, Thu 8, Fri 9, Sat 10 (adjusted).
    assert add_working_days(date(2026, 9, 30), 3, calendar=CALENDAR) == date(2026, 10, 10)


# REQ: CLS-3
def test_every_day_of_national_day_week_2026_is_off() -> None:
    week = [date(2026, 10, d) for d in range(1, 8)]
    assert not any(is_working_day(day, calendar=CALENDAR) for day in week)


# REQ: CLS-3
def test_spring_festival_2026_is_skipped() -> None:
    # Friday 13 Feb 2026 + 1 working day: Sat 14 Feb is an adjusted working day.
    assert add_working_days(date(2026, 2, 13), 1, calendar=CALENDAR) == date(2026, 2, 14)
    # Sat 14 Feb + 1: Spring Festival 15-23 Feb off, Tue 24 Feb back to work.
    assert add_working_days(date(2026, 2, 14), 1, calendar=CALENDAR) == date(2026, 2, 24)


# REQ: CLS-3
def test_adjusted_working_saturday_counts_as_working_day() -> None:
    assert date(2026, 2, 28).weekday() == 5
    assert is_working_day(date(2026, 2, 28), calendar=CALENDAR)


# REQ: CLS-3
def test_plain_weekend_is_not_a_working_day() -> None:
    assert not is_working_day(date(2026, 3, 7), calendar=CALENDAR)


# REQ: CLS-3
def test_complaint_deadline_of_three_working_days_over_a_weekend() -> None:
    # Friday 6 March 2026 -> Wednesday 11 March.
    assert add_working_days(date(2026, 3, 6), 3, calendar=CALENDAR) == date(2026, 3, 11)


def test_zero_working_days_returns_start() -> None:
    assert add_working_days(date(2026, 10, 3), 0, calendar=CALENDAR) == date(2026, 10, 3)


def test_negative_working_days_count_backwards() -> None:
    assert add_working_days(date(2026, 10, 8), -1, calendar=CALENDAR) == date(2026, 9, 30)


def test_next_working_day_after_holiday() -> None:
    assert next_working_day(date(2026, 10, 1), calendar=CALENDAR) == date(2026, 10, 8)


def test_working_days_between_counts_half_open_span() -> None:
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10), calendar=CALENDAR) == 3
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 30), calendar=CALENDAR) == -3


# REQ: CLS-3
def test_2027_without_a_table_raises_calendar_unknown_naming_the_year() -> None:
    with pytest.raises(CalendarUnknown) as caught:
        add_working_days(date(2026, 12, 31), 1, calendar=CALENDAR)
    assert caught.value.year == 2027
    assert "2027" in caught.value.message


def test_chinesecalendar_adapter_raises_calendar_unknown_not_notimplemented() -> None:
    with pytest.raises(CalendarUnknown):
        ChineseCalendar().is_working_day(date(2027, 6, 1))


# REQ: CLS-3
def test_2027_with_a_table_works() -> None:
    calendar = mainland_calendar(parse_holiday_table(TABLE_2027))
    # Thursday 31 Dec 2026 + 1: New Year's Day off, Monday 4 Jan 2027.
    assert add_working_days(date(2026, 12, 31), 1, calendar=calendar) == date(2027, 1, 4)
    # Friday 5 Feb 2027 + 1: Saturday 6 Feb is an adjusted working day.
    assert add_working_days(date(2027, 2, 5), 1, calendar=calendar) == date(2027, 2, 6)
    # Sat 6 Feb + 1: Mon 8 Feb off, Tue 9 Feb.
    assert add_working_days(date(2027, 2, 6), 1, calendar=calendar) == date(2027, 2, 9)


# REQ: CLS-3
def test_bank_table_takes_precedence_over_the_package() -> None:
    # The bank closes on Monday 9 March 2026 (e.g. a local holiday); the package says work.
    table = HolidayTable(holidays=frozenset({date(2026, 3, 9)}))
    calendar = mainland_calendar(table)
    assert not is_working_day(date(2026, 3, 9), calendar=calendar)
    assert add_working_days(date(2026, 3, 6), 1, calendar=calendar) == date(2026, 3, 10)


def test_incomplete_table_year_without_fallback_raises() -> None:
    calendar = LayeredCalendar(table=HolidayTable(holidays=frozenset({date(2027, 1, 1)})))
    assert not calendar.is_working_day(date(2027, 1, 1))
    with pytest.raises(CalendarUnknown):
        calendar.is_working_day(date(2027, 1, 4))


def test_shipped_2027_example_is_empty_so_2027_still_raises() -> None:
    table = load_holiday_table(EXAMPLE_2027)
    assert table.complete_years == frozenset() and table.holidays == frozenset()
    with pytest.raises(CalendarUnknown):
        mainland_calendar(table).is_working_day(date(2027, 3, 1))


def test_table_notes_are_kept() -> None:
    table = parse_holiday_table(TABLE_2027)
    assert table.notes[date(2027, 2, 6)] == "春节调休"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("complete_years: 2027", "complete_years"),
        ("holidays: [2027-02-30]", "holidays"),
        ("holidays: {a: 1}", "holidays"),
        ("working_days: [{date: tomorrow}]", "working_days"),
        ("holidays: [2027-01-01]\nworking_days: [2027-01-01]", "holidays"),
        ("- just a list", "holiday_table"),
        ("holidays: [unclosed", "holiday_table"),
    ],
)
def test_bad_table_raises_validation_failed_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_holiday_table(text)
    assert caught.value.field == field


def test_missing_table_file_raises_validation_failed(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed):
        load_holiday_table(tmp_path / "missing.yaml")
