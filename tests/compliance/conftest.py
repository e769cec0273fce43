"""An in-memory SQLite session holding only the compliance tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from consultdesk.compliance import tables
from consultdesk.db.base import Base

TABLES = [
    tables.ViolationRecordRow.__table__,
    tables.QaCaseRow.__table__,
    tables.SuitabilityDecisionRow.__table__,
    tables.DrillResultRow.__table__,
]


@pytest.fixture
def db_session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
