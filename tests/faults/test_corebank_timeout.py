"""The core bank stalls longer than the client waits (issue 12 item 5; PREP-3, ACC-6).

The desk talks to the sandbox core bank through the real HTTP client (``HttpCoreBank``,
wired by ``bootstrap`` from ``corebank_url``; read timeout 3 s) on a uvicorn server on
loopback; the sandbox server's latency switch (``PUT /corebank/v1/sandbox/latency``)
makes every answer wait longer than that. Health says degraded, verification fails
closed, a balance is never shown, and every answer comes within the client's timeout."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.consultations import service as consultations
from consultdesk.corebank.http_client import CONNECT_TIMEOUT_S, READ_TIMEOUT_S, HttpCoreBank
from consultdesk.corebank.http_server import create_corebank_app
from consultdesk.corebank.port import EMERGENCY_SCRIPT
from consultdesk.corebank.sandbox import DemoProfile, SandboxCoreBank
from consultdesk.customers import service as customers
from consultdesk.demo import seed_session_only
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.settings import Settings
from consultdesk.shared.clock import SystemClock
from consultdesk.shared.scope import SYSTEM
from consultdesk.staff import service as staff
from consultdesk.web.app import create_app
from tests.servers import serve_in_thread

TOKEN = "fault-corebank-token"
STALL_S = READ_TIMEOUT_S + 2  # longer than the client waits
BOUND_S = READ_TIMEOUT_S + CONNECT_TIMEOUT_S  # an answer never takes longer than this
BALANCE = "52340.18"  # C001-01 in the sandbox: must never appear in an answer


@dataclass
class Desk:
    client: TestClient
    container: Container
    headers: dict[str, str]
    consultation_id: str
    profile: DemoProfile
    corebank_url: str

    @property
    def base(self) -> str:
        return f"/api/v1/consultations/{self.consultation_id}"

    def latency(self, seconds: float) -> None:
        r = httpx.put(
            f"{self.corebank_url}/corebank/v1/sandbox/latency",
            json={"seconds": seconds},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
        )
        assert r.status_code == 200, r.text

    def timed(self, method: str, path: str, **kwargs: object) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        r = self.client.request(method, path, headers=self.headers, **kwargs)  # type: ignore[arg-type]
        return r, time.monotonic() - started


@pytest.fixture
def desk(db_settings: Settings, tmp_path: Path) -> Iterator[Desk]:
    bank = SandboxCoreBank(clock=SystemClock())
    profile = next(p for p in bank.demo_profiles() if p.customer_id == "C001")
    with serve_in_thread(create_corebank_app(bank=bank, token=TOKEN)) as url:
        settings = db_settings.model_copy(update={"corebank_url": url, "corebank_token": TOKEN})
        c = bootstrap(settings)
        assert isinstance(c.corebank, HttpCoreBank)
        with c.uow() as s:
            seed_session_only(s)
            agent = staff.create_user(
                session=s,
                now=c.clock.now(),
                username="agent_stall",
                display_name="赵坐席",
                role="agent",
                branch="BJ01",
                password="Stall-pass-123456",
            )
            token = staff.issue_token(session=s, now=c.clock.now(), user=agent, name="fault")
            customer = customers.register_customer(
                session=s,
                now=c.clock.now(),
                keyring=c.keyring,
                index_key=c.index_key,
                name=profile.name,
                branch="BJ01",
                phone=profile.phone,
                core_customer_id="C001",
            )
            con = consultations.open_consultation(
                session=s,
                now=c.clock.now(),
                channel="phone",
                branch="BJ01",
                actor="test",
                customer_id=customer.id,
            )
        headers = {"Authorization": f"Bearer {token}"}
        client = TestClient(create_app(c), raise_server_exceptions=False)
        desk = Desk(client, c, headers, con.id, profile, url)
        try:
            with desk.client:
                yield desk
        finally:
            desk.latency(0)  # lets requests still waiting in the sandbox go
            c.close()


def _no_balance(*responses: httpx.Response) -> None:
    for r in responses:
        assert BALANCE not in r.text
        assert r.status_code != 500, r.text


def test_stalling_core_bank_degrades_health_and_verification_fails_closed(desk: Desk) -> None:
    """Issue 12 item 5 / PREP-3, ACC-6: while the core bank stalls past the client's
    timeout, /readyz reports it degraded (the desk stays up), the ID check answers 503
    with the emergency script within the timeout and leaves the customer unverified, and
    the balance is refused."""
    ready, _ = desk.timed("GET", "/readyz")
    assert ready.json()["checks"]["core_banking"]["state"] == "ok"
    desk.latency(STALL_S)

    ready, took = desk.timed("GET", "/readyz")
    assert took < BOUND_S
    assert ready.status_code == 200  # degraded, not down: the desk keeps working
    assert ready.json()["status"] == "degraded"
    core = ready.json()["checks"]["core_banking"]
    assert core["state"] == "degraded" and "timeout" in core["detail"]

    check, took = desk.timed(
        "POST", f"{desk.base}/identity/last-four", json={"last_four": desk.profile.id_number[-4:]}
    )
    assert took < BOUND_S
    assert check.status_code == 503, check.text
    assert check.json()["error"] == {
        "code": "corebank_unavailable",
        "message": EMERGENCY_SCRIPT,
        "field": None,
    }
    state, _ = desk.timed("GET", f"{desk.base}/identity")
    assert state.json()["level"] == "none"  # the right answer did not verify anyone
    assert state.json()["checks"][-1]["outcome"] == "unavailable"

    balance, _ = desk.timed("GET", f"{desk.base}/core/accounts/C001-01/balance")
    assert balance.status_code == 403 and balance.json()["error"]["code"] == "verification_required"
    _no_balance(ready, check, state, balance)
    with desk.container.uow() as s:
        kinds = [
            e.kind
            for e in consultations.timeline(
                scope=SYSTEM, session=s, consultation_id=desk.consultation_id
            )
        ]
    assert "corebank_outage" in kinds


def test_stalling_core_bank_never_shows_a_verified_customer_a_balance(desk: Desk) -> None:
    """Issue 12 item 5 / PREP-3, ACC-6: a customer verified by one-time code before the
    stall asks for a balance; the answer is a 503 within the client's timeout, never a
    figure and never a 500."""
    sent, _ = desk.timed("POST", f"{desk.base}/identity/otp")
    assert sent.status_code == 201, sent.text
    sms = desk.container.sms
    assert isinstance(sms, SandboxSmsGateway)
    code = re.search(r"\d{6}", sms.inbox(to=desk.profile.phone)[-1].text)
    assert code
    verified, _ = desk.timed(
        "POST",
        f"{desk.base}/identity/otp/verify",
        json={"challenge_id": sent.json()["challenge_id"], "code": code.group(0)},
    )
    assert verified.status_code == 200 and verified.json()["outcome"] == "passed", verified.text

    desk.latency(STALL_S)
    balance, took = desk.timed("GET", f"{desk.base}/core/accounts/C001-01/balance")
    assert took < BOUND_S
    assert balance.status_code == 503
    assert balance.json()["error"]["code"] == "corebank_unavailable"
    _no_balance(balance)
