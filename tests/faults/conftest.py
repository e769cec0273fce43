"""Fault tests (issue 12 item 5): real processes, real PostgreSQL, outside systems that
stall or die. Each test owns a fresh schema (or a private cluster), so the processes it
starts see exactly its rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from tests.conftest import SECRET
from tests.pg import PG_URL, schema_name


@pytest.fixture
def pg_container(tmp_path: Path) -> Iterator[Container]:
    """A container on a new, migrated and seeded schema of the shared test database; its
    clock is a FakeClock at the real time (tests move it back to make things overdue)."""
    with schema_name("fault") as schema:
        settings = Settings(
            database_url=PG_URL,
            database_schema=schema,
            secret_key=SECRET,
            environment="test",
            data_dir=tmp_path,
        )
        c = bootstrap(settings, clock=FakeClock(datetime.now(UTC)))
        try:
            upgrade(c.engine)
            with c.uow() as s:
                seed_session_only(s)
            yield c
        finally:
            c.close()
