"""The demo bank: branches, one login per role, and the data other features seed.

Passwords here are for the demo only and are printed by ``consultdesk demo``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from consultdesk import features
from consultdesk.bootstrap import Container
from consultdesk.db.migrate import upgrade
from consultdesk.org import service as org
from consultdesk.shared.errors import Conflict
from consultdesk.staff import service as staff

log = logging.getLogger("consultdesk.demo")

BRANCHES = (("HO", "总行"), ("BJ01", "北京分行"), ("SH01", "上海分行"))


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    branch: str
    display_name: str


DEMO_LOGINS = (
    DemoLogin("agent", "Agent-demo-2026", "agent", "BJ01", "李娜"),
    DemoLogin("senior", "Senior-demo-2026", "senior_agent", "BJ01", "王强"),
    DemoLogin("supervisor", "Supervisor-demo-2026", "supervisor", "BJ01", "张敏"),
    DemoLogin("quality", "Quality-demo-2026", "qa", "HO", "刘洋"),
    DemoLogin("compliance", "Compliance-demo-2026", "compliance_officer", "HO", "陈静"),
    DemoLogin("admin", "Admin-demo-2026", "admin", "HO", "赵磊"),
    DemoLogin("agent.sh", "Agent-sh-demo-2026", "agent", "SH01", "周婷"),
)


def seed_demo(container: Container) -> list[DemoLogin]:
    """Migrate and load the demo bank; running it twice changes nothing."""
    upgrade(container.engine)
    now = container.clock.now()
    with container.uow() as session:
        for code, name in BRANCHES:
            org.ensure_branch(session=session, code=code, name=name)
    for login in DEMO_LOGINS:
        try:
            with container.uow() as session:
                staff.create_user(
                    session=session,
                    now=now,
                    username=login.username,
                    display_name=login.display_name,
                    role=login.role,
                    branch=login.branch,
                    password=login.password,
                )
        except Conflict:
            pass
    for seeder in features.seeders():  # what each feature contributes, in FEATURES order
        with container.uow() as session:
            seeder(session=session, now=now, container=container)
    return list(DEMO_LOGINS)


def seed_demo_knowledge(*, session: Session, now: datetime, container: Container) -> None:
    """The Demo Bank FAQ, written by the senior agent and reviewed by quality (PREP-1)."""
    from consultdesk.knowledge import service as knowledge

    author = staff.find_user(session=session, username="senior")
    reviewer = staff.find_user(session=session, username="quality")
    knowledge.load_demo_knowledge_base(
        session=session, now=now, author=author.id, reviewer=reviewer.id
    )


def seed_session_only(session: Session) -> None:
    """Branches only, for tests that need an organisation and nothing else."""
    for code, name in BRANCHES:
        org.ensure_branch(session=session, code=code, name=name)
