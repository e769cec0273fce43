from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from consultdesk.bootstrap import Container
from consultdesk.db.registry import load_all_tables


def test_migrations_match_the_table_definitions(container: Container) -> None:
    with container.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), load_all_tables())
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(container: Container) -> None:
    if container.engine.dialect.name != "sqlite":
        return
    with container.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
