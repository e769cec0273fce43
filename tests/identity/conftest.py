"""A customer known to the sandbox core bank (王小明, C001) with an open consultation in BJ01."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.corebank.sandbox import DemoProfile, SandboxCoreBank
from consultdesk.customers import service as customers
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.staff import service as staff
from tests.e2e.conftest import browser_type_launch_args
from tests.security_e2e.conftest import served

__all__ = ["auth_headers", "browser_type_launch_args", "served"]


@pytest.fixture
def auth_headers(container: Container, make_user: Any) -> Any:
    """Bearer-token headers for a new member of ``role``: the token is issued directly
    (one password hash per member instead of two; sign-in itself is tested in tests/staff)."""

    def headers(role: str, *, branch: str = "HO") -> dict[str, str]:
        member = make_user(role, branch=branch)
        with container.uow() as session:
            token = staff.issue_token(
                session=session, now=container.clock.now(), user=member, name="test"
            )
        return {"Authorization": f"Bearer {token}"}

    return headers


@dataclass(frozen=True)
class Desk:
    consultation_id: str
    customer_id: str
    profile: DemoProfile
    headers: dict[str, str]

    @property
    def base(self) -> str:
        return f"/api/v1/consultations/{self.consultation_id}"


def profile(container: Container, core_id: str) -> DemoProfile:
    bank = container.corebank
    assert isinstance(bank, SandboxCoreBank)
    return next(p for p in bank.demo_profiles() if p.customer_id == core_id)


def open_desk(
    container: Container,
    headers: dict[str, str],
    *,
    core_id: str = "C001",
    branch: str = "BJ01",
    phone: str | None = None,
) -> Desk:
    p = profile(container, core_id)
    with container.uow() as session:
        customer = customers.register_customer(
            session=session,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name=p.name,
            branch=branch,
            phone=phone or p.phone,
            core_customer_id=core_id,
        )
        c = consultations.open_consultation(
            session=session,
            now=container.clock.now(),
            channel="phone",
            branch=branch,
            actor="test",
            customer_id=customer.id,
        )
    return Desk(c.id, customer.id, p, headers)


@pytest.fixture
def desk(container: Container, auth_headers: Any) -> Desk:
    return open_desk(container, auth_headers("agent", branch="BJ01"))


def sms(container: Container) -> SandboxSmsGateway:
    gateway = container.sms
    assert isinstance(gateway, SandboxSmsGateway)
    return gateway


def last_code(container: Container, phone: str) -> str:
    """The code as the customer reads it off their phone."""
    found = re.search(r"\d{6}", sms(container).inbox(to=phone)[-1].text)
    assert found
    return found.group(0)


def verify_by_code(client: TestClient, container: Container, desk: Desk) -> dict[str, Any]:
    sent = client.post(f"{desk.base}/identity/otp", headers=desk.headers)
    assert sent.status_code == 201, sent.text
    r = client.post(
        f"{desk.base}/identity/otp/verify",
        headers=desk.headers,
        json={
            "challenge_id": sent.json()["challenge_id"],
            "code": last_code(container, desk.profile.phone),
        },
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body
