"""An in-memory SQLite session holding only the AML tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from consultdesk.aml.tables import AmlAlertRow
from consultdesk.db.base import Base


@pytest.fixture
def db_session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[AmlAlertRow.__table__])
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
