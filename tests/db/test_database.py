from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from consultdesk.bootstrap import Container
from consultdesk.db.checkpoint import AUTOCHECKPOINT_PAGES, WalCheckpointer
from consultdesk.db.engine import make_engine
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


def test_background_checkpoint_copies_the_wal_back(tmp_path: Path) -> None:
    # Chat commits never run the checkpoint themselves; the checkpointer does (ACC-1 latency).
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        for i in range(200):
            conn.exec_driver_sql("INSERT INTO t VALUES (?)", (f"row {i}",))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOCHECKPOINT_PAGES
    busy, wal_frames, copied = WalCheckpointer(engine).checkpoint()
    assert busy == 0
    assert wal_frames > 0
    assert copied == wal_frames
    engine.dispose()
