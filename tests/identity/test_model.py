"""The pure rules of verification level and the fresh second check (ACC-6, RSK-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consultdesk.identity.model import (
    Check,
    HighRiskOperation,
    Level,
    Method,
    Outcome,
    Verification,
    after_check,
    fresh_second_check,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
EMPTY = Verification("con_1", "cus_1", Level.NONE, (), None, None)


def _with(*checks: Check) -> Verification:
    v = EMPTY
    for c in checks:
        v = after_check(v, c, policy_version="HO-v1")
    return v


def test_a_failed_check_leaves_the_consultation_unverified() -> None:
    # REQ: ACC-6
    v = _with(Check(Method.ID_LAST_FOUR, Outcome.FAILED, T0))
    assert v.level is Level.NONE and v.verified_at is None


def test_a_passed_last_four_verifies_and_records_the_policy_version() -> None:
    # REQ: ACC-6
    v = _with(Check(Method.ID_LAST_FOUR, Outcome.PASSED, T0))
    assert v.verified and v.methods == (Method.ID_LAST_FOUR,) and v.policy_version == "HO-v1"


def test_the_first_check_alone_does_not_back_a_high_risk_operation() -> None:
    # REQ: RSK-4
    v = _with(Check(Method.OTP, Outcome.PASSED, T0))
    assert fresh_second_check(v, now=T0, fresh_seconds=300) is None


def test_a_second_code_check_at_exactly_the_window_is_still_fresh() -> None:
    # REQ: RSK-4
    v = _with(Check(Method.ID_LAST_FOUR, Outcome.PASSED, T0), Check(Method.OTP, Outcome.PASSED, T0))
    assert fresh_second_check(v, now=T0 + timedelta(seconds=300), fresh_seconds=300) is not None
    assert fresh_second_check(v, now=T0 + timedelta(seconds=301), fresh_seconds=300) is None


def test_a_second_last_four_is_not_enough_for_a_high_risk_operation() -> None:
    # REQ: RSK-4
    v = _with(Check(Method.OTP, Outcome.PASSED, T0), Check(Method.ID_LAST_FOUR, Outcome.PASSED, T0))
    assert fresh_second_check(v, now=T0, fresh_seconds=300) is None


def test_one_fresh_check_backs_one_operation_only() -> None:
    # REQ: RSK-4
    v = _with(
        Check(Method.ID_LAST_FOUR, Outcome.PASSED, T0),
        Check(Method.OTP, Outcome.PASSED, T0),
        Check(Method.HIGH_RISK, Outcome.PASSED, T0, HighRiskOperation.TRANSFER),
    )
    assert fresh_second_check(v, now=T0, fresh_seconds=300) is None
