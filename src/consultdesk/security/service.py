"""Use cases of identity verification by one-time code (ACC-6, RSK-4).

`send_verification_code` issues a challenge and hands the code, inside the SMS text, to a
delivery port that sends it to the phone registered at the core bank; the caller (and
so the agent) only ever gets the challenge id, the masked phone and the expiry. If the
core bank or SMS gateway cannot answer, nothing is stored and DependencyDown is raised:
verification fails closed.

Both functions flush into the caller's session; the caller's unit of work commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.security.otp import (
    DEFAULT_POLICY,
    Challenge,
    ChallengeId,
    ChallengeStatus,
    CheckResult,
    OtpPolicy,
    check_code,
    issue_challenge,
)
from consultdesk.security.tables import OtpChallengeRow
from consultdesk.shared.errors import DependencyDown, NotFound


class RegisteredPhoneSms(Protocol):
    """Port: deliver a text to the mobile number the customer registered at the core bank.

    The adapter looks the number up inside the bank's systems and sends the SMS, so the
    desk never holds the full number (the CoreBank port only reveals it masked).
    Returns the masked number ('138****5678'). Raises DependencyDown (e.g.
    CoreBankUnavailable, SmsGatewayUnavailable) when either system does not answer and
    NotFound(field='customer_id') when no mobile is registered.
    """

    def send_to_registered_phone(
        self, *, customer_id: str, text: str, idempotency_key: str
    ) -> str: ...


@dataclass(frozen=True, slots=True)
class SentChallenge:
    """What the agent may see about a sent code: never the code itself."""

    challenge_id: ChallengeId
    masked_phone: str
    expires_at: datetime


def verification_sms_text(*, code: str, policy: OtpPolicy = DEFAULT_POLICY) -> str:
    """The SMS carrying the code, with the warning never to tell it to anyone (RSK-3)."""
    minutes = int(policy.ttl.total_seconds() // 60)
    return (
        f"您的身份验证码为 {code}，{minutes} 分钟内有效。"
        "本行工作人员不会向您索取验证码，请勿告知任何人。"
    )


def send_verification_code(
    *,
    session: Session,
    now: datetime,
    customer_id: str,
    delivery: RegisteredPhoneSms,
    pepper: bytes,
    policy: OtpPolicy = DEFAULT_POLICY,
) -> SentChallenge:
    """Send a fresh code to the customer's registered phone and store its challenge.

    Fails closed: when the core bank or SMS gateway does not answer, DependencyDown is
    raised and no challenge is stored. NotFound when the customer has no registered phone.
    """
    challenge, code = issue_challenge(
        challenge_id=ChallengeId(str(uuid.uuid4())),
        subject=customer_id,
        now=now,
        pepper=pepper,
        policy=policy,
    )
    try:
        masked_phone = delivery.send_to_registered_phone(
            customer_id=customer_id,
            text=verification_sms_text(code=code, policy=policy),
            idempotency_key=f"otp:{challenge.challenge_id}",
        )
    except (DependencyDown, NotFound):
        raise
    except Exception as exc:  # anything else from the outside systems also fails closed
        raise DependencyDown("核心系统暂时无法应答，无法完成身份验证，请稍后再试") from exc
    session.add(_to_row(challenge))
    session.flush()
    return SentChallenge(
        challenge_id=challenge.challenge_id,
        masked_phone=masked_phone,
        expires_at=challenge.expires_at,
    )


def verify_identity_code(
    *,
    session: Session,
    now: datetime,
    challenge_id: str,
    code: str,
    pepper: bytes,
    policy: OtpPolicy = DEFAULT_POLICY,
) -> CheckResult:
    """Check a code the customer read out; spends an attempt when wrong.

    The challenge row is locked (SELECT ... FOR UPDATE on PostgreSQL) so two parallel
    guesses cannot both pass the attempt count. Raises NotFound for an unknown challenge.
    """
    row = session.scalars(
        select(OtpChallengeRow)
        .where(OtpChallengeRow.challenge_id == challenge_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("验证请求不存在，请重新获取验证码", field="challenge_id")
    updated, result = check_code(_from_row(row), code=code, now=now, pepper=pepper, policy=policy)
    row.attempts = updated.attempts
    row.status = updated.status.value
    session.flush()
    return result


def _to_row(challenge: Challenge) -> OtpChallengeRow:
    return OtpChallengeRow(
        challenge_id=challenge.challenge_id,
        subject=challenge.subject,
        salt=challenge.salt,
        digest=challenge.digest,
        issued_at=challenge.issued_at,
        expires_at=challenge.expires_at,
        attempts=challenge.attempts,
        status=challenge.status.value,
        policy_version=challenge.policy_version,
    )


def _from_row(row: OtpChallengeRow) -> Challenge:
    return Challenge(
        challenge_id=ChallengeId(row.challenge_id),
        subject=row.subject,
        salt=row.salt,
        digest=row.digest,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        attempts=row.attempts,
        status=ChallengeStatus(row.status),
        policy_version=row.policy_version,
    )
