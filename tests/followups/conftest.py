"""A customer with a phone, a consultation of theirs at BJ01, and a staff owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.customers import service as customers
from consultdesk.followups import service
from consultdesk.followups.model import BEIJING, FollowUp
from consultdesk.shared.clock import FakeClock

PHONE = "13912345678"


@dataclass
class Desk:
    container: Container
    clock: FakeClock
    owner_id: str
    customer_id: str
    consultation_id: str

    def at_beijing(self, *args: int) -> datetime:
        moment = datetime(*args, tzinfo=BEIJING)  # type: ignore[misc]
        self.clock.set(moment)
        return moment

    def create(self, kind: str = "complaint", **kw: Any) -> FollowUp:
        with self.container.uow() as s:
            return service.create_followup(
                session=s,
                now=self.clock.now(),
                consultation_id=kw.pop("consultation_id", self.consultation_id),
                kind=kind,
                owner_id=self.owner_id,
                actor=self.owner_id,
                **kw,
            )


@pytest.fixture
def desk(container: Container, clock: FakeClock, make_user: Any) -> Desk:
    owner = make_user("agent", branch="BJ01")
    with container.uow() as s:
        customer = customers.register_customer(
            session=s,
            now=clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name="王芳",
            branch="BJ01",
            phone=PHONE,
        )
        consultation = consultations.open_consultation(
            session=s,
            now=clock.now(),
            channel="phone",
            type="complaint",
            branch="BJ01",
            actor="customer",
            customer_id=customer.id,
        )
    return Desk(container, clock, owner.id, customer.id, consultation.id)
