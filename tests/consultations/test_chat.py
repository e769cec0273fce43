"""WebSocket chat on SQLite and PostgreSQL: ack after commit, idempotent resend, order,
both sides see each other, C3 warning, and refusals."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from tests.consultations.ws import sign_in, stored, until, visitor


def test_ack_comes_after_the_message_is_committed(client: TestClient, container: Container) -> None:
    # REQ: ACC-1 — written before it is acknowledged.
    cid, token = visitor(client)
    with client.websocket_connect(f"/ws/chat/{cid}?token={token}") as ws:
        assert until(ws, "history")["messages"] == []
        ws.send_json({"type": "message", "client_msg_id": "c1", "text": "你好"})
        ack = until(ws, "ack")
        # A fresh transaction, opened only after the ack, sees the message.
        assert stored(container, cid) == [(ack["seq"], "c1", "你好")]


def test_resend_is_acknowledged_again_and_stored_once(
    client: TestClient, container: Container
) -> None:
    # REQ: ACC-1 — idempotent by client message id.
    cid, token = visitor(client)
    with client.websocket_connect(f"/ws/chat/{cid}?token={token}") as ws:
        ws.send_json({"type": "message", "client_msg_id": "c1", "text": "你好"})
        first = until(ws, "ack")
        ws.send_json({"type": "message", "client_msg_id": "c1", "text": "你好"})
        again = until(ws, "ack")
    assert (first["seq"], again["seq"], again["duplicate"]) == (1, 1, True)
    assert len(stored(container, cid)) == 1


def test_pipelined_messages_are_acked_and_stored_in_order(
    client: TestClient, container: Container
) -> None:
    # REQ: ACC-1 — ordered.
    cid, token = visitor(client)
    with client.websocket_connect(f"/ws/chat/{cid}?token={token}") as ws:
        for i in range(30):
            ws.send_json({"type": "message", "client_msg_id": f"c{i}", "text": f"第{i}条"})
        acks = [until(ws, "ack") for _ in range(30)]
    assert [a["client_msg_id"] for a in acks] == [f"c{i}" for i in range(30)]
    assert [a["seq"] for a in acks] == list(range(1, 31))
    assert [t for _, _, t in stored(container, cid)] == [f"第{i}条" for i in range(30)]


def test_customer_and_agent_see_each_others_messages(
    client: TestClient, container: Container, make_user: Any
) -> None:
    # REQ: ACC-1 — online chat between the customer widget and the agent.
    cid, token = visitor(client)
    sign_in(client, container, make_user, "BJ01")
    with (
        client.websocket_connect(f"/ws/chat/{cid}?token={token}") as customer,
        client.websocket_connect("/ws/agent") as agent,
    ):
        until(customer, "history")
        agent.send_json({"type": "subscribe", "consultation_id": cid})
        until(agent, "history")
        customer.send_json({"type": "message", "client_msg_id": "c1", "text": "卡丢了"})
        seen = until(agent, "message")["message"]
        assert (seen["author_kind"], seen["text"]) == ("customer", "卡丢了")
        agent.send_json(
            {"type": "message", "consultation_id": cid, "client_msg_id": "a1", "text": "已为您挂失"}
        )
        assert until(agent, "ack")["seq"] == 2
        reply = until(customer, "message")["message"]
        while reply["author_kind"] != "agent":
            reply = until(customer, "message")["message"]
        assert reply["text"] == "已为您挂失"
