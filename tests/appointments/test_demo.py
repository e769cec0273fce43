"""Demo slots: five working days at two branches, idempotent (SOL-4)."""

from __future__ import annotations

from datetime import date, datetime

from consultdesk.appointments import service
from consultdesk.appointments.demo import seed_demo_slots
from consultdesk.appointments.model import BEIJING
from consultdesk.bootstrap import Container


def test_demo_slots_skip_the_holiday_and_seed_once(container: Container) -> None:
    now = datetime(2026, 9, 30, 9, 0, tzinfo=BEIJING)
    for _ in range(2):
        with container.uow() as s:
            seed_demo_slots(session=s, now=now)
    with container.uow() as s:
        slots = service.list_slots(session=s, branch="BJ01", day_from=date(2026, 10, 1))
    days = sorted({s.day for s in slots})
    assert len(slots) == 20
    assert days == [date(2026, 10, d) for d in (8, 9, 10, 12, 13)]
