"""E-mail over real SMTP to a local aiosmtpd server on a free loopback port (CLS-2, CLS-3)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from consultdesk.bootstrap import Container
from consultdesk.notifications import service
from consultdesk.notifications.mail import (
    MailRejected,
    MailUnavailable,
    SmtpMailer,
    message_id_for,
)
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.shared.clock import FakeClock

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
SUBJECT = "示例银行：您反映问题的处理结果"
BODY = "尊敬的客户：您于10月8日反映的转账限额问题已处理完毕，限额已恢复为每日五万元。"


class Inbox:
    """aiosmtpd handler keeping what it received; refuses one address with 550."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


# REQ: CLS-3
def test_chinese_subject_and_body_arrive_intact_in_utf8(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="noreply@demo-bank.example")
    receipt = mailer.send(
        to="zhang.san@example.com", subject=SUBJECT, body=BODY, idempotency_key="k-1", now=NOW
    )
    ((sender, rcpts, raw),) = inbox.received
    message = parsed(raw)
    body = message.get_body(preferencelist=("plain",))
    assert (sender, rcpts) == ("noreply@demo-bank.example", ["zhang.san@example.com"])
    assert message["Subject"] == SUBJECT
    assert body is not None and body.get_content().strip() == BODY
    assert body.get_content_charset() == "utf-8"
    assert message["Message-ID"] == receipt


def test_message_id_is_derived_from_the_idempotency_key() -> None:
    first = message_id_for("survey:con_1:invitation", sender="noreply@demo-bank.example")
    again = message_id_for("survey:con_1:invitation", sender="noreply@demo-bank.example")
    other = message_id_for("survey:con_2:invitation", sender="noreply@demo-bank.example")
    assert first == again != other
    assert first.endswith("@demo-bank.example>")


def test_refused_mailbox_is_a_permanent_rejection(smtp_server: tuple[Inbox, int]) -> None:
    _, port = smtp_server
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="noreply@demo-bank.example")
    with pytest.raises(MailRejected) as err:
        mailer.send(to="nobody@example.com", subject="s", body="b", idempotency_key="k", now=NOW)
    assert "nobody" not in err.value.message


def test_relay_down_is_unavailable_not_a_crash() -> None:
    mailer = SmtpMailer(host="127.0.0.1", port=free_port(), sender="a@b.example", timeout=2)
    with pytest.raises(MailUnavailable):
        mailer.send(to="x@example.com", subject="s", body="b", idempotency_key="k", now=NOW)


# REQ: CLS-2
def test_outbox_email_goes_over_smtp_once(
    container: Container, smtp_server: tuple[Inbox, int], clock: FakeClock
) -> None:
    inbox, port = smtp_server
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="noreply@demo-bank.example")
    with container.uow() as s:
        service.enqueue_email(
            session=s,
            now=clock.now(),
            keyring=container.keyring,
            to="li.si@example.com",
            subject=SUBJECT,
            body=BODY,
            purpose="test",
        )
    for _ in range(2):
        service.dispatch_pending(
            uow=container.uow,
            clock=clock,
            keyring=container.keyring,
            sms=SandboxSmsGateway(clock=clock),
            mailer=mailer,
        )
    (only,) = inbox.received
    assert parsed(only[2])["Subject"] == SUBJECT
    with container.uow() as s:
        (entry,) = service.list_outbox(session=s)
    assert entry.receipt == parsed(only[2])["Message-ID"]


def test_outbox_email_to_refused_mailbox_is_dead_at_once(
    container: Container, smtp_server: tuple[Inbox, int], clock: FakeClock
) -> None:
    _, port = smtp_server
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="noreply@demo-bank.example")
    with container.uow() as s:
        service.enqueue_email(
            session=s,
            now=clock.now(),
            keyring=container.keyring,
            to="nobody@example.com",
            subject=SUBJECT,
            body=BODY,
            purpose="test",
        )
    report = service.dispatch_pending(
        uow=container.uow,
        clock=clock,
        keyring=container.keyring,
        sms=SandboxSmsGateway(clock=clock),
        mailer=mailer,
    )
    assert report.dead == 1
