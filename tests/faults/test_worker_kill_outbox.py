"""A `consultdesk worker` killed with SIGKILL in the middle of dispatching the outbox
(issue 12 item 5; CLS-1, CLS-2).

The kill lands in the one window that matters: the provider has taken a message, the
worker has not yet marked its row sent. The SMS sandbox (over HTTP) holds back its
receipt for the second message; the SMTP server (aiosmtpd) has answered "250" to the
second e-mail and holds back its answer to QUIT. Either way the worker is killed there,
with two more rows of its batch claimed and unsent.

What ``notifications/outbox.py`` promises, and what is checked:

- claimed rows stay with the dead worker until their lease (``CLAIM_LEASE``, two
  minutes) runs out: a worker restarted at once sends everything else, not those;
- after the lease, a worker takes them over and every message is delivered;
- SMS: the resend carries the same idempotency key, so the gateway keeps one text;
- e-mail: SMTP has no idempotency key, so the message in flight at the kill arrives
  twice, both copies with the same Message-ID (which mail clients de-duplicate) and no
  other message twice: at-least-once, bounded by the one message in flight.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select, update
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consultdesk.bootstrap import Container
from consultdesk.notifications import service as outbox
from consultdesk.notifications.sms_http import create_sms_app
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.notifications.tables import OutboxRow
from consultdesk.shared.clock import FakeClock, SystemClock
from tests.consultations.test_kill import free_port
from tests.servers import serve_in_thread
from tests.sla.workers import worker_env

pytestmark = pytest.mark.postgres

TOTAL = 8
BATCH = 4  # the killed worker claims rows 1-4
STALL_AT = 2  # the provider takes message 2 and then holds its answer
SMS_TOKEN = "fault-sms-token"
STALL_LIMIT_S = 30.0


class Stall:
    """The provider's side of the kill point: set when it holds back its answer."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()

    async def hold(self) -> None:
        self.holding.set()
        deadline = time.monotonic() + STALL_LIMIT_S
        while not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


class ReceiptHeldBack:
    """ASGI wrapper: the ``STALL_AT``-th POST is served (the sandbox stores the text) but
    its receipt is held back until the stall is released."""

    def __init__(self, app: ASGIApp, stall: Stall) -> None:
        self.app, self.stall, self.posts = app, stall, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        self.posts += 1
        if self.posts != STALL_AT:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def keep(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, keep)
        await self.stall.hold()
        for message in held:
            await send(message)


class Mailbox:
    """aiosmtpd handler keeping every message; after the ``STALL_AT``-th has been
    accepted ("250"), the answer to that session's QUIT is held back."""

    def __init__(self, stall: Stall) -> None:
        self.stall = stall
        self.received: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope.original_content or b"")
        session.stall_quit = len(self.received) == STALL_AT  # type: ignore[attr-defined]
        return "250 Message accepted"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if getattr(session, "stall_quit", False):
            await self.stall.hold()
        return "221 Bye"

    def message_ids(self) -> Counter[str]:
        return Counter(
            str(message_from_bytes(raw, policy=policy.default)["Message-ID"])
            for raw in self.received
        )


def _enqueue(c: Container, channel: str) -> list[str]:
    """TOTAL notifications due a minute ago, one second apart (a fixed dispatch order)."""
    assert isinstance(c.clock, FakeClock)
    start = c.clock.now() - timedelta(minutes=1)
    keys = []
    with c.uow() as s:
        for n in range(TOTAL):
            key = f"fault-{channel}-{n}"
            common: dict[str, Any] = {
                "session": s,
                "now": start + timedelta(seconds=n),
                "keyring": c.keyring,
                "purpose": "fault_test",
                "idempotency_key": key,
            }
            if channel == "sms":
                outbox.enqueue_sms(to=f"138001380{n:02d}", text=f"您的预约号为 A{n:03d}", **common)
            else:
                outbox.enqueue_email(
                    to=f"kehu{n}@example.com",
                    subject="示例银行：处理结果",
                    body=f"您反映的第 {n} 个问题已处理完毕。",
                    **common,
                )
            keys.append(key)
    return keys


def _statuses(c: Container) -> Counter[str]:
    with c.uow() as s:
        return Counter(s.scalars(select(OutboxRow.status)).all())


def _worker(c: Container, extra_env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "consultdesk"),
            "worker",
            "--only",
            "notifications.outbox",
            *args,
        ],
        env=worker_env(c.settings, c.settings.data_dir) | extra_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _once(c: Container, extra_env: dict[str, str]) -> dict[str, int]:
    proc = _worker(c, extra_env, "--once")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    report: dict[str, int] = json.loads(out)["notifications.outbox"]
    return report


def _kill_at_the_stall(c: Container, extra_env: dict[str, str], stall: Stall) -> None:
    worker = _worker(c, extra_env, "--batch", str(BATCH), "--name", "killed")
    try:
        assert stall.holding.wait(timeout=30), "the worker never reached the provider"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=10)


def _restart_twice(c: Container, extra_env: dict[str, str]) -> None:
    """Restart at once (the dead worker's claims are still leased), then again after
    the lease has run out."""
    # Killed with message 1 marked sent, 2 taken by the provider, 3-4 claimed unsent.
    assert _statuses(c) == {"sent": 1, "sending": BATCH - 1, "pending": TOTAL - BATCH}
    first = _once(c, extra_env)
    assert first["claimed"] == TOTAL - BATCH and first["sent"] == TOTAL - BATCH
    assert _statuses(c) == {"sent": TOTAL - BATCH + 1, "sending": BATCH - 1}

    # Stands in for waiting CLAIM_LEASE (two minutes): the dead worker's lease ends.
    with c.uow() as s:
        s.execute(
            update(OutboxRow)
            .where(OutboxRow.status == "sending")
            .values(claim_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    second = _once(c, extra_env)
    assert second["claimed"] == BATCH - 1 and second["sent"] == BATCH - 1
    assert _statuses(c) == {"sent": TOTAL}


@pytest.fixture
def stall() -> Iterator[Stall]:
    held = Stall()
    yield held
    held.release.set()


def test_sms_worker_killed_between_send_and_mark_delivers_each_text_once(
    pg_container: Container, stall: Stall
) -> None:
    """Issue 12 item 5 / CLS-1: SIGKILL after the gateway took a text and before its row
    was marked; after the lease every text is delivered, each exactly once (the resend
    carries the same idempotency key and gets the first receipt back)."""
    c = pg_container
    keys = _enqueue(c, "sms")
    gateway = SandboxSmsGateway(clock=SystemClock())
    app = ReceiptHeldBack(create_sms_app(gateway=gateway, token=SMS_TOKEN), stall)
    with serve_in_thread(app) as base:
        env = {"CONSULTDESK_SMS_URL": base, "CONSULTDESK_SMS_TOKEN": SMS_TOKEN}
        _kill_at_the_stall(c, env, stall)
        stall.release.set()
        assert len(gateway.inbox()) == STALL_AT  # the second text did reach the gateway
        _restart_twice(c, env)
    inbox = gateway.inbox()
    assert sorted(m.idempotency_key for m in inbox) == sorted(keys)  # none missing or twice
    with c.uow() as s:
        receipts = {r.idempotency_key: r.receipt for r in s.scalars(select(OutboxRow))}
    assert receipts == {m.idempotency_key: m.message_id for m in inbox}


def test_email_worker_killed_after_250_resends_only_that_message_with_its_message_id(
    pg_container: Container, stall: Stall
) -> None:
    """Issue 12 item 5 / CLS-2: SIGKILL after the SMTP server accepted an e-mail and
    before its row was marked; every e-mail arrives, and the only copy twice is the one
    in flight at the kill, both with the same Message-ID (outbox.py's documented bound)."""
    c = pg_container
    _enqueue(c, "email")
    mailbox = Mailbox(stall)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = {"CONSULTDESK_SMTP_HOST": "127.0.0.1", "CONSULTDESK_SMTP_PORT": str(port)}
        _kill_at_the_stall(c, env, stall)
        stall.release.set()
        _restart_twice(c, env)
    finally:
        stall.release.set()
        controller.stop()
    with c.uow() as s:
        rows = s.scalars(select(OutboxRow).order_by(OutboxRow.next_attempt_at)).all()
        receipts = [r.receipt for r in rows]
    delivered = mailbox.message_ids()
    assert set(delivered) == set(receipts)  # every e-mail arrived
    assert len(mailbox.received) == TOTAL + 1
    assert [mid for mid, n in delivered.items() if n > 1] == [receipts[STALL_AT - 1]]
