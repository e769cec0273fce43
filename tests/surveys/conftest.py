"""Customers and closed consultations at BJ01 for the satisfaction tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.customers import service as customers
from consultdesk.shared.clock import FakeClock
from consultdesk.surveys.model import BEIJING

PHONE = "13612345678"


def closed_consultation(container: Container, customer_id: str | None) -> str:
    now = container.clock.now()
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s,
            now=now,
            channel="chat",
            branch="BJ01",
            actor="customer",
            customer_id=customer_id,
        )
        for move in ("accept", "resolve", "close"):
            consultations.move(session=s, now=now, consultation_id=c.id, move=move, actor="usr_a")
    return c.id


def customer(container: Container, *, phone: str | None = PHONE, email: str | None = None) -> str:
    with container.uow() as s:
        return customers.register_customer(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name="孙丽",
            branch="BJ01",
            phone=phone,
            email=email,
        ).id


@pytest.fixture
def october(clock: FakeClock) -> FakeClock:
    clock.set(datetime(2026, 10, 12, 10, 0, tzinfo=BEIJING))
    return clock
