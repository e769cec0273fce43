"""Identity verification of the customer on a consultation: the pure rules (ACC-6, ACC-7, RSK-4).

A consultation starts unverified. One passed check, either the last four of the ID
number (checked by the core bank) or a one-time code sent to the registered phone,
makes it verified (ACC-6). Balances and transactions need a verified customer.
A high-risk operation (transfer, closing an account, changing the phone number) needs a
second check: a one-time code passed within the policy's freshness window, after the
consultation was already verified by an earlier check (RSK-4).

Pure: standard library only; time is passed in as `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Level(StrEnum):
    NONE = "none"
    VERIFIED = "verified"


class Method(StrEnum):
    ID_LAST_FOUR = "id_last_four"
    OTP_SENT = "otp_sent"
    OTP = "otp"
    HIGH_RISK = "high_risk"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SENT = "sent"
    LOCKED = "locked"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    UNAVAILABLE = "unavailable"
    REFUSED = "refused"


class HighRiskOperation(StrEnum):
    TRANSFER = "transfer"
    CLOSE_ACCOUNT = "close_account"
    CHANGE_PHONE = "change_phone"


OPERATION_ZH: dict[HighRiskOperation, str] = {
    HighRiskOperation.TRANSFER: "转账",
    HighRiskOperation.CLOSE_ACCOUNT: "销户",
    HighRiskOperation.CHANGE_PHONE: "变更手机号",
}

# ACC-7: where a request outside the caller's authority must go instead.
RIGHT_CHANNEL: dict[HighRiskOperation, str] = {
    HighRiskOperation.TRANSFER: "请账户本人通过本人手机银行办理，或本人持身份证到网点办理",
    HighRiskOperation.CLOSE_ACCOUNT: "请账户本人持身份证到开户网点办理",
    HighRiskOperation.CHANGE_PHONE: "请本人持身份证到网点办理",
}
OTHER_ACCOUNT_CHANNEL = "本人持身份证到网点办理"


@dataclass(frozen=True, slots=True)
class Check:
    """One identity check on a consultation, as audited."""

    method: Method
    outcome: Outcome
    at: datetime
    operation: HighRiskOperation | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """What the desk knows about who is on the line of one consultation."""

    consultation_id: str
    customer_id: str | None
    level: Level
    methods: tuple[Method, ...]
    verified_at: datetime | None
    policy_version: str | None
    checks: tuple[Check, ...] = ()

    @property
    def verified(self) -> bool:
        return self.level is Level.VERIFIED


VERIFYING_METHODS = frozenset({Method.ID_LAST_FOUR, Method.OTP})


def after_check(verification: Verification, check: Check, *, policy_version: str) -> Verification:
    """The verification once `check` is recorded: a passed last-four or code check
    verifies the consultation; nothing ever lowers the level within it."""
    checks = (*verification.checks, check)
    if check.outcome is not Outcome.PASSED or check.method not in VERIFYING_METHODS:
        return Verification(
            consultation_id=verification.consultation_id,
            customer_id=verification.customer_id,
            level=verification.level,
            methods=verification.methods,
            verified_at=verification.verified_at,
            policy_version=verification.policy_version,
            checks=checks,
        )
    methods = verification.methods
    if check.method not in methods:
        methods = (*methods, check.method)
    return Verification(
        consultation_id=verification.consultation_id,
        customer_id=verification.customer_id,
        level=Level.VERIFIED,
        methods=methods,
        verified_at=verification.verified_at or check.at,
        policy_version=policy_version,
        checks=checks,
    )


def fresh_second_check(
    verification: Verification, *, now: datetime, fresh_seconds: int
) -> Check | None:
    """RSK-4: the passed code check that can back a high-risk operation now, if any.

    It must be a passed one-time-code check at most `fresh_seconds` old (a check at
    exactly `fresh_seconds` is still fresh), the consultation must have been verified
    by an earlier passed check (a second check, not the first one reused), and it must
    not already have backed another high-risk operation (one fresh check, one operation).
    """
    approvals = [
        c
        for c in verification.checks
        if c.method is Method.HIGH_RISK and c.outcome is Outcome.PASSED
    ]
    passed = [
        c
        for c in verification.checks
        if c.outcome is Outcome.PASSED and c.method in VERIFYING_METHODS
    ]
    if len(passed) < 2:
        return None
    latest = passed[-1]
    if latest.method is not Method.OTP:
        return None
    if now - latest.at > timedelta(seconds=fresh_seconds) or latest.at > now:
        return None
    if approvals and approvals[-1].at >= latest.at:
        return None
    return latest
