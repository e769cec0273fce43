"""The supervisor's wall: names not ids, queues by channel with the longest wait, agents'
state and load, escalations with the holding agent's name; reassign and take over."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.routing import service as routing
from consultdesk.routing.model import channel_loads
from consultdesk.shared.clock import FakeClock
from consultdesk.sla import service as sla
from consultdesk.staff import service as staff
from consultdesk.staff.model import StaffMember

PASSWORD = "Correct-horse-42"


def person(
    client: TestClient, container: Container, role: str, name: str, branch: str = "BJ01"
) -> tuple[StaffMember, dict[str, str]]:
    with container.uow() as s:
        member = staff.create_user(
            session=s,
            now=container.clock.now(),
            username=f"u{secrets.token_hex(3)}",
            display_name=name,
            role=role,
            branch=branch,
            password=PASSWORD,
        )
    r = client.post("/api/v1/auth/token", json={"username": member.username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return member, {"Authorization": f"Bearer {r.json()['token']}"}


def chat(container: Container, channel: str = "chat", branch: str = "BJ01") -> str:
    with container.uow() as s:
        return consultations.open_consultation(
            session=s, now=container.clock.now(), channel=channel, branch=branch, actor="c"
        ).id


def queued(client: TestClient, h: dict[str, str], cid: str) -> dict[str, Any]:
    r = client.post("/api/v1/routing/queue", json={"consultation_id": cid}, headers=h)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def available(client: TestClient, h: dict[str, str]) -> None:
    r = client.put("/api/v1/routing/presence", json={"status": "available"}, headers=h)
    assert r.status_code == 200, r.text


def test_channel_loads_count_and_measure_the_longest_wait(clock: FakeClock) -> None:
    # REQ: STD-6 — the wall reads the longest wait per channel.
    now = clock.now()
    loads = channel_loads(
        [
            ("chat", "waiting", now - timedelta(seconds=30)),
            ("chat", "offered", now - timedelta(seconds=700)),
            ("phone", "waiting", now - timedelta(seconds=5)),
        ],
        now=now,
    )
    assert [(x.channel, x.waiting, x.offered, x.longest_wait_s) for x in loads] == [
        ("chat", 1, 1, 700),
        ("phone", 1, 0, 5),
    ]


def test_the_wall_shows_names_loads_and_a_wait_over_ten_minutes(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6, PREP-5 — names not ids; waits over 10 minutes stand out.
    agent, ha = person(client, container, "agent", "王小丽")
    _, hs = person(client, container, "supervisor", "张主管")
    available(client, ha)
    held = chat(container)
    queued(client, ha, held)
    assert client.post(f"/api/v1/routing/queue/{held}/accept", headers=ha).status_code == 200
    client.put("/api/v1/routing/presence", json={"status": "busy"}, headers=ha)
    waiting = chat(container, channel="app")
    assert queued(client, ha, waiting)["state"] == "waiting"
    clock.advance(11 * 60)
    with container.uow() as s:
        sla.fire_due(session=s, now=clock.now())

    page = client.get("/console/supervisor", headers=hs)
    assert page.status_code == 200
    html = page.text
    assert "王小丽" in html and agent.id not in html.split('data-agent="')[0]
    assert "1/3" in html  # load against the policy's chat limit
    assert "超过 10 分钟" in html and "手机银行" in html and "忙碌" in html

    wall = client.get("/api/v1/routing/wall", headers=hs).json()
    assert wall["channels"][0]["channel"] == "app"
    assert wall["channels"][0]["longest_wait_s"] >= 600
    assert [a["name"] for a in wall["agents"]] == ["王小丽"]
    assert wall["active"][0]["agent_name"] == "王小丽"
    fired = {e["consultation_id"]: e for e in wall["escalations"]}
    assert fired[held]["agent_name"] == "王小丽"

    client.cookies.set("cd_lang", "en")
    english = client.get("/console/supervisor", headers=hs).text
    assert "Over 10 minutes" in english and "Busy" in english and "王小丽" in english


def test_a_supervisor_reassigns_from_the_wall(client: TestClient, container: Container) -> None:
    # REQ: STD-6 — reassign: the next agent gets it, the first is passed over.
    first, h1 = person(client, container, "agent", "甲")
    second, h2 = person(client, container, "agent", "乙")
    _, hs = person(client, container, "supervisor", "主管")
    available(client, h1)
    cid = chat(container)
    assert queued(client, h1, cid)["agent_id"] == first.id
    client.post(f"/api/v1/routing/queue/{cid}/accept", headers=h1)
    available(client, h2)

    moved = client.post(
        f"/api/v1/routing/queue/{cid}/reassign", json={"reason": "客户等待过久"}, headers=hs
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["state"], moved.json()["agent_id"]) == ("offered", second.id)
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=first.id).chats == 0
        events = consultations.get_consultation(
            session=s, consultation_id=cid, scope=first.scope
        ).status.value
    assert events == "transferred"
    accepted = client.post(f"/api/v1/routing/queue/{cid}/accept", headers=h2)
    assert accepted.json()["agent_id"] == second.id


def test_a_supervisor_takes_over(client: TestClient, container: Container) -> None:
    # REQ: STD-6 — take over: the consultation is the supervisor's at once.
    first, h1 = person(client, container, "agent", "甲")
    boss, hs = person(client, container, "supervisor", "主管")
    available(client, h1)
    cid = chat(container)
    queued(client, h1, cid)
    client.post(f"/api/v1/routing/queue/{cid}/accept", headers=h1)
    r = client.post(
        f"/api/v1/routing/queue/{cid}/takeover", json={"reason": "投诉升级"}, headers=hs
    )
    assert r.status_code == 200, r.text
    assert (r.json()["agent_id"], r.json()["status"]) == (boss.id, "in_progress")
    again = client.post(f"/api/v1/routing/queue/{cid}/takeover", json={"reason": "x"}, headers=hs)
    assert again.status_code == 409 and again.json()["error"]["field"] == "consultation_id"
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=first.id).chats == 0
        assert routing.get_agent(session=s, agent_id=boss.id).chats == 1


def test_reassign_is_refused_outside_scope_without_reason_and_for_agents(
    client: TestClient, container: Container
) -> None:
    # REQ: RSK-2 — a branch supervisor cannot move another branch's consultation.
    _, h_sh = person(client, container, "agent", "沪", branch="SH01")
    available(client, h_sh)
    other = chat(container, branch="SH01")
    queued(client, h_sh, other)
    _, hs = person(client, container, "supervisor", "京主管")
    _, ha = person(client, container, "agent", "京坐席")
    far = client.post(f"/api/v1/routing/queue/{other}/reassign", json={"reason": "x"}, headers=hs)
    assert far.status_code == 404
    blank = client.post(f"/api/v1/routing/queue/{other}/reassign", json={}, headers=hs)
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "reason"
    agent = client.post(f"/api/v1/routing/queue/{other}/takeover", json={"reason": "x"}, headers=ha)
    assert agent.status_code == 403
    idle = chat(container)
    none = client.post(f"/api/v1/routing/queue/{idle}/reassign", json={"reason": "x"}, headers=hs)
    assert none.status_code == 409


def test_the_live_feed_pushes_agents_by_name(client: TestClient, container: Container) -> None:
    # REQ: STD-6 — the wall updates without a reload, with names.
    container.tuning.supervisor_poll_s = 0.02
    _, ha = person(client, container, "agent", "李四")
    _, hs = person(client, container, "supervisor", "主管")
    with client.websocket_connect("/ws/supervisor", headers=hs) as ws:
        first = ws.receive_json()
        assert first["type"] == "queue" and "server_now" in first
        assert ws.receive_json()["type"] == "agents"
        available(client, ha)
        pushed = ws.receive_json()
    assert pushed["type"] == "agents"
    assert [(a["name"], a["status"]) for a in pushed["agents"]] == [("李四", "available")]
