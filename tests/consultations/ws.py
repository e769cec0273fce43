"""Helpers shared by the WebSocket chat tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service
from consultdesk.shared.scope import SYSTEM
from consultdesk.staff import service as staff
from consultdesk.web.deps import SESSION_COOKIE


def visitor(client: TestClient, branch: str = "BJ01") -> tuple[str, str]:
    """A visitor's chat: (consultation id, chat token)."""
    r = client.post("/api/v1/chat", json={"branch": branch})
    assert r.status_code == 201, r.text
    return r.json()["consultation_id"], r.json()["token"]


def sign_in(client: TestClient, container: Container, make_user: Any, branch: str) -> None:
    member = make_user("agent", branch=branch)
    with container.uow() as s:
        token, _ = staff.open_session(session=s, now=container.clock.now(), user=member, hours=1)
    client.cookies.set(SESSION_COOKIE, token)


def until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = ws.receive_json()
        if event["type"] == kind:
            return event


def stored(container: Container, cid: str) -> list[tuple[int, str | None, str]]:
    with container.uow() as s:
        return [
            (m.seq, m.client_msg_id, m.text)
            for m in service.transcript(scope=SYSTEM, session=s, consultation_id=cid)
        ]
