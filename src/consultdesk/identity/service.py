"""Use cases of identity verification on a consultation and of core-bank facts for agents
(ACC-6, ACC-7, ACP-3, RSK-2, RSK-4, SOL-2, PREP-3).

Every check (last four, code sent, code checked, high-risk approval) is written to
`identity_checks` and to the audit log in the caller's unit of work. When the core bank
cannot answer, verification fails closed: the caller's unit of work rolls back and the
caller records the outage with `record_core_bank_outage` in a fresh one.

OTP delivery (decided here): the code goes to the phone the customer registered with the
bank. The CoreBank port only reveals that number masked, so the desk opens the phone it
holds sealed for the customer (`customers.sealed_phone` + `decrypt_field`) and sends
through the SMS gateway, but only after checking that the masked form of that number is
exactly what the core bank reports as registered. A mismatch (the customer changed the
number at the bank) refuses to send: a code never goes to a number the bank does not
know. Neither the number nor the code is ever returned to the agent.

All functions are keyword-only, flush into the caller's session and never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consultdesk.audit import service as audit
from consultdesk.consultations import service as consultations
from consultdesk.corebank.model import (
    Account,
    AccountId,
    AccountStatus,
    Balance,
    CustomerId,
    Eligibility,
    Transaction,
    TransferRefusal,
    mask_phone,
)
from consultdesk.corebank.port import CoreBank
from consultdesk.customers import service as customers
from consultdesk.customers.tables import CustomerRow
from consultdesk.identity.model import (
    OPERATION_ZH,
    OTHER_ACCOUNT_CHANNEL,
    RIGHT_CHANNEL,
    Check,
    HighRiskOperation,
    Level,
    Method,
    Outcome,
    Verification,
    after_check,
    fresh_second_check,
)
from consultdesk.identity.tables import IdentityCheckRow, IdentityVerificationRow
from consultdesk.notifications.sms import SmsGateway
from consultdesk.policy.service import current_policy
from consultdesk.security import ratelimit
from consultdesk.security.crypto import KeyRing, decrypt_field
from consultdesk.security.otp import CheckOutcome, OtpPolicy
from consultdesk.security.ratelimit import RateLimiter
from consultdesk.security.service import SentChallenge, send_verification_code, verify_identity_code
from consultdesk.shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode
from consultdesk.shared.scope import SYSTEM

SOURCE_SYSTEM = "core_banking"
SOURCE_SYSTEM_ZH = "核心银行系统"
T = TypeVar("T")


class VerificationRequired(Forbidden):
    """ACC-6: balances and transactions only for a verified customer."""

    code = "verification_required"


class OutsideAuthority(Forbidden):
    """ACC-7: the request concerns someone other than the verified customer."""

    code = "outside_authority"


class FreshCheckRequired(Forbidden):
    """RSK-4: a high-risk operation without a second, fresh check."""

    code = "fresh_check_required"


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of one check as the agent sees it."""

    verification: Verification
    outcome: Outcome
    message: str
    attempts_left: int | None = None


@dataclass(frozen=True, slots=True)
class Approval:
    """A high-risk operation cleared by a fresh second check (RSK-4)."""

    operation: HighRiskOperation
    account_id: str | None
    approved_at: datetime
    backed_by_check_at: datetime
    policy_version: str


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A fact with the system it came from and when (SOL-2)."""

    data: T
    system: str
    as_of: datetime


def otp_pepper(secret_key: str) -> bytes:
    """The server secret the code digests are keyed with, derived from the app secret."""
    return hashlib.sha256(f"{secret_key}|identity-otp".encode()).digest()


# ---- reading and writing the verification ------------------------------------------


def _checks(session: Session, consultation_id: str) -> tuple[Check, ...]:
    rows = session.scalars(
        select(IdentityCheckRow)
        .where(IdentityCheckRow.consultation_id == consultation_id)
        .order_by(IdentityCheckRow.id)
    )
    return tuple(
        Check(
            method=Method(r.method),
            outcome=Outcome(r.outcome),
            at=r.at,
            operation=HighRiskOperation(r.operation) if r.operation else None,
        )
        for r in rows
    )


def verification_of(*, session: Session, consultation_id: str) -> Verification:
    """The consultation's verification with every check so far (level none if never checked).
    NotFound(field='consultation_id') for an unknown consultation."""
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    row = session.get(IdentityVerificationRow, consultation_id)
    checks = _checks(session, consultation_id)
    if row is None:
        return Verification(
            consultation_id=consultation_id,
            customer_id=c.customer_id,
            level=Level.NONE,
            methods=(),
            verified_at=None,
            policy_version=None,
            checks=checks,
        )
    return Verification(
        consultation_id=consultation_id,
        customer_id=row.customer_id,
        level=Level(row.level),
        methods=tuple(Method(m) for m in row.methods or ()),
        verified_at=row.verified_at,
        policy_version=row.policy_version,
        checks=checks,
    )


def _locked_verification(session: Session, *, consultation_id: str, now: datetime) -> Verification:
    """The verification re-read under a row lock, its row created if missing (safe when two
    requests race to create it): parallel checks on one consultation are serialised, so
    neither overwrites the other and one fresh check cannot back two operations."""
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    values: dict[str, object] = {
        "consultation_id": consultation_id,
        "customer_id": c.customer_id,
        "level": Level.NONE.value,
        "methods": [],
        "updated_at": now,
    }
    table = cast(Table, IdentityVerificationRow.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(table).values(values).on_conflict_do_nothing())
    session.get(
        IdentityVerificationRow, consultation_id, with_for_update=True, populate_existing=True
    )
    return verification_of(session=session, consultation_id=consultation_id)


def _record_check(
    session: Session,
    *,
    now: datetime,
    verification: Verification,
    check: Check,
    actor: str,
    policy_version: str,
    challenge_id: str | None = None,
    account_id: str | None = None,
) -> Verification:
    verification = _locked_verification(
        session, consultation_id=verification.consultation_id, now=now
    )
    after = after_check(verification, check, policy_version=policy_version)
    session.add(
        IdentityCheckRow(
            consultation_id=verification.consultation_id,
            customer_id=verification.customer_id,
            method=check.method.value,
            outcome=check.outcome.value,
            operation=check.operation.value if check.operation else None,
            challenge_id=challenge_id,
            actor=actor,
            at=check.at,
            policy_version=policy_version,
        )
    )
    row = session.get(IdentityVerificationRow, verification.consultation_id)
    assert row is not None  # created and locked by _locked_verification
    row.customer_id = verification.customer_id
    row.level = after.level.value
    row.methods = [m.value for m in after.methods]
    row.verified_at = after.verified_at
    row.policy_version = after.policy_version
    row.updated_at = now
    session.flush()
    details: dict[str, object] = {
        "method": check.method.value,
        "outcome": check.outcome.value,
        "level": after.level.value,
        "customer_id": verification.customer_id,
        "policy_version": policy_version,
    }
    if check.operation:
        details["operation"] = check.operation.value
    if account_id:
        details["account_id"] = account_id
    audit.record(
        session=session,
        now=now,
        actor=actor,
        action="identity.check",
        subject=verification.consultation_id,
        details=details,
    )
    return after


@dataclass(frozen=True, slots=True)
class _Subject:
    verification: Verification
    customer_id: str
    core_id: CustomerId
    branch: BranchCode


def _subject(session: Session, consultation_id: str) -> _Subject:
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    if c.customer_id is None:
        raise Conflict("本次咨询尚未关联客户，请先识别客户", field="customer_id")
    customer = customers.get_customer(scope=SYSTEM, session=session, customer_id=c.customer_id)
    if not customer.core_customer_id:
        raise Conflict("该客户未关联核心系统客户号，无法核验身份", field="customer_id")
    return _Subject(
        verification=verification_of(session=session, consultation_id=consultation_id),
        customer_id=c.customer_id,
        core_id=CustomerId(customer.core_customer_id),
        branch=BranchCode(c.branch),
    )


def _otp_policy(session: Session, branch: BranchCode) -> tuple[OtpPolicy, str]:
    policy = current_policy(session=session, branch=branch)
    otp = OtpPolicy(
        digits=policy.int("identity.otp_length"),
        ttl=timedelta(seconds=policy.int("identity.otp_ttl_s")),
        max_attempts=policy.int("identity.otp_max_attempts"),
        version=policy.version,
    )
    return otp, policy.version


def _count_attempt(limiter: RateLimiter, subject: _Subject) -> None:
    limiter.hit(ratelimit.ATTEMPTS_PER_CONSULTATION, subject.verification.consultation_id)
    limiter.hit(ratelimit.ATTEMPTS_PER_CUSTOMER, subject.customer_id)


# ---- the checks ----------------------------------------------------------------------


def check_id_last_four(
    *,
    session: Session,
    now: datetime,
    corebank: CoreBank,
    limiter: RateLimiter,
    consultation_id: str,
    last_four: str,
    actor: str,
) -> CheckReport:
    """ACC-6: ask the core bank whether `last_four` ends the customer's ID number.

    Raises CoreBankUnavailable (nothing stored: fails closed), TooManyRequests,
    ValidationFailed(field='last_four'), Conflict(field='customer_id') when the
    consultation has no customer known to the core bank.
    """
    subject = _subject(session, consultation_id)
    _count_attempt(limiter, subject)
    _, version = _otp_policy(session, subject.branch)
    matched = corebank.check_id_last_four(customer_id=subject.core_id, last_four=last_four)
    outcome = Outcome.PASSED if matched else Outcome.FAILED
    after = _record_check(
        session,
        now=now,
        verification=subject.verification,
        check=Check(method=Method.ID_LAST_FOUR, outcome=outcome, at=now),
        actor=actor,
        policy_version=version,
    )
    message = "身份证后四位核对一致，身份验证通过" if matched else "身份证后四位核对不一致"
    return CheckReport(verification=after, outcome=outcome, message=message)


class SealedPhoneDelivery:
    """Sends the code to the phone the desk holds sealed for the customer (see the module
    docstring); implements `security.service.RegisteredPhoneSms`."""

    def __init__(self, *, session: Session, keyring: KeyRing, sms: SmsGateway, masked: str) -> None:
        self._session = session
        self._keyring = keyring
        self._sms = sms
        self._masked = masked

    def send_to_registered_phone(self, *, customer_id: str, text: str, idempotency_key: str) -> str:
        token = customers.sealed_phone(session=self._session, customer_id=customer_id)
        if not token:
            raise NotFound("客户未登记手机号，无法发送验证码", field="customer_id")
        phone = decrypt_field(token, record_id=customer_id, keyring=self._keyring, field="phone")
        self._sms.send(to=phone, text=text, idempotency_key=idempotency_key)
        return self._masked


def send_code(
    *,
    session: Session,
    now: datetime,
    corebank: CoreBank,
    sms: SmsGateway,
    keyring: KeyRing,
    pepper: bytes,
    limiter: RateLimiter,
    consultation_id: str,
    actor: str,
) -> SentChallenge:
    """ACC-6: send a one-time code to the customer's registered phone.

    Returns only the challenge id, the masked phone and the expiry. Raises
    CoreBankUnavailable / SmsGatewayUnavailable (nothing stored), TooManyRequests,
    Conflict(field='phone') when the phone on file is not the one registered at the bank,
    NotFound(field='customer_id') when no phone is on file.
    """
    subject = _subject(session, consultation_id)
    limiter.hit(ratelimit.CODE_SENDS_PER_CONSULTATION, consultation_id)
    limiter.hit(ratelimit.CODE_SENDS_PER_CUSTOMER, subject.customer_id)
    policy, version = _otp_policy(session, subject.branch)
    registered = corebank.registered_phone_masked(customer_id=subject.core_id)
    token = customers.sealed_phone(session=session, customer_id=subject.customer_id)
    if not token:
        raise NotFound("客户未登记手机号，无法发送验证码", field="customer_id")
    on_file = decrypt_field(token, record_id=subject.customer_id, keyring=keyring, field="phone")
    if mask_phone(on_file) != registered:
        raise Conflict(
            "客户资料中的手机号与银行登记的手机号不一致，无法发送验证码；"
            "请客户本人持身份证到网点更新手机号",
            field="phone",
        )
    sent = send_verification_code(
        session=session,
        now=now,
        customer_id=subject.customer_id,
        delivery=SealedPhoneDelivery(session=session, keyring=keyring, sms=sms, masked=registered),
        pepper=pepper,
        policy=policy,
    )
    _record_check(
        session,
        now=now,
        verification=subject.verification,
        check=Check(method=Method.OTP_SENT, outcome=Outcome.SENT, at=now),
        actor=actor,
        policy_version=version,
        challenge_id=sent.challenge_id,
    )
    return sent


_OTP_OUTCOME = {
    CheckOutcome.VERIFIED: Outcome.PASSED,
    CheckOutcome.WRONG_CODE: Outcome.FAILED,
    CheckOutcome.LOCKED: Outcome.LOCKED,
    CheckOutcome.EXPIRED: Outcome.EXPIRED,
    CheckOutcome.ALREADY_USED: Outcome.REPLAYED,
}


def verify_code(
    *,
    session: Session,
    now: datetime,
    pepper: bytes,
    limiter: RateLimiter,
    consultation_id: str,
    challenge_id: str,
    code: str,
    actor: str,
) -> CheckReport:
    """ACC-6: check the code the customer read out. A code sent on another consultation
    is unknown here (NotFound(field='challenge_id')); a used code is refused (replay).
    Raises TooManyRequests and ValidationFailed(field='code') for a malformed code."""
    subject = _subject(session, consultation_id)
    sent_here = session.scalars(
        select(IdentityCheckRow.id).where(
            IdentityCheckRow.consultation_id == consultation_id,
            IdentityCheckRow.challenge_id == challenge_id,
            IdentityCheckRow.method == Method.OTP_SENT.value,
        )
    ).first()
    if sent_here is None:
        raise NotFound("验证请求不存在，请重新获取验证码", field="challenge_id")
    _count_attempt(limiter, subject)
    policy, version = _otp_policy(session, subject.branch)
    result = verify_identity_code(
        session=session,
        now=now,
        challenge_id=challenge_id,
        code=code,
        pepper=pepper,
        policy=policy,
    )
    outcome = _OTP_OUTCOME[result.outcome]
    after = _record_check(
        session,
        now=now,
        verification=subject.verification,
        check=Check(method=Method.OTP, outcome=outcome, at=now),
        actor=actor,
        policy_version=version,
        challenge_id=challenge_id,
    )
    return CheckReport(
        verification=after,
        outcome=outcome,
        message=result.message,
        attempts_left=result.attempts_left,
    )


_SETTLED = frozenset({Outcome.PASSED.value, Outcome.LOCKED.value, Outcome.EXPIRED.value})


def pending_challenge(*, session: Session, now: datetime, consultation_id: str) -> str | None:
    """The code most recently sent on this consultation while the customer may still
    answer it in the chat (ACC-6): not yet passed, locked or expired, and within the
    policy's lifetime. ``None`` otherwise. The code itself is never read here."""
    sent = session.execute(
        select(IdentityCheckRow.challenge_id, IdentityCheckRow.at)
        .where(
            IdentityCheckRow.consultation_id == consultation_id,
            IdentityCheckRow.method == Method.OTP_SENT.value,
            IdentityCheckRow.challenge_id.is_not(None),
        )
        .order_by(IdentityCheckRow.id.desc())
        .limit(1)
    ).first()
    if sent is None or sent.challenge_id is None:
        return None
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    policy, _ = _otp_policy(session, BranchCode(c.branch))
    if now - sent.at > policy.ttl:
        return None
    settled = session.scalars(
        select(IdentityCheckRow.id).where(
            IdentityCheckRow.consultation_id == consultation_id,
            IdentityCheckRow.challenge_id == sent.challenge_id,
            IdentityCheckRow.method == Method.OTP.value,
            IdentityCheckRow.outcome.in_(_SETTLED),
        )
    ).first()
    return None if settled is not None else str(sent.challenge_id)


def _own_account(corebank: CoreBank, subject: _Subject, account_id: str) -> Account:
    """ACC-7: the account, if it belongs to the consultation's customer."""
    if not account_id or len(account_id) > 40:
        raise ValidationFailed("账户编号须为 1–40 个字符", field="account_id")
    account = corebank.get_account(account_id=AccountId(account_id))
    if account.customer_id != subject.core_id:
        raise OutsideAuthority(
            f"该账户不属于本次咨询中的客户本人，坐席不能代为查询或办理；{OTHER_ACCOUNT_CHANNEL}",
            field="account_id",
        )
    return account


def approve_high_risk(
    *,
    session: Session,
    now: datetime,
    corebank: CoreBank,
    consultation_id: str,
    operation: str,
    account_id: str | None,
    actor: str,
) -> Approval:
    """RSK-4: clear a transfer, account closing or phone change on a fresh second check.

    Raises FreshCheckRequired (403, the refusal is audited) when there is no passed
    code check fresher than `identity.high_risk_check_fresh_s` after an earlier
    verification; OutsideAuthority (403, ACC-7) when the account is not the customer's,
    naming the right channel; ValidationFailed(field='operation').
    """
    try:
        op = HighRiskOperation(operation)
    except ValueError:
        allowed = "、".join(o.value for o in HighRiskOperation)
        raise ValidationFailed(f"operation 须为 {allowed} 之一", field="operation") from None
    subject = _subject(session, consultation_id)
    policy = current_policy(session=session, branch=subject.branch)
    if account_id is not None:
        try:
            _own_account(corebank, subject, account_id)
        except OutsideAuthority as exc:
            exc.message = f"{exc.message}（{RIGHT_CHANNEL[op]}）"
            raise
    current = _locked_verification(session, consultation_id=consultation_id, now=now)
    backing = fresh_second_check(
        current, now=now, fresh_seconds=policy.int("identity.high_risk_check_fresh_s")
    )
    outcome = Outcome.PASSED if backing else Outcome.REFUSED
    _record_check(
        session,
        now=now,
        verification=subject.verification,
        check=Check(method=Method.HIGH_RISK, outcome=outcome, at=now, operation=op),
        actor=actor,
        policy_version=policy.version,
        account_id=account_id,
    )
    if backing is None:
        seconds = policy.int("identity.high_risk_check_fresh_s")
        raise FreshCheckRequired(
            f"{OPERATION_ZH[op]}属于高风险操作，"
            f"须在 {seconds} 秒内再次通过短信验证码核验身份后办理",
            field="operation",
        )
    return Approval(
        operation=op,
        account_id=account_id,
        approved_at=now,
        backed_by_check_at=backing.at,
        policy_version=policy.version,
    )


# ---- core-bank facts for agents (ACP-3, SOL-2) ----------------------------------------


def _require_verified(subject: _Subject) -> None:
    if not subject.verification.verified:
        raise VerificationRequired(
            "查询余额、交易明细前须先完成客户身份验证（身份证后四位或短信验证码）",
            field="consultation_id",
        )


def _audit_view(
    session: Session, *, now: datetime, actor: str, consultation_id: str, what: str, account_id: str
) -> None:
    # RSK-2: every access to sensitive data is logged.
    audit.record(
        session=session,
        now=now,
        actor=actor,
        action=f"corebank.{what}_viewed",
        subject=consultation_id,
        details={"account_id": account_id},
    )


def customer_accounts(
    *, session: Session, now: datetime, corebank: CoreBank, consultation_id: str
) -> Sourced[list[Account]]:
    """The customer's accounts (masked numbers, status): no verification needed."""
    subject = _subject(session, consultation_id)
    return Sourced(corebank.list_accounts(customer_id=subject.core_id), SOURCE_SYSTEM, now)


def account_status(
    *, session: Session, now: datetime, corebank: CoreBank, consultation_id: str, account_id: str
) -> Sourced[AccountStatus]:
    """ACP-3: normal / frozen / dormant / closed, for the customer's own account (ACC-7)."""
    subject = _subject(session, consultation_id)
    account = _own_account(corebank, subject, account_id)
    return Sourced(corebank.account_status(account_id=account.account_id), SOURCE_SYSTEM, now)


def account_balance(
    *,
    session: Session,
    now: datetime,
    corebank: CoreBank,
    consultation_id: str,
    account_id: str,
    actor: str,
) -> Sourced[Balance]:
    """ACC-6: the balance, only for a verified customer's own account; audited."""
    subject = _subject(session, consultation_id)
    _require_verified(subject)
    account = _own_account(corebank, subject, account_id)
    balance = corebank.balance(account_id=account.account_id)
    _audit_view(
        session,
        now=now,
        actor=actor,
        consultation_id=consultation_id,
        what="balance",
        account_id=account_id,
    )
    return Sourced(balance, SOURCE_SYSTEM, balance.as_of)


def account_transactions(
    *,
    session: Session,
    now: datetime,
    corebank: CoreBank,
    consultation_id: str,
    account_id: str,
    limit: int,
    actor: str,
) -> Sourced[list[Transaction]]:
    """ACC-6: recent transactions, only for a verified customer's own account; audited."""
    if not 1 <= limit <= 100:
        raise ValidationFailed("条数须在 1 至 100 之间", field="limit")
    subject = _subject(session, consultation_id)
    _require_verified(subject)
    account = _own_account(corebank, subject, account_id)
    found = corebank.recent_transactions(account_id=account.account_id, limit=limit)
    _audit_view(
        session,
        now=now,
        actor=actor,
        consultation_id=consultation_id,
        what="transactions",
        account_id=account_id,
    )
    return Sourced(found, SOURCE_SYSTEM, now)


def refused_transfers(
    *,
    session: Session,
    now: datetime,
    corebank: CoreBank,
    consultation_id: str,
    account_id: str,
    actor: str,
) -> Sourced[list[TransferRefusal]]:
    """ACP-3: why the customer's transfers were refused. Refusals carry amounts, i.e.
    transaction details, so they too need a verified customer (ACC-6); audited."""
    subject = _subject(session, consultation_id)
    _require_verified(subject)
    account = _own_account(corebank, subject, account_id)
    found = corebank.refused_transfers(account_id=account.account_id)
    _audit_view(
        session,
        now=now,
        actor=actor,
        consultation_id=consultation_id,
        what="refused_transfers",
        account_id=account_id,
    )
    return Sourced(found, SOURCE_SYSTEM, now)


def product_eligibility(
    *, session: Session, now: datetime, corebank: CoreBank, consultation_id: str, product_code: str
) -> Sourced[Eligibility]:
    """ACP-3: may the customer buy/apply for the product, and why."""
    if not product_code or len(product_code) > 40:
        raise ValidationFailed("产品代码须为 1–40 个字符", field="product_code")
    subject = _subject(session, consultation_id)
    found = corebank.product_eligibility(customer_id=subject.core_id, product_code=product_code)
    return Sourced(found, SOURCE_SYSTEM, now)


def record_core_bank_outage(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    actor: str,
    detail: str,
    during: str,
    kind: str = "corebank_outage",
) -> None:
    """PREP-3: put the outage on the consultation's timeline (and in the audit log), in a
    unit of work of its own after the failed one rolled back. A failed identity check
    is recorded as unavailable: verification failed closed. `kind` is the timeline
    entry: corebank_outage, or sms_outage when the SMS gateway did not answer."""
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    consultations.record_fact(
        session=session,
        consultation_id=consultation_id,
        kind=kind,
        actor=actor,
        now=now,
        reason=detail[:500],
        data={"during": during},
    )
    if during.startswith("identity."):
        method = Method.OTP_SENT if during == "identity.otp_send" else Method.ID_LAST_FOUR
        verification = verification_of(session=session, consultation_id=consultation_id)
        _record_check(
            session,
            now=now,
            verification=verification,
            check=Check(method=method, outcome=Outcome.UNAVAILABLE, at=now),
            actor=actor,
            policy_version=current_policy(session=session, branch=BranchCode(c.branch)).version,
        )
    else:
        audit.record(
            session=session,
            now=now,
            actor=actor,
            action="corebank.outage",
            subject=consultation_id,
            details={"during": during, "kind": kind, "detail": detail[:200]},
        )


# ---- revealing a full identifier (RSK-1, RSK-2) ---------------------------------------

REVEALABLE = ("phone", "id_number")


def reveal_identifier(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    customer_id: str,
    field: str,
    reason: str,
    actor: str,
) -> str:
    """The full phone or ID number of a customer, for a member who states why (RSK-1).

    The caller checks the `pii.reveal` permission and the branch; this writes the reveal,
    with its reason, to the audit log (RSK-2). ValidationFailed(field='field' | 'reason'),
    NotFound(field=<field>) when the customer has no such identifier on file.
    """
    if field not in REVEALABLE:
        raise ValidationFailed("field 须为 phone 或 id_number", field="field")
    why = reason.strip()
    if len(why) < 4 or len(why) > 200:
        raise ValidationFailed("请说明查看完整信息的原因（4–200 个字符）", field="reason")
    customers.get_customer(scope=SYSTEM, session=session, customer_id=customer_id)
    # The customers feature offers the sealed phone; the sealed ID number is read from
    # its column the same way (customers.service has no accessor for it yet).
    row = session.get(CustomerRow, customer_id)
    token = row.phone_sealed if field == "phone" and row else row.id_number_sealed if row else None
    if not token:
        raise NotFound("客户未登记该信息", field=field)
    value = decrypt_field(token, record_id=customer_id, keyring=keyring, field=field)
    audit.record(
        session=session,
        now=now,
        actor=actor,
        action="pii.reveal",
        subject=customer_id,
        details={"field": field, "reason": why},
    )
    return value
