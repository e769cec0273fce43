"""Use cases on routing (PREP-5, STD-1, STD-5, STD-6).

A consultation is enqueued (its SLA clocks start), offered to the agent ``choose_agent``
picks, and accepted by that agent within ``routing.accept_timeout_s``; otherwise, or when
the agent goes away, it goes back to the queue and is offered to someone else. Agents of
a branch serve that branch; head-office agents (the call centre) serve every branch.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Complexity, Consultation, Move, Status
from consultdesk.policy.model import Policy
from consultdesk.policy.service import current_policy
from consultdesk.routing.model import (
    CERTIFIED_LINES,
    PRIORITY_RANK,
    VOICE_CHANNELS,
    AgentState,
    Presence,
    QueueState,
    WorkItem,
    check_presence,
    first_qualified,
    queue_order,
)
from consultdesk.routing.tables import RoutingAgentRow, RoutingQueueRow
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla import service as sla
from consultdesk.staff.model import StaffMember

MAX_TAGS = 20


@dataclass(frozen=True)
class AgentView:
    agent_id: str
    branch: str
    role: str
    status: Presence
    status_since: datetime
    idle_since: datetime
    chats: int
    on_call: bool
    skills: list[str]
    certificates: list[str]


@dataclass(frozen=True)
class QueueEntry:
    consultation_id: str
    branch: str
    channel: str
    priority_rank: int
    business_line: str | None
    needs_senior: bool
    enqueued_at: datetime
    state: QueueState
    agent_id: str | None
    offer_expires_at: datetime | None


def _agent_view(row: RoutingAgentRow) -> AgentView:
    return AgentView(
        agent_id=row.agent_id,
        branch=row.branch,
        role=row.role,
        status=Presence(row.status),
        status_since=row.status_since,
        idle_since=row.idle_since,
        chats=row.chats,
        on_call=row.on_call,
        skills=list(row.skills or []),
        certificates=list(row.certificates or []),
    )


def _agent_state(row: RoutingAgentRow) -> AgentState:
    return AgentState(
        agent_id=row.agent_id,
        role=row.role,
        presence=Presence(row.status),
        idle_since=row.idle_since,
        chats=row.chats,
        on_call=row.on_call,
        skills=frozenset(row.skills or ()),
        certificates=frozenset(row.certificates or ()),
    )


def entry_of(row: RoutingQueueRow) -> QueueEntry:
    return QueueEntry(
        consultation_id=row.consultation_id,
        branch=row.branch,
        channel=row.channel,
        priority_rank=row.priority_rank,
        business_line=row.business_line,
        needs_senior=row.needs_senior,
        enqueued_at=row.enqueued_at,
        state=QueueState(row.state),
        agent_id=row.agent_id,
        offer_expires_at=row.offer_expires_at,
    )


def _item(row: RoutingQueueRow) -> WorkItem:
    return WorkItem(
        consultation_id=row.consultation_id,
        channel=row.channel,
        priority_rank=row.priority_rank,
        enqueued_at=row.enqueued_at,
        business_line=row.business_line,
        needs_senior=row.needs_senior,
        passed_over=frozenset(row.passed_over or ()),
    )


def _tags(values: list[str] | None, field: str) -> list[str]:
    tags = sorted({v.strip() for v in values or [] if v.strip()})
    if len(tags) > MAX_TAGS or any(len(t) > 30 for t in tags):
        raise ValidationFailed(f"{field} 最多 {MAX_TAGS} 项，每项不超过 30 个字符", field=field)
    return tags


def _agent_row(session: Session, agent_id: str, *, lock: bool = False) -> RoutingAgentRow:
    row = session.get(RoutingAgentRow, agent_id, with_for_update=lock or None)
    if row is None:
        raise NotFound("该坐席尚未登记路由信息", field="agent_id")
    return row


def register_agent(
    *,
    session: Session,
    now: datetime,
    member: StaffMember,
    skills: list[str] | None = None,
    certificates: list[str] | None = None,
) -> AgentView:
    """Make ``member`` routable (offline until they say otherwise); updates skills and
    certificates when given (STD-1)."""
    row = session.get(RoutingAgentRow, member.id, with_for_update=True)
    if row is None:
        row = RoutingAgentRow(
            agent_id=member.id,
            branch=member.branch,
            role=member.role.value,
            status=Presence.OFFLINE.value,
            status_since=now,
            idle_since=now,
            skills=[],
            certificates=[],
            chats=0,
            on_call=False,
        )
        session.add(row)
    row.role, row.branch = member.role.value, member.branch
    if skills is not None:
        row.skills = _tags(skills, "skills")
    if certificates is not None:
        row.certificates = _tags(certificates, "certificates")
    session.flush()
    return _agent_view(row)


def set_presence(*, session: Session, now: datetime, member: StaffMember, status: str) -> AgentView:
    """PREP-5: the agent says available, busy, away or offline. Going away or offline
    hands back everything offered to or held by the agent; becoming available draws work."""
    presence = check_presence(status)
    if session.get(RoutingAgentRow, member.id) is None:
        register_agent(session=session, now=now, member=member)
    row = _agent_row(session, member.id, lock=True)
    if row.status != presence.value:
        row.status = presence.value
        row.status_since = now
        if presence == Presence.AVAILABLE:
            row.idle_since = now
    branches: set[str] = set()
    if presence in (Presence.AWAY, Presence.OFFLINE):
        branches = _hand_back(session=session, now=now, agent=row)
    session.flush()
    if presence == Presence.AVAILABLE:
        dispatch(session=session, now=now)
    for branch in sorted(branches):
        dispatch(session=session, now=now, branch=branch)
    return _agent_view(row)


def _hand_back(*, session: Session, now: datetime, agent: RoutingAgentRow) -> set[str]:
    held = session.scalars(
        select(RoutingQueueRow)
        .where(
            RoutingQueueRow.agent_id == agent.agent_id,
            RoutingQueueRow.state.in_([QueueState.OFFERED.value, QueueState.ASSIGNED.value]),
        )
        .with_for_update()
    ).all()
    for q in held:
        if q.state == QueueState.ASSIGNED.value:
            c = consultations.get_consultation(
                scope=SYSTEM, session=session, consultation_id=q.consultation_id
            )
            if c.status in (Status.IN_PROGRESS, Status.WAITING_CUSTOMER):
                consultations.move(
                    session=session,
                    now=now,
                    consultation_id=q.consultation_id,
                    move=Move.TRANSFER,
                    actor="system:routing",
                    reason="坐席暂离，重新分配",
                )
        _requeue(q, agent)
    agent.chats = 0
    agent.on_call = False
    return {q.branch for q in held}


def _requeue(q: RoutingQueueRow, agent: RoutingAgentRow | None) -> None:
    if q.agent_id and q.agent_id not in (q.passed_over or []):
        q.passed_over = [*(q.passed_over or []), q.agent_id]
    if agent is not None and q.state in (QueueState.OFFERED.value, QueueState.ASSIGNED.value):
        if q.channel in VOICE_CHANNELS:
            agent.on_call = False
        else:
            agent.chats = max(0, agent.chats - 1)
    q.state = QueueState.WAITING.value
    q.agent_id = None
    q.offered_at = None
    q.offer_expires_at = None


def enqueue(*, session: Session, now: datetime, consultation_id: str) -> QueueEntry:
    """Put a consultation in the queue: its SLA clocks start (ACC-2, STD-6) and it is
    offered at once if someone may take it. Enqueuing again changes nothing."""
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    row = session.get(RoutingQueueRow, c.id, with_for_update=True)
    if row is None:
        if not c.is_open:
            raise Conflict("该咨询已结束，无需排队", field="consultation_id")
        policy = current_policy(session=session, branch=BranchCode(c.branch))
        row = RoutingQueueRow(
            consultation_id=c.id,
            branch=c.branch,
            channel=c.channel.value,
            priority_rank=PRIORITY_RANK[c.priority.value],
            business_line=c.business_line,
            needs_senior=_needs_senior(c),
            enqueued_at=now,
            state=QueueState.WAITING.value,
            passed_over=[],
            policy_version=policy.version,
        )
        try:
            # Two hand-overs of one consultation at once (a retried request, the bot and
            # an agent): the second finds the first's row instead of failing (issue 12).
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            existing = session.get(RoutingQueueRow, c.id, with_for_update=True)
            if existing is None:
                raise
            return entry_of(existing)
        sla.sync_clocks(session=session, now=now, consultation_id=c.id)
        dispatch(session=session, now=now, branch=c.branch)
    return entry_of(row)


def _needs_senior(c: Consultation) -> bool:
    return c.complexity == Complexity.COMPLEX or c.status == Status.ESCALATED


def requalify(*, session: Session, now: datetime, consultation_id: str) -> QueueEntry:
    """After classification or escalation: refresh business line, priority and seniority
    of a waiting consultation (STD-1, STD-6) and try again."""
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    row = session.get(RoutingQueueRow, c.id, with_for_update=True)
    if row is None:
        raise NotFound("该咨询不在队列中", field="consultation_id")
    row.business_line = c.business_line
    row.priority_rank = PRIORITY_RANK[c.priority.value]
    row.needs_senior = _needs_senior(c)
    session.flush()
    dispatch(session=session, now=now, branch=c.branch)
    return entry_of(row)


@dataclass(frozen=True)
class Offer:
    consultation_id: str
    agent_id: str
    expires_at: datetime


_AGENT_COLUMNS = (
    RoutingAgentRow.agent_id,
    RoutingAgentRow.role,
    RoutingAgentRow.status,
    RoutingAgentRow.idle_since,
    RoutingAgentRow.chats,
    RoutingAgentRow.on_call,
    RoutingAgentRow.skills,
    RoutingAgentRow.certificates,
)


def _agents_by_idle(
    session: Session, branch: str, max_chats: int, skip: frozenset[str]
) -> Generator[AgentState]:
    """Available agents of ``branch`` and of head office with room for a chat, longest
    idle first, read lazily as plain rows: the decision usually stops at the first few
    (issue 4: decision p99 <= 5 ms with 200 agents)."""
    rows = session.execute(
        select(*_AGENT_COLUMNS)
        .where(
            RoutingAgentRow.status == Presence.AVAILABLE.value,
            RoutingAgentRow.branch.in_([branch, HEAD_OFFICE]),
            RoutingAgentRow.on_call.is_(False),
            RoutingAgentRow.chats < max_chats,
        )
        .order_by(RoutingAgentRow.idle_since, RoutingAgentRow.agent_id)
    )
    try:
        for r in rows:
            if r.agent_id in skip:
                continue
            yield AgentState(
                agent_id=r.agent_id,
                role=r.role,
                presence=Presence(r.status),
                idle_since=r.idle_since,
                chats=r.chats,
                on_call=r.on_call,
                skills=frozenset(r.skills or ()),
                certificates=frozenset(r.certificates or ()),
            )
    finally:
        rows.close()


def _take(session: Session, agent: AgentState, *, voice: bool, now: datetime) -> bool:
    """Claim a place with the agent if nobody changed them since we read them (a
    conditional update instead of locking every candidate); False if someone did."""
    result = session.execute(
        update(RoutingAgentRow)
        .where(
            RoutingAgentRow.agent_id == agent.agent_id,
            RoutingAgentRow.status == Presence.AVAILABLE.value,
            RoutingAgentRow.chats == agent.chats,
            RoutingAgentRow.on_call.is_(False),
        )
        .values(
            on_call=voice,
            chats=agent.chats + (0 if voice else 1),
            idle_since=now,
        )
        .execution_options(synchronize_session=False)
    )
    taken = bool(getattr(result, "rowcount", 0))
    loaded = session.identity_map.get(session.identity_key(RoutingAgentRow, agent.agent_id))
    if taken and loaded is not None:
        session.expire(loaded)  # the row changed underneath the loaded object
    return taken


def dispatch(
    *, session: Session, now: datetime, branch: str | None = None, limit: int = 200
) -> list[Offer]:
    """Offer waiting consultations, highest priority and longest waiting first, each to
    the longest-idle qualified agent with room (STD-1, STD-5)."""
    query = select(RoutingQueueRow).where(RoutingQueueRow.state == QueueState.WAITING.value)
    if branch:
        query = query.where(RoutingQueueRow.branch == branch)
    query = query.order_by(RoutingQueueRow.priority_rank.desc(), RoutingQueueRow.enqueued_at)
    query = query.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    waiting = session.scalars(query).all()
    if not waiting:
        return []
    by_id = {w.consultation_id: w for w in waiting}
    offers: list[Offer] = []
    policies: dict[str, Policy] = {}
    for item in queue_order([_item(w) for w in waiting]):
        q = by_id[item.consultation_id]
        policy = policies.get(q.branch)
        if policy is None:
            policy = policies[q.branch] = current_policy(
                session=session, branch=BranchCode(q.branch)
            )
        max_chats = policy.int("routing.max_concurrent_chats")
        voice = q.channel in VOICE_CHANNELS
        lost: frozenset[str] = frozenset()
        chosen: AgentState | None = None
        for _ in range(3):  # another dispatcher may take the same agent first
            chosen = first_qualified(
                item, _agents_by_idle(session, q.branch, max_chats, lost), max_chats=max_chats
            )
            if chosen is None or _take(session, chosen, voice=voice, now=now):
                break
            lost |= {chosen.agent_id}
            chosen = None
        if chosen is None:
            continue
        q.state = QueueState.OFFERED.value
        q.agent_id = chosen.agent_id
        q.offered_at = now
        q.offer_expires_at = now + timedelta(seconds=policy.int("routing.accept_timeout_s"))
        offers.append(Offer(q.consultation_id, chosen.agent_id, q.offer_expires_at))
    session.flush()
    return offers


def accept(
    *, session: Session, now: datetime, member: StaffMember, consultation_id: str
) -> Consultation:
    """The agent accepts what was offered to them: the consultation is theirs, the wait is
    over (STD-6) and, for a senior, the complex rule is met."""
    q = session.get(RoutingQueueRow, consultation_id, with_for_update=True)
    if q is None or q.state != QueueState.OFFERED.value or q.agent_id != member.id:
        raise Conflict("该咨询未分配给您或已超时改派", field="consultation_id")
    c = consultations.move(
        session=session,
        now=now,
        consultation_id=consultation_id,
        move=Move.ACCEPT,
        actor=member.id,
        agent_id=member.id,
    )
    q.state = QueueState.ASSIGNED.value
    q.accepted_at = now
    q.offer_expires_at = None
    sla.on_accepted(
        session=session,
        now=now,
        consultation_id=consultation_id,
        senior=member.role.value in ("senior_agent", "supervisor"),
    )
    session.flush()
    return c


def take(
    *, session: Session, now: datetime, member: StaffMember, consultation_id: str
) -> Consultation | None:
    """The agent takes a consultation from the queue page (ACC-1, STD-6): what was offered
    to them is accepted as ``accept`` does; what is waiting becomes theirs and counts in
    their load. Refused when it is offered to a colleague. ``None`` when routing does not
    hold the consultation (never queued, or already assigned or done): the caller moves
    it as before."""
    q = session.get(RoutingQueueRow, consultation_id, with_for_update=True)
    if q is None or q.state in (QueueState.ASSIGNED.value, QueueState.DONE.value):
        return None
    if q.state == QueueState.OFFERED.value and q.agent_id != member.id:
        raise Conflict("该咨询已分配给其他坐席", field="consultation_id")
    if q.state == QueueState.WAITING.value:
        agent = session.get(RoutingAgentRow, member.id, with_for_update=True)
        if agent is not None:
            if q.channel in VOICE_CHANNELS:
                agent.on_call = True
            else:
                # PREP-5: no more chats at once than the policy allows (3).
                limit = current_policy(session=session, branch=BranchCode(agent.branch)).int(
                    "routing.max_concurrent_chats"
                )
                if agent.chats >= limit:
                    raise Conflict(
                        f"同时处理的在线咨询已达上限（{limit} 个）", field="consultation_id"
                    )
                agent.chats += 1
            agent.idle_since = now
        q.agent_id = member.id
        q.state = QueueState.OFFERED.value
        q.offered_at = now
        session.flush()
    return accept(session=session, now=now, member=member, consultation_id=consultation_id)


def release(*, session: Session, now: datetime, consultation_id: str) -> None:
    """The consultation is over for routing (resolved, closed, call ended): the agent's
    place is free again and the SLA clocks are brought in line."""
    q = session.get(RoutingQueueRow, consultation_id, with_for_update=True)
    if q is None or q.state == QueueState.DONE.value:
        return
    if q.agent_id:
        agent = session.get(RoutingAgentRow, q.agent_id, with_for_update=True)
        if agent is not None:
            if q.channel in VOICE_CHANNELS:
                agent.on_call = False
            else:
                agent.chats = max(0, agent.chats - 1)
    q.state = QueueState.DONE.value
    q.offer_expires_at = None
    session.flush()
    sla.sync_clocks(session=session, now=now, consultation_id=consultation_id)
    dispatch(session=session, now=now, branch=q.branch)


def reassign(
    *, session: Session, now: datetime, consultation_id: str, actor: StaffMember, reason: str
) -> QueueEntry:
    """A supervisor moves a consultation off its agent (STD-6: a wait or a breach seen on
    the wall): it goes back to the queue ahead of newer work, that agent is passed over
    for it, and it is offered to the next qualified agent at once. Refused for ids outside
    the supervisor's scope and for work that is not offered or held."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed("请填写改派原因（1–200 个字符）", field="reason")
    consultations.get_consultation(
        session=session, consultation_id=consultation_id, scope=actor.scope
    )
    q = session.get(RoutingQueueRow, consultation_id, with_for_update=True)
    if q is None or q.state not in (QueueState.OFFERED.value, QueueState.ASSIGNED.value):
        raise Conflict("该咨询不在分配中，无需改派", field="consultation_id")
    agent = session.get(RoutingAgentRow, q.agent_id, with_for_update=True) if q.agent_id else None
    if q.state == QueueState.ASSIGNED.value:
        c = consultations.get_consultation(
            scope=SYSTEM, session=session, consultation_id=consultation_id
        )
        if c.status in (Status.IN_PROGRESS, Status.WAITING_CUSTOMER):
            consultations.move(
                session=session,
                now=now,
                consultation_id=consultation_id,
                move=Move.TRANSFER,
                actor=actor.id,
                reason=reason,
            )
    _requeue(q, agent)
    session.flush()
    dispatch(session=session, now=now, branch=q.branch)
    return entry_of(q)


def holds(*, session: Session, consultation_id: str, agent_id: str) -> bool:
    """Whether routing has the consultation assigned to ``agent_id``."""
    q = session.get(RoutingQueueRow, consultation_id)
    return q is not None and q.state == QueueState.ASSIGNED.value and q.agent_id == agent_id


HAND_BACK_MOVES = {"transfer": Move.TRANSFER, "escalate": Move.ESCALATE}


def hand_back(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    actor: StaffMember,
    move: str,
    reason: str,
) -> QueueEntry:
    """The holding agent gives a consultation back (STD-6): ``transfer`` puts it in the
    queue for a colleague, ``escalate`` for a senior agent (ACP-4: complex work). Either
    way the agent's place is freed, the agent is passed over for it, the reason is on
    the timeline and the next qualified agent is offered it at once. Refused for work the
    caller does not hold and for ids outside the caller's scope."""
    the_move = HAND_BACK_MOVES.get(move)
    if the_move is None:
        raise ValidationFailed("只能转接（transfer）或升级（escalate）", field="move")
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed("请填写原因（1–200 个字符）", field="reason")
    c = consultations.get_consultation(
        session=session, consultation_id=consultation_id, scope=actor.scope
    )
    q = session.get(RoutingQueueRow, consultation_id, with_for_update=True)
    if q is None or q.state != QueueState.ASSIGNED.value or q.agent_id != actor.id:
        raise Conflict("该咨询不在您的处理中", field="consultation_id")
    agent = session.get(RoutingAgentRow, actor.id, with_for_update=True)
    consultations.move(
        session=session,
        now=now,
        consultation_id=consultation_id,
        move=the_move,
        actor=actor.id,
        reason=reason,
    )
    _requeue(q, agent)
    after = consultations.get_consultation(scope=SYSTEM, session=session, consultation_id=c.id)
    q.needs_senior = _needs_senior(after)
    session.flush()
    sla.sync_clocks(session=session, now=now, consultation_id=consultation_id)
    dispatch(session=session, now=now, branch=q.branch)
    return entry_of(q)


def take_over(
    *, session: Session, now: datetime, consultation_id: str, actor: StaffMember, reason: str
) -> Consultation:
    """A supervisor takes a consultation over from its agent (or from the queue): it is
    theirs at once, counted in their own load, and the agent's place is freed."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed("请填写接管原因（1–200 个字符）", field="reason")
    consultations.get_consultation(
        session=session, consultation_id=consultation_id, scope=actor.scope
    )
    q = session.get(RoutingQueueRow, consultation_id, with_for_update=True)
    if q is None or q.state == QueueState.DONE.value:
        raise Conflict("该咨询已结束或未排队，无法接管", field="consultation_id")
    if q.agent_id == actor.id and q.state == QueueState.ASSIGNED.value:
        raise Conflict("该咨询已由您处理", field="consultation_id")
    agent = session.get(RoutingAgentRow, q.agent_id, with_for_update=True) if q.agent_id else None
    c = consultations.get_consultation(
        scope=SYSTEM, session=session, consultation_id=consultation_id
    )
    if c.status in (Status.IN_PROGRESS, Status.WAITING_CUSTOMER):
        consultations.move(
            session=session,
            now=now,
            consultation_id=consultation_id,
            move=Move.TRANSFER,
            actor=actor.id,
            reason=reason,
        )
    _requeue(q, agent)
    if session.get(RoutingAgentRow, actor.id) is None:
        register_agent(session=session, now=now, member=actor)
    mine = _agent_row(session, actor.id, lock=True)
    if q.channel in VOICE_CHANNELS:
        mine.on_call = True
    else:
        mine.chats += 1
    q.state = QueueState.OFFERED.value
    q.agent_id = actor.id
    q.offered_at = now
    session.flush()
    return accept(session=session, now=now, member=actor, consultation_id=consultation_id)


def reassign_expired(*, session: Session, now: datetime, limit: int = 200) -> int:
    """Offers not accepted within ``routing.accept_timeout_s`` go back to the queue and
    to another agent; the agent who let it lapse is passed over for this consultation."""
    query = (
        select(RoutingQueueRow)
        .where(
            RoutingQueueRow.state == QueueState.OFFERED.value,
            RoutingQueueRow.offer_expires_at < now,
        )
        .order_by(RoutingQueueRow.offer_expires_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    expired = session.scalars(query).all()
    branches = set()
    for q in expired:
        agent = (
            session.get(RoutingAgentRow, q.agent_id, with_for_update=True) if q.agent_id else None
        )
        _requeue(q, agent)
        branches.add(q.branch)
    session.flush()
    for branch in sorted(branches):
        dispatch(session=session, now=now, branch=branch)
    return len(expired)


def sweep(*, session: Session, now: datetime) -> int:
    """Offer what is still waiting while someone may take it. ``enqueue`` and every change
    that frees an agent dispatch at once, but two of them at the same instant on
    PostgreSQL can each miss the other's uncommitted work (or lose the agent it chose
    three times over), and the chat would then wait until the next such change: the jobs
    runner calls this every pass so a customer never waits beside an idle agent. A
    branch is dispatched only when one of its agents (or head office's) has room."""
    branches = session.scalars(
        select(RoutingQueueRow.branch)
        .where(RoutingQueueRow.state == QueueState.WAITING.value)
        .distinct()
    ).all()
    offered = 0
    for branch in branches:
        policy = current_policy(session=session, branch=BranchCode(branch))
        candidates = _agents_by_idle(
            session, branch, policy.int("routing.max_concurrent_chats"), frozenset()
        )
        try:
            room = next(candidates, None)
        finally:
            candidates.close()
        if room is not None:
            offered += len(dispatch(session=session, now=now, branch=branch))
    return offered


def call_started(*, session: Session, now: datetime, agent_id: str) -> None:
    """A call takes the whole agent (STD-5), whatever routed it."""
    row = session.get(RoutingAgentRow, agent_id, with_for_update=True)
    if row is not None:
        row.on_call = True
        row.idle_since = now


def call_ended(*, session: Session, now: datetime, agent_id: str) -> None:
    row = session.get(RoutingAgentRow, agent_id, with_for_update=True)
    if row is not None:
        row.on_call = False
        row.idle_since = now


def agents(*, session: Session, branch: str | None = None) -> list[AgentView]:
    query = select(RoutingAgentRow).order_by(RoutingAgentRow.agent_id)
    if branch:
        query = query.where(RoutingAgentRow.branch == branch)
    return [_agent_view(r) for r in session.scalars(query)]


def get_agent(*, session: Session, agent_id: str) -> AgentView:
    return _agent_view(_agent_row(session, agent_id))


def queue(*, session: Session, branch: str | None = None, limit: int = 200) -> list[QueueEntry]:
    """What is waiting or offered now, in serving order."""
    query = select(RoutingQueueRow).where(
        RoutingQueueRow.state.in_([QueueState.WAITING.value, QueueState.OFFERED.value])
    )
    if branch:
        query = query.where(RoutingQueueRow.branch == branch)
    query = query.order_by(RoutingQueueRow.priority_rank.desc(), RoutingQueueRow.enqueued_at)
    return [entry_of(r) for r in session.scalars(query.limit(limit))]


def certificate_lines() -> dict[str, str]:
    """STD-1: lines that need a certificate, for the console."""
    return dict(CERTIFIED_LINES)
