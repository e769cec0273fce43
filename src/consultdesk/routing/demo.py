"""Demo data for routing: the demo staff become routable with skills and certificates
(STD-1), so the supervisor's live view has agents to show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consultdesk.routing import service
from consultdesk.staff import service as staff
from consultdesk.staff.model import Role

_SKILLS = ["deposits", "accounts", "cards", "loans", "ebanking"]
_SENIOR_SKILLS = [*_SKILLS, "wealth", "insurance", "forex"]


def seed_demo_routing(*, session: Session, now: datetime, container: Any = None) -> None:
    """Register every agent, senior agent and supervisor; seniors and supervisors hold
    the wealth and insurance certificates. Running it twice changes nothing."""
    for member in staff.list_users(session=session):
        if member.role not in (Role.AGENT, Role.SENIOR_AGENT, Role.SUPERVISOR):
            continue
        senior = member.role != Role.AGENT
        service.register_agent(
            session=session,
            now=now,
            member=member,
            skills=_SENIOR_SKILLS if senior else _SKILLS,
            certificates=["wealth", "insurance"] if senior else [],
        )
