"""Chat fan-out across processes through PostgreSQL itself (LISTEN/NOTIFY).

Production runs several web processes (``serve --workers N``) and a worker. A customer's
socket and the agent's may sit in different processes, so each process's hub
(``chat.Hub``) is fed from two sides:

- its own inserts, by the ingest writer and the bot right after their commit (the
  sender's socket gets the ack, everyone else the message);
- everyone else's inserts, through this listener: the ``consultation_messages`` trigger
  (migration 0005) sends ``NOTIFY consultdesk_chat_<schema>`` with the consultation id,
  the sequence number and the inserting process. PostgreSQL delivers a notification only
  when its transaction commits, whatever code path inserted the row. The listener skips
  its own process's announcements and consultations nobody here follows, reads the
  announced rows back in one query and hands them to the hub.

If the listening connection drops (PostgreSQL restarted), it reconnects with backoff
and then reads, for every followed consultation, what was stored since the last message
it delivered: nothing announced during the outage is lost to a following socket.
Clients reconnecting themselves get the stored transcript (``history``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import psycopg
from psycopg import sql
from sqlalchemy import Engine, text

from consultdesk.consultations.messages import Message
from consultdesk.db.engine import UnitOfWork, origin_of

log = logging.getLogger("consultdesk.chat.fanout")

CHANNEL_PREFIX = "consultdesk_chat_"
# Notifications are gathered for at most this long (or BATCH_MAX of them) and read back
# in one query: the window bounds the delivery delay it adds. (It was 0.5 s: the load
# harness measured a 300 ms median cross-process delivery from that alone.)
BATCH_WINDOW_S = 0.02
BATCH_MAX = 200
MAX_BACKOFF_S = 5.0
CATCH_UP_WINDOW = 50  # read back this many sequence numbers before the last delivered


class HubSide(Protocol):
    """What the fan-out needs from the hub (``chat.Hub``)."""

    def following(self) -> dict[str, int]:
        """Followed consultation ids → the last sequence number delivered (0: none)."""
        ...

    def deliver_remote(self, messages: Iterable[Message]) -> None:
        """Push messages stored by other processes to this process's sockets."""
        ...


def channel_for(engine: Engine) -> str:
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{CHANNEL_PREFIX}{schema}"


def conninfo_for(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class ChatFanout:
    """One listening connection per process, on a daemon thread."""

    def __init__(
        self,
        *,
        engine: Engine,
        uow: UnitOfWork,
        hub: HubSide,
        read_messages: Callable[[Any, list[tuple[str, int]]], list[Message]],
        read_after: Callable[[Any, str, int], list[Message]],
    ) -> None:
        self._engine = engine
        self._uow = uow
        self._hub = hub
        self._read_messages = read_messages
        self._read_after = read_after
        self._stop = threading.Event()
        self.listening = threading.Event()
        self.reconnects = 0
        self.delivered = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="chat-fanout", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.2
        first = True
        while not self._stop.is_set():
            try:
                channel = channel_for(self._engine)
                with psycopg.connect(conninfo_for(self._engine), autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    if not first:
                        self.reconnects += 1
                        self._catch_up()
                    first = False
                    backoff = 0.2
                    self.listening.set()
                    own = origin_of(self._engine)
                    while not self._stop.is_set():
                        notes = conn.notifies(timeout=BATCH_WINDOW_S, stop_after=BATCH_MAX)
                        batch = [n.payload for n in notes]
                        if batch:
                            self._handle(batch, own)
            except Exception as exc:  # the database went away: wait, reconnect, catch up
                self.listening.clear()
                log.warning("chat fan-out lost its connection (%s); retrying", type(exc).__name__)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
        self.listening.clear()

    def _handle(self, payloads: list[str], own: str) -> None:
        followed = self._hub.following()
        keys: list[tuple[str, int]] = []
        for raw in payloads:
            try:
                note = json.loads(raw)
                cid, seq, origin = str(note["c"]), int(note["s"]), note.get("o")
            except (ValueError, KeyError, TypeError):
                log.warning("ignoring a malformed chat notification")
                continue
            if origin == own or cid not in followed:
                continue
            keys.append((cid, seq))
        if not keys:
            return
        with self._uow() as session:
            found = self._read_messages(session, keys)
        self.delivered += len(found)
        self._hub.deliver_remote(found)

    def _catch_up(self) -> None:
        """After a reconnect: whatever the followed consultations stored meanwhile."""
        found: list[Message] = []
        with self._uow() as session:
            for cid, last in self._hub.following().items():
                found.extend(self._read_after(session, cid, max(last - CATCH_UP_WINDOW, 0)))
        self._hub.deliver_remote(found)
