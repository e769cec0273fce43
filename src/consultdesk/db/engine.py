"""Engines and the unit of work.

SQLite (embedded default) runs in WAL mode with foreign keys on and full fsync, so an
acknowledged write survives a killed process. PostgreSQL is the production database;
a schema may be chosen through ``search_path`` (tests use one schema per run).
"""

from __future__ import annotations

import os
import socket
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from consultdesk.db.checkpoint import AUTOCHECKPOINT_PAGES

PG_CONNECT_TIMEOUT_S = 5


def make_engine(url: str, *, schema: str | None = None, echo: bool = False) -> Engine:
    """Create an engine with the pragmas and pool settings this product relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # Take the write lock at BEGIN so read-then-write transactions never deadlock
        # on lock upgrade; pysqlite's own BEGIN handling is switched off.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # A database host that drops packets (rather than refusing) would otherwise hold a
    # connection attempt, and the event loop of a web process that reads on it, until TCP
    # gives up (minutes): 5 s, then the request answers 503 like any outage. A
    # ``connect_timeout`` in the URL wins.
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args
    )
    _ORIGIN_SALT[engine] = uuid.uuid4().hex[:8]
    event.listen(engine, "connect", _mark_origin(engine))
    return engine


# Every PostgreSQL connection says which process it belongs to (the ``consultdesk.origin``
# setting), so the chat-message trigger can tell a process's own inserts from the others'
# (consultations/fanout.py). The pid is read at connect time: right after a fork too.
_ORIGIN_SALT: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def origin_of(engine: Engine) -> str:
    """This process's name on ``engine``'s connections."""
    return f"{socket.gethostname()}:{os.getpid()}:{_ORIGIN_SALT.get(engine, '-')}"


def _mark_origin(engine: Engine) -> Any:
    ref = weakref.ref(engine)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        found = ref()
        if found is None:
            return
        with dbapi_connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('consultdesk.origin', %s, false)", (origin_of(found),)
            )
        dbapi_connection.commit()

    return on_connect


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Checkpoints run in the background (db/checkpoint.py), not inside a chat commit.
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()


class UnitOfWork:
    """Opens a session per use case; commits when the block succeeds, rolls back otherwise."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for a read that changes nothing. On PostgreSQL its connection runs in
        autocommit: no BEGIN and COMMIT round trips (each statement sees the data committed
        when it starts). On SQLite the usual transaction. Used by the API's most frequent
        reads (``web.deps.read_on_one_connection``)."""
        if self.engine.dialect.name != "postgresql":
            with self() as session:
                yield session
            return
        with self.engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            session = Session(bind=autocommit, expire_on_commit=False, autoflush=False)
            try:
                yield session
            finally:
                session.close()
