"""Shared fixtures: every database-backed test runs on SQLite AND PostgreSQL.

SQLite: one migrated template file per run, copied for each test (real file, WAL).
PostgreSQL: one schema per run at 127.0.0.1:5432/test, migrated once; every table is
truncated after each test. Without a reachable PostgreSQL the postgres half is skipped,
unless CONSULTDESK_REQUIRE_POSTGRES=1 (CI), where it fails instead.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, text

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from consultdesk.staff import passwords
from consultdesk.staff import service as staff
from consultdesk.web.app import create_app
from tests.pg import PG_URL, REQUIRE_PG

# argon2id with a small cost keeps hundreds of sign-ins in the suite fast; production
# uses the RFC 9106 low-memory profile (staff/passwords.py).
passwords.use_cheap_hashing_for_tests()

SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    c = bootstrap(_settings(f"sqlite:///{path}"))
    upgrade(c.engine)
    c.close()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    problem = _pg_available()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (CONSULTDESK_REQUIRE_POSTGRES=1) but: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    c = bootstrap(_settings(PG_URL, schema=schema))
    upgrade(c.engine)
    c.close()
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _settings(url: str, *, schema: str | None = None, **extra: Any) -> Settings:
    return Settings(
        database_url=url, database_schema=schema, secret_key=SECRET, environment="test", **extra
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings pointing at a freshly migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        yield _settings(f"sqlite:///{path}", data_dir=tmp_path)
        return
    schema: str = request.getfixturevalue("pg_schema")
    yield _settings(PG_URL, schema=schema, data_dir=tmp_path)
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    with engine.begin() as conn:
        _empty_postgres_schema(conn, schema)
    engine.dispose()


def _empty_postgres_schema(conn: Connection, schema: str) -> None:
    """Delete every row the test left behind. Only tables that hold rows are touched, and
    DELETE with triggers (and so foreign-key checks) off is much cheaper than TRUNCATE on
    a schema of fifty small tables."""
    names = (
        conn.execute(
            text(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = :s AND tablename <> 'alembic_version'"
            ),
            {"s": schema},
        )
        .scalars()
        .all()
    )
    probe = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    filled = conn.execute(text(probe)).scalars().all()
    if filled:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for name in filled:
            conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def container(db_settings: Settings, clock: FakeClock) -> Iterator[Container]:
    c = bootstrap(db_settings, clock=clock)
    with c.uow() as session:
        seed_session_only(session)
    yield c
    c.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as tc:
        yield tc


PASSWORD = "Correct-horse-42"


@pytest.fixture
def make_user(container: Container) -> Any:
    """Create a staff member; returns (member, password)."""

    def make(role: str, *, username: str | None = None, branch: str = "HO") -> Any:
        with container.uow() as session:
            member = staff.create_user(
                session=session,
                now=container.clock.now(),
                username=username or f"{role.replace('_', '')}{secrets.token_hex(2)}",
                display_name="测试用户",
                role=role,
                branch=branch,
                password=PASSWORD,
            )
        return member

    return make


@pytest.fixture
def auth_headers(client: TestClient, make_user: Any) -> Any:
    """Bearer-token headers for a new member of ``role``."""

    def headers(role: str, *, branch: str = "HO") -> dict[str, str]:
        member = make_user(role, branch=branch)
        r = client.post(
            "/api/v1/auth/token", json={"username": member.username, "password": PASSWORD}
        )
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    return headers
