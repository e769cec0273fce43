"""Use cases on follow-ups (CLS-3, ACC-5): create one for a consultation with an owner and
a due date in working days, record the return call, tell the customer the result (sent
through the notification outbox in the same transaction), close; list open and overdue
ones, and a returning customer's open follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.consultations import service as consultations
from consultdesk.followups.model import (
    POLICY_KEY,
    FollowUp,
    FollowUpId,
    FollowUpKind,
    FollowUpState,
    FollowUpStep,
    check_note,
    due_date_for,
    local_date,
)
from consultdesk.followups.tables import FollowUpRow
from consultdesk.notifications import service as notifications
from consultdesk.policy.service import current_policy
from consultdesk.security.crypto import KeyRing
from consultdesk.shared.errors import NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode, new_id
from consultdesk.shared.scope import SYSTEM
from consultdesk.staff import service as staff
from consultdesk.workdays.chinese_calendar_adapter import mainland_calendar
from consultdesk.workdays.domain import CalendarUnknown, WorkingCalendar

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container

MAX_RESULT_IN_SMS = 150


def working_calendar(container: Container) -> WorkingCalendar:
    """The calendar deadlines are counted on (wired in ``consultdesk.bootstrap``):
    chinesecalendar's State Council schedule with the bank's holiday table on top for
    years the package does not know yet."""
    return container.calendar


def _followup(row: FollowUpRow) -> FollowUp:
    return FollowUp(
        id=FollowUpId(row.id),
        consultation_id=row.consultation_id,
        customer_id=row.customer_id,
        branch=row.branch,
        kind=FollowUpKind(row.kind),
        state=FollowUpState(row.state),
        owner_id=row.owner_id,
        received_at=row.received_at,
        due_date=row.due_date,
        policy_version=row.policy_version,
        return_call_note=row.return_call_note,
        called_back_at=row.called_back_at,
        result=row.result,
        informed_at=row.informed_at,
        done_at=row.done_at,
    )


def _row(session: Session, followup_id: str) -> FollowUpRow:
    row = session.get(FollowUpRow, followup_id, with_for_update=True)
    if row is None:
        raise NotFound("跟进事项不存在", field="followup_id")
    return row


def _kind(value: str) -> FollowUpKind:
    try:
        return FollowUpKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in FollowUpKind)
        raise ValidationFailed(f"kind 取值无效：{value}；可选 {allowed}", field="kind") from None


def create_followup(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    kind: str,
    owner_id: str,
    actor: str,
    calendar: WorkingCalendar | None = None,
) -> FollowUp:
    """A follow-up owned by ``owner_id`` (an active staff member), due the number of
    working days the branch's policy gives for ``kind``. A year the calendar does not know
    is a ValidationFailed(field='due_date'), never a guessed deadline."""
    the_kind = _kind(kind)
    consultation = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    try:
        owner = staff.get_user(session=session, user_id=owner_id)
    except NotFound:
        raise NotFound("负责人不存在", field="owner_id") from None
    if not owner.active:
        raise ValidationFailed("负责人账号已停用", field="owner_id")
    policy = current_policy(session=session, branch=BranchCode(consultation.branch))
    try:
        due = due_date_for(
            received_at=now,
            working_days=policy.int(POLICY_KEY[the_kind]),
            calendar=calendar or mainland_calendar(),
        )
    except CalendarUnknown as exc:
        raise ValidationFailed(exc.message, field="due_date", code=exc.code) from None
    row = FollowUpRow(
        id=new_id("fup"),
        consultation_id=consultation.id,
        customer_id=consultation.customer_id,
        branch=consultation.branch,
        kind=the_kind.value,
        state=FollowUpState.OPEN.value,
        owner_id=owner.id,
        received_at=now,
        due_date=due,
        policy_version=policy.version,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    consultations.record_fact(
        session=session,
        consultation_id=consultation.id,
        kind="followup_created",
        actor=actor,
        now=now,
        data={"followup_id": row.id, "due_date": due.isoformat(), "owner_id": owner.id},
    )
    session.flush()
    return _followup(row)


def get_followup(*, session: Session, followup_id: str) -> FollowUp:
    row = session.get(FollowUpRow, followup_id)
    if row is None:
        raise NotFound("跟进事项不存在", field="followup_id")
    return _followup(row)


def _apply(
    session: Session, row: FollowUpRow, step: FollowUpStep, now: datetime, note: str | None
) -> FollowUp:
    after = _followup(row).take(step, now=now, note=note)
    row.state = after.state.value
    row.return_call_note = after.return_call_note
    row.called_back_at = after.called_back_at
    row.result = after.result
    row.informed_at = after.informed_at
    row.done_at = after.done_at
    return after


def record_return_call(
    *, session: Session, now: datetime, followup_id: str, note: str, actor: str
) -> FollowUp:
    """CLS-3: the owner called the customer back; what was said is recorded."""
    text = check_note(note, field="note")
    row = _row(session, followup_id)
    after = _apply(session, row, FollowUpStep.RETURN_CALL, now, text)
    consultations.record_fact(
        session=session,
        consultation_id=row.consultation_id,
        kind="followup_return_call",
        actor=actor,
        now=now,
        data={"followup_id": row.id},
    )
    session.flush()
    return after


def result_text(*, bank: str, received_on: str, result: str) -> str:
    """The message telling the customer the result (short enough for one SMS)."""
    short = result if len(result) <= MAX_RESULT_IN_SMS else result[: MAX_RESULT_IN_SMS - 1] + "…"
    return (
        f"【{bank}】您于{received_on}反映的问题已处理完毕，处理结果：{short}"
        "如有疑问，请致电我行客服。"
    )


def record_customer_informed(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    followup_id: str,
    result: str,
    actor: str,
    bank: str = "本行",
) -> FollowUp:
    """CLS-3: the customer is told the result; the message goes through the outbox in this
    transaction (to the registered phone, else by e-mail). A customer with neither on file
    was told on the return call: the step is recorded with ``notified: false``."""
    text = check_note(result, field="result")
    row = _row(session, followup_id)
    after = _apply(session, row, FollowUpStep.INFORM_CUSTOMER, now, text)
    notified = False
    if row.customer_id is not None:
        received_on = local_date(row.received_at)
        try:
            with session.begin_nested():
                notifications.notify_customer(
                    session=session,
                    now=now,
                    keyring=keyring,
                    customer_id=row.customer_id,
                    text=result_text(
                        bank=bank,
                        received_on=f"{received_on.month}月{received_on.day}日",
                        result=text,
                    ),
                    subject=f"{bank}：您反映问题的处理结果",
                    purpose="followup_result",
                    ref=row.id,
                    idempotency_key=f"followup:{row.id}:result",
                )
            notified = True
        except ValidationFailed as exc:
            if exc.field != "customer_id":
                raise
            # No phone and no e-mail on file: the result was given on the return call;
            # the timeline records that no message went out.
    consultations.record_fact(
        session=session,
        consultation_id=row.consultation_id,
        kind="followup_customer_informed",
        actor=actor,
        now=now,
        data={"followup_id": row.id, "late": after.informed_late, "notified": notified},
    )
    session.flush()
    return after


def close_followup(*, session: Session, now: datetime, followup_id: str, actor: str) -> FollowUp:
    row = _row(session, followup_id)
    after = _apply(session, row, FollowUpStep.CLOSE, now, None)
    session.flush()
    return after


def list_followups(
    *,
    session: Session,
    now: datetime,
    branch: str | None = None,
    overdue_only: bool = False,
    open_only: bool = True,
    owner_id: str | None = None,
    limit: int = 200,
) -> list[FollowUp]:
    """Follow-ups by due date; ``overdue_only``: customer not told and the due day over."""
    query = select(FollowUpRow).order_by(FollowUpRow.due_date, FollowUpRow.id).limit(limit)
    if open_only or overdue_only:
        query = query.where(FollowUpRow.state != FollowUpState.DONE.value)
    if overdue_only:
        query = query.where(
            FollowUpRow.informed_at.is_(None), FollowUpRow.due_date < local_date(now)
        )
    if branch:
        query = query.where(FollowUpRow.branch == branch)
    if owner_id:
        query = query.where(FollowUpRow.owner_id == owner_id)
    found = [_followup(r) for r in session.scalars(query)]
    return [f for f in found if f.is_overdue(now)] if overdue_only else found


def open_followups(*, session: Session, customer_id: str) -> list[FollowUp]:
    """ACC-5: the returning customer's follow-ups not yet done, soonest due first."""
    rows = session.scalars(
        select(FollowUpRow)
        .where(
            FollowUpRow.customer_id == customer_id,
            FollowUpRow.state != FollowUpState.DONE.value,
        )
        .order_by(FollowUpRow.due_date, FollowUpRow.id)
    )
    return [_followup(r) for r in rows]
