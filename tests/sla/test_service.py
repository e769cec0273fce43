"""The rules on a real database with a fake clock: each rule and its edge (ACC-2, STD-4,
STD-6), once per consultation, with the policy version recorded."""

from __future__ import annotations

from sqlalchemy import func, select

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Move, Status
from consultdesk.customers import service as customers
from consultdesk.policy import service as policy
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.ids import UserId
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla import service as sla
from consultdesk.sla.model import TimerKind, TimerState
from consultdesk.sla.tables import SlaEscalationRow


def open_synced(container: Container, channel: str = "chat", **kw: str) -> str:
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=container.clock.now(), channel=channel, branch="BJ01", actor="c", **kw
        )
        sla.sync_clocks(session=s, now=container.clock.now(), consultation_id=c.id)
        return c.id


def fire(container: Container) -> sla.FireResult:
    with container.uow() as s:
        return sla.fire_due(session=s, now=container.clock.now(), worker="test")


def fired_rules(container: Container, cid: str) -> list[str]:
    with container.uow() as s:
        rows = s.scalars(select(SlaEscalationRow).where(SlaEscalationRow.consultation_id == cid))
        return sorted(r.rule for r in rows)


def state_of(container: Container, cid: str, kind: TimerKind) -> TimerState:
    with container.uow() as s:
        [timer] = [t for t in sla.timers_of(session=s, consultation_id=cid) if t.kind == kind]
    return timer.state


def agent_reply(container: Container, cid: str) -> None:
    with container.uow() as s:
        consultations.post_message(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            author_kind="agent",
            text="您好",
        )


def accept(container: Container, cid: str, agent: str = "usr_a") -> None:
    with container.uow() as s:
        consultations.move(
            session=s, now=container.clock.now(), consultation_id=cid, move=Move.ACCEPT, actor=agent
        )


def test_first_reply_at_29_9_seconds_meets_the_rule(container: Container, clock: FakeClock) -> None:
    # REQ: ACC-2 — online first response within 30 s.
    cid = open_synced(container)
    clock.advance(29.9)
    agent_reply(container, cid)
    clock.advance(10)
    fire(container)
    assert state_of(container, cid, TimerKind.FIRST_RESPONSE) == TimerState.MET
    assert fired_rules(container, cid) == []


def test_no_reply_does_not_fire_at_exactly_30_seconds(
    container: Container, clock: FakeClock
) -> None:
    # REQ: ACC-2
    cid = open_synced(container)
    clock.advance(30)
    assert fire(container).fired == 0
    assert state_of(container, cid, TimerKind.FIRST_RESPONSE) == TimerState.PENDING


def test_no_reply_past_30_seconds_records_a_breach_with_policy_version(
    container: Container, clock: FakeClock
) -> None:
    # REQ: ACC-2, ANX-2 — breaches are recorded with the policy version in force.
    cid = open_synced(container)
    clock.advance(30.001)
    assert fire(container).fired == 1
    assert fired_rules(container, cid) == ["first_response"]
    with container.uow() as s:
        facts = [
            e
            for e in consultations.timeline(scope=SYSTEM, session=s, consultation_id=cid)
            if e.kind == "sla_breached"
        ]
    assert facts[0].data["policy_version"] == "HO-0"
    assert facts[0].at == clock.now()


def test_late_reply_noticed_before_the_scheduler_is_still_a_breach(
    container: Container, clock: FakeClock
) -> None:
    # REQ: ACC-2
    cid = open_synced(container)
    clock.advance(31)
    agent_reply(container, cid)
    with container.uow() as s:
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=cid)
    assert state_of(container, cid, TimerKind.FIRST_RESPONSE) == TimerState.FIRED


def test_a_rule_fires_once_however_often_the_scheduler_runs(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — each rule fires once per consultation.
    cid = open_synced(container)
    clock.advance(700)
    first = fire(container)
    again = fire(container)
    with container.uow() as s:
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=cid)
    assert (first.fired, again.claimed) == (2, 0)
    assert fired_rules(container, cid) == ["first_response", "wait_supervisor"]


def test_policy_change_moves_the_deadline_and_is_recorded(
    container: Container, clock: FakeClock
) -> None:
    # REQ: ANX-2
    with container.uow() as s:
        policy.set_policy_value(
            session=s,
            now=clock.now(),
            author=UserId("usr_admin"),
            key="sla.online_first_response_s",
            value=20,
            reason="测试",
        )
    cid = open_synced(container)
    clock.advance(20.001)
    fire(container)
    with container.uow() as s:
        [esc] = sla.escalations(session=s, queue="breach")
    assert (esc.consultation_id, esc.policy_version) == (cid, "HO-1")


def test_wait_of_exactly_ten_minutes_does_not_call_supervisor(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6
    cid = open_synced(container)
    agent_reply(container, cid)  # answered by the bot, but still waiting for an agent
    clock.advance(600)
    fire(container)
    assert state_of(container, cid, TimerKind.WAIT_SUPERVISOR) == TimerState.PENDING


def test_wait_over_ten_minutes_calls_supervisor(container: Container, clock: FakeClock) -> None:
    # REQ: STD-6 — a customer waiting over 10 min brings in the supervisor.
    cid = open_synced(container)
    agent_reply(container, cid)
    clock.advance(600.001)
    fire(container)
    with container.uow() as s:
        c = consultations.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
        [esc] = sla.escalations(session=s, queue="supervisor")
    assert c.status == Status.ESCALATED
    assert esc.rule == TimerKind.WAIT_SUPERVISOR


def test_accepted_at_nine_minutes_59_meets_the_wait_rule(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — accepted without the hook: the scheduler reads the accept time.
    cid = open_synced(container)
    agent_reply(container, cid)
    clock.advance(599)
    accept(container, cid)
    clock.advance(5)
    fire(container)
    assert state_of(container, cid, TimerKind.WAIT_SUPERVISOR) == TimerState.MET


def classify(container: Container, cid: str, **kw: str) -> None:
    with container.uow() as s:
        consultations.classify(
            session=s, now=container.clock.now(), consultation_id=cid, actor="a", **kw
        )
        sla.sync_clocks(session=s, now=container.clock.now(), consultation_id=cid)


def test_complex_not_with_a_senior_after_one_minute_escalates(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — a complex problem reaches a senior agent or supervisor within 1 min.
    cid = open_synced(container)
    agent_reply(container, cid)
    accept(container, cid)
    classify(container, cid, complexity="complex")
    clock.advance(60)
    assert fire(container).fired == 0
    clock.advance(0.001)
    fire(container)
    assert fired_rules(container, cid) == ["complex_to_senior"]


def test_complex_accepted_by_senior_within_one_minute_is_met(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6
    cid = open_synced(container)
    agent_reply(container, cid)
    classify(container, cid, complexity="complex")
    clock.advance(59.9)
    with container.uow() as s:
        sla.on_accepted(session=s, now=clock.now(), consultation_id=cid, senior=True)
    clock.advance(10)
    fire(container)
    assert state_of(container, cid, TimerKind.COMPLEX_TO_SENIOR) == TimerState.MET


def test_simple_question_resolved_at_two_minutes_is_met_later_is_breach(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-4 — simple questions within 2 min.
    ids = []
    for _ in range(2):
        cid = open_synced(container)
        agent_reply(container, cid)
        accept(container, cid)
        classify(container, cid, complexity="simple")
        ids.append(cid)
    clock.advance(120)
    with container.uow() as s:
        consultations.move(
            session=s, now=clock.now(), consultation_id=ids[0], move=Move.RESOLVE, actor="a"
        )
    clock.advance(0.001)
    fire(container)
    assert state_of(container, ids[0], TimerKind.SIMPLE_RESOLUTION) == TimerState.MET
    assert state_of(container, ids[1], TimerKind.SIMPLE_RESOLUTION) == TimerState.FIRED


def test_complaint_reaches_qa_after_thirty_minutes(container: Container, clock: FakeClock) -> None:
    # REQ: STD-6 — a complaint reaches QA within 30 min (09:00 Beijing, a working Monday).
    cid = open_synced(container, type="complaint")
    agent_reply(container, cid)
    accept(container, cid)
    clock.advance(1800)
    fire(container)
    assert fired_rules(container, cid) == []
    clock.advance(0.001)
    fire(container)
    with container.uow() as s:
        [esc] = sla.escalations(session=s, queue="qa")
    assert (esc.consultation_id, esc.rule) == (cid, TimerKind.COMPLAINT_TO_QA)


def test_complaint_handed_to_qa_in_time_does_not_fire(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6
    cid = open_synced(container, type="complaint")
    clock.advance(1799)
    with container.uow() as s:
        sla.hand_to_qa(session=s, now=clock.now(), consultation_id=cid, actor="usr_a")
    clock.advance(3600)
    fire(container)
    assert state_of(container, cid, TimerKind.COMPLAINT_TO_QA) == TimerState.MET
    with container.uow() as s:
        [esc] = sla.escalations(session=s, queue="qa")
    assert esc.detail["manual"] is True


def test_call_over_five_minutes_escalates(container: Container, clock: FakeClock) -> None:
    # REQ: STD-6 — a call longer than 5 min escalates.
    cid = open_synced(container, channel="phone")
    clock.advance(10)
    accept(container, cid)
    with container.uow() as s:
        sla.on_call_answered(session=s, now=clock.now(), consultation_id=cid)
    clock.advance(300)
    assert fire(container).fired == 0
    clock.advance(0.001)
    fire(container)
    assert fired_rules(container, cid) == ["call_duration"]


def test_call_ended_at_four_minutes_59_does_not_escalate(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6
    cid = open_synced(container, channel="phone")
    accept(container, cid)
    with container.uow() as s:
        sla.on_call_answered(session=s, now=clock.now(), consultation_id=cid)
    clock.advance(299.9)
    with container.uow() as s:
        sla.on_call_ended(session=s, now=clock.now(), consultation_id=cid)
    clock.advance(60)
    fire(container)
    assert state_of(container, cid, TimerKind.CALL_DURATION) == TimerState.MET


def _customer(container: Container) -> str:
    with container.uow() as s:
        return customers.register_customer(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name="张三",
            branch="BJ01",
        ).id


def test_first_complaint_does_not_escalate_at_once(container: Container) -> None:
    # REQ: STD-6
    cust = _customer(container)
    cid = open_synced(container, type="complaint", customer_id=cust)
    assert fired_rules(container, cid) == []


def test_repeated_complaint_escalates_at_once_and_once(container: Container) -> None:
    # REQ: STD-6 — repeated complaints escalate.
    cust = _customer(container)
    open_synced(container, type="complaint", customer_id=cust)
    open_synced(container, type="suggestion", customer_id=cust)
    cid = open_synced(container, type="complaint", customer_id=cust)
    with container.uow() as s:
        sla.sync_clocks(session=s, now=container.clock.now(), consultation_id=cid)
        c = consultations.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
    assert fired_rules(container, cid) == ["repeat_complaint"]
    assert c.status == Status.ESCALATED


def test_closed_consultation_cancels_pending_escalations(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6 — nobody is called for a customer who has gone.
    cid = open_synced(container)
    clock.advance(5)
    with container.uow() as s:
        consultations.move(
            session=s, now=clock.now(), consultation_id=cid, move=Move.CLOSE, actor="c"
        )
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=cid)
    clock.advance(900)
    fire(container)
    assert state_of(container, cid, TimerKind.WAIT_SUPERVISOR) == TimerState.CANCELLED
    assert state_of(container, cid, TimerKind.FIRST_RESPONSE) == TimerState.CANCELLED
    assert fired_rules(container, cid) == []


def test_resolved_complaint_still_reaches_qa(container: Container, clock: FakeClock) -> None:
    # REQ: STD-6
    cid = open_synced(container, type="complaint")
    agent_reply(container, cid)
    accept(container, cid)
    with container.uow() as s:
        consultations.move(
            session=s, now=clock.now(), consultation_id=cid, move=Move.RESOLVE, actor="a"
        )
        sla.sync_clocks(session=s, now=clock.now(), consultation_id=cid)
    clock.advance(1801)
    fire(container)
    assert fired_rules(container, cid) == ["complaint_to_qa"]


def test_acknowledged_escalation_leaves_the_open_queue(
    container: Container, clock: FakeClock
) -> None:
    open_synced(container)
    clock.advance(31)
    fire(container)
    with container.uow() as s:
        [esc] = sla.escalations(session=s)
        sla.acknowledge(
            session=s, now=clock.now(), escalation_id=esc.id, actor="usr_s", branch_of_actor=None
        )
        left = s.scalar(
            select(func.count())
            .select_from(SlaEscalationRow)
            .where(SlaEscalationRow.acknowledged_at.is_(None))
        )
    assert left == 0


def test_consultation_opened_without_the_hook_still_gets_its_clocks(
    container: Container, clock: FakeClock
) -> None:
    # REQ: ACC-2, STD-6 — escalation must not depend on every caller remembering a hook.
    from consultdesk.sla.worker import run_pass

    with container.uow() as s:
        cid = consultations.open_consultation(
            session=s, now=clock.now(), channel="chat", branch="BJ01", actor="c"
        ).id
    clock.advance(30.5)
    run_pass(container, name="test")  # adopts it with clocks from its opening, fires
    assert fired_rules(container, cid) == ["first_response"]
