from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from consultdesk.audit.tables import AuditChainHeadRow, AuditCheckpointRow, AuditEntryRow

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AUDIT_TABLES = [
    AuditEntryRow.__table__,
    AuditChainHeadRow.__table__,
    AuditCheckpointRow.__table__,
]


def create_audit_tables(engine: Engine) -> None:
    AuditEntryRow.metadata.create_all(engine, tables=AUDIT_TABLES)  # type: ignore[arg-type]


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    create_audit_tables(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def sqlite_file_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    eng = create_engine(url)
    create_audit_tables(eng)
    eng.dispose()
    return url


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """An engine on a private, uniquely named schema of the shared PostgreSQL database."""
    schema = f"audit_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CONSULTDESK_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    eng = create_engine(PG_URL, pool_size=4)

    @event.listens_for(eng, "connect")
    def _search_path(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{schema}"')
        dbapi_connection.commit()

    create_audit_tables(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
