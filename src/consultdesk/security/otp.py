"""One-time code identity verification (ACC-6, RSK-4): the pure domain.

A challenge holds a code sent to the customer's registered phone. The code is never
stored or returned to the agent: only an HMAC-SHA256 of it, keyed by a server secret
(pepper) and salted per challenge. Checking is constant-time. Policy defaults (6 digits,
5 minutes, 5 wrong tries) are parameters on `OtpPolicy`.

Outcomes of a check, in the order they are decided:
- already used (replay)  -> refused, nothing changes
- locked                 -> refused, nothing changes
- expired (now >= issued + ttl; 4:59 passes, 5:00 does not) -> refused, marked expired
- wrong code             -> one attempt spent; the fifth wrong attempt locks it
- right code             -> verified and marked used, so it cannot be replayed

Pure: standard library only; time is passed in as `now`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from consultdesk.shared.errors import ValidationFailed

ChallengeId = NewType("ChallengeId", str)


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    """How long, how many digits, how many wrong tries before the challenge locks."""

    digits: int = 6
    ttl: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    version: str = "otp-2026.1"


DEFAULT_POLICY = OtpPolicy()


class ChallengeStatus(StrEnum):
    PENDING = "pending"
    USED = "used"
    LOCKED = "locked"
    EXPIRED = "expired"


class CheckOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"
    EXPIRED = "expired"
    ALREADY_USED = "already_used"


_MESSAGES = {
    CheckOutcome.VERIFIED: "身份验证通过",
    CheckOutcome.LOCKED: "验证码错误次数过多，本次验证已锁定，请重新获取验证码",
    CheckOutcome.EXPIRED: "验证码已过期，请重新获取",
    CheckOutcome.ALREADY_USED: "验证码已使用，请重新获取",
}


@dataclass(frozen=True, slots=True)
class Challenge:
    """A code sent to a customer: only its salted HMAC is kept."""

    challenge_id: ChallengeId
    subject: str  # whose identity is being checked (customer id)
    salt: bytes
    digest: bytes
    issued_at: datetime
    expires_at: datetime
    attempts: int
    status: ChallengeStatus
    policy_version: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check, the attempts still allowed, and a message for the agent."""

    outcome: CheckOutcome
    attempts_left: int
    message: str

    @property
    def verified(self) -> bool:
        return self.outcome is CheckOutcome.VERIFIED


def _digest(*, pepper: bytes, salt: bytes, challenge_id: str, code: str) -> bytes:
    message = salt + b"|" + challenge_id.encode("utf-8") + b"|" + code.encode("ascii")
    return hmac.new(pepper, message, hashlib.sha256).digest()


def issue_challenge(
    *,
    challenge_id: ChallengeId,
    subject: str,
    now: datetime,
    pepper: bytes,
    policy: OtpPolicy = DEFAULT_POLICY,
) -> tuple[Challenge, str]:
    """A new challenge and its code. The code goes to the SMS gateway and nowhere else."""
    if len(pepper) < 16:
        raise ValidationFailed("验证码密钥过短", field="pepper")
    code = str(secrets.randbelow(10**policy.digits)).zfill(policy.digits)
    salt = secrets.token_bytes(16)
    challenge = Challenge(
        challenge_id=challenge_id,
        subject=subject,
        salt=salt,
        digest=_digest(pepper=pepper, salt=salt, challenge_id=challenge_id, code=code),
        issued_at=now,
        expires_at=now + policy.ttl,
        attempts=0,
        status=ChallengeStatus.PENDING,
        policy_version=policy.version,
    )
    return challenge, code


def _normalise_code(code: str, digits: int) -> str:
    value = code.strip().translate({0xFF10 + i: ord("0") + i for i in range(10)})
    if len(value) != digits or not value.isascii() or not value.isdigit():
        raise ValidationFailed(f"验证码应为 {digits} 位数字", field="code")
    return value


def check_code(
    challenge: Challenge,
    *,
    code: str,
    now: datetime,
    pepper: bytes,
    policy: OtpPolicy = DEFAULT_POLICY,
) -> tuple[Challenge, CheckResult]:
    """Check `code` against `challenge`; returns the updated challenge and the result.

    A code that is not `policy.digits` digits raises ValidationFailed(field="code") and
    spends no attempt.
    """
    left = max(policy.max_attempts - challenge.attempts, 0)
    if challenge.status is ChallengeStatus.USED:
        return challenge, _result(CheckOutcome.ALREADY_USED, 0)
    if challenge.status is ChallengeStatus.LOCKED:
        return challenge, _result(CheckOutcome.LOCKED, 0)
    if challenge.status is ChallengeStatus.EXPIRED or now >= challenge.expires_at:
        expired = dataclasses.replace(challenge, status=ChallengeStatus.EXPIRED)
        return expired, _result(CheckOutcome.EXPIRED, left)
    value = _normalise_code(code, policy.digits)
    expected = _digest(
        pepper=pepper, salt=challenge.salt, challenge_id=challenge.challenge_id, code=value
    )
    if hmac.compare_digest(expected, challenge.digest):
        used = dataclasses.replace(challenge, status=ChallengeStatus.USED)
        return used, _result(CheckOutcome.VERIFIED, left)
    attempts = challenge.attempts + 1
    left = max(policy.max_attempts - attempts, 0)
    if left == 0:
        locked = dataclasses.replace(challenge, attempts=attempts, status=ChallengeStatus.LOCKED)
        return locked, _result(CheckOutcome.LOCKED, 0)
    return dataclasses.replace(challenge, attempts=attempts), _result(CheckOutcome.WRONG_CODE, left)


def _result(outcome: CheckOutcome, attempts_left: int) -> CheckResult:
    if outcome is CheckOutcome.WRONG_CODE:
        message = f"验证码错误，还可尝试 {attempts_left} 次"
    else:
        message = _MESSAGES[outcome]
    return CheckResult(outcome=outcome, attempts_left=attempts_left, message=message)
