"""Consultations on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from consultdesk.bootstrap import Container
from consultdesk.consultations import service
from consultdesk.consultations.model import Move, Status
from consultdesk.customers import service as customers
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from consultdesk.shared.scope import SYSTEM


def open_chat(container: Container, **kw: str) -> str:
    with container.uow() as s:
        return service.open_consultation(
            session=s,
            now=container.clock.now(),
            channel="chat",
            branch="BJ01",
            actor="customer",
            **kw,
        ).id


def test_open_records_channel_and_policy_version(container: Container) -> None:
    # REQ: ACC-1, ANX-2 — every consultation records its channel and the policy version.
    cid = open_chat(container, type="complaint", priority="high")
    with container.uow() as s:
        c = service.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
        [opened] = service.timeline(scope=SYSTEM, session=s, consultation_id=cid)
    assert (c.channel, c.type, c.priority, c.status) == ("chat", "complaint", "high", Status.QUEUED)
    assert c.policy_version == "HO-0"
    assert opened.kind == "opened"


def test_unknown_channel_names_the_field(container: Container) -> None:
    with pytest.raises(ValidationFailed) as err, container.uow() as s:
        service.open_consultation(
            session=s, now=container.clock.now(), channel="fax", branch="BJ01", actor="x"
        )
    assert err.value.field == "channel"


def test_messages_are_ordered_and_idempotent_by_client_id(container: Container) -> None:
    # REQ: ACC-1 — the transcript is ordered; a resend does not duplicate.
    cid = open_chat(container)
    with container.uow() as s:
        a = service.post_message(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            author_kind="customer",
            text="你好",
            client_msg_id="m1",
        )
        b = service.post_message(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            author_kind="customer",
            text="在吗",
            client_msg_id="m2",
        )
        again = service.post_message(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            author_kind="customer",
            text="你好",
            client_msg_id="m1",
        )
    assert (a.message.seq, b.message.seq) == (1, 2)
    assert again.duplicate and again.message.id == a.message.id
    with container.uow() as s:
        assert [
            m.text for m in service.transcript(scope=SYSTEM, session=s, consultation_id=cid)
        ] == [
            "你好",
            "在吗",
        ]


def test_customer_password_is_redacted_before_it_is_stored(container: Container) -> None:
    # REQ: RSK-3 — the system never stores passwords; the customer is warned.
    cid = open_chat(container)
    with container.uow() as s:
        posted = service.post_message(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            author_kind="customer",
            text="我的密码是 861234 帮我查下",
        )
    assert "861234" not in posted.message.text
    assert posted.warning
    with container.uow() as s:
        assert (
            "861234" not in service.transcript(scope=SYSTEM, session=s, consultation_id=cid)[0].text
        )


def test_first_agent_reply_stamps_first_response(container: Container, clock: FakeClock) -> None:
    # REQ: ACC-2 — first-response time is recorded.
    cid = open_chat(container)
    clock.advance(12)
    with container.uow() as s:
        service.post_message(
            session=s,
            now=clock.now(),
            consultation_id=cid,
            author_kind="agent",
            author_id="usr_a",
            text="您好，我是示例银行客服李娜",
        )
        c = service.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
    assert c.first_response_at is not None
    assert (c.first_response_at - c.opened_at).total_seconds() == 12


def test_illegal_move_is_refused_and_writes_nothing(container: Container) -> None:
    cid = open_chat(container)
    with pytest.raises(IllegalTransition), container.uow() as s:
        service.move(
            session=s, now=container.clock.now(), consultation_id=cid, move=Move.RESOLVE, actor="a"
        )
    with container.uow() as s:
        assert (
            service.get_consultation(scope=SYSTEM, session=s, consultation_id=cid).status
            == Status.QUEUED
        )
        assert len(service.timeline(scope=SYSTEM, session=s, consultation_id=cid)) == 1


def test_full_lifecycle_records_every_move_with_actor(container: Container) -> None:
    cid = open_chat(container)
    with container.uow() as s:
        for m in (Move.ACCEPT, Move.WAIT_FOR_CUSTOMER):
            service.move(
                session=s, now=container.clock.now(), consultation_id=cid, move=m, actor="usr_a"
            )
        service.post_message(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            author_kind="customer",
            text="我回来了",
        )
        for m in (Move.RESOLVE, Move.CLOSE, Move.REOPEN):
            service.move(
                session=s, now=container.clock.now(), consultation_id=cid, move=m, actor="usr_a"
            )
        kinds = [e.kind for e in service.timeline(scope=SYSTEM, session=s, consultation_id=cid)]
    assert kinds == [
        "opened",
        "accept",
        "wait_for_customer",
        "customer_replied",
        "resolve",
        "close",
        "reopen",
    ]


def test_message_to_a_closed_consultation_is_refused(container: Container) -> None:
    cid = open_chat(container)
    with container.uow() as s:
        service.move(
            session=s, now=container.clock.now(), consultation_id=cid, move=Move.CLOSE, actor="a"
        )
    with pytest.raises(Conflict), container.uow() as s:
        service.post_message(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            author_kind="customer",
            text="还有个问题",
        )


def test_restate_and_confirm(container: Container) -> None:
    # REQ: ACP-1 — the agent's summary is recorded and confirmed by the customer.
    cid = open_chat(container)
    with container.uow() as s, pytest.raises(Conflict):
        service.confirm_summary(
            session=s, now=container.clock.now(), consultation_id=cid, actor="customer"
        )
    with container.uow() as s:
        service.restate_problem(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            summary="客户想了解信用卡提额的条件",
            actor="usr_a",
        )
        c = service.confirm_summary(
            session=s, now=container.clock.now(), consultation_id=cid, actor="customer"
        )
    assert c.summary == "客户想了解信用卡提额的条件"
    assert c.summary_confirmed_at is not None


def test_returning_customer_sees_earlier_consultations(container: Container) -> None:
    # REQ: ACC-5 — the agent sees the customer's earlier consultations at once.
    with container.uow() as s:
        cust = customers.register_customer(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name="王芳",
            branch="BJ01",
            phone="+86 138-0013-8000",
        )
    first = open_chat(container, customer_id=cust.id)
    container.clock.advance(3600)  # type: ignore[attr-defined]
    second = open_chat(container, customer_id=cust.id)
    with container.uow() as s:
        found = customers.find_by_phone(
            session=s, index_key=container.index_key, phone="13800138000"
        )
        assert found is not None and found.id == cust.id
        assert found.phone_masked == "138****8000"
        history = service.customer_history(scope=SYSTEM, session=s, customer_id=cust.id)
    assert [c.id for c in history] == [second, first]


def test_unknown_consultation_is_not_found(container: Container) -> None:
    with pytest.raises(NotFound), container.uow() as s:
        service.get_consultation(scope=SYSTEM, session=s, consultation_id="con_nope")
