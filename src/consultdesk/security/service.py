"""Use cases of identity verification by one-time code (ACC-6, RSK-4).

`send_verification_code` asks the core bank for the customer's registered phone, issues
a challenge and hands the code to the SMS gateway; the caller (and so the agent) only
ever gets the challenge id, the masked phone and the expiry. If the core bank cannot
answer, nothing is issued and DependencyDown is raised: verification fails closed.

Both functions flush into the caller's session; the caller's unit of work commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.security.masking import mask_phone
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


class RegisteredPhones(Protocol):
    """Port to the core bank: the phone number a customer registered."""

    def registered_phone(self, *, customer_id: str) -> str | None: ...


class SmsGateway(Protocol):
    """Port to the SMS gateway: deliver a verification code to a phone."""

    def send_code(self, *, phone: str, code: str) -> None: ...


@dataclass(frozen=True, slots=True)
class SentChallenge:
    """What the agent may see about a sent code: never the code itself."""

    challenge_id: ChallengeId
    masked_phone: str
    expires_at: datetime


def send_verification_code(
    *,
    session: Session,
    now: datetime,
    customer_id: str,
    phones: RegisteredPhones,
    sms: SmsGateway,
    pepper: bytes,
    policy: OtpPolicy = DEFAULT_POLICY,
) -> SentChallenge:
    """Send a fresh code to the customer's registered phone and store its challenge.

    Raises DependencyDown when the core bank or SMS gateway does not answer (fail closed),
    NotFound when the customer has no registered phone.
    """
    try:
        phone = phones.registered_phone(customer_id=customer_id)
    except Exception as exc:  # any failure of the core bank fails closed
        raise DependencyDown("核心系统暂时无法应答，无法完成身份验证，请稍后再试") from exc
    if not phone:
        raise NotFound("该客户未登记手机号，无法发送验证码", field="customer_id")
    challenge, code = issue_challenge(
        challenge_id=ChallengeId(str(uuid.uuid4())),
        subject=customer_id,
        now=now,
        pepper=pepper,
        policy=policy,
    )
    try:
        sms.send_code(phone=phone, code=code)
    except Exception as exc:
        raise DependencyDown("短信服务暂时不可用，无法发送验证码，请稍后再试") from exc
    session.add(_to_row(challenge))
    session.flush()
    return SentChallenge(
        challenge_id=challenge.challenge_id,
        masked_phone=mask_phone(phone),
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
