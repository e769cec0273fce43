"""Identity verification, high-risk checks, core-bank facts and revealing a full
identifier, over HTTP (ACC-6, ACC-7, ACP-3, RSK-1, RSK-2, RSK-4, SOL-2, PREP-3).

Every id in a URL is checked against the member's branch: another branch's consultation
or customer answers 404, never 403, so ids cannot be probed (RSK-2). When the core bank
(or the SMS gateway) does not answer, the answer is 503 with the emergency script, the
outage goes on the consultation's timeline, and verification fails closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.corebank.port import CoreBankUnavailable
from consultdesk.customers import service as customers
from consultdesk.identity import service
from consultdesk.identity.schemas import (
    ApprovalOut,
    CheckReportOut,
    CodeIn,
    FactOut,
    HighRiskIn,
    LastFourIn,
    RevealIn,
    RevealOut,
    SentOut,
    VerificationOut,
    VisitorCodeIn,
    VisitorVerificationOut,
    plain,
)
from consultdesk.security.ratelimit import limiter_for
from consultdesk.shared.errors import DependencyDown, Forbidden, NotFound
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import ContainerDep, PrincipalDep, require

router = APIRouter(tags=["identity"])
console_router = APIRouter(include_in_schema=False)
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
Revealer = Annotated[StaffMember, Depends(require(Permission.PII_REVEAL))]
ConsultationIdPath = Annotated[str, Path(max_length=40)]
AccountIdPath = Annotated[str, Path(max_length=40)]
CustomerIdPath = Annotated[str, Path(max_length=40)]


async def reader(principal: PrincipalDep) -> StaffMember:
    """Agents, and the roles that review a branch's consultations."""
    m = principal.member
    if not (m.can(Permission.HANDLE_CONSULTATIONS) or m.can(Permission.VIEW_BRANCH_CONSULTATIONS)):
        raise Forbidden("当前角色无权查看咨询", code="forbidden")
    return m


Reader = Annotated[StaffMember, Depends(reader)]


def visible(session: Session, member: StaffMember, consultation_id: str) -> str:
    """The consultation's id if ``member`` may see its branch; 404 otherwise (RSK-2)."""
    c = consultations.get_consultation(
        session=session, consultation_id=consultation_id, scope=member.scope
    )
    return c.id


@contextmanager
def fail_closed(
    container: Container, member: StaffMember, consultation_id: str, during: str
) -> Iterator[None]:
    """Record a core-bank / SMS outage on the timeline once the failed work rolled back,
    then let the 503 with the emergency script through (PREP-3, PREP-4)."""
    try:
        yield
    except DependencyDown as exc:
        kind = "corebank_outage" if isinstance(exc, CoreBankUnavailable) else "sms_outage"
        with container.uow() as session:
            visible(session, member, consultation_id)
            service.record_core_bank_outage(
                session=session,
                now=container.clock.now(),
                consultation_id=consultation_id,
                actor=member.id,
                detail=str(getattr(exc, "detail", exc.message)),
                during=during,
                kind=kind,
            )
        raise


# ---- verification (ACC-6) -------------------------------------------------------------


@router.get("/api/v1/consultations/{consultation_id}/identity", response_model=VerificationOut)
def read_verification(
    consultation_id: ConsultationIdPath, container: ContainerDep, member: Reader
) -> VerificationOut:
    with container.uow() as session:
        visible(session, member, consultation_id)
        found = service.verification_of(session=session, consultation_id=consultation_id)
    return VerificationOut.of(found)


@router.post(
    "/api/v1/consultations/{consultation_id}/identity/last-four", response_model=CheckReportOut
)
def check_last_four(
    consultation_id: ConsultationIdPath, body: LastFourIn, container: ContainerDep, member: Handler
) -> CheckReportOut:
    with (
        fail_closed(container, member, consultation_id, "identity.last_four"),
        container.uow() as session,
    ):
        visible(session, member, consultation_id)
        report = service.check_id_last_four(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            limiter=limiter_for(container),
            consultation_id=consultation_id,
            last_four=body.last_four,
            actor=member.id,
        )
    return CheckReportOut.of(report)


@router.post(
    "/api/v1/consultations/{consultation_id}/identity/otp", response_model=SentOut, status_code=201
)
def send_code(
    consultation_id: ConsultationIdPath, container: ContainerDep, member: Handler
) -> SentOut:
    with (
        fail_closed(container, member, consultation_id, "identity.otp_send"),
        container.uow() as session,
    ):
        visible(session, member, consultation_id)
        sent = service.send_code(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            sms=container.sms,
            keyring=container.keyring,
            pepper=service.otp_pepper(container.settings.secret_key),
            limiter=limiter_for(container),
            consultation_id=consultation_id,
            actor=member.id,
        )
    return SentOut(
        challenge_id=sent.challenge_id, masked_phone=sent.masked_phone, expires_at=sent.expires_at
    )


@router.post(
    "/api/v1/consultations/{consultation_id}/identity/otp/verify", response_model=CheckReportOut
)
def verify_code(
    consultation_id: ConsultationIdPath, body: CodeIn, container: ContainerDep, member: Handler
) -> CheckReportOut:
    with container.uow() as session:
        visible(session, member, consultation_id)
        report = service.verify_code(
            session=session,
            now=container.clock.now(),
            pepper=service.otp_pepper(container.settings.secret_key),
            limiter=limiter_for(container),
            consultation_id=consultation_id,
            challenge_id=body.challenge_id,
            code=body.code,
            actor=member.id,
        )
    return CheckReportOut.of(report)


# ---- the customer's side: the code typed in the chat widget (ACC-6) -----------------
# The agent sends the code from the verification page; the customer types it in the
# widget instead of reading it out to anyone (reading a code aloud is what fraudsters ask
# for, and the reply checker flags an agent who asks).

ChatToken = Annotated[str, Header(alias="X-Chat-Token", max_length=100)]


def _visitor_verification(
    session: Session, now: datetime, consultation_id: str
) -> VisitorVerificationOut:
    v = service.verification_of(session=session, consultation_id=consultation_id)
    pending = service.pending_challenge(session=session, now=now, consultation_id=consultation_id)
    return VisitorVerificationOut(
        verified=v.verified, code_sent=pending is not None and not v.verified
    )


@router.get("/api/v1/chat/{consultation_id}/verification", response_model=VisitorVerificationOut)
def visitor_verification(
    consultation_id: ConsultationIdPath, container: ContainerDep, token: ChatToken
) -> VisitorVerificationOut:
    from consultdesk.consultations import visitors

    with container.uow() as session:
        visitors.consultation_for_token(
            session=session, consultation_id=consultation_id, token=token
        )
        return _visitor_verification(session, container.clock.now(), consultation_id)


@router.post("/api/v1/chat/{consultation_id}/verification", response_model=VisitorVerificationOut)
def visitor_enters_code(
    consultation_id: ConsultationIdPath,
    body: VisitorCodeIn,
    container: ContainerDep,
    token: ChatToken,
) -> VisitorVerificationOut:
    """ACC-6: the customer types the code sent to the registered phone; the outcome is
    recorded as the agent's check would be, with the customer as the actor."""
    from consultdesk.consultations import visitors

    now = container.clock.now()
    with container.uow() as session:
        visitors.consultation_for_token(
            session=session, consultation_id=consultation_id, token=token
        )
        challenge = service.pending_challenge(
            session=session, now=now, consultation_id=consultation_id
        )
        if challenge is None:
            raise NotFound("没有待输入的验证码，请联系客服重新发送", field="code")
        report = service.verify_code(
            session=session,
            now=now,
            pepper=service.otp_pepper(container.settings.secret_key),
            limiter=limiter_for(container),
            consultation_id=consultation_id,
            challenge_id=challenge,
            code=body.code,
            actor="customer",
        )
        out = _visitor_verification(session, now, consultation_id)
    return out.model_copy(update={"message": report.message, "attempts_left": report.attempts_left})


@router.post(
    "/api/v1/consultations/{consultation_id}/high-risk-checks",
    response_model=ApprovalOut,
    status_code=201,
)
def high_risk_check(
    consultation_id: ConsultationIdPath, body: HighRiskIn, container: ContainerDep, member: Handler
) -> ApprovalOut:
    """RSK-4: 201 when a fresh second check backs the operation; 403 otherwise."""
    with fail_closed(container, member, consultation_id, "high_risk"), container.uow() as session:
        visible(session, member, consultation_id)
        try:
            approval = service.approve_high_risk(
                session=session,
                now=container.clock.now(),
                corebank=container.corebank,
                consultation_id=consultation_id,
                operation=body.operation,
                account_id=body.account_id,
                actor=member.id,
            )
        except service.FreshCheckRequired:
            session.commit()  # the refusal stays in the audit log
            raise
    return ApprovalOut(
        operation=approval.operation.value,
        account_id=approval.account_id,
        approved_at=approval.approved_at,
        backed_by_check_at=approval.backed_by_check_at,
        policy_version=approval.policy_version,
    )


# ---- core-bank facts (ACP-3, SOL-2) -------------------------------------------------


@router.get("/api/v1/consultations/{consultation_id}/core/accounts", response_model=FactOut)
def customer_accounts(
    consultation_id: ConsultationIdPath, container: ContainerDep, member: Handler
) -> FactOut:
    with fail_closed(container, member, consultation_id, "accounts"), container.uow() as session:
        visible(session, member, consultation_id)
        fact = service.customer_accounts(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            consultation_id=consultation_id,
        )
    return FactOut.of(fact, plain(fact.data))


@router.get(
    "/api/v1/consultations/{consultation_id}/core/accounts/{account_id}/status",
    response_model=FactOut,
)
def account_status(
    consultation_id: ConsultationIdPath,
    account_id: AccountIdPath,
    container: ContainerDep,
    member: Handler,
) -> FactOut:
    with fail_closed(container, member, consultation_id, "status"), container.uow() as session:
        visible(session, member, consultation_id)
        fact = service.account_status(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            consultation_id=consultation_id,
            account_id=account_id,
        )
    return FactOut.of(fact, {"account_id": account_id, "status": fact.data.value})


@router.get(
    "/api/v1/consultations/{consultation_id}/core/accounts/{account_id}/balance",
    response_model=FactOut,
)
def account_balance(
    consultation_id: ConsultationIdPath,
    account_id: AccountIdPath,
    container: ContainerDep,
    member: Handler,
) -> FactOut:
    with fail_closed(container, member, consultation_id, "balance"), container.uow() as session:
        visible(session, member, consultation_id)
        fact = service.account_balance(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            consultation_id=consultation_id,
            account_id=account_id,
            actor=member.id,
        )
    return FactOut.of(fact, plain(fact.data))


@router.get(
    "/api/v1/consultations/{consultation_id}/core/accounts/{account_id}/transactions",
    response_model=FactOut,
)
def account_transactions(
    consultation_id: ConsultationIdPath,
    account_id: AccountIdPath,
    container: ContainerDep,
    member: Handler,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> FactOut:
    with (
        fail_closed(container, member, consultation_id, "transactions"),
        container.uow() as session,
    ):
        visible(session, member, consultation_id)
        fact = service.account_transactions(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            consultation_id=consultation_id,
            account_id=account_id,
            limit=limit,
            actor=member.id,
        )
    return FactOut.of(fact, plain(fact.data))


@router.get(
    "/api/v1/consultations/{consultation_id}/core/accounts/{account_id}/refused-transfers",
    response_model=FactOut,
)
def refused_transfers(
    consultation_id: ConsultationIdPath,
    account_id: AccountIdPath,
    container: ContainerDep,
    member: Handler,
) -> FactOut:
    with (
        fail_closed(container, member, consultation_id, "refused_transfers"),
        container.uow() as session,
    ):
        visible(session, member, consultation_id)
        fact = service.refused_transfers(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            consultation_id=consultation_id,
            account_id=account_id,
            actor=member.id,
        )
    return FactOut.of(fact, plain(fact.data))


@router.get(
    "/api/v1/consultations/{consultation_id}/core/eligibility/{product_code}",
    response_model=FactOut,
)
def product_eligibility(
    consultation_id: ConsultationIdPath,
    product_code: Annotated[str, Path(max_length=40)],
    container: ContainerDep,
    member: Handler,
) -> FactOut:
    with fail_closed(container, member, consultation_id, "eligibility"), container.uow() as session:
        visible(session, member, consultation_id)
        fact = service.product_eligibility(
            session=session,
            now=container.clock.now(),
            corebank=container.corebank,
            consultation_id=consultation_id,
            product_code=product_code,
        )
    return FactOut.of(fact, plain(fact.data))


# ---- revealing a full identifier (RSK-1, RSK-2) ---------------------------------------


@router.post("/api/v1/customers/{customer_id}/reveal", response_model=RevealOut)
def reveal_identifier(
    customer_id: CustomerIdPath, body: RevealIn, container: ContainerDep, member: Revealer
) -> RevealOut:
    """The full identifier, for `pii.reveal` holders who state a reason; audited."""
    with container.uow() as session:
        customers.get_customer(session=session, customer_id=customer_id, scope=member.scope)
        value = service.reveal_identifier(
            session=session,
            now=container.clock.now(),
            keyring=container.keyring,
            customer_id=customer_id,
            field=body.field,
            reason=body.reason,
            actor=member.id,
        )
    return RevealOut(field=body.field, value=value)


# ---- the agent's console panel ---------------------------------------------------------


@console_router.get("/console/identity")
def identity_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    consultation_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The identity check panel of one consultation (ACC-6); another branch's is not found."""
    member = principal.member
    if not member.can(Permission.HANDLE_CONSULTATIONS):
        raise Forbidden("当前角色无权访问该页面")
    found, error = None, None
    if consultation_id:
        try:
            with container.uow() as session:
                visible(session, member, consultation_id.strip())
                found = service.verification_of(
                    session=session, consultation_id=consultation_id.strip()
                )
        except NotFound:
            error = "咨询不存在"
    page = render(
        request,
        "identity.html",
        member=member,
        csrf=principal.csrf,
        consultation_id=consultation_id,
        verification=found,
        error=error,
    )
    if error:
        page.status_code = 404
    return page


router.include_router(console_router)
