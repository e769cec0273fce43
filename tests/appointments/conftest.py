"""A customer with a phone at BJ01, three days before the appointment day."""

from __future__ import annotations

from datetime import datetime

import pytest

from consultdesk.appointments.model import BEIJING
from consultdesk.bootstrap import Container
from consultdesk.customers import service as customers
from consultdesk.shared.clock import FakeClock

PHONE = "13712345678"


@pytest.fixture
def customer_id(container: Container, clock: FakeClock) -> str:
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=BEIJING))
    with container.uow() as s:
        return customers.register_customer(
            session=s,
            now=clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name="赵雷",
            branch="BJ01",
            phone=PHONE,
        ).id
