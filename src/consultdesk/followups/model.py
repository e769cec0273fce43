"""The follow-up aggregate and its lifecycle (CLS-3). Pure: standard library and the
pure working-day arithmetic only.

    open -> called_back -> customer_informed -> done

A follow-up is due at the end of its due date, Beijing time. It is overdue while the
customer has not been told the result and that day is over; telling the customer late
is recorded as late.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import NewType

from consultdesk.shared.errors import IllegalTransition, ValidationFailed
from consultdesk.workdays.domain import WorkingCalendar, add_working_days

FollowUpId = NewType("FollowUpId", str)

# Mainland China has one time zone and no daylight saving.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class FollowUpKind(StrEnum):
    COMPLAINT = "complaint"  # policy followup.complaint_working_days (3)
    NEXT_DAY_FEEDBACK = "next_day_feedback"  # policy followup.next_day_feedback_working_days


POLICY_KEY = {
    FollowUpKind.COMPLAINT: "followup.complaint_working_days",
    FollowUpKind.NEXT_DAY_FEEDBACK: "followup.next_day_feedback_working_days",
}


class FollowUpState(StrEnum):
    OPEN = "open"
    CALLED_BACK = "called_back"
    CUSTOMER_INFORMED = "customer_informed"
    DONE = "done"


class FollowUpStep(StrEnum):
    RETURN_CALL = "return_call"
    INFORM_CUSTOMER = "inform_customer"
    CLOSE = "close"


_S = FollowUpState
TRANSITIONS: dict[FollowUpStep, tuple[frozenset[FollowUpState], FollowUpState]] = {
    FollowUpStep.RETURN_CALL: (frozenset({_S.OPEN, _S.CALLED_BACK}), _S.CALLED_BACK),
    FollowUpStep.INFORM_CUSTOMER: (frozenset({_S.CALLED_BACK}), _S.CUSTOMER_INFORMED),
    FollowUpStep.CLOSE: (frozenset({_S.CUSTOMER_INFORMED}), _S.DONE),
}

STATE_ZH = {
    _S.OPEN: "待回访",
    _S.CALLED_BACK: "已回访",
    _S.CUSTOMER_INFORMED: "已告知结果",
    _S.DONE: "已办结",
}
STEP_ZH = {
    FollowUpStep.RETURN_CALL: "记录回访",
    FollowUpStep.INFORM_CUSTOMER: "告知客户结果",
    FollowUpStep.CLOSE: "办结",
}


class IllegalFollowUpStep(IllegalTransition):
    def __init__(self, step: FollowUpStep, current: FollowUpState) -> None:
        super().__init__(f"跟进事项当前为“{STATE_ZH[current]}”，不能{STEP_ZH[step]}", field="state")


def local_date(moment: datetime) -> date:
    """The calendar date in Beijing at ``moment`` (aware)."""
    return moment.astimezone(BEIJING).date()


def due_date_for(*, received_at: datetime, working_days: int, calendar: WorkingCalendar) -> date:
    """The promised date: ``working_days`` working days after the day it was received
    (that day not counted), on the mainland calendar with its adjusted weekends.
    Raises CalendarUnknown when the calendar lacks the year."""
    return add_working_days(local_date(received_at), working_days, calendar=calendar)


def end_of(day: date) -> datetime:
    """The first instant after ``day`` in Beijing: the deadline of a due date."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=BEIJING)


MAX_NOTE = 1000


def check_note(text: str, *, field: str) -> str:
    value = text.strip()
    if not value:
        raise ValidationFailed("请填写内容", field=field)
    if len(value) > MAX_NOTE:
        raise ValidationFailed(f"内容不得超过 {MAX_NOTE} 个字符", field=field)
    return value


@dataclass(frozen=True)
class FollowUp:
    id: FollowUpId
    consultation_id: str
    customer_id: str | None
    branch: str
    kind: FollowUpKind
    state: FollowUpState
    owner_id: str
    received_at: datetime
    due_date: date
    policy_version: str
    return_call_note: str | None = None
    called_back_at: datetime | None = None
    result: str | None = None
    informed_at: datetime | None = None
    done_at: datetime | None = None

    @property
    def deadline(self) -> datetime:
        return end_of(self.due_date)

    def is_overdue(self, now: datetime) -> bool:
        """True while the customer has not been told the result and the due day is over."""
        return self.informed_at is None and now >= self.deadline

    @property
    def informed_late(self) -> bool:
        return self.informed_at is not None and self.informed_at >= self.deadline

    def take(self, step: FollowUpStep, *, now: datetime, note: str | None = None) -> FollowUp:
        """The follow-up after ``step``; or IllegalFollowUpStep naming both."""
        allowed, target = TRANSITIONS[step]
        if self.state not in allowed:
            raise IllegalFollowUpStep(step, self.state)
        changes: dict[str, object] = {"state": target}
        if step == FollowUpStep.RETURN_CALL:
            changes.update(return_call_note=note, called_back_at=now)
        elif step == FollowUpStep.INFORM_CUSTOMER:
            changes.update(result=note, informed_at=now)
        else:
            changes["done_at"] = now
        return replace(self, **changes)  # type: ignore[arg-type]
