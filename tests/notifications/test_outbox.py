"""The transactional outbox on a real database (SQLite and PostgreSQL): written with the
business change, nothing lost on a failing send, nothing sent twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.servers import serve_in_thread

from consultdesk.bootstrap import Container
from consultdesk.notifications import service
from consultdesk.notifications.outbox import CLAIM_LEASE, OutboxStatus, retry_delay
from consultdesk.notifications.sms import SmsReceipt
from consultdesk.notifications.sms_http import HttpSmsGateway, create_sms_app
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.notifications.tables import OutboxRow
from consultdesk.org import service as org
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import ValidationFailed

PHONE = "13812345678"


class CountingGateway:
    """A fake outside SMS gateway that counts every send call it receives, per key."""

    def __init__(self, inner: SandboxSmsGateway) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        with self._lock:
            self.calls[idempotency_key] += 1
        return self.inner.send(to=to, text=text, idempotency_key=idempotency_key)


class Crash(BaseException):
    """The dispatcher process dies (not an Exception: nothing catches it)."""


class SendsThenCrashes:
    def __init__(self, inner: SandboxSmsGateway) -> None:
        self.inner = inner

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        self.inner.send(to=to, text=text, idempotency_key=idempotency_key)
        raise Crash


TEXT = "您的预约号 BJ01-20261130-007"


def enqueue(container: Container, n: int = 1, *, text: str = TEXT) -> None:
    with container.uow() as s:
        for i in range(n):
            service.enqueue_sms(
                session=s,
                now=container.clock.now(),
                keyring=container.keyring,
                to=PHONE,
                text=f"{text}（{i}）",
                purpose="test",
            )


def dispatch(container: Container, sms: object) -> service.DispatchReport:
    return service.dispatch_pending(
        uow=container.uow,
        clock=container.clock,
        keyring=container.keyring,
        sms=sms,  # type: ignore[arg-type]
        mailer=None,
    )


def statuses(container: Container) -> list[str]:
    with container.uow() as s:
        return [r.status for r in s.scalars(select(OutboxRow))]


@pytest.fixture
def sandbox(clock: FakeClock) -> SandboxSmsGateway:
    return SandboxSmsGateway(clock=clock)


# REQ: CLS-1
def test_row_is_written_only_when_the_business_change_commits(container: Container) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), container.uow() as s:
        org.ensure_branch(session=s, code="GZ01", name="广州分行")
        service.enqueue_sms(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            to=PHONE,
            text="不会发出",
            purpose="test",
        )
        raise Boom
    assert statuses(container) == []


# REQ: RSK-1
def test_recipient_is_sealed_and_only_masked_in_the_row(container: Container) -> None:
    enqueue(container)
    with container.uow() as s:
        row = s.scalars(select(OutboxRow)).one()
    assert PHONE not in row.recipient_sealed
    assert row.recipient_sealed.startswith("v1:")
    assert row.recipient_masked == "138****5678"


def test_bad_number_is_refused_at_enqueue_naming_the_field(container: Container) -> None:
    with pytest.raises(ValidationFailed) as err, container.uow() as s:
        service.enqueue_sms(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            to="12345",
            text="x",
            purpose="test",
        )
    assert err.value.field == "to"


# REQ: CLS-1
def test_dispatch_sends_and_marks_sent_with_the_receipt(
    container: Container, sandbox: SandboxSmsGateway
) -> None:
    enqueue(container)
    report = dispatch(container, sandbox)
    (message,) = sandbox.inbox(to=PHONE)
    with container.uow() as s:
        (entry,) = service.list_outbox(session=s)
    assert report.sent == 1
    assert entry.status == OutboxStatus.SENT
    assert entry.receipt == message.message_id
    assert message.text.startswith("您的预约号 BJ01-20261130-007")


def test_failing_send_is_retried_later_and_nothing_is_lost(
    container: Container, sandbox: SandboxSmsGateway, clock: FakeClock
) -> None:
    enqueue(container)
    sandbox.outage = True
    first = dispatch(container, sandbox)
    sandbox.outage = False
    too_soon = dispatch(container, sandbox)
    clock.advance(retry_delay(1).total_seconds())
    later = dispatch(container, sandbox)
    assert (first.retried, too_soon.claimed, later.sent) == (1, 0, 1)
    assert len(sandbox.inbox()) == 1
    with container.uow() as s:
        (entry,) = service.list_outbox(session=s)
    assert (entry.status, entry.attempts) == (OutboxStatus.SENT, 1)


def test_row_is_dead_after_max_attempts_and_visible(
    container: Container, sandbox: SandboxSmsGateway, clock: FakeClock
) -> None:
    enqueue(container)
    sandbox.outage = True
    for _ in range(6):
        dispatch(container, sandbox)
        clock.advance(hours=2)
    with container.uow() as s:
        dead = service.list_outbox(session=s, status="dead")
        counts = service.outbox_counts(session=s)
    assert [d.attempts for d in dead] == [6]
    assert dead[0].last_error is not None and PHONE not in dead[0].last_error
    assert counts["dead"] == 1


def test_dead_row_can_be_requeued_and_then_sent(
    container: Container, sandbox: SandboxSmsGateway, clock: FakeClock
) -> None:
    enqueue(container)
    sandbox.outage = True
    for _ in range(6):
        dispatch(container, sandbox)
        clock.advance(hours=2)
    sandbox.outage = False
    with container.uow() as s:
        (dead,) = service.list_outbox(session=s, status="dead")
        service.requeue(session=s, now=clock.now(), outbox_id=dead.id)
    assert dispatch(container, sandbox).sent == 1


def test_dispatch_twice_sends_once(container: Container, sandbox: SandboxSmsGateway) -> None:
    enqueue(container, 3)
    gateway = CountingGateway(sandbox)
    dispatch(container, gateway)
    second = dispatch(container, gateway)
    assert second.claimed == 0
    assert sorted(gateway.calls.values()) == [1, 1, 1]


def test_two_concurrent_dispatchers_send_each_row_once(
    container: Container, sandbox: SandboxSmsGateway
) -> None:
    enqueue(container, 20)
    gateway = CountingGateway(sandbox)
    barrier = threading.Barrier(2)
    reports: list[service.DispatchReport] = []

    def run() -> None:
        barrier.wait()
        for _ in range(3):
            reports.append(
                service.dispatch_pending(
                    uow=container.uow,
                    clock=container.clock,
                    keyring=container.keyring,
                    sms=gateway,
                    mailer=None,
                    limit=4,
                )
            )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(gateway.calls.values()) == 20
    assert set(gateway.calls.values()) == {1}
    assert sum(r.sent for r in reports) == 20
    assert set(statuses(container)) == {"sent"}


def test_crash_between_send_and_mark_is_resent_with_the_same_key_and_delivered_once(
    container: Container, sandbox: SandboxSmsGateway, clock: FakeClock
) -> None:
    enqueue(container)
    with pytest.raises(Crash):
        dispatch(container, SendsThenCrashes(sandbox))
    assert statuses(container) == ["sending"]
    assert dispatch(container, sandbox).claimed == 0  # the claim still holds
    clock.advance(CLAIM_LEASE.total_seconds() + 1)
    assert dispatch(container, sandbox).sent == 1
    assert len(sandbox.inbox()) == 1


def test_same_idempotency_key_enqueued_twice_is_one_notification(container: Container) -> None:
    for _ in range(2):
        with container.uow() as s:
            service.enqueue_sms(
                session=s,
                now=container.clock.now(),
                keyring=container.keyring,
                to=PHONE,
                text="同一事件",
                purpose="test",
                idempotency_key="appointment:apt_1:booked",
            )
    assert len(statuses(container)) == 1


@pytest.fixture
def http_sms(clock: FakeClock) -> Iterator[tuple[HttpSmsGateway, SandboxSmsGateway]]:
    sandbox = SandboxSmsGateway(clock=clock)
    with serve_in_thread(create_sms_app(gateway=sandbox, token="t0k")) as url:
        gateway = HttpSmsGateway(base_url=url, token="t0k")
        yield gateway, sandbox
        gateway.close()


# REQ: CLS-1
def test_dispatch_over_http_gateway_delivers_to_the_served_sandbox(
    container: Container, http_sms: tuple[HttpSmsGateway, SandboxSmsGateway]
) -> None:
    gateway, sandbox = http_sms
    enqueue(container, 2)
    assert dispatch(container, gateway).sent == 2
    assert dispatch(container, gateway).claimed == 0
    assert len(sandbox.inbox(to=PHONE)) == 2


def test_email_waits_in_the_outbox_while_no_relay_is_configured(
    container: Container, sandbox: SandboxSmsGateway
) -> None:
    with container.uow() as s:
        service.enqueue_email(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            to="zhang.san@example.com",
            subject="处理结果",
            body="您好",
            purpose="test",
        )
    report = dispatch(container, sandbox)
    with container.uow() as s:
        (entry,) = service.list_outbox(session=s)
    assert report.retried == 1
    assert (entry.status, entry.recipient_masked) == (OutboxStatus.PENDING, "z***@example.com")


def test_retry_delay_backs_off_and_is_capped() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(30) == timedelta(hours=1)
