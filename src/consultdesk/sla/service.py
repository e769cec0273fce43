"""Use cases on the procedure's clock (ACC-2, STD-4, STD-6).

Timers live in ``sla_timers`` with their due time. ``fire_due`` claims overdue rows (on
PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so several workers never take the same row;
SQLite has a single writer) and either marks the rule met — the consultation already did
what the rule asks — or fires it: the breach or escalation is written to
``sla_escalations`` (unique per timer, a second guard against double firing) and to the
consultation's timeline with the rule, the time and the policy version.

Because a timer is re-checked against the consultation when it falls due, a missed hook
never produces a false escalation; the hooks (``sync_clocks``, ``on_accepted``,
``on_call_answered`` …) only start clocks and settle them early.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Consultation, ConsultationType, Move, Status
from consultdesk.policy.model import Policy
from consultdesk.policy.service import current_policy
from consultdesk.shared.errors import IllegalTransition, NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla.model import (
    RULES,
    Action,
    OfficeHours,
    TimerKind,
    TimerState,
    business_due,
    clocks_on_classified,
    clocks_on_open,
    is_repeated_complaint,
    target_seconds,
)
from consultdesk.sla.tables import SlaEscalationRow, SlaTimerRow
from consultdesk.workdays.chinese_calendar_adapter import mainland_calendar
from consultdesk.workdays.domain import CalendarUnknown

SYSTEM_ACTOR = "system:sla"
# Rules that are only escalations: once the consultation is over there is nothing to do.
_ESCALATION_ONLY = frozenset(
    {TimerKind.WAIT_SUPERVISOR, TimerKind.COMPLEX_TO_SENIOR, TimerKind.CALL_DURATION}
)
_WAITING = frozenset({Status.QUEUED, Status.TRANSFERRED})


@dataclass(frozen=True)
class Timer:
    id: int
    consultation_id: str
    kind: TimerKind
    started_at: datetime
    due_at: datetime
    target_s: int
    policy_version: str
    state: TimerState
    met_at: datetime | None
    fired_at: datetime | None


@dataclass(frozen=True)
class Escalation:
    id: int
    consultation_id: str
    rule: TimerKind
    queue: str
    branch: str
    channel: str
    due_at: datetime
    fired_at: datetime
    policy_version: str
    label: str
    detail: dict[str, Any]
    acknowledged_at: datetime | None
    acknowledged_by: str | None


def _timer(row: SlaTimerRow) -> Timer:
    return Timer(
        id=row.id,
        consultation_id=row.consultation_id,
        kind=TimerKind(row.kind),
        started_at=row.started_at,
        due_at=row.due_at,
        target_s=row.target_s,
        policy_version=row.policy_version,
        state=TimerState(row.state),
        met_at=row.met_at,
        fired_at=row.fired_at,
    )


def escalation_of(row: SlaEscalationRow) -> Escalation:
    kind = TimerKind(row.rule)
    return Escalation(
        id=row.id,
        consultation_id=row.consultation_id,
        rule=kind,
        queue=row.queue,
        branch=row.branch,
        channel=row.channel,
        due_at=row.due_at,
        fired_at=row.fired_at,
        policy_version=row.policy_version,
        label=RULES[kind].label_zh,
        detail=dict(row.detail or {}),
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
    )


def _working_day(day: date) -> bool:
    try:
        return mainland_calendar().is_working_day(day)
    except CalendarUnknown:
        return day.weekday() < 5


def due_time(*, kind: TimerKind, start: datetime, policy: Policy) -> tuple[datetime, int]:
    """When ``kind`` started at ``start`` falls due under ``policy``, and its target.

    Every rule counts wall-clock seconds (the call centre and online desk run around the
    clock, a counter visit only exists while the branch is open) except the complaint
    hand-over to QA, which counts the QA department's office hours on mainland working
    days, as the bank sets them (``hours.qa_opens_min`` … ``hours.qa_closes_min``)."""
    target = target_seconds(kind, policy.int)
    if kind == TimerKind.COMPLAINT_TO_QA:
        opens, closes = policy.int("hours.qa_opens_min"), policy.int("hours.qa_closes_min")
        if (opens == 0 and closes >= 1440) or opens >= closes:
            return start + timedelta(seconds=target), target
        hours = OfficeHours(
            opens=time(opens // 60, opens % 60),
            closes=time(23, 59, 59, 999999) if closes >= 1440 else time(closes // 60, closes % 60),
        )
        return business_due(
            start=start, seconds=target, hours=hours, is_working_day=_working_day
        ), target
    return start + timedelta(seconds=target), target


def start_clocks(
    *,
    session: Session,
    now: datetime,
    consultation: Consultation,
    kinds: Iterable[TimerKind],
    policy: Policy | None = None,
) -> list[Timer]:
    """Start each rule in ``kinds`` on ``consultation`` at ``now``; a rule already started
    (in any state) is left as it is, so each fires at most once per consultation."""
    wanted = list(dict.fromkeys(kinds))
    if not wanted:
        return []
    existing = {
        row.kind: row
        for row in session.scalars(
            select(SlaTimerRow).where(
                SlaTimerRow.consultation_id == consultation.id,
                SlaTimerRow.kind.in_([k.value for k in wanted]),
            )
        )
    }
    the_policy = policy or current_policy(session=session, branch=BranchCode(consultation.branch))
    started: list[Timer] = []
    for kind in wanted:
        row = existing.get(kind.value)
        if row is None:
            due, target = due_time(kind=kind, start=now, policy=the_policy)
            row = SlaTimerRow(
                consultation_id=consultation.id,
                kind=kind.value,
                branch=consultation.branch,
                channel=consultation.channel.value,
                started_at=now,
                due_at=due,
                target_s=target,
                policy_version=the_policy.version,
                state=TimerState.PENDING.value,
            )
            try:
                # The worker's safety net (adopt_unclocked) and a hand-over on another
                # process may start the same rule at once: the second keeps the first's.
                with session.begin_nested():
                    session.add(row)
                    session.flush()
            except IntegrityError:
                row = session.scalars(
                    select(SlaTimerRow).where(
                        SlaTimerRow.consultation_id == consultation.id,
                        SlaTimerRow.kind == kind.value,
                    )
                ).one()
        started.append(_timer(row))
    return started


def sync_clocks(*, session: Session, now: datetime, consultation_id: str) -> list[Timer]:
    """Bring the clocks in line with the consultation as it is now; call it after the
    consultation opens, is classified, gets a reply, is accepted, resolved or closed.

    Starts the rules that apply (idempotent), settles those already satisfied, and
    escalates a repeated complaint at once (STD-6)."""
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    kinds = [*clocks_on_open(channel=c.channel.value, type=c.type.value)]
    kinds += clocks_on_classified(
        complexity=c.complexity.value if c.complexity else None, type=c.type.value
    )
    if c.is_open:
        start_clocks(session=session, now=now, consultation=c, kinds=kinds)
        if c.type == ConsultationType.COMPLAINT:
            _check_repeated_complaint(session=session, now=now, consultation=c)
    if c.first_response_at is not None:
        settle(
            session=session,
            now=c.first_response_at,
            consultation_id=c.id,
            kinds=[TimerKind.FIRST_RESPONSE],
        )
    if c.resolved_at is not None:
        settle(
            session=session,
            now=c.resolved_at,
            consultation_id=c.id,
            kinds=[TimerKind.SIMPLE_RESOLUTION, TimerKind.COUNTER_QUESTION],
        )
    if not c.is_open:
        # The customer has gone: what was not yet due no longer applies, except that a
        # complaint still reaches QA (STD-6).
        _cancel(
            session=session,
            now=now,
            consultation_id=c.id,
            kinds=[k for k in TimerKind if k != TimerKind.COMPLAINT_TO_QA],
        )
    elif c.status not in _WAITING:
        settle(
            session=session,
            now=now,
            consultation_id=c.id,
            kinds=[TimerKind.WAIT_SUPERVISOR, TimerKind.PHONE_ANSWER],
        )
    if c.status == Status.ESCALATED:
        settle(session=session, now=now, consultation_id=c.id, kinds=[TimerKind.COMPLEX_TO_SENIOR])
    return timers_of(session=session, consultation_id=c.id)


def adopt_unclocked(*, session: Session, now: datetime, newest: int = 100) -> int:
    """Safety net for consultations opened by a path that did not call ``sync_clocks``:
    among the ``newest`` open consultations, each without any timer gets the clocks it
    should have had from the moment it opened (ACC-2, STD-6). Returns how many."""
    recent = consultations.list_consultations(
        scope=SYSTEM, session=session, open_only=True, limit=newest
    )
    if not recent:
        return 0
    clocked = set(
        session.scalars(
            select(SlaTimerRow.consultation_id).where(
                SlaTimerRow.consultation_id.in_([c.id for c in recent])
            )
        )
    )
    adopted = 0
    for c in recent:
        kinds = clocks_on_open(channel=c.channel.value, type=c.type.value)
        if c.id in clocked or not kinds:
            continue
        start_clocks(session=session, now=c.opened_at, consultation=c, kinds=kinds)
        sync_clocks(session=session, now=now, consultation_id=c.id)
        adopted += 1
    return adopted


def on_accepted(
    *, session: Session, now: datetime, consultation_id: str, senior: bool
) -> list[Timer]:
    """An agent took the consultation: the wait is over (STD-6) and a phone call is
    answered (ACC-2); a senior agent or supervisor also satisfies the complex rule."""
    kinds = [TimerKind.WAIT_SUPERVISOR, TimerKind.PHONE_ANSWER]
    if senior:
        kinds.append(TimerKind.COMPLEX_TO_SENIOR)
    return settle(session=session, now=now, consultation_id=consultation_id, kinds=kinds)


def on_call_answered(*, session: Session, now: datetime, consultation_id: str) -> list[Timer]:
    """ACC-2 answer settled; STD-6 call-duration clock starts."""
    settled = settle(
        session=session,
        now=now,
        consultation_id=consultation_id,
        kinds=[TimerKind.PHONE_ANSWER, TimerKind.WAIT_SUPERVISOR],
    )
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    return settled + start_clocks(
        session=session, now=now, consultation=c, kinds=[TimerKind.CALL_DURATION]
    )


def on_call_ended(*, session: Session, now: datetime, consultation_id: str) -> list[Timer]:
    """The call hung up: the duration rule is met if it had not fired; a call never
    answered cancels the wait (the customer left)."""
    settled = settle(
        session=session, now=now, consultation_id=consultation_id, kinds=[TimerKind.CALL_DURATION]
    )
    _cancel(
        session=session,
        now=now,
        consultation_id=consultation_id,
        kinds=[TimerKind.WAIT_SUPERVISOR],
    )
    return settled


def hand_to_qa(*, session: Session, now: datetime, consultation_id: str, actor: str) -> Escalation:
    """A person hands a complaint to the quality department (STD-6): the rule is met and
    the complaint appears in QA's queue."""
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    if c.type != ConsultationType.COMPLAINT:
        raise ValidationFailed("只有投诉类咨询需要移交质检", field="consultation_id")
    settle(session=session, now=now, consultation_id=c.id, kinds=[TimerKind.COMPLAINT_TO_QA])
    existing = session.scalars(
        select(SlaEscalationRow).where(
            SlaEscalationRow.consultation_id == c.id, SlaEscalationRow.queue == Action.QA.value
        )
    ).first()
    if existing is not None:
        return escalation_of(existing)
    policy = current_policy(session=session, branch=BranchCode(c.branch))
    row = SlaEscalationRow(
        timer_id=None,
        consultation_id=c.id,
        rule=TimerKind.COMPLAINT_TO_QA.value,
        queue=Action.QA.value,
        branch=c.branch,
        channel=c.channel.value,
        due_at=now,
        fired_at=now,
        policy_version=policy.version,
        detail={"by": actor, "manual": True},
    )
    session.add(row)
    consultations.record_fact(
        session=session,
        consultation_id=c.id,
        kind="handed_to_qa",
        actor=actor,
        now=now,
        data={"rule": TimerKind.COMPLAINT_TO_QA.value, "policy_version": policy.version},
    )
    session.flush()
    return escalation_of(row)


def settle(
    *, session: Session, now: datetime, consultation_id: str, kinds: Iterable[TimerKind]
) -> list[Timer]:
    """The consultation did what ``kinds`` ask at ``now``. A pending rule still in time is
    met; one already past due that the scheduler has not reached yet fires now (late
    is late, whoever notices first). Rules that fired stay fired."""
    rows = session.scalars(
        select(SlaTimerRow)
        .where(
            SlaTimerRow.consultation_id == consultation_id,
            SlaTimerRow.kind.in_([k.value for k in kinds]),
            SlaTimerRow.state == TimerState.PENDING.value,
        )
        .with_for_update()
    ).all()
    out: list[Timer] = []
    for row in rows:
        if now <= row.due_at:
            row.state = TimerState.MET.value
            row.met_at = now
        else:
            _fire(session, row, now=max(now, row.due_at), worker="settle")
        out.append(_timer(row))
    session.flush()
    return out


def _cancel(
    *, session: Session, now: datetime, consultation_id: str, kinds: Iterable[TimerKind]
) -> None:
    for row in session.scalars(
        select(SlaTimerRow)
        .where(
            SlaTimerRow.consultation_id == consultation_id,
            SlaTimerRow.kind.in_([k.value for k in kinds]),
            SlaTimerRow.state == TimerState.PENDING.value,
            SlaTimerRow.due_at >= now,
        )
        .with_for_update()
    ):
        row.state = TimerState.CANCELLED.value
        row.met_at = now


def _check_repeated_complaint(
    *, session: Session, now: datetime, consultation: Consultation
) -> None:
    """STD-6: the customer's repeated complaint escalates at once, once."""
    if consultation.customer_id is None:
        return
    already = session.scalars(
        select(SlaTimerRow.id).where(
            SlaTimerRow.consultation_id == consultation.id,
            SlaTimerRow.kind == TimerKind.REPEAT_COMPLAINT.value,
        )
    ).first()
    if already is not None:
        return
    policy = current_policy(session=session, branch=BranchCode(consultation.branch))
    history = consultations.customer_history(
        scope=SYSTEM, session=session, customer_id=consultation.customer_id, limit=50
    )
    complaints = sum(1 for h in history if h.type == ConsultationType.COMPLAINT)
    threshold = policy.int(RULES[TimerKind.REPEAT_COMPLAINT].policy_key)
    if not is_repeated_complaint(complaints_including_this=complaints, threshold=threshold):
        return
    row = SlaTimerRow(
        consultation_id=consultation.id,
        kind=TimerKind.REPEAT_COMPLAINT.value,
        branch=consultation.branch,
        channel=consultation.channel.value,
        started_at=now,
        due_at=now,
        target_s=0,
        policy_version=policy.version,
        state=TimerState.PENDING.value,
    )
    session.add(row)
    session.flush()
    _fire(session, row, now=now, worker="hook", detail={"complaints": complaints})


def _accepted_at(session: Session, consultation_id: str) -> datetime | None:
    for entry in consultations.timeline(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    ):
        if entry.kind == Move.ACCEPT.value:
            return entry.at
    return None


def _met_at(session: Session, row: SlaTimerRow, c: Consultation) -> datetime | None:
    """When the consultation did what the rule asks, if it did; read when the timer is due,
    so that a missed hook never causes a false breach."""
    kind = TimerKind(row.kind)
    if kind == TimerKind.FIRST_RESPONSE:
        return c.first_response_at
    if kind in (TimerKind.SIMPLE_RESOLUTION, TimerKind.COUNTER_QUESTION):
        return c.resolved_at
    if kind in (TimerKind.WAIT_SUPERVISOR, TimerKind.PHONE_ANSWER) and c.status not in _WAITING:
        return _accepted_at(session, c.id)
    if kind == TimerKind.COMPLEX_TO_SENIOR and c.status == Status.ESCALATED:
        return row.started_at
    return None


def _fire(
    session: Session,
    row: SlaTimerRow,
    *,
    now: datetime,
    worker: str,
    detail: dict[str, Any] | None = None,
    flush: bool = True,
) -> None:
    """Fire one claimed row: mark it, queue the escalation, record the fact, move."""
    kind = TimerKind(row.kind)
    rule = RULES[kind]
    row.state = TimerState.FIRED.value
    row.fired_at = now
    row.fired_by = worker[:80]
    queue = rule.action.value
    info = {
        "rule": kind.value,
        "requirement": rule.requirement,
        "due_at": row.due_at.isoformat(),
        "target_s": row.target_s,
        "policy_version": row.policy_version,
        **(detail or {}),
    }
    escalation = SlaEscalationRow(
        timer_id=row.id,
        consultation_id=row.consultation_id,
        rule=kind.value,
        queue=queue,
        branch=row.branch,
        channel=row.channel,
        due_at=row.due_at,
        fired_at=now,
        policy_version=row.policy_version,
        detail=info,
    )
    session.add(escalation)
    fact = {
        Action.BREACH: "sla_breached",
        Action.SUPERVISOR: "escalated",
        Action.QA: "handed_to_qa",
    }
    consultations.record_fact(
        session=session,
        consultation_id=row.consultation_id,
        kind=fact[rule.action],
        actor=SYSTEM_ACTOR,
        now=now,
        reason=rule.label_zh,
        data=info,
    )
    if rule.action == Action.SUPERVISOR:
        current = consultations.get_consultation(
            scope=SYSTEM, session=session, consultation_id=row.consultation_id
        )
        # Already escalated, resolved or closed: the queue entry is what matters.
        with suppress(IllegalTransition):
            consultations.move(
                session=session,
                now=now,
                consultation_id=row.consultation_id,
                move=Move.ESCALATE,
                actor=SYSTEM_ACTOR,
                reason=rule.label_zh,
                agent_id=current.agent_id,
            )
    if flush:
        session.flush()


@dataclass(frozen=True)
class FireResult:
    fired: int
    met: int
    cancelled: int

    @property
    def claimed(self) -> int:
        return self.fired + self.met + self.cancelled


def fire_due(
    *, session: Session, now: datetime, limit: int = 200, worker: str = "worker"
) -> FireResult:
    """Claim up to ``limit`` rules past due and settle each exactly once.

    On PostgreSQL the rows are claimed ``FOR UPDATE SKIP LOCKED``: concurrent workers take
    disjoint rows, and a row is no longer pending once its transaction commits. SQLite
    takes the write lock at BEGIN, so there is one writer at a time."""
    query = (
        select(SlaTimerRow)
        .where(SlaTimerRow.state == TimerState.PENDING.value, SlaTimerRow.due_at < now)
        .order_by(SlaTimerRow.due_at)
        .limit(limit)
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    fired = met = cancelled = 0
    for row in session.scalars(query).all():
        try:
            c = consultations.get_consultation(
                scope=SYSTEM, session=session, consultation_id=row.consultation_id
            )
        except NotFound:
            row.state, row.met_at = TimerState.CANCELLED.value, now
            cancelled += 1
            continue
        done = _met_at(session, row, c)
        if done is not None and done <= row.due_at:
            row.state, row.met_at = TimerState.MET.value, done
            met += 1
        elif not c.is_open and TimerKind(row.kind) in _ESCALATION_ONLY:
            row.state, row.met_at = TimerState.CANCELLED.value, now
            cancelled += 1
        else:
            # No savepoint per row: any failure rolls the whole batch back and the next
            # pass claims it again, which keeps "exactly once" simple and the pass cheap.
            _fire(session, row, now=now, worker=worker, flush=False)
            fired += 1
    session.flush()
    return FireResult(fired=fired, met=met, cancelled=cancelled)


def timers_of(*, session: Session, consultation_id: str) -> list[Timer]:
    rows = session.scalars(
        select(SlaTimerRow)
        .where(SlaTimerRow.consultation_id == consultation_id)
        .order_by(SlaTimerRow.id)
    )
    return [_timer(r) for r in rows]


def next_due(*, session: Session) -> datetime | None:
    """The earliest pending due time, for a scheduler that sleeps until then."""
    return session.scalar(
        select(func.min(SlaTimerRow.due_at)).where(SlaTimerRow.state == TimerState.PENDING.value)
    )


def escalations(
    *,
    session: Session,
    branch: str | None = None,
    queue: str | None = None,
    open_only: bool = True,
    after_id: int = 0,
    limit: int = 100,
) -> list[Escalation]:
    """What fired, newest first (or after ``after_id`` ascending, for the live feed)."""
    query = select(SlaEscalationRow)
    if branch:
        query = query.where(SlaEscalationRow.branch == branch)
    if queue:
        query = query.where(SlaEscalationRow.queue == queue)
    if open_only:
        query = query.where(SlaEscalationRow.acknowledged_at.is_(None))
    if after_id:
        query = query.where(SlaEscalationRow.id > after_id).order_by(SlaEscalationRow.id)
    else:
        query = query.order_by(SlaEscalationRow.id.desc())
    return [escalation_of(r) for r in session.scalars(query.limit(limit))]


def acknowledge(
    *, session: Session, now: datetime, escalation_id: int, actor: str, branch_of_actor: str | None
) -> Escalation:
    """A supervisor or QA takes an escalation from the queue. ``branch_of_actor`` limits
    it to one branch (None for head office)."""
    row = session.get(SlaEscalationRow, escalation_id, with_for_update=True)
    if row is None or (branch_of_actor is not None and row.branch != branch_of_actor):
        raise NotFound("升级记录不存在", field="escalation_id")
    if row.acknowledged_at is None:
        row.acknowledged_at = now
        row.acknowledged_by = actor
        session.flush()
    return escalation_of(row)
