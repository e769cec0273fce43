"""Chat across processes on PostgreSQL (ACC-1): a message stored by one process reaches
the sockets another process holds, through LISTEN/NOTIFY, and a listener that lost its
connection catches up from the stored transcript."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.consultations import service, visitors
from consultdesk.consultations.chat import Hub, Subscriber, hub_for
from consultdesk.consultations.fanout import ChatFanout
from consultdesk.consultations.messages import AuthorKind
from consultdesk.settings import Settings

pytestmark = pytest.mark.postgres


class Recorder(Subscriber):
    def __init__(self) -> None:
        loop = asyncio.new_event_loop()
        loop.close()  # never used: deliver is overridden
        super().__init__(loop)
        self.events: list[str] = []

    def deliver(self, event: str) -> None:
        self.events.append(event)

    def seqs(self) -> list[int]:
        import json

        return [json.loads(e)["message"]["seq"] for e in self.events]


def wait_for(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.fixture
def pg_container(db_settings: Settings) -> Iterator[Container]:
    if not db_settings.database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    c = bootstrap(db_settings)
    yield c
    c.close()


@pytest.fixture
def other_process(db_settings: Settings) -> Iterator[Container]:
    """A second container: its own engine, so its connections carry another origin."""
    c = bootstrap(db_settings)
    yield c
    c.close()


def post(c: Container, cid: str, text_: str) -> None:
    with c.uow() as s:
        service.post_message(
            session=s,
            now=c.clock.now(),
            consultation_id=cid,
            author_kind=AuthorKind.CUSTOMER,
            text=text_,
        )


def open_chat(c: Container) -> str:
    from consultdesk.demo import seed_session_only

    with c.uow() as s:
        seed_session_only(s)
        chat = visitors.open_visitor_chat(
            session=s, now=c.clock.now(), index_key=c.index_key, branch="BJ01"
        )
    return chat.consultation.id


def test_a_message_another_process_stored_reaches_this_process_once(
    pg_container: Container, other_process: Container
) -> None:
    cid = open_chat(pg_container)
    hub = hub_for(pg_container)
    relay = pg_container.attached.fanout
    assert isinstance(relay, ChatFanout)
    wait_for(relay.listening.is_set)
    rec = Recorder()
    hub.subscribe(cid, rec)
    post(other_process, cid, "另一个进程写入的消息")
    wait_for(lambda: rec.seqs() == [1])
    # This process's own inserts are not read back from the notification: the ingest
    # writer or the bot publishes them (with the sender left out) after their commit.
    post(pg_container, cid, "本进程写入")
    time.sleep(0.5)
    assert rec.seqs() == [1]


def test_after_a_lost_connection_the_listener_catches_up_without_repeats(
    pg_container: Container, other_process: Container
) -> None:
    cid = open_chat(pg_container)
    hub = hub_for(pg_container)
    relay = pg_container.attached.fanout
    assert isinstance(relay, ChatFanout)
    wait_for(relay.listening.is_set)
    rec = Recorder()
    hub.subscribe(cid, rec)
    post(other_process, cid, "第一条")
    wait_for(lambda: rec.seqs() == [1])
    # Cut the listening connection (as a PostgreSQL restart would), write meanwhile.
    with other_process.engine.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"
                " AND query LIKE :channel"
            ),
            {"channel": f"%{pg_container.settings.database_schema}%"},
        ).all()
    assert killed
    for n in range(3):
        post(other_process, cid, f"断线期间 {n}")
    wait_for(lambda: relay.reconnects >= 1)
    wait_for(lambda: rec.seqs() == [1, 2, 3, 4])
    post(other_process, cid, "恢复之后")
    wait_for(lambda: rec.seqs() == [1, 2, 3, 4, 5])


def test_the_hub_sends_each_sequence_number_once() -> None:
    from datetime import UTC, datetime

    from consultdesk.consultations.messages import Message

    hub = Hub()
    rec = Recorder()
    hub.subscribe("con_1", rec)
    m = Message(
        id="msg_1",
        consultation_id="con_1",
        seq=7,
        author_kind=AuthorKind.AGENT,
        author_id=None,
        text="您好",
        client_msg_id=None,
        created_at=datetime(2026, 12, 6, tzinfo=UTC),
        redacted=(),
    )
    hub.deliver_remote([m, m])
    hub.publish(None, service.Posted(m, duplicate=False))
    assert rec.seqs() == [7]
    assert hub.following() == {"con_1": 7}
