"""Demo counter slots (SOL-4): the next five working days at the demo branches."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from consultdesk.appointments import service
from consultdesk.appointments.model import local_date
from consultdesk.shared.errors import Conflict
from consultdesk.workdays.chinese_calendar_adapter import mainland_calendar
from consultdesk.workdays.domain import CalendarUnknown

DEMO_BRANCHES = ("BJ01", "SH01")
WINDOWS = ((time(9), time(10)), (time(10), time(11)), (time(14), time(15)), (time(15), time(16)))


def _next_working_days(start: date, count: int) -> list[date]:
    calendar = mainland_calendar()
    days: list[date] = []
    day = start
    while len(days) < count:
        day += timedelta(days=1)
        try:
            working = calendar.is_working_day(day)
        except CalendarUnknown:
            working = day.weekday() < 5  # demo only: a year without a published schedule
        if working:
            days.append(day)
    return days


def seed_demo_slots(*, session: Session, now: datetime, container: Any = None) -> None:
    """Four windows of four places a day; running it again adds nothing."""
    for branch in DEMO_BRANCHES:
        for day in _next_working_days(local_date(now), 5):
            for starts, ends in WINDOWS:
                try:
                    service.open_slot(
                        session=session,
                        now=now,
                        branch=branch,
                        day=day,
                        starts=starts,
                        ends=ends,
                        capacity=4,
                        actor="demo",
                    )
                except Conflict:
                    continue
