"""Routing API: presence (PREP-5), skills and certificates (STD-1), the queue, accepting
an offer; and the supervisor's live view — the console page and ``/ws/supervisor``,
which pushes fired escalations and queue changes (STD-6)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.routing import service
from consultdesk.routing.model import Presence
from consultdesk.routing.wall import AgentLine, EscalationLine, QueueLine, Wall, escalation_lines
from consultdesk.routing.wall import wall as wall_of
from consultdesk.shared.errors import DomainError, Forbidden, NotFound
from consultdesk.sla import service as sla
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import SESSION_COOKIE, ContainerDep, require

router = APIRouter(tags=["routing"])
Agent = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
Supervisor = Annotated[StaffMember, Depends(require(Permission.SUPERVISE))]


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["available", "busy", "away", "offline"]


class SkillsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skills: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(max_length=20)
    certificates: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        default_factory=list, max_length=20
    )


class AgentOut(BaseModel):
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


class EnqueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    consultation_id: str = Field(min_length=1, max_length=40)


class QueueOut(BaseModel):
    consultation_id: str
    branch: str
    channel: str
    priority_rank: int
    business_line: str | None
    needs_senior: bool
    enqueued_at: datetime
    state: str
    agent_id: str | None
    offer_expires_at: datetime | None


class AcceptedOut(BaseModel):
    consultation_id: str
    status: str
    agent_id: str | None


def _check_consultation(session: Any, member: StaffMember, consultation_id: str) -> None:
    consultations.get_consultation(
        session=session, consultation_id=consultation_id, scope=member.scope
    )


@router.put("/api/v1/routing/presence", response_model=AgentOut)
def set_presence(body: PresenceIn, container: ContainerDep, member: Agent) -> AgentOut:
    """PREP-5: the signed-in agent's own presence."""
    with container.uow() as session:
        view = service.set_presence(
            session=session, now=container.clock.now(), member=member, status=body.status
        )
    return AgentOut(**asdict(view))


@router.put("/api/v1/routing/agents/{agent_id}/skills", response_model=AgentOut)
def set_skills(
    agent_id: str, body: SkillsIn, container: ContainerDep, supervisor: Supervisor
) -> AgentOut:
    """STD-1: a supervisor records an agent's business lines and certificates."""
    with container.uow() as session:
        member = staff.get_user(session=session, user_id=agent_id)
        if not supervisor.sees_branch(member.branch):
            raise NotFound("坐席不存在", field="agent_id")
        view = service.register_agent(
            session=session,
            now=container.clock.now(),
            member=member,
            skills=body.skills,
            certificates=body.certificates,
        )
    return AgentOut(**asdict(view))


@router.get("/api/v1/routing/agents", response_model=list[AgentOut])
def list_agents(container: ContainerDep, supervisor: Supervisor) -> list[AgentOut]:
    branch = None if supervisor.at_head_office else supervisor.branch
    with container.uow() as session:
        views = service.agents(session=session, branch=branch)
    return [AgentOut(**asdict(v)) for v in views]


@router.post("/api/v1/routing/queue", response_model=QueueOut, status_code=201)
def enqueue(body: EnqueueIn, container: ContainerDep, member: Agent) -> QueueOut:
    """Queue a consultation for an agent; its SLA clocks start (ACC-2, STD-6)."""
    with container.uow() as session:
        _check_consultation(session, member, body.consultation_id)
        entry = service.enqueue(
            session=session, now=container.clock.now(), consultation_id=body.consultation_id
        )
    return QueueOut(**asdict(entry))


@router.get("/api/v1/routing/queue", response_model=list[QueueOut])
def list_queue(container: ContainerDep, member: Agent) -> list[QueueOut]:
    branch = None if member.at_head_office else member.branch
    with container.uow() as session:
        entries = service.queue(session=session, branch=branch)
    return [QueueOut(**asdict(e)) for e in entries]


@router.post("/api/v1/routing/queue/{consultation_id}/accept", response_model=AcceptedOut)
def accept(consultation_id: str, container: ContainerDep, member: Agent) -> AcceptedOut:
    with container.uow() as session:
        _check_consultation(session, member, consultation_id)
        c = service.accept(
            session=session,
            now=container.clock.now(),
            member=member,
            consultation_id=consultation_id,
        )
    return AcceptedOut(consultation_id=c.id, status=c.status.value, agent_id=c.agent_id)


@router.post("/api/v1/routing/queue/{consultation_id}/release", status_code=204)
def release(consultation_id: str, container: ContainerDep, member: Agent) -> None:
    """The consultation is resolved or closed: free the agent's place and settle its
    SLA clocks (STD-5)."""
    with container.uow() as session:
        _check_consultation(session, member, consultation_id)
        service.release(session=session, now=container.clock.now(), consultation_id=consultation_id)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)


@router.post("/api/v1/routing/queue/{consultation_id}/reassign", response_model=QueueOut)
def reassign(
    consultation_id: str, body: ReasonIn, container: ContainerDep, supervisor: Supervisor
) -> QueueOut:
    """STD-6: from the wall, move a consultation off its agent to the next one."""
    with container.uow() as session:
        entry = service.reassign(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            actor=supervisor,
            reason=body.reason,
        )
    return QueueOut(**asdict(entry))


class HandBackIn(ReasonIn):
    move: Literal["transfer", "escalate"]


@router.post("/api/v1/routing/queue/{consultation_id}/hand-back", response_model=QueueOut)
def hand_back(
    consultation_id: str, body: HandBackIn, container: ContainerDep, member: Agent
) -> QueueOut:
    """STD-6: the holding agent transfers the consultation or escalates it to a senior."""
    with container.uow() as session:
        entry = service.hand_back(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            actor=member,
            move=body.move,
            reason=body.reason,
        )
    return QueueOut(**asdict(entry))


@router.post("/api/v1/routing/queue/{consultation_id}/takeover", response_model=AcceptedOut)
def take_over(
    consultation_id: str, body: ReasonIn, container: ContainerDep, supervisor: Supervisor
) -> AcceptedOut:
    """STD-6: from the wall, the supervisor takes the consultation over."""
    with container.uow() as session:
        c = service.take_over(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            actor=supervisor,
            reason=body.reason,
        )
    return AcceptedOut(consultation_id=c.id, status=c.status.value, agent_id=c.agent_id)


@router.get("/api/v1/routing/wall")
def get_wall(container: ContainerDep, supervisor: Supervisor) -> dict[str, Any]:
    """The supervisor's wall as JSON: channels, queue, agents (with names), escalations."""
    branch = None if supervisor.at_head_office else supervisor.branch
    with container.uow() as session:
        w = wall_of(session=session, now=container.clock.now(), branch=branch)
    return _wall_json(w)


# --- the supervisor's live view -------------------------------------------------------


def _escalation_json(line: EscalationLine) -> dict[str, Any]:
    e = line.escalation
    return {
        "id": e.id,
        "consultation_id": e.consultation_id,
        "rule": e.rule.value,
        "label": e.label,
        "queue": e.queue,
        "branch": e.branch,
        "channel": e.channel,
        "due_at": e.due_at.isoformat(),
        "fired_at": e.fired_at.isoformat(),
        "policy_version": e.policy_version,
        "agent_id": line.agent_id,
        "agent_name": line.agent_name,
    }


def _queue_json(lines: list[QueueLine]) -> list[dict[str, Any]]:
    return [
        {
            "consultation_id": q.consultation_id,
            "branch": q.branch,
            "channel": q.channel,
            "priority_rank": q.priority_rank,
            "state": q.state,
            "agent_id": q.agent_id,
            "agent_name": q.agent_name,
            "enqueued_at": q.enqueued_at.isoformat(),
        }
        for q in lines
    ]


def _agents_json(lines: list[AgentLine]) -> list[dict[str, Any]]:
    return [
        {
            "agent_id": a.agent_id,
            "name": a.name,
            "username": a.username,
            "branch": a.branch,
            "role": a.role,
            "status": a.status,
            "status_since": a.status_since.isoformat(),
            "chats": a.chats,
            "max_chats": a.max_chats,
            "on_call": a.on_call,
        }
        for a in lines
    ]


def _wall_json(w: Wall) -> dict[str, Any]:
    return {
        "channels": w.channels,
        "queue": _queue_json(w.queue),
        "agents": _agents_json(w.agents),
        "active": _queue_json(w.active),
        "escalations": [_escalation_json(e) for e in w.escalations],
    }


@dataclass(frozen=True)
class LiveSnapshot:
    fired: list[EscalationLine]
    queue: list[QueueLine]
    agents: list[AgentLine]
    active: list[QueueLine]


def live_snapshot(container: Container, member: StaffMember, after_id: int) -> LiveSnapshot:
    """New escalations after ``after_id``, the queue, the agents and the work they hold,
    as ``member`` may see them."""
    branch = None if member.at_head_office else member.branch
    queue_name = None if member.can(Permission.SUPERVISE) else "qa"
    now = container.clock.now()
    with container.uow() as session:
        fired = sla.escalations(
            session=session, branch=branch, queue=queue_name, after_id=after_id, limit=200
        )
        if after_id == 0:
            fired = list(reversed(fired))
        w = wall_of(session=session, now=now, branch=branch, escalations=False)
        return LiveSnapshot(
            fired=escalation_lines(session, fired),
            queue=w.queue,
            agents=w.agents,
            active=w.active,
        )


def _ws_member(websocket: WebSocket, container: Container) -> StaffMember | None:
    now = container.clock.now()
    auth = websocket.headers.get("authorization", "")
    try:
        with container.uow() as session:
            if auth.lower().startswith("bearer "):
                return staff.resolve_token(session=session, now=now, token=auth[7:].strip())
            cookie = websocket.cookies.get(SESSION_COOKIE)
            if not cookie:
                return None
            member, _ = staff.resolve_session(session=session, now=now, token=cookie)
            return member
    except DomainError:
        return None


@router.websocket("/ws/supervisor")
async def supervisor_feed(websocket: WebSocket) -> None:
    """Pushes ``{"type": "escalation", ...}`` for every escalation that fires (from any
    process: the feed reads the database) and ``{"type": "queue", "items": [...]}`` when
    the queue changes. Supervisors see all queues, QA its own; branch staff their branch."""
    container: Container = websocket.app.state.container
    member = await asyncio.to_thread(_ws_member, websocket, container)
    if member is None or not (member.can(Permission.SUPERVISE) or member.can(Permission.QA_REVIEW)):
        await websocket.close(code=4403)
        return
    await websocket.accept()
    poll_s = container.tuning.supervisor_poll_s
    receiver = asyncio.create_task(_drain(websocket))
    last_id = 0
    last_queue: list[dict[str, Any]] | None = None
    last_staff: dict[str, Any] | None = None
    try:
        while not receiver.done():
            snap = await asyncio.to_thread(live_snapshot, container, member, last_id)
            for e in snap.fired:
                await websocket.send_json({"type": "escalation", **_escalation_json(e)})
                last_id = max(last_id, e.escalation.id)
            queue_now = _queue_json(snap.queue)
            if queue_now != last_queue:
                await websocket.send_json(
                    {
                        "type": "queue",
                        "items": queue_now,
                        "server_now": container.clock.now().isoformat(),
                    }
                )
                last_queue = queue_now
            staff_now = {"agents": _agents_json(snap.agents), "active": _queue_json(snap.active)}
            if staff_now != last_staff:
                await websocket.send_json({"type": "agents", **staff_now})
                last_staff = staff_now
            await asyncio.wait([receiver], timeout=poll_s)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        receiver.cancel()


async def _drain(websocket: WebSocket) -> None:
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        return


@router.get("/console/supervisor", include_in_schema=False)
def supervisor_page(request: Request, container: ContainerDep, principal: ConsoleDep) -> Response:
    member = principal.member
    if not member.can(Permission.SUPERVISE):
        raise Forbidden("当前角色无权访问该页面")
    branch = None if member.at_head_office else member.branch
    with container.uow() as session:
        w = wall_of(session=session, now=container.clock.now(), branch=branch)
    return render(request, "supervisor.html", member=member, csrf=principal.csrf, wall=w)
