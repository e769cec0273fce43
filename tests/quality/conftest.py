"""A desk with closed consultations: agents of BJ01 and SH01, transcripts the QA
checklist can score, and helpers that sign in to the console."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.shared.clock import FakeClock
from tests.conftest import PASSWORD

GOOD_TRANSCRIPT = (
    ("agent", "您好，很高兴为您服务，请问有什么可以帮您？"),
    ("customer", "我想问一下手机银行登录不了怎么办"),
    ("agent", "您是想了解手机银行无法登录的处理办法，对吗？"),
    ("customer", "对的"),
    ("agent", "请您先确认网络正常，再尝试重置登录密码。请问还有其他问题需要帮您吗？"),
)
# 2026-11-10 10:00 Beijing
IN_NOVEMBER = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def closed_consultation(
    container: Container,
    *,
    branch: str,
    agent_id: str,
    channel: str = "chat",
    at: datetime = IN_NOVEMBER,
    turns: tuple[tuple[str, str], ...] = GOOD_TRANSCRIPT,
) -> str:
    """A consultation opened, accepted by ``agent_id``, talked through and closed at
    ``at``; its id."""
    with container.uow() as s:
        cid = consultations.open_consultation(
            session=s, now=at, channel=channel, branch=branch, actor="customer"
        ).id
        consultations.move(
            session=s, now=at, consultation_id=cid, move="accept", actor=agent_id, agent_id=agent_id
        )
        for kind, text in turns:
            consultations.post_message(
                session=s,
                now=at,
                consultation_id=cid,
                author_kind=kind,
                text=text,
                author_id=agent_id if kind == "agent" else None,
            )
        consultations.move(session=s, now=at, consultation_id=cid, move="resolve", actor=agent_id)
        consultations.move(session=s, now=at, consultation_id=cid, move="close", actor=agent_id)
    return cid


@dataclass
class Desk:
    container: Container
    clock: FakeClock
    make_user: Any

    def closed(self, **kw: Any) -> str:
        return closed_consultation(self.container, **kw)


@pytest.fixture
def desk(container: Container, clock: FakeClock, make_user: Any) -> Desk:
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # Tuesday 2026-12-01, 10:00 Beijing
    return Desk(container, clock, make_user)


def sign_in(client: TestClient, username: str, *, lang: str = "zh") -> str:
    """Sign in to the console in ``lang``; the session's CSRF token."""
    client.cookies.set("cd_lang", lang)
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf.group(1)}
    )
    home = client.get("/").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', home)
    assert token
    return token.group(1)
