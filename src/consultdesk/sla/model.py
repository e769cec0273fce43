"""The procedure's clock, pure: which timers a consultation runs, their targets from the
versioned policy, what firing one means, and the exact edge of a breach.

Edges: a target of 30 s is met by a reply at 30.0 s and breached by one at 30.001 s
(``elapsed > target``). The scheduler therefore fires a timer only once ``now`` is strictly
past ``due_at``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class TimerKind(StrEnum):
    """One rule of ACC-2, STD-4 or STD-6. Each fires at most once per consultation."""

    FIRST_RESPONSE = "first_response"  # ACC-2: online first response within 30 s
    PHONE_ANSWER = "phone_answer"  # ACC-2: phone answered by the third ring (15 s)
    SIMPLE_RESOLUTION = "simple_resolution"  # STD-4: simple question within 2 min
    COUNTER_QUESTION = "counter_question"  # STD-4: counter question within 5 min
    CALL_DURATION = "call_duration"  # STD-6: call longer than 5 min escalates
    COMPLEX_TO_SENIOR = "complex_to_senior"  # STD-6: complex reaches senior within 1 min
    COMPLAINT_TO_QA = "complaint_to_qa"  # STD-6: complaint reaches QA within 30 min
    WAIT_SUPERVISOR = "wait_supervisor"  # STD-6: waiting over 10 min brings the supervisor
    REPEAT_COMPLAINT = "repeat_complaint"  # STD-6: repeated complaint escalates at once


class Action(StrEnum):
    """What firing does: record a breach, escalate to a supervisor, or hand to QA."""

    BREACH = "breach"
    SUPERVISOR = "supervisor"
    QA = "qa"


class TimerState(StrEnum):
    PENDING = "pending"
    MET = "met"  # the rule was satisfied in time
    FIRED = "fired"  # breached / escalated
    CANCELLED = "cancelled"  # no longer applies (closed without the event)


@dataclass(frozen=True)
class Rule:
    kind: TimerKind
    policy_key: str
    action: Action
    requirement: str
    label_zh: str


RULES: Mapping[TimerKind, Rule] = {
    r.kind: r
    for r in (
        Rule(
            TimerKind.FIRST_RESPONSE,
            "sla.online_first_response_s",
            Action.BREACH,
            "ACC-2",
            "在线首次响应超时",
        ),
        Rule(TimerKind.PHONE_ANSWER, "sla.phone_answer_s", Action.BREACH, "ACC-2", "电话接听超时"),
        Rule(
            TimerKind.SIMPLE_RESOLUTION,
            "sla.simple_resolution_s",
            Action.BREACH,
            "STD-4",
            "简单问题解答超时",
        ),
        Rule(
            TimerKind.COUNTER_QUESTION,
            "sla.counter_question_s",
            Action.BREACH,
            "STD-4",
            "柜台问题处理超时",
        ),
        Rule(
            TimerKind.CALL_DURATION,
            "escalation.call_duration_s",
            Action.SUPERVISOR,
            "STD-6",
            "通话超过时限，升级主管",
        ),
        Rule(
            TimerKind.COMPLEX_TO_SENIOR,
            "escalation.complex_to_senior_s",
            Action.SUPERVISOR,
            "STD-6",
            "复杂问题未及时转高级坐席，升级主管",
        ),
        Rule(
            TimerKind.COMPLAINT_TO_QA,
            "escalation.complaint_to_qa_s",
            Action.QA,
            "STD-6",
            "投诉移交质检",
        ),
        Rule(
            TimerKind.WAIT_SUPERVISOR,
            "escalation.wait_supervisor_s",
            Action.SUPERVISOR,
            "STD-6",
            "客户等待超时，通知主管",
        ),
        Rule(
            TimerKind.REPEAT_COMPLAINT,
            "escalation.repeat_complaints",
            Action.SUPERVISOR,
            "STD-6",
            "重复投诉，升级主管",
        ),
    )
}

ONLINE_CHANNELS = frozenset({"chat", "app"})


def target_seconds(kind: TimerKind, number: Callable[[str], int]) -> int:
    """The target of ``kind`` from the policy in force (``number`` is ``Policy.int``)."""
    return number(RULES[kind].policy_key)


def clocks_on_open(*, channel: str, type: str) -> tuple[TimerKind, ...]:
    """Timers a consultation starts when it opens (or a phone call rings).

    Online chat and app: first response (ACC-2) and the supervisor wait (STD-6).
    Phone: answer by the third ring (ACC-2) and the supervisor wait. The bot answers at
    once (no timer). Counter visits start their clock when served (see ``clocks_on_serve``);
    the queue-number wait is the branch's own. A complaint also starts the QA hand-over.
    """
    kinds: list[TimerKind] = []
    if channel in ONLINE_CHANNELS:
        kinds += [TimerKind.FIRST_RESPONSE, TimerKind.WAIT_SUPERVISOR]
    elif channel == "phone":
        kinds += [TimerKind.PHONE_ANSWER, TimerKind.WAIT_SUPERVISOR]
    if type == "complaint":
        kinds.append(TimerKind.COMPLAINT_TO_QA)
    return tuple(kinds)


def clocks_on_classified(*, complexity: str | None, type: str | None) -> tuple[TimerKind, ...]:
    """Timers started by a classification (ACP-4, STD-4, STD-6)."""
    kinds: list[TimerKind] = []
    if complexity == "simple":
        kinds.append(TimerKind.SIMPLE_RESOLUTION)
    if complexity == "complex":
        kinds.append(TimerKind.COMPLEX_TO_SENIOR)
    if type == "complaint":
        kinds.append(TimerKind.COMPLAINT_TO_QA)
    return tuple(kinds)


def is_breached(
    *, started_at: datetime, target_s: float, done_at: datetime | None, now: datetime
) -> bool:
    """True when the rule is broken: done after the target, or not done and the target has
    passed. Exactly at the target counts as in time."""
    limit = started_at + timedelta(seconds=target_s)
    if done_at is not None:
        return done_at > limit
    return now > limit


def is_repeated_complaint(*, complaints_including_this: int, threshold: int) -> bool:
    """STD-6: the customer's ``threshold``-th complaint (default the second) escalates."""
    return complaints_including_this >= threshold


@dataclass(frozen=True)
class OfficeHours:
    """Where the bank sets business hours (Beijing time) for a department such as QA."""

    opens: time = time(9, 0)
    closes: time = time(17, 30)


def business_due(
    *,
    start: datetime,
    seconds: int,
    hours: OfficeHours,
    is_working_day: Callable[[date], bool],
    max_days: int = 60,
) -> datetime:
    """The instant ``seconds`` of business time after ``start``: only time inside
    ``hours`` on working days counts. A complaint at 17:20 with 30 minutes to QA is due
    at 09:20 on the next working day."""
    remaining = timedelta(seconds=seconds)
    cursor = start.astimezone(BEIJING)
    for _ in range(max_days * 2 + 2):
        day = cursor.date()
        opens = datetime.combine(day, hours.opens, BEIJING)
        closes = datetime.combine(day, hours.closes, BEIJING)
        if is_working_day(day) and cursor < closes:
            begin = max(cursor, opens)
            available = closes - begin
            if remaining <= available:
                return (begin + remaining).astimezone(start.tzinfo)
            remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0, 0), BEIJING)
    raise ValueError("no business time found within the horizon")


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100); None when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]
