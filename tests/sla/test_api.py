"""SLA over HTTP: figures beside their targets, the escalation queues."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.shared.clock import FakeClock
from consultdesk.sla import service as sla


def chat(container: Container, reply_after: float | None) -> str:
    clock = container.clock
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=clock.now(), channel="chat", branch="BJ01", actor="c"
        )
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=c.id)
    if reply_after is not None:
        clock.advance(reply_after)  # type: ignore[attr-defined]
        with container.uow() as s:
            consultations.post_message(
                session=s, now=clock.now(), consultation_id=c.id, author_kind="agent", text="您好"
            )
            sla.sync_clocks(session=s, now=clock.now(), consultation_id=c.id)
    return c.id


def test_figures_give_first_response_and_service_level_beside_target(
    client: TestClient, auth_headers: Any, container: Container, clock: FakeClock
) -> None:
    # REQ: ACC-2 — service level = share answered within the target.
    start = clock.now()
    chat(container, 10)
    chat(container, 29.9)
    chat(container, 45)
    chat(container, None)
    clock.advance(120)
    with container.uow() as s:
        sla.fire_due(session=s, now=clock.now())
    clock.advance(1)
    r = client.get(
        "/api/v1/sla/figures",
        params={"since": start.isoformat(), "until": clock.now().isoformat()},
        headers=auth_headers("supervisor"),
    )
    assert r.status_code == 200, r.text
    fr = r.json()["first_response"]
    assert (fr["target_s"], fr["count"], fr["within_target"], fr["service_level"]) == (
        30,
        4,
        2,
        0.5,
    )
    assert r.json()["breaches_per_rule"]["first_response"] == 2


def test_figures_refuse_a_reversed_period(
    client: TestClient, auth_headers: Any, clock: FakeClock
) -> None:
    r = client.get(
        "/api/v1/sla/figures",
        params={"since": clock.now().isoformat(), "until": "2020-01-01T00:00:00Z"},
        headers=auth_headers("supervisor"),
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "until"


def test_qa_sees_only_the_qa_queue_and_acknowledges(
    client: TestClient, auth_headers: Any, container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — a complaint reaches the quality department.
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=clock.now(), channel="chat", type="complaint", branch="BJ01", actor="c"
        )
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=c.id)
    clock.advance(1801)
    with container.uow() as s:
        sla.fire_due(session=s, now=clock.now())
    h = auth_headers("qa")
    listed = client.get("/api/v1/sla/escalations", params={"queue": "supervisor"}, headers=h).json()
    assert {e["queue"] for e in listed} == {"qa"}
    ack = client.post(f"/api/v1/sla/escalations/{listed[0]['id']}/ack", headers=h)
    assert ack.status_code == 200 and ack.json()["acknowledged_at"] is not None


def test_web_app_fires_timers_in_the_background_when_asked(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — single-process deployments escalate without anyone watching.
    import time

    from consultdesk.web.app import create_app

    container.tuning.jobs_in_web = True
    cid = chat(container, None)
    clock.advance(31)
    with TestClient(create_app(container)):
        deadline = time.monotonic() + 10
        fired: list[sla.Escalation] = []
        while not fired and time.monotonic() < deadline:
            time.sleep(0.1)
            with container.uow() as s:
                fired = sla.escalations(session=s)
    assert [e.consultation_id for e in fired] == [cid]


def test_acknowledging_an_id_out_of_range_is_a_422(client: TestClient, auth_headers: Any) -> None:
    r = client.post(f"/api/v1/sla/escalations/{2**70}/ack", headers=auth_headers("supervisor"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "escalation_id"
