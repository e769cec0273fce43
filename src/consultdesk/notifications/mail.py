"""E-mail to customers over SMTP (CLS-2 survey invitations, CLS-3 results).

`Mailer` is the port; `SmtpMailer` speaks real SMTP with `smtplib` to the bank's relay
(``settings.smtp_host``/``smtp_port``, from ``settings.mail_from``). Subject and body are
UTF-8 (RFC 2047 encoded subject, UTF-8 text part). The Message-ID is derived from the
outbox idempotency key, so a repeat after a crash is recognisably the same message
(see ``consultdesk.notifications.outbox`` for the at-least-once window).
"""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from consultdesk.shared.errors import DependencyDown, ValidationFailed


class MailUnavailable(DependencyDown):
    """The SMTP relay did not take the message for now (down, timeout, 4xx); retry."""

    code = "mail_unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__("邮件服务暂时不可用，稍后将自动重发")
        self.detail = detail


class MailRejected(ValidationFailed):
    """The relay refused the message for good (5xx: unknown mailbox, policy)."""

    code = "mail_rejected"


class Mailer(Protocol):
    """Sends one e-mail; returns the Message-ID it used as the receipt."""

    def send(self, *, to: str, subject: str, body: str, idempotency_key: str, now: datetime) -> str:
        """Raises MailUnavailable (retry later) or MailRejected (give up)."""
        ...


def message_id_for(idempotency_key: str, *, sender: str) -> str:
    """A stable Message-ID for one outbox row: the same key gives the same id."""
    domain = sender.rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def compose(
    *, sender: str, to: str, subject: str, body: str, idempotency_key: str, now: datetime
) -> EmailMessage:
    """The message as it goes on the wire: UTF-8 subject and plain-text body."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id_for(idempotency_key, sender=sender)
    message.set_content(body, charset="utf-8")
    return message


class SmtpMailer:
    """Mailer over plain SMTP to the bank's relay (inside the bank's network)."""

    def __init__(self, *, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout = timeout

    def send(self, *, to: str, subject: str, body: str, idempotency_key: str, now: datetime) -> str:
        message = compose(
            sender=self.sender,
            to=to,
            subject=subject,
            body=body,
            idempotency_key=idempotency_key,
            now=now,
        )
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # The refused addresses are in the exception: never log or store them.
            codes = sorted({code for code, _ in exc.recipients.values()})
            if codes and all(500 <= c < 600 for c in codes):
                raise MailRejected("收件地址被邮件服务器拒绝", field="to") from None
            raise MailUnavailable(f"recipients refused {codes}") from None
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise MailRejected(f"邮件服务器拒绝该邮件（{exc.smtp_code}）", field="to") from None
            raise MailUnavailable(f"SMTP {exc.smtp_code}") from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise MailUnavailable(type(exc).__name__) from None
        return str(message["Message-ID"])
