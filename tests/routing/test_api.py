"""Routing over HTTP: presence, skills, the queue; the supervisor's live view."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.routing import service as routing
from consultdesk.shared.clock import FakeClock
from consultdesk.sla import service as sla


def open_chat(container: Container, branch: str = "BJ01") -> str:
    with container.uow() as s:
        return consultations.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch=branch, actor="c"
        ).id


def test_agent_sets_own_presence(client: TestClient, auth_headers: Any) -> None:
    # REQ: PREP-5
    r = client.put(
        "/api/v1/routing/presence", json={"status": "away"}, headers=auth_headers("agent")
    )
    assert r.status_code == 200 and r.json()["status"] == "away"


def test_unknown_presence_is_a_422_naming_status(client: TestClient, auth_headers: Any) -> None:
    r = client.put(
        "/api/v1/routing/presence", json={"status": "asleep"}, headers=auth_headers("agent")
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"


def test_enqueue_then_accept_over_http(
    client: TestClient, auth_headers: Any, container: Container
) -> None:
    # REQ: PREP-5, STD-5
    h = auth_headers("agent", branch="BJ01")
    client.put("/api/v1/routing/presence", json={"status": "available"}, headers=h)
    cid = open_chat(container)
    queued = client.post("/api/v1/routing/queue", json={"consultation_id": cid}, headers=h)
    assert queued.status_code == 201 and queued.json()["state"] == "offered"
    accepted = client.post(f"/api/v1/routing/queue/{cid}/accept", headers=h)
    assert accepted.json()["status"] == "in_progress"


def test_branch_agent_cannot_queue_another_branchs_consultation(
    client: TestClient, auth_headers: Any, container: Container
) -> None:
    # REQ: RSK-2
    cid = open_chat(container, branch="SH01")
    r = client.post(
        "/api/v1/routing/queue",
        json={"consultation_id": cid},
        headers=auth_headers("agent", branch="BJ01"),
    )
    assert r.status_code == 404


def test_agent_cannot_set_skills(client: TestClient, auth_headers: Any, make_user: Any) -> None:
    # REQ: STD-1 — supervisors record skills and certificates.
    target = make_user("agent")
    r = client.put(
        f"/api/v1/routing/agents/{target.id}/skills",
        json={"skills": ["wealth"], "certificates": ["wealth"]},
        headers=auth_headers("agent"),
    )
    assert r.status_code == 403


def test_supervisor_feed_pushes_a_fired_escalation(
    client: TestClient, auth_headers: Any, container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — supervisors see escalations live.
    container.tuning.supervisor_poll_s = 0.02
    h = auth_headers("supervisor")
    cid = open_chat(container)
    with container.uow() as s:
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=cid)
    with client.websocket_connect("/ws/supervisor", headers=h) as ws:
        assert ws.receive_json()["type"] == "queue"
        clock.advance(31)
        with container.uow() as s:
            sla.fire_due(session=s, now=clock.now())
        pushed = ws.receive_json()
        while pushed["type"] == "agents":  # the wall's agents list comes first
            pushed = ws.receive_json()
    assert (pushed["type"], pushed["rule"], pushed["consultation_id"]) == (
        "escalation",
        "first_response",
        cid,
    )
    assert pushed["policy_version"] == "HO-0"


def test_supervisor_feed_refuses_an_agent(client: TestClient, auth_headers: Any) -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    headers = auth_headers("agent")
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws/supervisor", headers=headers) as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4403


def test_supervisor_page_lists_open_escalations(
    client: TestClient, auth_headers: Any, container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — and in their queue.
    cid = open_chat(container)
    with container.uow() as s:
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=cid)
    clock.advance(31)
    with container.uow() as s:
        sla.fire_due(session=s, now=clock.now())
    r = client.get("/console/supervisor", headers=auth_headers("supervisor"))
    assert r.status_code == 200
    assert "在线首次响应超时" in r.text and cid in r.text


def test_release_over_http_frees_the_agents_place(
    client: TestClient, auth_headers: Any, container: Container
) -> None:
    # REQ: STD-5
    h = auth_headers("agent", branch="BJ01")
    me = client.put("/api/v1/routing/presence", json={"status": "available"}, headers=h).json()
    cid = open_chat(container)
    client.post("/api/v1/routing/queue", json={"consultation_id": cid}, headers=h)
    r = client.post(f"/api/v1/routing/queue/{cid}/release", headers=h)
    assert r.status_code == 204
    queued = client.get("/api/v1/routing/queue", headers=h).json()
    with container.uow() as s:
        agent = routing.get_agent(session=s, agent_id=me["agent_id"])
    assert agent.chats == 0 and queued == []
