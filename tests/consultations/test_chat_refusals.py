"""WebSocket chat refusals and warnings: bad frames, wrong token, no session, another
branch, another site, the C3 warning. These do not depend on the database, so they run on
SQLite only (ack, resend and order run on both in test_chat.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from consultdesk.bootstrap import Container
from consultdesk.staff import service as staff
from consultdesk.web.deps import SESSION_COOKIE
from tests.consultations.ws import sign_in, stored, until, visitor


def test_customer_gets_the_c3_warning_and_the_secret_is_not_stored(
    client: TestClient, container: Container
) -> None:
    # REQ: RSK-3
    cid, token = visitor(client)
    with client.websocket_connect(f"/ws/chat/{cid}?token={token}") as ws:
        ws.send_json({"type": "message", "client_msg_id": "c1", "text": "我的密码是 837261"})
        until(ws, "ack")
        assert "密码" in until(ws, "warning")["text"]
    assert "837261" not in stored(container, cid)[0][2]


def test_bad_frame_gets_an_error_naming_the_field(client: TestClient) -> None:
    cid, token = visitor(client)
    with client.websocket_connect(f"/ws/chat/{cid}?token={token}") as ws:
        until(ws, "history")
        ws.send_json({"type": "message", "client_msg_id": "c1", "text": ""})
        assert until(ws, "error")["field"] == "text"
        ws.send_text("not json")
        assert until(ws, "error")["field"] == "body"
        ws.send_json({"type": "message", "text": "x"})
        assert until(ws, "error")["field"] == "client_msg_id"


def test_wrong_token_is_refused(client: TestClient) -> None:
    cid, _ = visitor(client)
    with client.websocket_connect(f"/ws/chat/{cid}?token=guess") as ws:
        assert until(ws, "error")["field"] == "token"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_agent_socket_needs_a_session(client: TestClient) -> None:
    with client.websocket_connect("/ws/agent") as ws:
        until(ws, "error")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_agent_cannot_follow_another_branchs_chat(
    client: TestClient, container: Container, make_user: Any
) -> None:
    # REQ: RSK-2
    cid, _ = visitor(client, branch="SH01")
    sign_in(client, container, make_user, "BJ01")
    with client.websocket_connect("/ws/agent") as agent:
        agent.send_json({"type": "subscribe", "consultation_id": cid})
        assert until(agent, "error")["field"] == "consultation_id"
        agent.send_json(
            {"type": "message", "consultation_id": cid, "client_msg_id": "a1", "text": "hi"}
        )
        assert until(agent, "error")["field"] == "consultation_id"
    assert stored(container, cid) == []


def test_agent_socket_refuses_another_sites_page(
    client: TestClient, container: Container, make_user: Any
) -> None:
    # A cookie-authenticated socket opened from another origin (cross-site hijacking).
    sign_in(client, container, make_user, "BJ01")
    with client.websocket_connect("/ws/agent", headers={"origin": "http://evil.example"}) as ws:
        assert until(ws, "error")["field"] == "origin"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_agent_socket_stops_after_sign_out(
    client: TestClient, container: Container, make_user: Any, clock: Any
) -> None:
    # REQ: PREP-5, RSK-2 — a closed session does not keep a live socket.
    cid, _ = visitor(client)
    sign_in(client, container, make_user, "BJ01")
    with client.websocket_connect("/ws/agent") as agent:
        agent.send_json({"type": "subscribe", "consultation_id": cid})
        until(agent, "history")
        with container.uow() as s:
            staff.close_session(session=s, token=client.cookies[SESSION_COOKIE])
        clock.advance(60)
        agent.send_json(
            {"type": "message", "consultation_id": cid, "client_msg_id": "a1", "text": "hi"}
        )
        until(agent, "error")
        with pytest.raises(WebSocketDisconnect) as closed:
            agent.receive_json()
    assert closed.value.code == 4401
    assert stored(container, cid) == []
