"""The pure rules: targets, exact edges, business hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from consultdesk.policy.model import effective_policy
from consultdesk.sla.model import (
    BEIJING,
    OfficeHours,
    TimerKind,
    business_due,
    clocks_on_classified,
    clocks_on_open,
    is_breached,
    is_repeated_complaint,
    percentile,
    target_seconds,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
POLICY = effective_policy(head_office={}, head_office_version=0)


def test_targets_come_from_the_policy() -> None:
    # REQ: ACC-2, STD-4, STD-6 — the numbers are the versioned policy's.
    got = {k: target_seconds(k, POLICY.int) for k in TimerKind if k != TimerKind.REPEAT_COMPLAINT}
    assert got == {
        TimerKind.FIRST_RESPONSE: 30,
        TimerKind.PHONE_ANSWER: 15,
        TimerKind.SIMPLE_RESOLUTION: 120,
        TimerKind.COUNTER_QUESTION: 300,
        TimerKind.CALL_DURATION: 300,
        TimerKind.COMPLEX_TO_SENIOR: 60,
        TimerKind.COMPLAINT_TO_QA: 1800,
        TimerKind.WAIT_SUPERVISOR: 600,
    }


def test_a_changed_policy_changes_the_target() -> None:
    # REQ: ANX-2
    policy = effective_policy(
        head_office={"sla.online_first_response_s": 20}, head_office_version=3
    )
    assert target_seconds(TimerKind.FIRST_RESPONSE, policy.int) == 20


def test_reply_at_29_9_seconds_is_in_time() -> None:
    # REQ: ACC-2
    done = T0 + timedelta(seconds=29.9)
    assert not is_breached(started_at=T0, target_s=30, done_at=done, now=done)


def test_reply_at_exactly_30_seconds_is_in_time() -> None:
    # REQ: ACC-2
    done = T0 + timedelta(seconds=30)
    assert not is_breached(started_at=T0, target_s=30, done_at=done, now=done)


def test_reply_at_30_001_seconds_is_a_breach() -> None:
    # REQ: ACC-2
    done = T0 + timedelta(seconds=30.001)
    assert is_breached(started_at=T0, target_s=30, done_at=done, now=done)


def test_no_reply_is_a_breach_only_after_the_target() -> None:
    # REQ: ACC-2
    assert not is_breached(started_at=T0, target_s=30, done_at=None, now=T0 + timedelta(seconds=30))
    assert is_breached(
        started_at=T0, target_s=30, done_at=None, now=T0 + timedelta(seconds=30, microseconds=1)
    )


def test_online_chat_runs_first_response_and_wait_clocks() -> None:
    # REQ: ACC-2, STD-6
    assert clocks_on_open(channel="chat", type="other") == (
        TimerKind.FIRST_RESPONSE,
        TimerKind.WAIT_SUPERVISOR,
    )


def test_phone_runs_answer_clock_and_bot_runs_none() -> None:
    # REQ: ACC-2 — the bot answers at once.
    assert clocks_on_open(channel="phone", type="other")[0] == TimerKind.PHONE_ANSWER
    assert clocks_on_open(channel="bot", type="other") == ()


def test_complaint_starts_the_qa_clock() -> None:
    # REQ: STD-6
    assert TimerKind.COMPLAINT_TO_QA in clocks_on_open(channel="counter", type="complaint")


def test_classification_starts_simple_and_complex_clocks() -> None:
    # REQ: STD-4, STD-6
    assert clocks_on_classified(complexity="simple", type=None) == (TimerKind.SIMPLE_RESOLUTION,)
    assert clocks_on_classified(complexity="complex", type=None) == (TimerKind.COMPLEX_TO_SENIOR,)


def test_second_complaint_is_repeated_first_is_not() -> None:
    # REQ: STD-6
    assert not is_repeated_complaint(complaints_including_this=1, threshold=2)
    assert is_repeated_complaint(complaints_including_this=2, threshold=2)


def _weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_business_time_inside_office_hours_is_wall_time() -> None:
    start = datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)  # a Monday
    due = business_due(start=start, seconds=1800, hours=OfficeHours(), is_working_day=_weekdays)
    assert due == datetime(2026, 3, 2, 10, 30, tzinfo=BEIJING)


def test_business_time_carries_over_closing_to_the_next_working_day() -> None:
    # REQ: STD-6 — a complaint at 17:20 Friday reaches QA by 09:20 Monday.
    start = datetime(2026, 3, 6, 17, 20, tzinfo=BEIJING)
    due = business_due(start=start, seconds=1800, hours=OfficeHours(), is_working_day=_weekdays)
    assert due == datetime(2026, 3, 9, 9, 20, tzinfo=BEIJING)


def test_business_time_before_opening_starts_at_opening() -> None:
    start = datetime(2026, 3, 2, 7, 0, tzinfo=BEIJING)
    due = business_due(start=start, seconds=60, hours=OfficeHours(), is_working_day=_weekdays)
    assert due == datetime(2026, 3, 2, 9, 1, tzinfo=BEIJING)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([float(i) for i in range(1, 101)], 99) == 99.0
    assert percentile([], 50) is None
