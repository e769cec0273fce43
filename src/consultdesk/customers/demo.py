"""Demo customers: the sandbox core bank's fictional people, registered at the desk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from consultdesk.bootstrap import Container
from consultdesk.corebank.model import CustomerId as CoreCustomerId
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.customers import service

DEMO_BRANCHES = ("BJ01", "SH01")


def seed_demo_customers(*, session: Session, now: datetime, container: Container) -> None:
    """Register each sandbox customer once (running it again changes nothing)."""
    bank = container.corebank
    if not isinstance(bank, SandboxCoreBank):
        return
    for index, profile in enumerate(bank.demo_profiles()):
        if service.find_by_core_id(session=session, core_customer_id=profile.customer_id):
            continue
        core = bank.get_customer(customer_id=CoreCustomerId(profile.customer_id))
        service.register_customer(
            session=session,
            now=now,
            keyring=container.keyring,
            index_key=container.index_key,
            name=profile.name,
            branch=DEMO_BRANCHES[index % len(DEMO_BRANCHES)],
            phone=profile.phone,
            id_number=profile.id_number,
            core_customer_id=profile.customer_id,
            birth_date=core.birth_date,
            risk_tolerance=core.risk_tolerance.value if core.risk_tolerance else None,
            risk_assessed_on=core.risk_assessed_on,
        )
