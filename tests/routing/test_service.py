"""Routing on a real database: offer, accept, timeout, away (PREP-5, STD-1, STD-5)."""

from __future__ import annotations

from typing import Any

import pytest

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Status
from consultdesk.routing import service as routing
from consultdesk.routing.model import QueueState
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import Conflict
from consultdesk.shared.ids import BranchCode, UserId, new_id
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla import service as sla
from consultdesk.sla.model import TimerKind, TimerState
from consultdesk.staff.model import Role, StaffMember


def make_agent(role: str = "agent", *, branch: str = "BJ01") -> StaffMember:
    """Routing needs only who the agent is, not a login (no password hashing)."""
    uid = new_id("usr")
    return StaffMember(UserId(uid), uid, "坐席", Role(role), BranchCode(branch), active=True)


def available(container: Container, member: StaffMember, **kw: Any) -> None:
    with container.uow() as s:
        routing.register_agent(session=s, now=container.clock.now(), member=member, **kw)
        routing.set_presence(
            session=s, now=container.clock.now(), member=member, status="available"
        )


def enqueue(container: Container, **kw: str) -> str:
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="c", **kw
        )
        routing.enqueue(session=s, now=container.clock.now(), consultation_id=c.id)
        return c.id


def entry(container: Container, cid: str) -> routing.QueueEntry | None:
    with container.uow() as s:
        return next((e for e in routing.queue(session=s) if e.consultation_id == cid), None)


def test_enqueued_chat_is_offered_to_the_longest_idle_agent(
    container: Container, clock: FakeClock
) -> None:
    # REQ: PREP-5
    first = make_agent()
    clock.advance(5)
    available(container, first)
    clock.advance(5)
    available(container, make_agent())
    cid = enqueue(container)
    offered = entry(container, cid)
    assert offered is not None and offered.state == QueueState.OFFERED
    assert offered.agent_id == first.id


def test_accepting_starts_the_conversation_and_meets_the_wait_rule(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6
    agent = make_agent()
    available(container, agent)
    cid = enqueue(container)
    clock.advance(3)
    with container.uow() as s:
        c = routing.accept(session=s, now=clock.now(), member=agent, consultation_id=cid)
        timers = {t.kind: t.state for t in sla.timers_of(session=s, consultation_id=cid)}
    assert (c.status, c.agent_id) == (Status.IN_PROGRESS, agent.id)
    assert timers[TimerKind.WAIT_SUPERVISOR] == TimerState.MET


def test_an_agent_cannot_accept_what_was_offered_to_another(container: Container) -> None:
    available(container, make_agent())
    other = make_agent()
    cid = enqueue(container)
    with pytest.raises(Conflict), container.uow() as s:
        routing.accept(session=s, now=container.clock.now(), member=other, consultation_id=cid)


def test_offer_not_accepted_in_time_goes_to_another_agent(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-5 — reassignment when an agent does not accept within the policy's time.
    slow = make_agent()
    available(container, slow)
    clock.advance(1)
    quick = make_agent()
    available(container, quick)
    cid = enqueue(container)
    clock.advance(20)
    with container.uow() as s:
        assert routing.reassign_expired(session=s, now=clock.now()) == 0
    clock.advance(0.001)
    with container.uow() as s:
        assert routing.reassign_expired(session=s, now=clock.now()) == 1
        slow_now = routing.get_agent(session=s, agent_id=slow.id)
    offered = entry(container, cid)
    assert offered is not None and offered.agent_id == quick.id
    assert slow_now.chats == 0


def test_agent_going_away_hands_back_held_chats(container: Container, clock: FakeClock) -> None:
    # REQ: PREP-5
    leaving = make_agent()
    available(container, leaving)
    cid = enqueue(container)
    with container.uow() as s:
        routing.accept(session=s, now=clock.now(), member=leaving, consultation_id=cid)
    staying = make_agent()
    available(container, staying)
    with container.uow() as s:
        routing.set_presence(session=s, now=clock.now(), member=leaving, status="away")
        c = consultations.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
    offered = entry(container, cid)
    assert c.status == Status.TRANSFERRED
    assert offered is not None and offered.agent_id == staying.id


def test_fourth_chat_waits_for_a_free_place(container: Container) -> None:
    # REQ: STD-5 — an online agent serves up to 3 chats at once.
    available(container, make_agent())
    ids = [enqueue(container) for _ in range(4)]
    states = [e.state if (e := entry(container, cid)) else None for cid in ids]
    assert states == [QueueState.OFFERED] * 3 + [QueueState.WAITING]


def test_released_chat_frees_the_place(container: Container) -> None:
    # REQ: STD-5
    available(container, make_agent())
    ids = [enqueue(container) for _ in range(4)]
    with container.uow() as s:
        routing.release(session=s, now=container.clock.now(), consultation_id=ids[0])
    fourth = entry(container, ids[3])
    assert fourth is not None and fourth.state == QueueState.OFFERED


def test_wealth_consultation_waits_for_a_certified_agent(container: Container) -> None:
    # REQ: STD-1
    available(container, make_agent(), skills=["wealth"])
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="c"
        )
        consultations.classify(
            session=s,
            now=container.clock.now(),
            consultation_id=c.id,
            actor="a",
            business_line="wealth",
        )
        routing.enqueue(session=s, now=container.clock.now(), consultation_id=c.id)
    waiting = entry(container, c.id)
    assert waiting is not None and waiting.state == QueueState.WAITING
    certified = make_agent()
    available(container, certified, skills=["wealth"], certificates=["wealth"])
    offered = entry(container, c.id)
    assert offered is not None and offered.agent_id == certified.id


def test_head_office_agents_serve_branch_consultations(container: Container) -> None:
    hq = make_agent(branch="HO")
    available(container, hq)
    offered = entry(container, enqueue(container))
    assert offered is not None and offered.agent_id == hq.id


def test_work_left_waiting_beside_an_agent_with_room_is_offered_by_the_next_pass(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-1, ACC-1 — two hand-overs at one instant on PostgreSQL can each miss the
    # other's uncommitted row; the jobs runner's pass offers what was left waiting.
    from sqlalchemy import update

    from consultdesk.routing.tables import RoutingAgentRow
    from consultdesk.sla.worker import run_pass

    agent = make_agent()
    with container.uow() as s:
        routing.register_agent(session=s, now=clock.now(), member=agent)
    cid = enqueue(container)
    with container.uow() as s:  # available without the dispatch set_presence would run
        s.execute(
            update(RoutingAgentRow)
            .where(RoutingAgentRow.agent_id == agent.id)
            .values(status="available", idle_since=clock.now())
        )
    waiting = entry(container, cid)
    assert waiting is not None and waiting.state == QueueState.WAITING
    clock.advance(1)
    assert run_pass(container, name="test").offered == 1
    offered = entry(container, cid)
    assert offered is not None and offered.state == QueueState.OFFERED
    assert offered.agent_id == agent.id
    assert run_pass(container, name="test").offered == 0


def test_the_sweep_leaves_waiting_work_alone_while_nobody_may_take_it(
    container: Container,
) -> None:
    cid = enqueue(container)
    with container.uow() as s:
        assert routing.sweep(session=s, now=container.clock.now()) == 0
    waiting = entry(container, cid)
    assert waiting is not None and waiting.state == QueueState.WAITING


def test_hand_overs_at_one_instant_all_reach_an_agent_after_one_pass(
    container: Container,
) -> None:
    # REQ: STD-1 — five hand-overs at once from five threads (on PostgreSQL, five
    # transactions that cannot see each other's rows); after one pass none still waits
    # while the three agents have room for nine chats.
    import threading

    from consultdesk.sla.worker import run_pass

    for _ in range(3):
        available(container, make_agent())
    with container.uow() as s:
        ids = [
            consultations.open_consultation(
                session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="c"
            ).id
            for _ in range(5)
        ]
    start = threading.Barrier(len(ids))
    failures: list[BaseException] = []

    def hand_over(cid: str) -> None:
        try:
            start.wait()
            with container.uow() as s:
                routing.enqueue(session=s, now=container.clock.now(), consultation_id=cid)
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=hand_over, args=(cid,)) for cid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failures
    run_pass(container, name="test")
    states = [e.state for cid in ids if (e := entry(container, cid)) is not None]
    assert states == [QueueState.OFFERED] * 5
