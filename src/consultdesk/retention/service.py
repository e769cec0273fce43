"""Retention and destruction of expired records, with proof (CLS-4, RSK-2, RSK-5).

Record classes and the policy key that sets how long each is kept:

- ``consultation`` (``retention.consultation_days``, counted from closing): the
  consultation and every row keyed by its ``consultation_id`` in any feature's table
  (messages, events, identity checks, chat tokens, closed follow-ups, surveys, ...).
- ``otp`` (``retention.otp_days``, from issue): one-time code challenges.
- ``customer_identifiers`` (``retention.consultation_days``, from registration): the
  sealed phone and ID number (and their lookup hashes) of customers with no consultation
  left; the customer row stays as a name without identifiers.
- ``aml`` (``retention.aml_days``, at least 10 years): decided AML alerts, destroyed by
  the AML feature's own service, which never gives up an open or younger alert.

A legal hold keeps records whatever their age: an open complaint of the customer, an open
follow-up, an open AML alert of the customer, or a manual hold with a reason on the
consultation or the customer.

Every class destroyed leaves a proof in the audit log: the class, how many records, when,
and a SHA-256 over the destroyed ids and their content, computed before deletion. The
digest lets an auditor holding an archive copy prove exactly what was destroyed, while
the log itself keeps no personal data.

Destruction reads other features' tables on purpose: it is the one cross-cutting job
that must reach every copy of a record. AML records are only touched through
`consultdesk.aml.service`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, inspect, select, update
from sqlalchemy.orm import Session

from consultdesk.aml import service as aml
from consultdesk.audit import service as audit
from consultdesk.consultations.model import OPEN_STATES, ConsultationType, Status
from consultdesk.consultations.tables import ConsultationRow, MessageRow
from consultdesk.customers.tables import CustomerRow
from consultdesk.db.registry import load_all_tables
from consultdesk.followups import service as followups
from consultdesk.policy.model import Policy
from consultdesk.policy.service import current_policy
from consultdesk.retention.tables import LegalHoldRow
from consultdesk.security.tables import OtpChallengeRow
from consultdesk.shared.errors import NotFound, ValidationFailed
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode, new_id

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container
    from consultdesk.jobs.model import Job

ACTOR = "system:retention"
CLASSES = ("consultation", "otp", "customer_identifiers", "aml")
HOLD_KINDS = ("consultation", "customer")
AML_TABLE = "aml_alerts"


@dataclass(frozen=True, slots=True)
class Hold:
    id: str
    subject_kind: str
    subject_id: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClassReport:
    """What went (or would go) for one record class."""

    record_class: str
    retention_days: int
    destroyed: int
    held: int
    sha256: str
    ids: tuple[str, ...] = ()
    held_reasons: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    at: datetime
    dry_run: bool
    classes: tuple[ClassReport, ...]

    @property
    def destroyed(self) -> int:
        return sum(c.destroyed for c in self.classes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "destroyed": self.destroyed,
            "classes": [
                {
                    "record_class": c.record_class,
                    "retention_days": c.retention_days,
                    "destroyed": c.destroyed,
                    "held": c.held,
                    "sha256": c.sha256,
                    "ids": list(c.ids),
                    "held_reasons": c.held_reasons,
                }
                for c in self.classes
            ],
        }


# ---- manual holds --------------------------------------------------------------------


def _hold(row: LegalHoldRow) -> Hold:
    return Hold(
        id=row.id,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        reason=row.reason,
        placed_by=row.placed_by,
        placed_at=row.placed_at,
        released_at=row.released_at,
    )


def place_hold(
    *, session: Session, now: datetime, subject_kind: str, subject_id: str, reason: str, actor: str
) -> Hold:
    """A manual legal hold on a consultation or a customer; audited.
    ValidationFailed(field='subject_kind' | 'subject_id' | 'reason')."""
    if subject_kind not in HOLD_KINDS:
        raise ValidationFailed("保全对象类型须为 consultation 或 customer", field="subject_kind")
    if not subject_id.strip() or len(subject_id) > 40:
        raise ValidationFailed("保全对象编号须为 1–40 个字符", field="subject_id")
    why = reason.strip()
    if len(why) < 2 or len(why) > 200:
        raise ValidationFailed("请填写保全原因（2–200 个字符）", field="reason")
    row = LegalHoldRow(
        id=new_id("hold"),
        subject_kind=subject_kind,
        subject_id=subject_id.strip(),
        reason=why,
        placed_by=actor,
        placed_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        now=now,
        actor=actor,
        action="retention.hold_placed",
        subject=row.subject_id,
        details={"hold_id": row.id, "subject_kind": subject_kind, "reason": why},
    )
    return _hold(row)


def release_hold(*, session: Session, now: datetime, hold_id: str, actor: str) -> Hold:
    """Release a manual hold; audited. NotFound(field='hold_id')."""
    row = session.get(LegalHoldRow, hold_id)
    if row is None or row.released_at is not None:
        raise NotFound("保全记录不存在或已解除", field="hold_id")
    row.released_at = now
    row.released_by = actor
    session.flush()
    audit.record(
        session=session,
        now=now,
        actor=actor,
        action="retention.hold_released",
        subject=row.subject_id,
        details={"hold_id": row.id},
    )
    return _hold(row)


def active_holds(*, session: Session) -> list[Hold]:
    rows = session.scalars(
        select(LegalHoldRow)
        .where(LegalHoldRow.released_at.is_(None))
        .order_by(LegalHoldRow.placed_at)
    )
    return [_hold(r) for r in rows]


# ---- the purge -----------------------------------------------------------------------


class _Policies:
    """Policy per branch, read once per run."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[str, Policy] = {}

    def days(self, key: str, branch: str = HEAD_OFFICE) -> int:
        if branch not in self._cache:
            self._cache[branch] = current_policy(session=self._session, branch=BranchCode(branch))
        return self._cache[branch].int(key)


def _digest(parts: Iterable[tuple[str, Sequence[object]]]) -> str:
    """SHA-256 over (id, content) pairs in id order, each as canonical JSON."""
    h = hashlib.sha256()
    for record_id, content in sorted(parts, key=lambda p: p[0]):
        h.update(json.dumps([record_id, list(content)], ensure_ascii=False, default=str).encode())
        h.update(b"\n")
    return h.hexdigest()


def _existing_tables(session: Session) -> set[str]:
    """Tables present in the database (a feature imported but not migrated has none)."""
    return set(inspect(session.connection()).get_table_names())


def _consultation_tables(session: Session) -> list[Table]:
    """Every table keyed by a consultation id, dependents before what they depend on."""
    metadata = load_all_tables()
    existing = _existing_tables(session)
    return [
        t
        for t in reversed(metadata.sorted_tables)
        if "consultation_id" in t.c
        and t.name != ConsultationRow.__tablename__
        and t.name in existing
    ]


def _customer_holds(
    session: Session, customer_ids: set[str], core_ids: dict[str, str]
) -> dict[str, str]:
    """Customer id -> why their records are held (open complaint, follow-up, AML, manual)."""
    held: dict[str, str] = {}
    if not customer_ids:
        return held
    complaints = session.scalars(
        select(ConsultationRow.customer_id).where(
            ConsultationRow.customer_id.in_(customer_ids),
            ConsultationRow.type == ConsultationType.COMPLAINT.value,
            ConsultationRow.status.in_([s.value for s in OPEN_STATES]),
        )
    )
    for cid in complaints:
        if cid:
            held.setdefault(cid, "open_complaint")
    for cid in customer_ids:
        if cid not in held and followups.open_followups(session=session, customer_id=cid):
            held[cid] = "open_followup"
    aml_customers = (
        {a.customer_id for a in aml.open_alerts(session=session)}
        if AML_TABLE in _existing_tables(session)
        else set()
    )
    for cid in customer_ids:
        if cid not in held and (cid in aml_customers or core_ids.get(cid) in aml_customers):
            held[cid] = "open_aml_alert"
    for h in active_holds(session=session):
        if h.subject_kind == "customer" and h.subject_id in customer_ids:
            held.setdefault(h.subject_id, f"manual_hold: {h.reason}")
    return held


def _purge_consultations(
    session: Session, now: datetime, policies: _Policies, dry_run: bool
) -> ClassReport:
    closed = session.execute(
        select(
            ConsultationRow.id,
            ConsultationRow.branch,
            ConsultationRow.customer_id,
            ConsultationRow.closed_at,
            ConsultationRow.opened_at,
        ).where(ConsultationRow.status == Status.CLOSED.value)
    ).all()
    expired = [
        r
        for r in closed
        if (r.closed_at or r.opened_at)
        <= now - timedelta(days=policies.days("retention.consultation_days", r.branch))
    ]
    customer_ids = {r.customer_id for r in expired if r.customer_id}
    core_ids: dict[str, str] = {}
    if customer_ids:
        pairs = session.execute(
            select(CustomerRow.id, CustomerRow.core_customer_id).where(
                CustomerRow.id.in_(customer_ids)
            )
        ).all()
        core_ids = {row[0]: row[1] or "" for row in pairs}
    by_customer = _customer_holds(session, customer_ids, core_ids)
    manual = {
        h.subject_id: h.reason
        for h in active_holds(session=session)
        if h.subject_kind == "consultation"
    }
    held: dict[str, str] = {}
    doomed: list[str] = []
    for r in expired:
        if r.id in manual:
            held[r.id] = f"manual_hold: {manual[r.id]}"
        elif r.customer_id and r.customer_id in by_customer:
            held[r.id] = by_customer[r.customer_id]
        else:
            doomed.append(r.id)
    content: list[tuple[str, Sequence[object]]] = []
    for cid in doomed:
        texts = session.scalars(
            select(MessageRow.text)
            .where(MessageRow.consultation_id == cid)
            .order_by(MessageRow.seq)
        ).all()
        content.append((cid, texts))
    digest = _digest(content)
    if doomed and not dry_run:
        for start in range(0, len(doomed), 500):
            chunk = doomed[start : start + 500]
            for table in _consultation_tables(session):
                session.execute(delete(table).where(table.c.consultation_id.in_(chunk)))
            session.execute(delete(ConsultationRow).where(ConsultationRow.id.in_(chunk)))
        session.flush()
    return ClassReport(
        record_class="consultation",
        retention_days=policies.days("retention.consultation_days"),
        destroyed=len(doomed),
        held=len(held),
        sha256=digest,
        ids=tuple(sorted(doomed)),
        held_reasons=held,
    )


def _purge_otp(session: Session, now: datetime, policies: _Policies, dry_run: bool) -> ClassReport:
    days = policies.days("retention.otp_days")
    rows = session.execute(
        select(OtpChallengeRow.challenge_id, OtpChallengeRow.digest).where(
            OtpChallengeRow.issued_at <= now - timedelta(days=days)
        )
    ).all()
    ids = [r.challenge_id for r in rows]
    digest = _digest((r.challenge_id, [r.digest.hex()]) for r in rows)
    if ids and not dry_run:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            session.execute(delete(OtpChallengeRow).where(OtpChallengeRow.challenge_id.in_(chunk)))
        session.flush()
    return ClassReport("otp", days, len(ids), 0, digest, tuple(sorted(ids)))


def _purge_customer_identifiers(
    session: Session, now: datetime, policies: _Policies, dry_run: bool
) -> ClassReport:
    candidates = session.execute(
        select(
            CustomerRow.id,
            CustomerRow.branch,
            CustomerRow.core_customer_id,
            CustomerRow.created_at,
            CustomerRow.phone_sealed,
            CustomerRow.id_number_sealed,
        ).where(
            (CustomerRow.phone_sealed.is_not(None)) | (CustomerRow.id_number_sealed.is_not(None))
        )
    ).all()
    expired = [
        r
        for r in candidates
        if r.created_at
        <= now - timedelta(days=policies.days("retention.consultation_days", r.branch))
    ]
    ids = {r.id for r in expired}
    if ids:
        with_consultations = set(
            session.scalars(
                select(ConsultationRow.customer_id).where(ConsultationRow.customer_id.in_(ids))
            )
        )
        ids -= with_consultations
    held = _customer_holds(
        session, ids, {r.id: r.core_customer_id or "" for r in expired if r.id in ids}
    )
    doomed = [r for r in expired if r.id in ids and r.id not in held]
    digest = _digest((r.id, [r.phone_sealed or "", r.id_number_sealed or ""]) for r in doomed)
    if doomed and not dry_run:
        session.execute(
            update(CustomerRow)
            .where(CustomerRow.id.in_([r.id for r in doomed]))
            .values(
                phone_sealed=None,
                phone_masked=None,
                phone_index=None,
                id_number_sealed=None,
                id_number_masked=None,
                id_number_index=None,
            )
        )
        session.flush()
    return ClassReport(
        record_class="customer_identifiers",
        retention_days=policies.days("retention.consultation_days"),
        destroyed=len(doomed),
        held=len(held),
        sha256=digest,
        ids=tuple(sorted(r.id for r in doomed)),
        held_reasons=held,
    )


def _purge_aml(session: Session, now: datetime, policies: _Policies, dry_run: bool) -> ClassReport:
    # The AML service keeps every record 10 years and every open alert, whatever we ask;
    # a dry run counts inside a savepoint that is rolled back.
    days = max(policies.days("retention.aml_days"), aml.RETENTION_YEARS * 365)
    if AML_TABLE not in _existing_tables(session):  # the AML feature is not migrated here
        return ClassReport("aml", days, 0, 0, _digest([]))
    savepoint = session.begin_nested()
    count = aml.purge_expired_alerts(session=session, now=now)
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return ClassReport("aml", days, count, 0, _digest([("aml", [count, now.isoformat()])]))


PURGES: dict[str, Callable[[Session, datetime, _Policies, bool], ClassReport]] = {
    "consultation": _purge_consultations,
    "otp": _purge_otp,
    "customer_identifiers": _purge_customer_identifiers,
    "aml": _purge_aml,
}


def purge_expired(
    *, session: Session, now: datetime, dry_run: bool = False, actor: str = ACTOR
) -> PurgeReport:
    """Destroy (or, with `dry_run`, only list) every record past its retention and not
    held; each class that lost records gets a proof of destruction in the audit log,
    in the same transaction as the deletion."""
    policies = _Policies(session)
    reports = tuple(PURGES[name](session, now, policies, dry_run) for name in CLASSES)
    if not dry_run:
        for report in reports:
            if report.destroyed == 0:
                continue
            audit.record(
                session=session,
                now=now,
                actor=actor,
                action="retention.destroyed",
                subject=report.record_class,
                details={
                    "record_class": report.record_class,
                    "count": report.destroyed,
                    "at": now.isoformat(),
                    "retention_days": report.retention_days,
                    "sha256": report.sha256,
                    "held": report.held,
                },
            )
    return PurgeReport(at=now, dry_run=dry_run, classes=reports)


def run_purge(*, container: Container, dry_run: bool = False) -> PurgeReport:
    """The scheduled daily run (and `consultdesk purge`): one unit of work at the
    container's clock, so the deletion and its proof commit together or not at all."""
    with container.uow() as session:
        return purge_expired(session=session, now=container.clock.now(), dry_run=dry_run)


BEIJING = timezone(timedelta(hours=8), "CST")


def purge_if_due(*, container: Container, last_day: date | None) -> tuple[date, PurgeReport | None]:
    """For a scheduler loop: run the purge once per Beijing calendar day.

    Returns the day it is now and the report when it ran (None when `last_day` is today);
    keep the returned day and pass it back on the next call.
    """
    today = container.clock.now().astimezone(BEIJING).date()
    if last_day == today:
        return today, None
    return today, run_purge(container=container)


def jobs(*, worker: str, batch: int = 200) -> list[Job]:
    """CLS-4: destruction on schedule — the purge once per Beijing calendar day, looked at
    every minute. A runner that restarts purges again that day: the purge is idempotent
    (what is gone stays gone, the proof records what each run destroyed)."""
    from consultdesk.jobs.model import Job

    last_day: list[date | None] = [None]

    def run(container: Container) -> PurgeReport | None:
        last_day[0], report = purge_if_due(container=container, last_day=last_day[0])
        return report

    return [Job("retention.purge", every_s=60.0, run=run)]
