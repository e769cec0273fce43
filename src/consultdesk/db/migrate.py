"""Alembic, driven from code: ``consultdesk db upgrade|current|downgrade|check`` and the
test fixtures call this. The history is linear: one head (``tests/db`` fails on two)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from consultdesk.shared.errors import ValidationFailed

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def heads() -> list[str]:
    """The newest revisions of the history; exactly one while the history is linear."""
    return list(script_directory().get_heads())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to run again."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except CommandError as exc:
        raise ValidationFailed(f"无法迁移到 {revision}：{exc}", field="revision") from None


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back to ``revision``; ``-N`` steps back N revisions. One step back
    from the merge revision leaves the database at the feature heads it joined."""
    if current_revisions(engine) == []:
        raise ValidationFailed("数据库尚未迁移，无可回退的版本", field="revision")
    config = alembic_config(engine)
    try:
        if revision.startswith("-") and revision[1:].isdigit():
            for _ in range(int(revision[1:])):
                _step_back(engine, config)
        else:
            command.downgrade(config, revision)
    except CommandError as exc:
        raise ValidationFailed(f"无法回退到 {revision}：{exc}", field="revision") from None


def _step_back(engine: Engine, config: Config) -> None:
    revs = current_revisions(engine)
    if not revs:
        raise ValidationFailed("已回退到最初，没有更早的版本", field="revision")
    if len(revs) > 1:
        raise ValidationFailed(
            f"数据库位于多个分支（{'+'.join(revs)}），请指明要回退到的版本", field="revision"
        )
    script = script_directory().get_revision(revs[0])
    if script is not None and script.is_merge_point:
        # Alembic cannot walk "-1" from a merge; naming any parent undoes only the merge.
        parents = script._normalized_down_revisions
        command.downgrade(config, parents[0])
    else:
        command.downgrade(config, "-1")


def current_revisions(engine: Engine) -> list[str]:
    """The revisions the database is at: one on a linear history, several only below
    the merge of the feature heads, none before the first upgrade."""
    with engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


def current_revision(engine: Engine) -> str | None:
    """The single revision the database is at, or several joined by ``+``."""
    revs = current_revisions(engine)
    return "+".join(revs) if revs else None


@dataclass(frozen=True, slots=True)
class SchemaCheck:
    """What ``db check`` reports: where the database is, where the code is, and every
    difference between the migrated tables and the table definitions."""

    current: list[str]
    head: str
    differences: list[str]

    @property
    def up_to_date(self) -> bool:
        return self.current == [self.head]

    @property
    def ok(self) -> bool:
        return self.up_to_date and not self.differences


def _describe(diff: Any) -> str:
    if isinstance(diff, list):  # column modifications come grouped
        return "; ".join(_describe(d) for d in diff)
    op, *args = diff
    names = [getattr(a, "name", None) or str(a) for a in args if a is not None][:3]
    return f"{op} {' '.join(str(n) for n in names)}".strip()


def check(engine: Engine) -> SchemaCheck:
    """Compare the migrated database with the table definitions in the code."""
    from consultdesk.db.registry import load_all_tables

    (head,) = heads()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        current = sorted(ctx.get_current_heads())
        diffs = compare_metadata(ctx, load_all_tables()) if current else []
    return SchemaCheck(current=current, head=head, differences=[_describe(d) for d in diffs])


def new_revision(
    *,
    message: str,
    rev_id: str,
    url: str = "sqlite:////tmp/consultdesk-autogen.sqlite3",
) -> None:
    """Autogenerate the next migration (on top of the single head) from the difference
    between the migrated schema and the tables in ``consultdesk.db.registry``. Review
    the file: keep only your own tables."""
    from consultdesk.db.engine import make_engine

    db_file = Path(url.removeprefix("sqlite:///"))
    db_file.unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    command.revision(alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id)
