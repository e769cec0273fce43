"""CTI events over HTTP: ring opens a phone consultation; speed of answer and talk time
are recorded; events apply once; a long call escalates (ACC-2, STD-4, STD-6)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.routing import service as routing
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.ids import BranchCode, UserId, new_id
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla import service as sla
from consultdesk.staff.model import Role, StaffMember


def make_agent() -> StaffMember:
    uid = new_id("usr")
    return StaffMember(UserId(uid), uid, "坐席", Role.AGENT, BranchCode("BJ01"), active=True)


def post(client: TestClient, headers: dict[str, str], event_id: str, kind: str, **kw: Any) -> Any:
    body = {"event_id": event_id, "call_id": kw.pop("call_id", "call-1"), "kind": kind, **kw}
    return client.post("/api/v1/cti/events", json=body, headers=headers)


def test_ring_opens_a_phone_consultation_with_the_answer_clock(
    client: TestClient, auth_headers: Any, container: Container
) -> None:
    # REQ: ACC-1, ACC-2
    h = auth_headers("agent", branch="BJ01")
    r = post(client, h, "e1", "ring")
    assert r.status_code == 200, r.text
    cid = r.json()["consultation_id"]
    with container.uow() as s:
        c = consultations.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
        kinds = {t.kind.value for t in sla.timers_of(session=s, consultation_id=cid)}
    assert (c.channel.value, c.branch) == ("phone", "BJ01")
    assert {"phone_answer", "wait_supervisor"} <= kinds


def test_answer_records_speed_of_answer_and_hangup_talk_time_less_hold(
    client: TestClient, auth_headers: Any, clock: FakeClock
) -> None:
    # REQ: ACC-2, STD-4
    h = auth_headers("agent", branch="BJ01")
    agent = make_agent()
    post(client, h, "e1", "ring")
    clock.advance(12)
    r = post(client, h, "e2", "answer", agent_id=agent.id)
    assert r.json()["speed_of_answer_s"] == 12.0
    clock.advance(60)
    post(client, h, "e3", "hold")
    clock.advance(20)
    post(client, h, "e4", "unhold")
    clock.advance(40)
    r = post(client, h, "e5", "hangup")
    assert (r.json()["state"], r.json()["talk_s"], r.json()["held_s"]) == ("ended", 100.0, 20.0)


def test_resent_event_changes_nothing(
    client: TestClient, auth_headers: Any, clock: FakeClock
) -> None:
    # REQ: ACC-2 — idempotent per event id.
    h = auth_headers("agent", branch="BJ01")
    agent = make_agent()
    post(client, h, "e1", "ring")
    clock.advance(5)
    first = post(client, h, "e2", "answer", agent_id=agent.id)
    clock.advance(5)
    again = post(client, h, "e2", "answer", agent_id=agent.id)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["answered_at"] == first.json()["answered_at"]


def test_hold_before_answer_is_refused_naming_the_kind(
    client: TestClient, auth_headers: Any
) -> None:
    h = auth_headers("agent", branch="BJ01")
    post(client, h, "e1", "ring")
    r = post(client, h, "e2", "hold")
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "kind"


def test_unknown_kind_is_a_422_naming_the_field(client: TestClient, auth_headers: Any) -> None:
    r = post(client, auth_headers("agent"), "e1", "explode")
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "kind"


def test_call_over_five_minutes_escalates_through_the_scheduler(
    client: TestClient,
    auth_headers: Any,
    clock: FakeClock,
    container: Container,
) -> None:
    # REQ: STD-6 — a call longer than 5 min escalates.
    h = auth_headers("agent", branch="BJ01")
    agent = make_agent()
    cid = post(client, h, "e1", "ring").json()["consultation_id"]
    clock.advance(3)
    post(client, h, "e2", "answer", agent_id=agent.id)
    clock.advance(300.5)
    with container.uow() as s:
        sla.fire_due(session=s, now=clock.now())
        [esc] = sla.escalations(session=s, queue="supervisor")
    assert (esc.consultation_id, esc.rule.value) == (cid, "call_duration")


def test_a_call_takes_the_whole_agent(
    client: TestClient, auth_headers: Any, container: Container
) -> None:
    # REQ: STD-5
    h = auth_headers("agent", branch="BJ01")
    agent = make_agent()
    with container.uow() as s:
        routing.set_presence(session=s, now=container.clock.now(), member=agent, status="available")
    post(client, h, "e1", "ring")
    post(client, h, "e2", "answer", agent_id=agent.id)
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=agent.id).on_call is True
    post(client, h, "e3", "hangup")
    with container.uow() as s:
        assert routing.get_agent(session=s, agent_id=agent.id).on_call is False


def test_unanswered_hangup_closes_the_consultation_as_abandoned(
    client: TestClient, auth_headers: Any, container: Container
) -> None:
    h = auth_headers("agent", branch="BJ01")
    cid = post(client, h, "e1", "ring").json()["consultation_id"]
    post(client, h, "e2", "hangup")
    with container.uow() as s:
        c = consultations.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
        kinds = [
            e.kind for e in consultations.timeline(scope=SYSTEM, session=s, consultation_id=cid)
        ]
    assert c.status.value == "closed"
    assert "call_abandoned" in kinds


def test_branch_agent_cannot_ring_into_another_branch(
    client: TestClient, auth_headers: Any
) -> None:
    r = post(client, auth_headers("agent", branch="BJ01"), "e1", "ring", branch="SH01")
    assert r.status_code == 404
