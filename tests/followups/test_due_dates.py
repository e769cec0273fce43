"""Due dates in working days on the mainland calendar (CLS-3). Pure: no database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from consultdesk.followups.model import BEIJING, due_date_for
from consultdesk.workdays.chinese_calendar_adapter import mainland_calendar
from consultdesk.workdays.domain import CalendarUnknown

CALENDAR = mainland_calendar()


def due(received: datetime, days: int) -> date:
    return due_date_for(received_at=received, working_days=days, calendar=CALENDAR)


# REQ: CLS-3
def test_complaint_before_national_day_skips_the_holiday_week() -> None:
    # Wed 30 Sep 2026; 1–7 Oct off; Thu 8, Fri 9, Sat 10 (adjusted working day).
    assert due(datetime(2026, 9, 30, 15, 0, tzinfo=BEIJING), 3) == date(2026, 10, 10)


# REQ: CLS-3
def test_adjusted_working_saturday_counts_as_a_working_day() -> None:
    # Fri 9 Oct 2026: Sat 10 is a working day (调休), Sun 11 is not.
    assert due(datetime(2026, 10, 9, 10, 0, tzinfo=BEIJING), 3) == date(2026, 10, 13)


# REQ: CLS-3
def test_next_day_feedback_during_the_holiday_lands_on_the_first_day_back() -> None:
    assert due(datetime(2026, 10, 2, 11, 0, tzinfo=BEIJING), 1) == date(2026, 10, 8)


def test_received_date_is_the_beijing_date_not_the_utc_date() -> None:
    # Fri 9 Oct 16:30 UTC is Sat 10 Oct 00:30 in Beijing: one working day later is Mon 12,
    # not Sat 10 as counting from the UTC date would give.
    assert due(datetime.fromisoformat("2026-10-09T16:30:00+00:00"), 1) == date(2026, 10, 12)


def test_year_unknown_to_the_calendar_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarUnknown):
        due(datetime(2031, 3, 3, 9, 0, tzinfo=BEIJING), 3)
