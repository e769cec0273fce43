"""Alembic, driven from code: ``consultdesk db upgrade`` and the test fixtures call this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision``; safe to run again."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def new_revision(
    *,
    message: str,
    rev_id: str,
    base: str = "0002",
    url: str = "sqlite:////tmp/consultdesk-autogen.sqlite3",
) -> None:
    """Autogenerate a migration (on top of ``base``) from the difference between the
    migrated schema and the tables in ``consultdesk.db.registry``. Several features may
    branch from the same base; ``upgrade`` applies all heads. Review the file: keep only
    your own tables."""
    from pathlib import Path as _Path

    from consultdesk.db.engine import make_engine

    db_file = _Path(url.removeprefix("sqlite:///"))
    db_file.unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    command.revision(
        alembic_config(engine),
        message=message,
        autogenerate=True,
        rev_id=rev_id,
        head=base,
        splice=True,
    )
