"""Consultations and customers over HTTP (ACC-1, ACC-3, ACC-4, ACC-5, ACP-1, ACP-4, STD-3).

Staff endpoints use the console session or a bearer token and see only their branch
(head office sees all); another branch's consultation answers 404, never 403, so ids
cannot be probed. Customer-side endpoints (``/api/v1/chat``: widget and app) use the
per-consultation chat token returned once when the chat is opened, sent as the
``X-Chat-Token`` header. Messages from either side go through the group-commit ingest
and are acknowledged only after they are stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from sqlalchemy.orm import Session

from consultdesk.audit import service as audit
from consultdesk.consultations import service, visitors
from consultdesk.consultations.greetings import greeting
from consultdesk.consultations.ingest import Incoming, ingest_for
from consultdesk.consultations.messages import AuthorKind, Message
from consultdesk.consultations.model import Consultation, Move
from consultdesk.consultations.reply_gate import blocked_error, send_agent_reply
from consultdesk.consultations.schemas import (
    ID_PATTERN,
    ClassifyIn,
    ConsultationOpen,
    ConsultationOut,
    CustomerCreate,
    CustomerHistoryOut,
    CustomerOut,
    DraftCheckOut,
    DraftFlagOut,
    DraftIn,
    HandoffIn,
    MessageIn,
    MessageOut,
    MoveIn,
    OutcomeIn,
    PostedOut,
    SummaryIn,
    TimelineOut,
    VisitorChatOpen,
    VisitorChatOut,
    VisitorConsultationOut,
    consultations_json,
    messages_json,
)
from consultdesk.customers import service as customers
from consultdesk.customers.model import Customer
from consultdesk.shared.errors import Forbidden, NotFound, ValidationFailed
from consultdesk.shared.scope import SYSTEM, Scope
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import (
    ContainerDep,
    Principal,
    PrincipalDep,
    read_on_one_connection,
    require,
)

router = APIRouter(prefix="/api/v1", tags=["consultations"])
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
ChatToken = Annotated[str, Header(alias="X-Chat-Token", max_length=100)]
AfterSeq = Annotated[int, Query(ge=0, le=10**9)]
ConsultationIdPath = Annotated[str, Path(pattern=ID_PATTERN)]
CustomerIdPath = Annotated[str, Path(pattern=ID_PATTERN)]


def reading_member(principal: Principal) -> StaffMember:
    """Agents, and the roles that review a branch's consultations (QA, compliance)."""
    m = principal.member
    if not (m.can(Permission.HANDLE_CONSULTATIONS) or m.can(Permission.VIEW_BRANCH_CONSULTATIONS)):
        raise Forbidden("当前角色无权查看咨询", code="forbidden")
    return m


async def reader(principal: PrincipalDep) -> StaffMember:
    return reading_member(principal)


Reader = Annotated[StaffMember, Depends(reader)]


def visible_consultation(
    session: Session, member: StaffMember, consultation_id: str
) -> Consultation:
    """The consultation if ``member`` may see its branch; 404 otherwise (RSK-2)."""
    return service.get_consultation(
        session=session, consultation_id=consultation_id, scope=member.scope
    )


def visible_customer(session: Session, member: StaffMember, customer_id: str) -> Customer:
    return customers.get_customer(session=session, customer_id=customer_id, scope=member.scope)


def colleague(session: Session, c: Consultation, agent_id: str | None) -> str | None:
    """``agent_id`` if it names an active member who handles consultations of ``c``'s
    branch; a hand-over to anyone else is refused naming the field."""
    if agent_id is None:
        return None
    try:
        other = staff.get_user(session=session, user_id=agent_id)
    except NotFound:
        raise ValidationFailed("指定的同事不存在", field="agent_id") from None
    if not (other.can(Permission.HANDLE_CONSULTATIONS) and other.sees_branch(c.branch)):
        raise ValidationFailed("指定的同事不能处理该机构的咨询", field="agent_id")
    return other.id


def own_branch(member: StaffMember, branch: str | None) -> str:
    """``branch`` if given and allowed, else the member's own."""
    chosen = (branch or member.branch).upper()
    if not member.sees_branch(chosen):
        raise Forbidden("只能在本机构办理", field="branch")
    return chosen


def audited(
    container: ContainerDep, session: Session, member: StaffMember, action: str, customer: Customer
) -> Customer:
    """RSK-2: every read of a customer's record is in the audit log (as the last write)."""
    audit.record(
        session=session,
        now=container.clock.now(),
        actor=member.id,
        action=action,
        subject=customer.id,
        details={"branch": customer.branch},
    )
    return customer


def history_of(session: Session, customer: Customer, scope: Scope) -> CustomerHistoryOut:
    earlier = service.customer_history(session=session, customer_id=customer.id, scope=scope)
    return CustomerHistoryOut(
        customer=CustomerOut.of(customer),
        consultations=[ConsultationOut.of(c) for c in earlier],
        open_consultations=[ConsultationOut.of(c) for c in earlier if c.is_open],
    )


# ---- customers (ACC-4, ACC-5) -------------------------------------------------------


@router.post("/customers", response_model=CustomerOut, status_code=201)
def create_customer(body: CustomerCreate, container: ContainerDep, member: Handler) -> CustomerOut:
    with container.uow() as session:
        customer = customers.register_customer(
            session=session,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name=body.name,
            branch=own_branch(member, body.branch),
            phone=body.phone,
            id_number=body.id_number,
            email=body.email,
            core_customer_id=body.core_customer_id,
            birth_date=body.birth_date,
            risk_tolerance=body.risk_tolerance,
        )
    return CustomerOut.of(customer)


@router.get("/customers", response_model=CustomerHistoryOut)
def find_returning_customer(
    container: ContainerDep,
    member: Reader,
    phone: Annotated[str, Query(min_length=1, max_length=20)],
) -> CustomerHistoryOut:
    """ACC-5: the returning customer with this phone, with earlier and open consultations."""
    with container.uow() as session:
        found = customers.find_by_phone(session=session, index_key=container.index_key, phone=phone)
        if found is None or not member.sees_branch(found.branch):
            raise NotFound("未找到该手机号对应的客户", field="phone")
        history = history_of(session, found, member.scope)
        audited(container, session, member, "customer.lookup_by_phone", found)
        return history


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(
    customer_id: CustomerIdPath, container: ContainerDep, member: Reader
) -> CustomerOut:
    with container.uow() as session:
        customer = visible_customer(session, member, customer_id)
        return CustomerOut.of(audited(container, session, member, "customer.view", customer))


@router.get("/customers/{customer_id}/history", response_model=CustomerHistoryOut)
def customer_history(
    customer_id: CustomerIdPath, container: ContainerDep, member: Reader
) -> CustomerHistoryOut:
    with container.uow() as session:
        customer = visible_customer(session, member, customer_id)
        history = history_of(session, customer, member.scope)
        audited(container, session, member, "customer.history", customer)
        return history


# ---- consultations, staff side ------------------------------------------------------


@router.post("/consultations", response_model=ConsultationOut, status_code=201)
def open_consultation(
    body: ConsultationOpen, container: ContainerDep, member: Handler
) -> ConsultationOut:
    with container.uow() as session:
        if body.customer_id is not None:
            visible_customer(session, member, body.customer_id)
        c = service.open_consultation(
            session=session,
            now=container.clock.now(),
            channel=body.channel,
            type=body.type,
            priority=body.priority,
            branch=own_branch(member, body.branch),
            actor=member.id,
            customer_id=body.customer_id,
            subject=body.subject,
        )
    return ConsultationOut.of(c)


@router.get("/consultations", response_model=list[ConsultationOut])
async def list_consultations(
    request: Request,
    container: ContainerDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    open_only: bool = False,
    mine: bool = False,
    branch: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{1,12}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Newest first; branch staff see their branch only, head office any (``branch``).
    Agents' consoles poll this: it runs on one connection (``read_on_one_connection``)."""

    def work(session: Session, principal: Principal) -> list[Consultation]:
        member = reading_member(principal)
        chosen = own_branch(member, branch) if branch or not member.at_head_office else None
        return service.list_consultations(
            session=session,
            scope=member.scope,
            branch=chosen,
            status=status,
            open_only=open_only,
            agent_id=member.id if mine else None,
            limit=limit,
        )

    return consultations_json(await read_on_one_connection(request, container, work))


@router.get("/consultations/{consultation_id}", response_model=ConsultationOut)
def get_consultation(
    consultation_id: ConsultationIdPath, container: ContainerDep, member: Reader
) -> ConsultationOut:
    with container.uow() as session:
        return ConsultationOut.of(visible_consultation(session, member, consultation_id))


@router.post("/consultations/{consultation_id}/messages", response_model=PostedOut)
def post_agent_message(
    consultation_id: ConsultationIdPath,
    body: MessageIn,
    response: Response,
    container: ContainerDep,
    member: Handler,
) -> PostedOut:
    """201 when stored, 200 for a resend of an already stored ``client_msg_id``."""
    with container.uow() as session:
        visible_consultation(session, member, consultation_id)
    # QC-6: every agent reply is checked before it is sent; blocked ones are not stored.
    gated, posted = send_agent_reply(
        container=container,
        consultation_id=consultation_id,
        text=body.text,
        agent_id=member.id,
        client_msg_id=body.client_msg_id,
    )
    if posted is None:
        raise blocked_error(gated)
    response.status_code = 200 if posted.duplicate else 201
    return PostedOut(
        message=MessageOut.of(posted.message), duplicate=posted.duplicate, warning=posted.warning
    )


@router.post("/consultations/{consultation_id}/draft-check", response_model=DraftCheckOut)
def check_draft(
    consultation_id: ConsultationIdPath, body: DraftIn, container: ContainerDep, member: Handler
) -> DraftCheckOut:
    """QC-6 before send: the agent's draft checked with the consultation's context (topic,
    verified, customer risk), each flag with its evidence and the fix; the console offers
    the fixed text in one click. Nothing is stored: only a sent reply is gated and
    recorded."""
    from consultdesk.compliance.rulepack import check_reply
    from consultdesk.consultations.reply_gate import reply_context

    with container.uow() as session:
        visible_consultation(session, member, consultation_id)
        context = reply_context(session=session, consultation_id=consultation_id)
    result = check_reply(text=body.text, context=context)
    return DraftCheckOut(
        blocked=result.blocked,
        flags=[
            DraftFlagOut(
                code=v.code,
                rule=str(v.rule),
                span=v.span,
                evidence=body.text[v.span[0] : v.span[1]],
                message=v.message,
                action=v.action.value,
            )
            for v in result.violations
        ],
        fixed_text=result.fixed_text,
        verified=context.verified,
        topic=context.topic,
    )


@router.get("/consultations/{consultation_id}/messages", response_model=list[MessageOut])
async def read_transcript(
    consultation_id: ConsultationIdPath,
    request: Request,
    container: ContainerDep,
    after_seq: AfterSeq = 0,
) -> Response:
    """The transcript after ``after_seq``, on one connection (``read_on_one_connection``):
    the read an agent's console and API clients make most."""

    def work(session: Session, principal: Principal) -> list[Message]:
        return service.transcript(
            session=session,
            consultation_id=consultation_id,
            scope=reading_member(principal).scope,
            after_seq=after_seq,
        )

    return messages_json(await read_on_one_connection(request, container, work))


@router.get("/consultations/{consultation_id}/timeline", response_model=list[TimelineOut])
def read_timeline(
    consultation_id: ConsultationIdPath, container: ContainerDep, member: Reader
) -> list[TimelineOut]:
    with container.uow() as session:
        entries = service.timeline(
            session=session, consultation_id=consultation_id, scope=member.scope
        )
    return [TimelineOut.of(e) for e in entries]


@router.post("/consultations/{consultation_id}/moves", response_model=ConsultationOut)
def move_consultation(
    consultation_id: ConsultationIdPath, body: MoveIn, container: ContainerDep, member: Handler
) -> ConsultationOut:
    """A lifecycle move; ``accept`` also sends the channel greeting (ACC-3)."""
    from consultdesk.routing import service as routing

    with container.uow() as session:
        c = visible_consultation(session, member, consultation_id)
        # Taken from the queue page: routing's offer and the agent's load follow (STD-6).
        taken = (
            routing.take(
                session=session,
                now=container.clock.now(),
                member=member,
                consultation_id=consultation_id,
            )
            if body.move == Move.ACCEPT.value and body.agent_id is None
            else None
        )
        c = taken or service.move(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            move=body.move,
            actor=member.id,
            reason=body.reason,
            agent_id=colleague(session, c, body.agent_id),
        )
        if body.move in (Move.RESOLVE.value, Move.CLOSE.value):
            # Over for routing: the agent's place is free again (STD-5).
            routing.release(
                session=session, now=container.clock.now(), consultation_id=consultation_id
            )
        lang = visitors.visitor_lang(session=session, consultation_id=consultation_id)
    if body.move == Move.ACCEPT.value:
        send_greeting(container, c, member, lang)
    return ConsultationOut.of(c)


def send_greeting(container: ContainerDep, c: Consultation, member: StaffMember, lang: str) -> None:
    """ACC-3: the channel's greeting naming the bank and the accepting agent, once per agent
    (the client message id makes a repeated accept harmless)."""
    text = greeting(
        channel=c.channel.value,
        bank=container.settings.bank_name,
        agent=member.display_name,
        lang=lang,
    )
    ingest_for(container).post(
        Incoming(c.id, AuthorKind.SYSTEM, text, member.id, f"greeting:{member.id}")
    )


@router.post("/consultations/{consultation_id}/handoff", response_model=ConsultationOut)
def hand_to_colleague(
    consultation_id: ConsultationIdPath, body: HandoffIn, container: ContainerDep, member: Handler
) -> ConsultationOut:
    """STD-3: hand the customer to a colleague (a transfer recording why). Without a named
    colleague, work routing holds for the caller goes back to the queue for someone else
    (``routing.hand_back``)."""
    from consultdesk.routing import service as routing

    reason = body.reason if not body.note else f"{body.reason}: {body.note}"
    with container.uow() as session:
        c = visible_consultation(session, member, consultation_id)
        if body.agent_id is None and routing.holds(
            session=session, consultation_id=consultation_id, agent_id=member.id
        ):
            routing.hand_back(
                session=session,
                now=container.clock.now(),
                consultation_id=consultation_id,
                actor=member,
                move="transfer",
                reason=reason[:200],
            )
            return ConsultationOut.of(
                service.get_consultation(
                    session=session, consultation_id=consultation_id, scope=member.scope
                )
            )
        c = service.move(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            move=Move.TRANSFER,
            actor=member.id,
            reason=reason,
            agent_id=colleague(session, c, body.agent_id),
        )
    return ConsultationOut.of(c)


@router.post("/consultations/{consultation_id}/summary", response_model=ConsultationOut)
def restate_problem(
    consultation_id: ConsultationIdPath, body: SummaryIn, container: ContainerDep, member: Handler
) -> ConsultationOut:
    """ACP-1: the agent's restatement of the problem, for the customer to confirm."""
    with container.uow() as session:
        visible_consultation(session, member, consultation_id)
        c = service.restate_problem(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            summary=body.summary,
            actor=member.id,
        )
    return ConsultationOut.of(c)


@router.post("/consultations/{consultation_id}/confirm", response_model=ConsultationOut)
def confirm_summary_for_customer(
    consultation_id: ConsultationIdPath, container: ContainerDep, member: Handler
) -> ConsultationOut:
    """ACP-1 on the phone or at the counter: the agent records the customer's 'yes'."""
    with container.uow() as session:
        visible_consultation(session, member, consultation_id)
        c = service.confirm_summary(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            actor=f"customer-via:{member.id}",
        )
    return ConsultationOut.of(c)


@router.post("/consultations/{consultation_id}/classify", response_model=ConsultationOut)
def classify(
    consultation_id: ConsultationIdPath, body: ClassifyIn, container: ContainerDep, member: Handler
) -> ConsultationOut:
    """ACP-4 / ACC-4: complexity, type, priority, business line."""
    with container.uow() as session:
        visible_consultation(session, member, consultation_id)
        c = service.classify(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            actor=member.id,
            complexity=body.complexity,
            type=body.type,
            priority=body.priority,
            business_line=body.business_line,
        )
    return ConsultationOut.of(c)


@router.post("/consultations/{consultation_id}/outcome", response_model=ConsultationOut)
def record_outcome(
    consultation_id: ConsultationIdPath, body: OutcomeIn, container: ContainerDep, member: Handler
) -> ConsultationOut:
    with container.uow() as session:
        visible_consultation(session, member, consultation_id)
        c = service.record_outcome(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            outcome=body.outcome,
            actor=member.id,
        )
    return ConsultationOut.of(c)


# ---- customer side: widget and app (chat token) ---------------------------------------


@router.post("/chat", response_model=VisitorChatOut, status_code=201)
def open_visitor_chat(body: VisitorChatOpen, container: ContainerDep) -> VisitorChatOut:
    """A visitor opens a chat; the token in the answer is shown only this once."""
    with container.uow() as session:
        opened = visitors.open_visitor_chat(
            session=session,
            now=container.clock.now(),
            index_key=container.index_key,
            branch=body.branch.upper(),
            channel=body.channel,
            subject=body.subject,
            phone=body.phone,
            lang=body.lang,
        )
    c = opened.consultation
    return VisitorChatOut(
        consultation_id=c.id,
        token=opened.token,
        status=c.status.value,
        websocket=f"/ws/chat/{c.id}",
    )


@router.get("/chat/{consultation_id}", response_model=VisitorConsultationOut)
def visitor_consultation(
    consultation_id: ConsultationIdPath, container: ContainerDep, token: ChatToken
) -> VisitorConsultationOut:
    with container.uow() as session:
        c = visitors.consultation_for_token(
            session=session, consultation_id=consultation_id, token=token
        )
    return VisitorConsultationOut.of(c)


@router.post("/chat/{consultation_id}/messages", response_model=PostedOut)
def post_customer_message(
    consultation_id: ConsultationIdPath,
    body: MessageIn,
    response: Response,
    container: ContainerDep,
    token: ChatToken,
) -> PostedOut:
    """201 when stored, 200 for a resend; ``warning`` when C3 data was removed (RSK-3)."""
    with container.uow() as session:
        visitors.consultation_for_token(
            session=session, consultation_id=consultation_id, token=token
        )
    posted = ingest_for(container).post(
        Incoming(consultation_id, AuthorKind.CUSTOMER, body.text, None, body.client_msg_id)
    )
    response.status_code = 200 if posted.duplicate else 201
    return PostedOut(
        message=MessageOut.of(posted.message), duplicate=posted.duplicate, warning=posted.warning
    )


@router.get("/chat/{consultation_id}/messages", response_model=list[MessageOut])
def visitor_transcript(
    consultation_id: ConsultationIdPath,
    container: ContainerDep,
    token: ChatToken,
    after_seq: AfterSeq = 0,
) -> Response:
    with container.uow() as session:
        visitors.consultation_for_token(
            session=session, consultation_id=consultation_id, token=token
        )
        # The token names this consultation: the visitor's own, whatever its branch.
        found = service.transcript(
            session=session, consultation_id=consultation_id, scope=SYSTEM, after_seq=after_seq
        )
    return messages_json(found)


@router.post("/chat/{consultation_id}/confirm", response_model=VisitorConsultationOut)
def visitor_confirms_summary(
    consultation_id: ConsultationIdPath, container: ContainerDep, token: ChatToken
) -> VisitorConsultationOut:
    """ACP-1: the customer confirms the agent's restatement of the problem."""
    with container.uow() as session:
        visitors.consultation_for_token(
            session=session, consultation_id=consultation_id, token=token
        )
        c = service.confirm_summary(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            actor="customer",
        )
    return VisitorConsultationOut.of(c)
