"""A web process SIGKILLed mid-burst on PostgreSQL, then restarted (issue 12 item 5;
ACC-1).

tests/consultations/test_kill.py covers the kill on SQLite with one process. What this
adds: the production database, a restart of serve afterwards, and the client's side of
recovery: a customer whose app resends every message it had sent (same
``client_msg_id``) after the restart gets "already stored" for each acknowledged one and
never a second copy."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.consultations import visitors
from consultdesk.consultations.tables import MessageRow
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from tests.consultations.test_kill import Acks, chat_burst, free_port, http_burst
from tests.consultations.test_two_processes import SECRET, env_for, serve
from tests.pg import PG_URL, schema_name

pytestmark = pytest.mark.postgres

SOCKETS = 3
KILL_AFTER_ACKS = 150


@pytest.fixture
def chats(tmp_path: Path) -> Iterator[tuple[Container, list[tuple[str, str]], str]]:
    with schema_name("webkill") as schema:
        c = bootstrap(
            Settings(
                database_url=PG_URL,
                database_schema=schema,
                data_dir=tmp_path,
                secret_key=SECRET,
                environment="test",
            )
        )
        try:
            upgrade(c.engine)
            with c.uow() as s:
                seed_session_only(s)
                opened = [
                    visitors.open_visitor_chat(
                        session=s, now=c.clock.now(), index_key=c.index_key, branch="BJ01"
                    )
                    for _ in range(SOCKETS + 1)
                ]
            yield c, [(o.consultation.id, o.token) for o in opened], schema
        finally:
            c.close()


def _text(client_id: str) -> str:
    """What test_kill's bursts sent under ``client_id`` (w<n> by socket, h<n> by HTTP)."""
    n = client_id[1:]
    return f"消息 {n}" if client_id.startswith("w") else f"HTTP 消息 {n}"


def test_acknowledged_messages_survive_a_web_kill_and_resends_are_not_duplicated(
    chats: tuple[Container, list[tuple[str, str]], str], tmp_path: Path
) -> None:
    """Issue 12 item 5 / ACC-1: SIGKILL of serve on PostgreSQL mid-burst loses no
    acknowledged message; after a restart the client's resends answer 200 (already
    stored), never 201, and every (consultation, client_msg_id) is stored once."""
    c, opened, schema = chats
    env = env_for(schema, tmp_path)
    port = free_port()
    server = serve(env, port)
    acks, stop = Acks(), threading.Event()
    senders = [
        threading.Thread(target=chat_burst, args=(port, cid, token, acks, stop))
        for cid, token in opened[:SOCKETS]
    ]
    senders.append(threading.Thread(target=http_burst, args=(port, *opened[SOCKETS], acks, stop)))
    try:
        for t in senders:
            t.start()
        deadline = time.monotonic() + 30
        while len(acks) < KILL_AFTER_ACKS and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(server.pid, signal.SIGKILL)  # mid-burst: the clients are still sending
        server.wait(timeout=10)
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
        for t in senders:
            t.join(timeout=15)
    acknowledged = set(acks.seen)
    assert len(acknowledged) >= KILL_AFTER_ACKS

    with c.uow() as s:
        stored = {
            (m.consultation_id, m.client_msg_id)
            for m in s.scalars(select(MessageRow).where(MessageRow.client_msg_id.is_not(None)))
        }
    lost = acknowledged - stored
    assert not lost, f"{len(lost)} acknowledged messages lost, e.g. {sorted(lost)[:5]}"

    tokens = dict(opened)
    port = free_port()
    server = serve(env, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            answers = {
                (cid, mid): client.post(
                    f"/api/v1/chat/{cid}/messages",
                    json={"text": _text(mid), "client_msg_id": mid},
                    headers={"X-Chat-Token": tokens[cid]},
                ).status_code
                for cid, mid in sorted(acknowledged)
            }
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert set(answers.values()) == {200}, {k: v for k, v in answers.items() if v != 200}

    # The schema's unique (consultation, client_msg_id) backs this; the 200s above are
    # the point: a resend is recognised and answered, not refused with an error.
    with c.uow() as s:
        copies = s.execute(
            select(MessageRow.consultation_id, MessageRow.client_msg_id, func.count())
            .where(MessageRow.client_msg_id.is_not(None))
            .group_by(MessageRow.consultation_id, MessageRow.client_msg_id)
            .having(func.count() > 1)
        ).all()
    assert not copies, f"stored twice: {copies[:5]}"
