from __future__ import annotations

from datetime import timedelta

import pytest

from consultdesk.security.otp import (
    DEFAULT_POLICY,
    Challenge,
    ChallengeId,
    ChallengeStatus,
    CheckOutcome,
    OtpPolicy,
    check_code,
    issue_challenge,
)
from consultdesk.shared.errors import ValidationFailed

from .conftest import NOW

PEPPER = b"p" * 32


def issue(policy: OtpPolicy = DEFAULT_POLICY) -> tuple[Challenge, str]:
    return issue_challenge(
        challenge_id=ChallengeId("ch-1"), subject="cust-1", now=NOW, pepper=PEPPER, policy=policy
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# REQ: ACC-6
def test_code_is_six_digits() -> None:
    _, code = issue()
    assert len(code) == 6 and code.isdigit()


# REQ: ACC-6
def test_code_is_stored_only_as_a_salted_hmac() -> None:
    challenge, code = issue()
    assert code.encode() not in challenge.digest
    assert code not in repr(challenge)
    assert len(challenge.salt) == 16


def test_each_challenge_gets_its_own_salt() -> None:
    assert issue()[0].salt != issue()[0].salt


# REQ: ACC-6
def test_right_code_verifies() -> None:
    challenge, code = issue()
    updated, result = check_code(challenge, code=code, now=NOW, pepper=PEPPER)
    assert result.verified
    assert updated.status is ChallengeStatus.USED


# REQ: ACC-6
def test_right_code_at_four_fifty_nine_verifies() -> None:
    challenge, code = issue()
    _, result = check_code(
        challenge, code=code, now=NOW + timedelta(minutes=4, seconds=59), pepper=PEPPER
    )
    assert result.outcome is CheckOutcome.VERIFIED


# REQ: ACC-6
def test_right_code_at_five_minutes_is_expired() -> None:
    challenge, code = issue()
    updated, result = check_code(
        challenge, code=code, now=NOW + timedelta(minutes=5), pepper=PEPPER
    )
    assert result.outcome is CheckOutcome.EXPIRED
    assert updated.status is ChallengeStatus.EXPIRED
    assert result.message == "验证码已过期，请重新获取"


# REQ: ACC-6
def test_wrong_code_says_how_many_tries_are_left() -> None:
    challenge, code = issue()
    updated, result = check_code(challenge, code=wrong(code), now=NOW, pepper=PEPPER)
    assert result.outcome is CheckOutcome.WRONG_CODE
    assert result.attempts_left == 4
    assert result.message == "验证码错误，还可尝试 4 次"
    assert updated.attempts == 1


# REQ: ACC-6
def test_five_wrong_tries_lock_the_challenge() -> None:
    challenge, code = issue()
    for _ in range(5):
        challenge, result = check_code(challenge, code=wrong(code), now=NOW, pepper=PEPPER)
    assert result.outcome is CheckOutcome.LOCKED
    assert challenge.status is ChallengeStatus.LOCKED


# REQ: ACC-6
def test_right_code_after_lock_is_refused() -> None:
    challenge, code = issue()
    for _ in range(5):
        challenge, _ = check_code(challenge, code=wrong(code), now=NOW, pepper=PEPPER)
    _, result = check_code(challenge, code=code, now=NOW, pepper=PEPPER)
    assert result.outcome is CheckOutcome.LOCKED


def test_right_code_on_the_fifth_try_still_verifies() -> None:
    challenge, code = issue()
    for _ in range(4):
        challenge, _ = check_code(challenge, code=wrong(code), now=NOW, pepper=PEPPER)
    _, result = check_code(challenge, code=code, now=NOW, pepper=PEPPER)
    assert result.verified


# REQ: ACC-6
def test_replayed_code_is_refused() -> None:
    challenge, code = issue()
    challenge, _ = check_code(challenge, code=code, now=NOW, pepper=PEPPER)
    _, result = check_code(challenge, code=code, now=NOW + timedelta(seconds=10), pepper=PEPPER)
    assert result.outcome is CheckOutcome.ALREADY_USED
    assert not result.verified


def test_code_checked_with_another_pepper_fails() -> None:
    challenge, code = issue()
    _, result = check_code(challenge, code=code, now=NOW, pepper=b"q" * 32)
    assert result.outcome is CheckOutcome.WRONG_CODE


def test_fullwidth_digits_are_accepted() -> None:
    challenge, code = issue()
    fullwidth = code.translate({ord("0") + i: 0xFF10 + i for i in range(10)})
    _, result = check_code(challenge, code=fullwidth, now=NOW, pepper=PEPPER)
    assert result.verified


@pytest.mark.parametrize("bad", ["12345", "1234567", "12a456", ""])
def test_malformed_code_is_refused_without_spending_a_try(bad: str) -> None:
    challenge, _ = issue()
    with pytest.raises(ValidationFailed) as err:
        check_code(challenge, code=bad, now=NOW, pepper=PEPPER)
    assert err.value.field == "code"


def test_policy_numbers_are_parameters() -> None:
    policy = OtpPolicy(digits=8, ttl=timedelta(minutes=2), max_attempts=2)
    challenge, code = issue(policy)
    assert len(code) == 8
    assert challenge.expires_at == NOW + timedelta(minutes=2)
    for _ in range(2):
        challenge, result = check_code(
            challenge, code=f"{(int(code) + 1) % 10**8:08d}", now=NOW, pepper=PEPPER, policy=policy
        )
    assert result.outcome is CheckOutcome.LOCKED


def test_short_pepper_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        issue_challenge(challenge_id=ChallengeId("c"), subject="s", now=NOW, pepper=b"short")
    assert err.value.field == "pepper"
