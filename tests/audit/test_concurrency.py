"""Two writers appending at once never share a seq or a prev_hash (RSK-2)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.orm import Session

from consultdesk.audit.service import record, verify_chain
from consultdesk.audit.tables import AuditEntryRow

from .conftest import NOW

PER_WRITER = 200


def run_writers(engine: Engine, writers: int = 2) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(name: str) -> None:
        try:
            start.wait()
            for i in range(PER_WRITER):
                with Session(engine) as session:
                    record(
                        session=session,
                        now=NOW + timedelta(milliseconds=i),
                        actor=name,
                        action="consultation.view",
                        subject=f"consultation:{i}",
                        details={"i": i},
                        checkpoint_every=50,
                    )
                    session.commit()
        except BaseException as exc:  # reported by the test, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"writer-{n}",)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_gapless_and_verified(engine: Engine) -> None:
    with Session(engine) as session:
        seqs = list(session.scalars(select(AuditEntryRow.seq).order_by(AuditEntryRow.seq)))
        result = verify_chain(session=session)
    assert seqs == list(range(1, 2 * PER_WRITER + 1))
    assert result.ok, result.reason
    assert result.count == 2 * PER_WRITER


# REQ: RSK-2
def test_two_threads_on_sqlite_file_keep_one_gapless_chain(sqlite_file_url: str) -> None:
    engine = create_engine(sqlite_file_url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _wal(dbapi_connection: Any, _record: Any) -> None:
        # WAL as the desk runs it; synchronous=NORMAL keeps 400 commits fast on a shared disk.
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    try:
        assert run_writers(engine) == []
        assert_gapless_and_verified(engine)
    finally:
        engine.dispose()


# REQ: RSK-2
@pytest.mark.postgres
def test_two_threads_on_postgres_keep_one_gapless_chain(pg_engine: Engine) -> None:
    with pg_engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_entries, audit_chain_head, audit_checkpoints"))
    assert run_writers(pg_engine) == []
    assert_gapless_and_verified(pg_engine)
