"""Group-commit ingest on SQLite and PostgreSQL: one commit for many messages, per-
consultation order, idempotency within and across batches, and a failing message that
does not sink its batch-mates."""

from __future__ import annotations

import pytest

from consultdesk.bootstrap import Container
from consultdesk.consultations import service
from consultdesk.consultations.ingest import Incoming, Ingest, store_batch
from consultdesk.consultations.model import Move, Status
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.scope import SYSTEM


def open_chat(container: Container) -> str:
    with container.uow() as s:
        return service.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="t"
        ).id


def texts(container: Container, cid: str) -> list[str]:
    with container.uow() as s:
        return [m.text for m in service.transcript(scope=SYSTEM, session=s, consultation_id=cid)]


def test_failing_messages_do_not_sink_their_batch_mates(container: Container) -> None:
    cid = open_chat(container)
    closed = open_chat(container)
    with container.uow() as s:
        service.move(
            session=s, now=container.clock.now(), consultation_id=closed, move=Move.CLOSE, actor="t"
        )
    items = [
        Incoming(cid, "customer", "第一条", client_msg_id="m1"),
        Incoming(cid, "customer", "   ", client_msg_id="m2"),
        Incoming("con_missing", "customer", "无处可去", client_msg_id="m3"),
        Incoming(closed, "customer", "已关闭", client_msg_id="m4"),
        Incoming(cid, "nobody", "谁", client_msg_id="m5"),
        Incoming(cid, "customer", "第二条", client_msg_id="bad id"),
        Incoming(cid, "agent", "第三条", author_id="usr_1", client_msg_id="m7"),
        Incoming(cid, "customer", "NUL\x00字符", client_msg_id="m8"),
    ]
    with container.uow() as s:
        outcomes = store_batch(session=s, now=container.clock.now(), items=items).outcomes
    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == [
        "Posted",
        "ValidationFailed",
        "NotFound",
        "Conflict",
        "ValidationFailed",
        "ValidationFailed",
        "Posted",
        "ValidationFailed",
    ]
    assert isinstance(outcomes[2], NotFound)
    assert isinstance(outcomes[3], Conflict)
    assert isinstance(outcomes[1], ValidationFailed)
    assert outcomes[1].field == "text"
    assert isinstance(outcomes[5], ValidationFailed)
    assert outcomes[5].field == "client_msg_id"
    assert texts(container, cid) == ["第一条", "第三条"]


def test_resend_within_one_batch_is_stored_once(container: Container) -> None:
    # REQ: ACC-1
    cid = open_chat(container)
    items = [Incoming(cid, "customer", "你好", client_msg_id="m1")] * 3
    with container.uow() as s:
        outcomes = store_batch(session=s, now=container.clock.now(), items=items).outcomes
    seqs = [(o.message.seq, o.duplicate) for o in outcomes if isinstance(o, service.Posted)]
    assert seqs == [(1, False), (1, True), (1, True)]
    assert texts(container, cid) == ["你好"]


def test_batch_follows_the_lifecycle_rules_of_post_message(container: Container) -> None:
    # A customer's reply to an agent waiting for them puts the consultation back in progress;
    # the agent's first message stamps the first response (ACC-2).
    cid = open_chat(container)
    now = container.clock.now()
    with container.uow() as s:
        service.move(session=s, now=now, consultation_id=cid, move=Move.ACCEPT, actor="usr_1")
    with container.uow() as s:
        store_batch(session=s, now=now, items=[Incoming(cid, "agent", "您好", "usr_1", "a1")])
        service.move(
            session=s, now=now, consultation_id=cid, move=Move.WAIT_FOR_CUSTOMER, actor="usr_1"
        )
    with container.uow() as s:
        store_batch(session=s, now=now, items=[Incoming(cid, "customer", "在的", None, "c1")])
    with container.uow() as s:
        c = service.get_consultation(scope=SYSTEM, session=s, consultation_id=cid)
        kinds = [e.kind for e in service.timeline(scope=SYSTEM, session=s, consultation_id=cid)]
    assert c.status == Status.IN_PROGRESS
    assert c.first_response_at == now
    assert kinds[-1] == "customer_replied"


def test_writer_keeps_order_per_consultation_and_commits_in_batches(
    container: Container,
) -> None:
    # REQ: ACC-1 — ordered; many messages per commit.
    a, b = open_chat(container), open_chat(container)
    ingest = Ingest(uow=container.uow, clock=container.clock, max_batch=64)
    futures = [
        ingest.submit(Incoming(cid, "customer", f"{cid[-4:]}-{i}", client_msg_id=f"m{i}"))
        for i in range(100)
        for cid in (a, b)
    ]
    posted = [f.result(timeout=30) for f in futures]
    assert ingest.batches < len(futures)
    assert texts(container, a) == [f"{a[-4:]}-{i}" for i in range(100)]
    assert [p.message.seq for p in posted if p.message.consultation_id == b] == list(range(1, 101))


def test_writer_reports_a_bad_message_to_its_sender_only(container: Container) -> None:
    cid = open_chat(container)
    ingest = Ingest(uow=container.uow, clock=container.clock)
    good = ingest.submit(Incoming(cid, "customer", "好", client_msg_id="m1"))
    bad = ingest.submit(Incoming(cid, "customer", "", client_msg_id="m2"))
    assert good.result(timeout=30).message.seq == 1
    with pytest.raises(ValidationFailed):
        bad.result(timeout=30)


def test_listeners_hear_every_stored_message_once(container: Container) -> None:
    cid = open_chat(container)
    ingest = Ingest(uow=container.uow, clock=container.clock)
    heard: list[int] = []
    ingest.listeners.append(lambda _item, p: heard.append(p.message.seq))
    for _ in range(2):
        ingest.post(Incoming(cid, "customer", "你好", client_msg_id="m1"))
    ingest.post(Incoming(cid, "customer", "再见", client_msg_id="m2"))
    assert heard == [1, 2]
