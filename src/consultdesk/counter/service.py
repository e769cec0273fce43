"""Use cases at the branch counter (ACC-1, STD-4): take a number, call the next, serve
(the visit becomes a counter consultation and its 5-minute clock starts), finish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Move
from consultdesk.counter.model import (
    TicketState,
    business_day,
    check_prefix,
    next_number,
    ticket_code,
)
from consultdesk.counter.tables import TicketRow
from consultdesk.org import service as org
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id
from consultdesk.sla import service as sla
from consultdesk.sla.model import TimerKind
from consultdesk.staff.model import StaffMember

ISSUE_ATTEMPTS = 5


@dataclass(frozen=True)
class Ticket:
    id: str
    branch: str
    day: date
    code: str
    state: TicketState
    issued_at: datetime
    called_at: datetime | None
    served_at: datetime | None
    done_at: datetime | None
    counter_no: str | None
    agent_id: str | None
    consultation_id: str | None


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        branch=row.branch,
        day=row.day,
        code=row.code,
        state=TicketState(row.state),
        issued_at=row.issued_at,
        called_at=row.called_at,
        served_at=row.served_at,
        done_at=row.done_at,
        counter_no=row.counter_no,
        agent_id=row.agent_id,
        consultation_id=row.consultation_id,
    )


def issue_ticket(*, session: Session, now: datetime, branch: str, prefix: str = "A") -> Ticket:
    """The next number for ``branch`` today. Two kiosks asking at once never get the same
    number: the (branch, day, prefix, number) key is unique and a clash takes the next."""
    the_branch = org.get_branch(session=session, code=branch)
    letter = check_prefix(prefix)
    day = business_day(now)
    for _ in range(ISSUE_ATTEMPTS):
        last = session.scalar(
            select(func.max(TicketRow.number)).where(
                TicketRow.branch == the_branch.code,
                TicketRow.day == day,
                TicketRow.prefix == letter,
            )
        )
        number = next_number(last)
        row = TicketRow(
            id=new_id("tkt"),
            branch=the_branch.code,
            day=day,
            prefix=letter,
            number=number,
            code=ticket_code(letter, number),
            state=TicketState.WAITING.value,
            issued_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            continue
        return _ticket(row)
    raise Conflict("取号繁忙，请重试", field="branch")


def _row(session: Session, ticket_id: str, member: StaffMember) -> TicketRow:
    row = session.get(TicketRow, ticket_id, with_for_update=True)
    if row is None or not member.sees_branch(row.branch):
        raise NotFound("号码不存在", field="ticket_id")
    return row


def call_next(
    *,
    session: Session,
    now: datetime,
    member: StaffMember,
    counter_no: str,
    branch: str | None = None,
) -> Ticket:
    """The longest-waiting number of today at the member's branch is called to ``counter_no``."""
    if not counter_no.strip() or len(counter_no) > 10:
        raise ValidationFailed("窗口号须为 1–10 个字符", field="counter_no")
    where = branch or member.branch
    if not member.sees_branch(where):
        raise NotFound("网点不存在", field="branch")
    query = (
        select(TicketRow)
        .where(
            TicketRow.branch == where,
            TicketRow.day == business_day(now),
            TicketRow.state == TicketState.WAITING.value,
        )
        .order_by(TicketRow.issued_at, TicketRow.number)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = session.scalars(query).first()
    if row is None:
        raise NotFound("当前没有等候的号码", field="branch")
    row.state = TicketState.CALLED.value
    row.called_at = now
    row.counter_no = counter_no.strip()
    row.agent_id = member.id
    session.flush()
    return _ticket(row)


def serve(
    *, session: Session, now: datetime, member: StaffMember, ticket_id: str, type: str = "other"
) -> Ticket:
    """The customer is at the counter: a counter consultation opens, taken by the member,
    and the counter-question clock (STD-4, 5 min) starts."""
    row = _row(session, ticket_id, member)
    if row.state != TicketState.CALLED.value:
        raise Conflict("该号码尚未叫号或已办理", field="ticket_id")
    c = consultations.open_consultation(
        session=session,
        now=now,
        channel="counter",
        type=type,
        branch=row.branch,
        actor=member.id,
        subject=f"柜台 {row.code}",
    )
    c = consultations.move(
        session=session,
        now=now,
        consultation_id=c.id,
        move=Move.ACCEPT,
        actor=member.id,
        agent_id=member.id,
    )
    sla.start_clocks(session=session, now=now, consultation=c, kinds=[TimerKind.COUNTER_QUESTION])
    sla.sync_clocks(session=session, now=now, consultation_id=c.id)
    row.state = TicketState.SERVING.value
    row.served_at = now
    row.agent_id = member.id
    row.consultation_id = c.id
    session.flush()
    return _ticket(row)


def finish(*, session: Session, now: datetime, member: StaffMember, ticket_id: str) -> Ticket:
    """The counter question is answered: the consultation is resolved and its clock settled."""
    row = _row(session, ticket_id, member)
    if row.state != TicketState.SERVING.value or row.consultation_id is None:
        raise Conflict("该号码不在办理中", field="ticket_id")
    consultations.move(
        session=session,
        now=now,
        consultation_id=row.consultation_id,
        move=Move.RESOLVE,
        actor=member.id,
    )
    sla.sync_clocks(session=session, now=now, consultation_id=row.consultation_id)
    row.state = TicketState.DONE.value
    row.done_at = now
    session.flush()
    return _ticket(row)


def no_show(*, session: Session, now: datetime, member: StaffMember, ticket_id: str) -> Ticket:
    row = _row(session, ticket_id, member)
    if row.state != TicketState.CALLED.value:
        raise Conflict("只有已叫号的号码可标记过号", field="ticket_id")
    row.state = TicketState.NO_SHOW.value
    row.done_at = now
    session.flush()
    return _ticket(row)


def waiting(*, session: Session, now: datetime, branch: str) -> list[Ticket]:
    rows = session.scalars(
        select(TicketRow)
        .where(
            TicketRow.branch == branch,
            TicketRow.day == business_day(now),
            TicketRow.state.in_([TicketState.WAITING.value, TicketState.CALLED.value]),
        )
        .order_by(TicketRow.issued_at, TicketRow.number)
    )
    return [_ticket(r) for r in rows]


def service_times(
    *, session: Session, since: datetime, until: datetime, branch: str | None = None
) -> list[float]:
    """Seconds from serve to finish of counter visits finished in [since, until) (STD-4)."""
    query = select(TicketRow).where(
        TicketRow.done_at >= since,
        TicketRow.done_at < until,
        TicketRow.state == TicketState.DONE.value,
    )
    if branch:
        query = query.where(TicketRow.branch == branch)
    return [
        (r.done_at - r.served_at).total_seconds()
        for r in session.scalars(query)
        if r.done_at is not None and r.served_at is not None
    ]
