"""The queue page's "accept" goes through routing, and the holding agent hands work back:
transfer to a colleague or escalate to a senior (STD-6, ACP-4)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.routing import service as routing
from consultdesk.routing.tables import RoutingQueueRow
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.scope import SYSTEM
from tests.routing.test_wall import available, chat, person, queued


def accept_from_queue_page(client: TestClient, h: dict[str, str], cid: str) -> int:
    r = client.post(f"/api/v1/consultations/{cid}/moves", json={"move": "accept"}, headers=h)
    return r.status_code


def queue_row(container: Container, cid: str) -> tuple[str, str | None]:
    with container.uow() as s:
        row = s.get(RoutingQueueRow, cid)
        assert row is not None
        return row.state, row.agent_id


def test_an_offered_chat_accepted_on_the_queue_page_is_assigned_and_does_not_lapse(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — the offer is taken: no reassignment after the accept timeout.
    agent, h = person(client, container, "agent", "甲")
    available(client, h)
    cid = chat(container)
    assert queued(client, h, cid)["agent_id"] == agent.id
    assert accept_from_queue_page(client, h, cid) == 200
    assert queue_row(container, cid) == ("assigned", agent.id)
    clock.advance(3600)
    with container.uow() as s:
        assert routing.reassign_expired(session=s, now=clock.now()) == 0
        assert routing.get_agent(session=s, agent_id=agent.id).chats == 1


def test_a_waiting_chat_taken_counts_in_the_load_up_to_the_limit(
    client: TestClient, container: Container
) -> None:
    # REQ: PREP-5, STD-6 — three chats at once (policy), the fourth is refused.
    agent, h = person(client, container, "agent", "乙")
    available(client, h)
    client.put("/api/v1/routing/presence", json={"status": "busy"}, headers=h)
    ids = [chat(container) for _ in range(4)]
    for cid in ids:
        assert queued(client, h, cid)["state"] == "waiting"
    assert [accept_from_queue_page(client, h, cid) for cid in ids[:3]] == [200, 200, 200]
    refused = client.post(
        f"/api/v1/consultations/{ids[3]}/moves", json={"move": "accept"}, headers=h
    )
    assert refused.status_code == 409 and "上限" in refused.json()["error"]["message"]
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=agent.id).chats == 3
        status = consultations.get_consultation(scope=SYSTEM, session=s, consultation_id=ids[3])
    assert status.status.value == "queued"  # nothing half-written


def test_a_chat_offered_to_a_colleague_cannot_be_taken(
    client: TestClient, container: Container
) -> None:
    # REQ: STD-6
    first, h1 = person(client, container, "agent", "丙")
    _, h2 = person(client, container, "agent", "丁")
    available(client, h1)
    cid = chat(container)
    assert queued(client, h1, cid)["agent_id"] == first.id
    r = client.post(f"/api/v1/consultations/{cid}/moves", json={"move": "accept"}, headers=h2)
    assert r.status_code == 409 and r.json()["error"]["field"] == "consultation_id"


def test_the_agent_escalates_to_a_senior_who_is_offered_it(
    client: TestClient, container: Container
) -> None:
    # REQ: STD-6, ACP-4 — complex work goes to a senior; the agent's place is free.
    agent, h = person(client, container, "agent", "戊")
    senior, hs = person(client, container, "senior_agent", "己")
    available(client, h)
    cid = chat(container)
    queued(client, h, cid)
    assert accept_from_queue_page(client, h, cid) == 200
    available(client, hs)
    r = client.post(
        f"/api/v1/routing/queue/{cid}/hand-back",
        json={"move": "escalate", "reason": "涉及理财纠纷，需高级坐席处理"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["agent_id"]) == ("offered", senior.id)
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=agent.id).chats == 0
        c = consultations.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
        reasons = [
            e.reason for e in consultations.timeline(session=s, consultation_id=cid, scope=SYSTEM)
        ]
    assert c.status.value == "escalated" and "涉及理财纠纷，需高级坐席处理" in reasons


def test_a_transfer_goes_to_a_colleague_not_back_to_the_agent(
    client: TestClient, container: Container
) -> None:
    # REQ: STD-6
    first, h1 = person(client, container, "agent", "庚")
    second, h2 = person(client, container, "agent", "辛")
    available(client, h1)
    cid = chat(container)
    queued(client, h1, cid)
    assert accept_from_queue_page(client, h1, cid) == 200
    available(client, h2)
    r = client.post(
        f"/api/v1/routing/queue/{cid}/hand-back",
        json={"move": "transfer", "reason": "客户要求外汇专员"},
        headers=h1,
    )
    assert r.status_code == 200, r.text
    assert r.json()["agent_id"] == second.id != first.id


def test_hand_back_needs_a_reason_the_holder_and_the_scope(
    client: TestClient, container: Container
) -> None:
    # REQ: STD-6, RSK-2 — clear refusals, another branch's id is not found.
    _, h = person(client, container, "agent", "壬")
    _, other = person(client, container, "agent", "癸")
    _, far = person(client, container, "agent", "子", branch="SH01")
    available(client, h)
    cid = chat(container)
    queued(client, h, cid)
    assert accept_from_queue_page(client, h, cid) == 200
    url = f"/api/v1/routing/queue/{cid}/hand-back"
    blank = client.post(url, json={"move": "transfer", "reason": ""}, headers=h)
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "reason"
    bad = client.post(url, json={"move": "close", "reason": "x"}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "move"
    not_mine = client.post(url, json={"move": "transfer", "reason": "x"}, headers=other)
    assert not_mine.status_code == 409 and not_mine.json()["error"]["field"] == "consultation_id"
    hidden = client.post(url, json={"move": "transfer", "reason": "x"}, headers=far)
    assert hidden.status_code == 404
    assert queue_row(container, cid)[0] == "assigned"


def test_resolving_on_the_queue_page_frees_the_agents_place(
    client: TestClient, container: Container
) -> None:
    # REQ: STD-5, PREP-5 — the wall's load goes down when a chat ends.
    agent, h = person(client, container, "agent", "丑")
    available(client, h)
    cid = chat(container)
    queued(client, h, cid)
    assert accept_from_queue_page(client, h, cid) == 200
    r = client.post(f"/api/v1/consultations/{cid}/moves", json={"move": "resolve"}, headers=h)
    assert r.status_code == 200, r.text
    assert queue_row(container, cid)[0] == "done"
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=agent.id).chats == 0


def test_handing_an_agitated_customer_over_goes_to_a_colleague(
    client: TestClient, container: Container
) -> None:
    # REQ: STD-3 — the chat leaves the agent's hands and is offered to a colleague.
    first, h1 = person(client, container, "agent", "寅")
    second, h2 = person(client, container, "agent", "卯")
    available(client, h1)
    cid = chat(container)
    queued(client, h1, cid)
    assert accept_from_queue_page(client, h1, cid) == 200
    available(client, h2)
    r = client.post(f"/api/v1/consultations/{cid}/handoff", json={"reason": "agitated"}, headers=h1)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "transferred"
    assert queue_row(container, cid) == ("offered", second.id)
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=first.id).chats == 0
