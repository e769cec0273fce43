from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from consultdesk.db.engine import make_engine
from consultdesk.db.migrate import upgrade
from consultdesk.security.crypto import KeyRing, new_keyring
from consultdesk.security.tables import OtpChallengeRow
from tests.pg import private_schema

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class ExampleBase(DeclarativeBase):
    """A private base so the example table never joins the application's metadata."""


class CustomerCardRow(ExampleBase):
    """A tiny example table with two sealed columns, as a feature would write one."""

    __tablename__ = "example_customer_cards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))  # not sensitive, stored plain
    card_number: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(200))


@pytest.fixture
def keyring() -> KeyRing:
    return new_keyring("k1")


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    ExampleBase.metadata.create_all(eng)
    OtpChallengeRow.metadata.create_all(eng, tables=[OtpChallengeRow.__table__])  # type: ignore[list-item]
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def sqlite_file_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'security.db'}"
    eng = make_engine(url)
    upgrade(eng)  # a migrated database, as `keys rotate` meets in production
    ExampleBase.metadata.create_all(eng)
    eng.dispose()
    return url


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """An engine on a private, uniquely named schema of the shared PostgreSQL database."""
    with private_schema("security", pool_size=8) as eng:
        OtpChallengeRow.metadata.create_all(eng, tables=[OtpChallengeRow.__table__])  # type: ignore[list-item]
        yield eng
