"""Counter visits with queue numbers (ACC-1, STD-4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.counter import service as counter
from consultdesk.counter.model import business_day, ticket_code
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode, UserId
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla import service as sla
from consultdesk.sla.model import TimerKind, TimerState
from consultdesk.staff.model import Role, StaffMember

TELLER = StaffMember(UserId("usr_teller"), "teller", "柜员", Role.AGENT, BranchCode("BJ01"), True)


def issue(container: Container, branch: str = "BJ01") -> counter.Ticket:
    with container.uow() as s:
        return counter.issue_ticket(session=s, now=container.clock.now(), branch=branch)


def test_ticket_code_pads_to_three_digits() -> None:
    assert ticket_code("A", 7) == "A007"


def test_numbers_restart_at_midnight_beijing_time() -> None:
    # 15:59 UTC is 23:59 in Beijing; 16:00 UTC is the next Beijing day.
    assert business_day(datetime(2026, 3, 2, 15, 59, tzinfo=UTC)).day == 2
    assert business_day(datetime(2026, 3, 2, 16, 0, tzinfo=UTC)).day == 3


def test_numbers_count_up_per_branch(container: Container) -> None:
    # REQ: ACC-1 — counter visits with queue numbers.
    codes = [issue(container).code for _ in range(2)] + [issue(container, "SH01").code]
    assert codes == ["A001", "A002", "A001"]


def test_next_day_starts_again_at_one(container: Container, clock: FakeClock) -> None:
    issue(container)
    clock.advance(hours=24)
    assert issue(container).code == "A001"


def test_prefix_must_be_one_letter(container: Container) -> None:
    with pytest.raises(ValidationFailed) as err, container.uow() as s:
        counter.issue_ticket(session=s, now=container.clock.now(), branch="BJ01", prefix="AB")
    assert err.value.field == "prefix"


def test_call_next_takes_the_longest_waiting(container: Container, clock: FakeClock) -> None:
    first = issue(container)
    clock.advance(1)
    issue(container)
    with container.uow() as s:
        called = counter.call_next(session=s, now=clock.now(), member=TELLER, counter_no="3")
    assert (called.id, called.counter_no, called.state.value) == (first.id, "3", "called")


def test_call_next_with_nobody_waiting_says_so(container: Container) -> None:
    with pytest.raises(NotFound), container.uow() as s:
        counter.call_next(session=s, now=container.clock.now(), member=TELLER, counter_no="3")


def _serve(container: Container) -> counter.Ticket:
    t = issue(container)
    with container.uow() as s:
        counter.call_next(session=s, now=container.clock.now(), member=TELLER, counter_no="1")
        return counter.serve(session=s, now=container.clock.now(), member=TELLER, ticket_id=t.id)


def test_serving_opens_a_counter_consultation_with_its_clock(container: Container) -> None:
    # REQ: ACC-1, STD-4
    served = _serve(container)
    assert served.consultation_id is not None
    with container.uow() as s:
        c = consultations.get_consultation(
            scope=SYSTEM, session=s, consultation_id=served.consultation_id
        )
        [timer] = sla.timers_of(session=s, consultation_id=c.id)
    assert (c.channel.value, c.agent_id) == ("counter", TELLER.id)
    assert (timer.kind, timer.target_s) == (TimerKind.COUNTER_QUESTION, 300)


def test_counter_question_finished_at_five_minutes_is_met(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-4 — counter question within 5 min.
    served = _serve(container)
    clock.advance(300)
    with container.uow() as s:
        counter.finish(session=s, now=clock.now(), member=TELLER, ticket_id=served.id)
        [timer] = sla.timers_of(session=s, consultation_id=served.consultation_id or "")
    assert timer.state == TimerState.MET


def test_counter_question_over_five_minutes_is_a_breach(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-4
    served = _serve(container)
    clock.advance(300.001)
    with container.uow() as s:
        sla.fire_due(session=s, now=clock.now())
        [timer] = sla.timers_of(session=s, consultation_id=served.consultation_id or "")
    assert timer.state == TimerState.FIRED


def test_teller_of_another_branch_cannot_serve_the_ticket(container: Container) -> None:
    t = issue(container, "SH01")
    with pytest.raises(NotFound), container.uow() as s:
        counter.serve(session=s, now=container.clock.now(), member=TELLER, ticket_id=t.id)


def test_counter_api_issues_calls_serves_and_finishes(
    client: TestClient, auth_headers: Any
) -> None:
    # REQ: ACC-1, STD-4
    h = auth_headers("agent", branch="BJ01")
    issued = client.post("/api/v1/counter/tickets", json={}, headers=h)
    assert issued.status_code == 201 and issued.json()["code"] == "A001"
    called = client.post("/api/v1/counter/call-next", json={"counter_no": "2"}, headers=h)
    tid = called.json()["id"]
    served = client.post(f"/api/v1/counter/tickets/{tid}/serve", json={}, headers=h)
    done = client.post(f"/api/v1/counter/tickets/{tid}/finish", headers=h)
    assert (served.json()["state"], done.json()["state"]) == ("serving", "done")


def test_counter_api_names_a_bad_field(client: TestClient, auth_headers: Any) -> None:
    r = client.post(
        "/api/v1/counter/call-next", json={"counter_no": ""}, headers=auth_headers("agent")
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "counter_no"
