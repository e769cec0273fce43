"""PostgreSQL for tests: where it is, whether it is required, and a private schema."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

PG_URL = os.environ.get(
    "CONSULTDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# CI sets this so that PostgreSQL tests fail instead of skipping when it is unreachable.
REQUIRE_PG = os.environ.get("CONSULTDESK_REQUIRE_POSTGRES") == "1"


@contextmanager
def private_schema(prefix: str, *, pool_size: int = 4) -> Iterator[Engine]:
    """An engine on a new, uniquely named schema of the shared test database, dropped
    afterwards (several suites may run against the same database at once)."""
    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    engine = create_engine(PG_URL, pool_size=pool_size)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{schema}"')
        dbapi_connection.commit()

    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def schema_name(prefix: str) -> Iterator[str]:
    """A new, empty schema of the shared test database (its name), dropped afterwards;
    for tests that hand the schema to other processes."""
    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
