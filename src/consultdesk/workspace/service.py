"""What the agent's workspace reads: the desk of one agent, from the database, so every
web process shows the same desk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from consultdesk.consultations.model import OPEN_STATES
from consultdesk.consultations.tables import ConsultationRow
from consultdesk.knowledge import service as knowledge
from consultdesk.knowledge.model import BulletinId
from consultdesk.policy.service import current_policy
from consultdesk.routing.model import Presence
from consultdesk.routing.tables import RoutingAgentRow
from consultdesk.shared.ids import BranchCode, UserId
from consultdesk.staff.model import StaffMember
from consultdesk.surveys.model import Rating
from consultdesk.surveys.tables import RatingRow
from consultdesk.workspace.model import ShiftFigures, shift_figures, shift_start

CLOSED = ("resolved", "closed")


@dataclass(frozen=True)
class Desk:
    presence: str
    presence_since: datetime | None
    chats: int
    max_chats: int
    figures: ShiftFigures
    consultations: list[dict[str, Any]]
    bulletins: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "presence": self.presence,
            "presence_since": self.presence_since.isoformat() if self.presence_since else None,
            "chats": self.chats,
            "max_chats": self.max_chats,
            "figures": self.figures.as_dict(),
            "consultations": self.consultations,
            "bulletins": self.bulletins,
        }


def figures(*, session: Session, now: datetime, member: StaffMember) -> ShiftFigures:
    """The agent's figures since local midnight (see ``model``)."""
    start = shift_start(now)
    handled = session.scalar(
        select(func.count())
        .select_from(ConsultationRow)
        .where(
            ConsultationRow.agent_id == member.id,
            ConsultationRow.status.in_(CLOSED),
            or_(ConsultationRow.resolved_at >= start, ConsultationRow.closed_at >= start),
        )
    )
    responded = session.execute(
        select(ConsultationRow.opened_at, ConsultationRow.first_response_at).where(
            ConsultationRow.agent_id == member.id,
            ConsultationRow.opened_at >= start,
            ConsultationRow.first_response_at.is_not(None),
        )
    )
    waits = [(r.first_response_at - r.opened_at).total_seconds() for r in responded]
    rated = session.execute(
        select(RatingRow.rating, func.count())
        .join(ConsultationRow, ConsultationRow.id == RatingRow.consultation_id)
        .where(ConsultationRow.agent_id == member.id, RatingRow.rated_at >= start)
        .group_by(RatingRow.rating)
    )
    counts: Counter[Rating] = Counter({Rating(r[0]): int(r[1]) for r in rated})
    policy = current_policy(session=session, branch=BranchCode(member.branch))
    return shift_figures(
        handled=int(handled or 0),
        first_response_s=waits,
        ratings=counts,
        within_s=policy.int("sla.online_first_response_s"),
    )


def desk(*, session: Session, now: datetime, member: StaffMember) -> Desk:
    agent = session.get(RoutingAgentRow, member.id)
    policy = current_policy(session=session, branch=BranchCode(member.branch))
    rows = session.scalars(
        select(ConsultationRow)
        .where(
            ConsultationRow.agent_id == member.id,
            ConsultationRow.status.in_([s.value for s in OPEN_STATES]),
        )
        .order_by(ConsultationRow.opened_at)
        .limit(50)
    )
    open_now = [
        {
            "id": c.id,
            "channel": c.channel,
            "status": c.status,
            "subject": c.subject or "",
            "business_line": c.business_line,
            "opened_at": c.opened_at.isoformat(),
            "waiting_customer": c.status == "waiting_customer",
        }
        for c in rows
    ]
    bulletins = [
        {
            "id": b.id,
            "kind": b.kind.value,
            "title": b.title,
            "body": b.body,
            "posted_at": b.posted_at.isoformat(),
            "business_line": None if b.business_line is None else b.business_line.value,
        }
        for b in knowledge.unacknowledged_bulletins(
            session=session, now=now, agent=UserId(member.id)
        )
    ]
    return Desk(
        presence=agent.status if agent is not None else Presence.OFFLINE.value,
        presence_since=agent.status_since if agent is not None else None,
        chats=agent.chats if agent is not None else 0,
        max_chats=policy.int("routing.max_concurrent_chats"),
        figures=figures(session=session, now=now, member=member),
        consultations=open_now,
        bulletins=bulletins,
    )


def acknowledge(*, session: Session, now: datetime, member: StaffMember, bulletin_id: str) -> None:
    """PREP-2: the agent has read the bulletin."""
    knowledge.acknowledge_bulletin(
        session=session, now=now, bulletin_id=BulletinId(bulletin_id), agent=UserId(member.id)
    )
