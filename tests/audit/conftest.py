from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from consultdesk.audit.tables import AuditChainHeadRow, AuditCheckpointRow, AuditEntryRow
from tests.pg import private_schema

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
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
    with private_schema("audit", pool_size=4) as eng:
        create_audit_tables(eng)
        yield eng
