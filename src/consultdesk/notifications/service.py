"""Use cases of the notification outbox (CLS-1, CLS-2, CLS-3).

``enqueue_sms`` / ``enqueue_email`` / ``notify_customer`` add a row to the caller's
session, so the notification commits or rolls back with the business change.
``dispatch_pending`` claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
serialises writers with ``BEGIN IMMEDIATE``), sends them outside any transaction, and
marks each one sent (with the provider's receipt), retried with backoff, or dead.
The recipient is sealed with the row id as associated data and is never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from consultdesk.customers import service as customers
from consultdesk.notifications.mail import Mailer, MailRejected, SmtpMailer
from consultdesk.notifications.outbox import (
    CLAIM_LEASE,
    DEFAULT_MAX_ATTEMPTS,
    NotificationChannel,
    OutboxEntry,
    OutboxId,
    OutboxStatus,
    after_failure,
    mask_email,
)
from consultdesk.notifications.sms import SmsGateway, check_sms_request
from consultdesk.notifications.tables import OutboxRow
from consultdesk.security.crypto import KeyRing, decrypt_field, encrypt_field
from consultdesk.security.masking import mask_phone
from consultdesk.shared.clock import Clock
from consultdesk.shared.errors import Conflict, DomainError, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id
from consultdesk.shared.scope import SYSTEM

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container
    from consultdesk.db.engine import UnitOfWork
    from consultdesk.jobs.model import Job

log = logging.getLogger("consultdesk.notifications")

RECIPIENT_FIELD = "recipient"
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9.\-]{1,190}\.[A-Za-z]{2,24}$")
MAX_SUBJECT = 200
MAX_BODY = 4000


def check_email(address: str) -> str:
    """A plausible mailbox address, trimmed; ValidationFailed(field='email') otherwise."""
    value = address.strip()
    if not _EMAIL.match(value):
        raise ValidationFailed("电子邮箱格式不正确", field="email")
    return value


def _entry(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        id=OutboxId(row.id),
        channel=NotificationChannel(row.channel),
        purpose=row.purpose,
        ref=row.ref,
        recipient_masked=row.recipient_masked,
        subject=row.subject,
        body=row.body,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        receipt=row.receipt,
        last_error=row.last_error,
    )


def _enqueue(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    channel: NotificationChannel,
    to: str,
    masked: str,
    subject: str | None,
    body: str,
    purpose: str,
    ref: str | None,
    idempotency_key: str | None,
) -> OutboxEntry:
    key = idempotency_key or new_id("ntf")
    if not key.isascii() or not key.isprintable() or len(key) > 128:
        raise ValidationFailed("幂等键应为 1 至 128 个可打印 ASCII 字符", field="idempotency_key")
    existing = (
        session.scalars(select(OutboxRow).where(OutboxRow.idempotency_key == key)).first()
        if idempotency_key  # a generated key is new by construction
        else None
    )
    if existing is not None:
        if existing.body != body or existing.subject != subject:
            raise Conflict("该幂等键已用于另一条通知", field="idempotency_key")
        return _entry(existing)  # the same business event asked twice: one notification
    row_id = new_id("ntf")
    row = OutboxRow(
        id=row_id,
        idempotency_key=key,
        channel=channel.value,
        purpose=purpose[:40],
        ref=ref,
        recipient_sealed=encrypt_field(
            to, record_id=row_id, keyring=keyring, field=RECIPIENT_FIELD
        ),
        recipient_masked=masked,
        subject=subject,
        body=body,
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _entry(row)


def enqueue_sms(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    to: str,
    text: str,
    purpose: str,
    ref: str | None = None,
    idempotency_key: str | None = None,
) -> OutboxEntry:
    """Queue a text to ``to`` in the caller's transaction. The number and text are checked
    now (ValidationFailed naming 'to' or 'text'), so the dispatcher only meets outages.
    The same ``idempotency_key`` twice returns the first row."""
    request = check_sms_request(to=to, text=text, idempotency_key=idempotency_key or "x")
    return _enqueue(
        session=session,
        now=now,
        keyring=keyring,
        channel=NotificationChannel.SMS,
        to=request.to,
        masked=mask_phone(request.to),
        subject=None,
        body=request.text,
        purpose=purpose,
        ref=ref,
        idempotency_key=idempotency_key,
    )


def enqueue_email(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    to: str,
    subject: str,
    body: str,
    purpose: str,
    ref: str | None = None,
    idempotency_key: str | None = None,
) -> OutboxEntry:
    """Queue an e-mail in the caller's transaction (see ``enqueue_sms``)."""
    address = check_email(to)
    if not subject.strip() or len(subject) > MAX_SUBJECT:
        raise ValidationFailed(f"邮件主题须为 1–{MAX_SUBJECT} 个字符", field="subject")
    if not body.strip() or len(body) > MAX_BODY:
        raise ValidationFailed(f"邮件正文须为 1–{MAX_BODY} 个字符", field="body")
    return _enqueue(
        session=session,
        now=now,
        keyring=keyring,
        channel=NotificationChannel.EMAIL,
        to=address,
        masked=mask_email(address),
        subject=subject.strip(),
        body=body.strip(),
        purpose=purpose,
        ref=ref,
        idempotency_key=idempotency_key,
    )


def notify_customer(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    customer_id: str,
    text: str,
    subject: str,
    purpose: str,
    ref: str | None = None,
    idempotency_key: str | None = None,
    prefer: NotificationChannel = NotificationChannel.SMS,
) -> OutboxEntry:
    """Queue ``text`` to the customer's registered phone (CLS-1), or by e-mail when there
    is no phone or e-mail is preferred; ValidationFailed(field='customer_id') when the
    customer has neither."""
    customer = customers.get_customer(scope=SYSTEM, session=session, customer_id=customer_id)
    sealed = customers.sealed_phone(session=session, customer_id=customer_id)
    use_email = customer.email and (prefer == NotificationChannel.EMAIL or not sealed)
    if use_email and customer.email:
        return enqueue_email(
            session=session,
            now=now,
            keyring=keyring,
            to=customer.email,
            subject=subject,
            body=text,
            purpose=purpose,
            ref=ref,
            idempotency_key=idempotency_key,
        )
    if sealed:
        phone = decrypt_field(sealed, record_id=customer_id, keyring=keyring, field="phone")
        return enqueue_sms(
            session=session,
            now=now,
            keyring=keyring,
            to=phone,
            text=text,
            purpose=purpose,
            ref=ref,
            idempotency_key=idempotency_key,
        )
    raise ValidationFailed("客户未登记手机号或电子邮箱，无法通知", field="customer_id")


def get_entry(*, session: Session, outbox_id: str) -> OutboxEntry:
    row = session.get(OutboxRow, outbox_id)
    if row is None:
        raise NotFound("通知不存在", field="outbox_id")
    return _entry(row)


def list_outbox(
    *,
    session: Session,
    status: str | None = None,
    ref: str | None = None,
    limit: int = 100,
) -> list[OutboxEntry]:
    """Notifications, newest first; ``status`` one of pending/sending/sent/dead."""
    query = select(OutboxRow).order_by(OutboxRow.created_at.desc(), OutboxRow.id).limit(limit)
    if status is not None:
        try:
            query = query.where(OutboxRow.status == OutboxStatus(status).value)
        except ValueError:
            allowed = ", ".join(s.value for s in OutboxStatus)
            raise ValidationFailed(f"status 取值无效；可选 {allowed}", field="status") from None
    if ref is not None:
        query = query.where(OutboxRow.ref == ref)
    return [_entry(r) for r in session.scalars(query)]


def outbox_counts(*, session: Session) -> dict[str, int]:
    """Rows per status (every status present, zero when none)."""
    counts = {s.value: 0 for s in OutboxStatus}
    for status, count in session.execute(
        select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
    ):
        counts[status] = int(count)
    return counts


def requeue(*, session: Session, now: datetime, outbox_id: str) -> OutboxEntry:
    """Give a dead notification another round of tries (after the cause is fixed)."""
    row = session.get(OutboxRow, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound("通知不存在", field="outbox_id")
    if row.status != OutboxStatus.DEAD.value:
        raise Conflict("只有发送失败的通知可以重新发送", field="status")
    row.status = OutboxStatus.PENDING.value
    row.attempts = 0
    row.next_attempt_at = now
    session.flush()
    return _entry(row)


@dataclass(frozen=True, slots=True)
class DispatchReport:
    claimed: int
    sent: int
    retried: int
    dead: int
    lost_claims: int = 0


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: str
    channel: NotificationChannel
    sealed: str
    subject: str | None
    body: str
    key: str


def _claim(*, uow: UnitOfWork, now: datetime, worker: str, limit: int) -> list[_Claimed]:
    due = or_(
        and_(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.next_attempt_at <= now),
        # A claim that outlived its lease: that dispatcher died; take it over.
        and_(OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.claim_expires_at <= now),
    )
    with uow() as session:
        rows = session.scalars(
            select(OutboxRow)
            .where(due)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.status = OutboxStatus.SENDING.value
            row.claimed_by = worker
            row.claim_expires_at = now + CLAIM_LEASE
        return [
            _Claimed(
                r.id,
                NotificationChannel(r.channel),
                r.recipient_sealed,
                r.subject,
                r.body,
                r.idempotency_key,
            )
            for r in rows
        ]


def _send(
    item: _Claimed, *, keyring: KeyRing, sms: SmsGateway, mailer: Mailer | None, now: datetime
) -> str:
    to = decrypt_field(item.sealed, record_id=item.id, keyring=keyring, field=RECIPIENT_FIELD)
    if item.channel == NotificationChannel.SMS:
        return sms.send(to=to, text=item.body, idempotency_key=item.key).message_id
    if mailer is None:
        raise _NoMailer
    return mailer.send(
        to=to, subject=item.subject or "", body=item.body, idempotency_key=item.key, now=now
    )


class _NoMailer(Exception):
    """No SMTP relay configured (settings.smtp_host unset): e-mail waits and retries."""


def _is_permanent(exc: Exception) -> bool:
    # A refused address or a text the gateway will never take: retrying cannot help.
    return isinstance(exc, (MailRejected, Conflict, ValidationFailed))


def _error_text(exc: Exception) -> str:
    """What went wrong, without the recipient (exception texts may quote addresses)."""
    if isinstance(exc, DomainError):
        detail = getattr(exc, "detail", "")
        return f"{type(exc).__name__}: {exc.code}{(' ' + detail) if detail else ''}"[:300]
    return type(exc).__name__


def _mark(
    *,
    uow: UnitOfWork,
    now: datetime,
    worker: str,
    item: _Claimed,
    receipt: str | None,
    error: Exception | None,
    max_attempts: int,
) -> str:
    with uow() as session:
        row = session.get(OutboxRow, item.id, with_for_update=True)
        if row is None or row.claimed_by != worker or row.status != OutboxStatus.SENDING.value:
            # Our lease ran out and another dispatcher took the row over; it sends with
            # the same key, so the gateway keeps one message. Leave the row to it.
            return "lost"
        row.claimed_by = None
        row.claim_expires_at = None
        if error is None:
            row.status = OutboxStatus.SENT.value
            row.sent_at = now
            row.receipt = (receipt or "")[:200]
            row.last_error = None
            return "sent"
        outcome = after_failure(
            attempts=row.attempts,
            now=now,
            permanent=_is_permanent(error),
            max_attempts=max_attempts,
        )
        row.status = outcome.status.value
        row.attempts = outcome.attempts
        row.next_attempt_at = outcome.next_attempt_at
        row.last_error = _error_text(error)
        return "dead" if outcome.status == OutboxStatus.DEAD else "retried"


def dispatch_pending(
    *,
    uow: UnitOfWork,
    clock: Clock,
    keyring: KeyRing,
    sms: SmsGateway,
    mailer: Mailer | None,
    limit: int = 50,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> DispatchReport:
    """Send what is due, once. Safe to run in several threads or processes at a time: a
    row is claimed by one dispatcher (its claim lasts ``CLAIM_LEASE``), and a row sent
    but not marked (crash) is re-sent with the same idempotency key."""
    worker = new_id("wrk")
    claimed = _claim(uow=uow, now=clock.now(), worker=worker, limit=limit)
    tally = {"sent": 0, "retried": 0, "dead": 0, "lost": 0}
    for item in claimed:
        receipt: str | None = None
        error: Exception | None = None
        try:
            receipt = _send(item, keyring=keyring, sms=sms, mailer=mailer, now=clock.now())
        except Exception as exc:  # any failure of the outside system: retry or give up
            error = exc
        outcome = _mark(
            uow=uow,
            now=clock.now(),
            worker=worker,
            item=item,
            receipt=receipt,
            error=error,
            max_attempts=max_attempts,
        )
        tally[outcome] += 1
        log.info(
            "notification %s",
            outcome,
            extra={"outbox_id": item.id, "channel": item.channel.value, "error": _err(error)},
        )
    return DispatchReport(
        claimed=len(claimed),
        sent=tally["sent"],
        retried=tally["retried"],
        dead=tally["dead"],
        lost_claims=tally["lost"],
    )


def _err(error: Exception | None) -> str | None:
    return None if error is None else _error_text(error)


# --- wiring -----------------------------------------------------------------------------


def sms_gateway(container: Container) -> SmsGateway:
    """The container's SMS gateway (wired in ``consultdesk.bootstrap``): the in-memory
    sandbox when ``settings.sms_url`` is unset — its inbox is the console's SMS inbox —
    else the HTTP gateway."""
    return container.sms


def mailer(container: Container) -> Mailer | None:
    """An SMTP mailer to ``settings.smtp_host``; None when no relay is configured (e-mail
    rows then wait in the outbox, retried with backoff)."""
    if container.attached.mailer is not None:
        return container.attached.mailer
    if not container.settings.smtp_host:
        return None
    built = SmtpMailer(
        host=container.settings.smtp_host,
        port=container.settings.smtp_port,
        sender=container.settings.mail_from,
    )
    container.attached.mailer = built
    return built


def dispatch_once(container: Container, *, limit: int = 50) -> DispatchReport:
    """One dispatch pass with the container's gateways."""
    return dispatch_pending(
        uow=container.uow,
        clock=container.clock,
        keyring=container.keyring,
        sms=sms_gateway(container),
        mailer=mailer(container),
        limit=limit,
    )


def jobs(*, worker: str, batch: int = 200) -> list[Job]:
    """The outbox for the jobs runner: a pass every two seconds, straight on while a pass
    claimed a full batch (claims keep every row with one dispatcher; CLS-1, CLS-2)."""
    from consultdesk.jobs.model import Job

    return [
        Job(
            "notifications.outbox",
            every_s=2.0,
            run=lambda c: dispatch_once(c, limit=min(batch, 50)),
            again=lambda r: isinstance(r, DispatchReport) and r.claimed >= min(batch, 50),
        )
    ]
