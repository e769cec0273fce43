"""Counter appointments on a real database (SOL-4, CLS-1)."""

from __future__ import annotations

import threading
from datetime import date, time
from typing import Any

import pytest

from consultdesk.appointments import service
from consultdesk.appointments.model import AppointmentState
from consultdesk.bootstrap import Container
from consultdesk.notifications import service as notifications
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import Conflict, ValidationFailed
from tests.appointments.conftest import PHONE

DAY = date(2026, 11, 30)


def open_slot(container: Container, *, capacity: int = 5, starts: time = time(9, 0)) -> str:
    with container.uow() as s:
        return service.open_slot(
            session=s,
            now=container.clock.now(),
            branch="BJ01",
            day=DAY,
            starts=starts,
            ends=time(starts.hour + 1, 0),
            capacity=capacity,
            actor="usr_sup",
        ).id


def book(container: Container, slot_id: str, customer_id: str) -> Any:
    with container.uow() as s:
        return service.book_appointment(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            slot_id=slot_id,
            customer_id=customer_id,
            purpose="开立个人结算账户",
            actor="usr_agent",
            bank="示例银行",
        )


# REQ: SOL-4, CLS-1
def test_booking_sends_the_appointment_number_to_the_customer_phone(
    container: Container, customer_id: str, clock: FakeClock
) -> None:
    appointment = book(container, open_slot(container), customer_id)
    sandbox = SandboxSmsGateway(clock=clock)
    notifications.dispatch_pending(
        uow=container.uow, clock=clock, keyring=container.keyring, sms=sandbox, mailer=None
    )
    (sms,) = sandbox.inbox(to=PHONE)
    assert appointment.number == "BJ01-20261130-001"
    assert "预约号 BJ01-20261130-001" in sms.text
    assert "11月30日09:00-10:00" in sms.text


# REQ: SOL-4
def test_numbers_count_up_per_branch_and_day_across_slots(
    container: Container, customer_id: str
) -> None:
    morning, afternoon = open_slot(container), open_slot(container, starts=time(14, 0))
    numbers = [book(container, s, customer_id).number for s in (morning, afternoon, morning)]
    assert numbers == ["BJ01-20261130-001", "BJ01-20261130-002", "BJ01-20261130-003"]


def test_full_slot_is_refused_naming_the_slot(container: Container, customer_id: str) -> None:
    slot = open_slot(container, capacity=1)
    book(container, slot, customer_id)
    with pytest.raises(Conflict) as err:
        book(container, slot, customer_id)
    assert err.value.field == "slot_id"


def test_cancelling_frees_the_place_and_tells_the_customer(
    container: Container, customer_id: str
) -> None:
    slot = open_slot(container, capacity=1)
    first = book(container, slot, customer_id)
    with container.uow() as s:
        cancelled = service.cancel_appointment(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            appointment_id=first.id,
            reason="客户改期",
            actor="usr_agent",
        )
        sent = notifications.list_outbox(session=s, ref=first.id)
    again = book(container, slot, customer_id)
    assert cancelled.state == AppointmentState.CANCELLED
    assert sorted(e.purpose for e in sent) == ["appointment_booked", "appointment_cancelled"]
    assert again.number == "BJ01-20261130-002"  # numbers are never reused


def test_slot_in_the_past_cannot_be_opened(container: Container, customer_id: str) -> None:
    with pytest.raises(ValidationFailed) as err, container.uow() as s:
        service.open_slot(
            session=s,
            now=container.clock.now(),
            branch="BJ01",
            day=date(2026, 11, 1),
            starts=time(9),
            ends=time(10),
            capacity=3,
            actor="x",
        )
    assert err.value.field == "day"


def test_window_must_end_after_it_starts(container: Container, customer_id: str) -> None:
    with pytest.raises(ValidationFailed) as err, container.uow() as s:
        service.open_slot(
            session=s,
            now=container.clock.now(),
            branch="BJ01",
            day=DAY,
            starts=time(10),
            ends=time(9),
            capacity=3,
            actor="x",
        )
    assert err.value.field == "ends"


def test_concurrent_bookings_respect_capacity_and_get_distinct_numbers(
    container: Container, customer_id: str
) -> None:
    slot = open_slot(container, capacity=3)
    results: list[str] = []
    refused: list[str] = []
    barrier = threading.Barrier(5)

    def attempt() -> None:
        barrier.wait()
        try:
            results.append(book(container, slot, customer_id).number)
        except Conflict:
            refused.append("full")

    threads = [threading.Thread(target=attempt) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [f"BJ01-20261130-00{i}" for i in (1, 2, 3)]
    assert len(refused) == 2
