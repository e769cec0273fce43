"""The supervisor's wall (STD-5, STD-6): what a supervisor reads at a glance.

Names, not ids; per channel, how many wait and how long the longest has waited; each
agent's state and load against the policy's chat limit; open escalations with the name
of the agent who holds the consultation. Everything is read from the database, so every
web process shows the same wall (the live feed polls it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.consultations.tables import ConsultationRow
from consultdesk.policy.service import current_policy
from consultdesk.routing.model import QueueState, channel_loads
from consultdesk.routing.service import AgentView, QueueEntry, agents, entry_of, queue
from consultdesk.routing.tables import RoutingQueueRow
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode
from consultdesk.sla import service as sla
from consultdesk.staff.tables import StaffUserRow


@dataclass(frozen=True)
class AgentLine:
    agent_id: str
    name: str
    username: str
    branch: str
    role: str
    status: str
    status_since: datetime
    chats: int
    max_chats: int
    on_call: bool
    skills: list[str]
    certificates: list[str]


@dataclass(frozen=True)
class QueueLine:
    consultation_id: str
    branch: str
    channel: str
    priority_rank: int
    state: str
    agent_id: str | None
    agent_name: str | None
    enqueued_at: datetime
    waited_s: int


@dataclass(frozen=True)
class EscalationLine:
    escalation: sla.Escalation
    agent_id: str | None
    agent_name: str | None


def staff_names(session: Session, ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    """``{id: (display name, username)}`` for the given staff ids."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffUserRow.id, StaffUserRow.display_name, StaffUserRow.username).where(
            StaffUserRow.id.in_(wanted)
        )
    )
    return {r.id: (r.display_name, r.username) for r in rows}


def agent_lines(session: Session, views: list[AgentView]) -> list[AgentLine]:
    names = staff_names(session, (v.agent_id for v in views))
    limits: dict[str, int] = {}
    out = []
    for v in views:
        if v.branch not in limits:
            limits[v.branch] = current_policy(session=session, branch=BranchCode(v.branch)).int(
                "routing.max_concurrent_chats"
            )
        name, username = names.get(v.agent_id, (v.agent_id, v.agent_id))
        out.append(
            AgentLine(
                agent_id=v.agent_id,
                name=name,
                username=username,
                branch=v.branch,
                role=v.role,
                status=v.status.value,
                status_since=v.status_since,
                chats=v.chats,
                max_chats=limits[v.branch],
                on_call=v.on_call,
                skills=v.skills,
                certificates=v.certificates,
            )
        )
    out.sort(key=lambda a: (a.branch, a.name))
    return out


def queue_lines(session: Session, entries: list[QueueEntry], now: datetime) -> list[QueueLine]:
    names = staff_names(session, (e.agent_id for e in entries))
    return [
        QueueLine(
            consultation_id=e.consultation_id,
            branch=e.branch,
            channel=e.channel,
            priority_rank=e.priority_rank,
            state=e.state.value,
            agent_id=e.agent_id,
            agent_name=names[e.agent_id][0] if e.agent_id in names else None,
            enqueued_at=e.enqueued_at,
            waited_s=max(0, int((now - e.enqueued_at).total_seconds())),
        )
        for e in entries
    ]


def escalation_lines(session: Session, fired: list[sla.Escalation]) -> list[EscalationLine]:
    ids = sorted({e.consultation_id for e in fired})
    holders: dict[str, str | None] = {}
    names: dict[str, tuple[str, str]] = {}
    if ids:
        rows = session.execute(
            select(ConsultationRow.id, ConsultationRow.agent_id).where(ConsultationRow.id.in_(ids))
        )
        holders = {r.id: r.agent_id for r in rows}
        names = staff_names(session, holders.values())
    out = []
    for e in fired:
        agent = holders.get(e.consultation_id)
        out.append(
            EscalationLine(
                escalation=e,
                agent_id=agent,
                agent_name=names[agent][0] if agent in names else None,
            )
        )
    return out


@dataclass(frozen=True)
class Wall:
    channels: list[dict[str, object]]
    queue: list[QueueLine]
    agents: list[AgentLine]
    active: list[QueueLine]
    escalations: list[EscalationLine]


def held(*, session: Session, branch: str | None, limit: int = 300) -> list[QueueEntry]:
    """Consultations an agent holds now (accepted, not released), oldest first."""
    query = select(RoutingQueueRow).where(RoutingQueueRow.state == QueueState.ASSIGNED.value)
    if branch:
        query = query.where(RoutingQueueRow.branch == branch)
    query = query.order_by(RoutingQueueRow.enqueued_at).limit(limit)
    return [entry_of(r) for r in session.scalars(query)]


def wall(*, session: Session, now: datetime, branch: str | None, escalations: bool = True) -> Wall:
    """The wall as a supervisor of ``branch`` (None: head office, every branch) sees it."""
    lines = queue_lines(session, queue(session=session, branch=branch, limit=200), now)
    loads = channel_loads([(q.channel, q.state, q.enqueued_at) for q in lines], now=now)
    views = agents(session=session, branch=branch)
    if branch and branch != HEAD_OFFICE:
        # head-office agents (the call centre) serve every branch: show them too
        views = views + agents(session=session, branch=HEAD_OFFICE)
    fired = sla.escalations(session=session, branch=branch, limit=100) if escalations else []
    return Wall(
        channels=[load.as_dict() for load in loads],
        queue=lines,
        agents=agent_lines(session, views),
        active=queue_lines(session, held(session=session, branch=branch), now),
        escalations=escalation_lines(session, fired),
    )
