"""`consultdesk kb ...`: import, export, publish, list, load-demo."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from consultdesk.db.engine import make_engine
from consultdesk.db.migrate import upgrade
from consultdesk.knowledge import io, service
from consultdesk.knowledge.model import (
    BUSINESS_LINE_NAMES,
    STATUS_NAMES,
    BulletinId,
    BusinessLine,
    EntryId,
    UserId,
)
from consultdesk.shared.clock import Clock, SystemClock
from consultdesk.shared.errors import DomainError

DEFAULT_DATABASE_URL = "sqlite:///data/consultdesk.sqlite3"

DatabaseUrl = Annotated[
    str,
    typer.Option(
        "--database-url", envvar="CONSULTDESK_DATABASE_URL", help="SQLAlchemy database URL"
    ),
]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="csv | jsonl | xlsx (default: from the suffix)")
]


def open_sessions(url: str) -> sessionmaker[Session]:
    """Sessions on `url`, its schema migrated to the newest revision first."""
    engine = make_engine(url)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


# Replaceable seams for wiring and tests.
session_factory: Callable[[str], sessionmaker[Session]] = open_sessions
clock: Clock = SystemClock()


@contextmanager
def _unit_of_work(url: str) -> Iterator[Session]:
    with session_factory(url)() as session, session.begin():
        yield session


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn what a user can get wrong into one line on stderr and exit code 1."""
    try:
        yield
    except DomainError as error:
        message = error.message
    except SQLAlchemyError as error:
        message = (
            f"数据库不可用或地址有误（{type(error).__name__}），请检查 CONSULTDESK_DATABASE_URL"
        )
    except OSError as error:
        message = f"无法读写文件：{error.filename or error}"
    else:
        return
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code=1)


kb = typer.Typer(help="知识库：导入、导出、发布、查看", no_args_is_help=True)


@kb.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV / JSONL / XLSX file")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    file_format: FormatOption = None,
    author: Annotated[str, typer.Option("--author", help="who authored the batch")] = "import",
) -> None:
    """Import entries (all or nothing); new versions go to review."""
    with _user_errors():
        specs = io.read_entries(file, io.format_of(file, file_format))
        with _unit_of_work(database_url) as session:
            report = service.import_entries(
                session=session, now=clock.now(), specs=specs, author=UserId(author)
            )
    typer.echo(
        f"导入完成：新增 {len(report.created)} 条，更新 {len(report.revised)} 条，"
        f"未变 {len(report.unchanged)} 条（新版本待审核）"
    )


@kb.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="CSV / JSONL / XLSX file to write")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    file_format: FormatOption = None,
) -> None:
    """Export every non-archived entry's latest version."""
    with _user_errors():
        fmt = io.format_of(file, file_format)
        with _unit_of_work(database_url) as session:
            specs = service.export_entries(session=session)
        io.write_entries(file, fmt, specs)
    typer.echo(f"已导出 {len(specs)} 条到 {file}")


@kb.command("publish")
def publish_command(
    entry_id: Annotated[str, typer.Argument(help="entry id, e.g. DEP-001")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="reviewer user id (≠ author)")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """Publish an entry's version under review."""
    with _user_errors(), _unit_of_work(database_url) as session:
        entry = service.publish(
            session=session,
            now=clock.now(),
            entry_id=EntryId(entry_id),
            reviewer=UserId(reviewer),
        )
    typer.echo(f"已发布 {entry.id} 第 {entry.latest.number} 版")


@kb.command("list")
def list_command(
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array")] = False,
    line: Annotated[
        BusinessLine | None, typer.Option("--line", help="only this business line")
    ] = None,
) -> None:
    """List entries with their latest version and status."""
    with _user_errors(), _unit_of_work(database_url) as session:
        entries = service.list_entries(session=session, business_line=line)
        now = clock.now()
        rows = [
            {
                "entry_id": e.id,
                "business_line": e.business_line.value,
                "version": e.latest.number,
                "status": e.latest.status.value,
                "answerable": e.is_answerable(now),
                "standard_question": e.latest.content.standard_question,
            }
            for e in entries
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for e in entries:
        typer.echo(
            f"{e.id}\t{BUSINESS_LINE_NAMES[e.business_line]}\tv{e.latest.number}\t"
            f"{STATUS_NAMES[e.latest.status]}\t{e.latest.content.standard_question}"
        )


@kb.command("load-demo")
def load_demo_command(
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    author: Annotated[str, typer.Option("--author")] = "demo-author",
    reviewer: Annotated[str, typer.Option("--reviewer")] = "demo-reviewer",
) -> None:
    """Import and publish the Demo Bank (示例银行) FAQ."""
    with _user_errors(), _unit_of_work(database_url) as session:
        report = service.load_demo_knowledge_base(
            session=session, now=clock.now(), author=UserId(author), reviewer=UserId(reviewer)
        )
    typer.echo(
        f"示例知识库已发布：新增 {len(report.created)} 条，更新 {len(report.revised)} 条，"
        f"未变 {len(report.unchanged)} 条"
    )


@kb.command("bulletins")
def bulletins_command(
    agent: Annotated[str, typer.Option("--agent", help="agent user id")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array")] = False,
) -> None:
    """Bulletins the agent has not yet acknowledged (shift start, PREP-2)."""
    with _user_errors(), _unit_of_work(database_url) as session:
        pending = service.unacknowledged_bulletins(
            session=session, now=clock.now(), agent=UserId(agent)
        )
    if as_json:
        rows = [
            {"bulletin_id": b.id, "kind": b.kind.value, "title": b.title, "body": b.body}
            for b in pending
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not pending:
        typer.echo("没有待确认的公告")
    for b in pending:
        typer.echo(f"{b.id}\t{b.title}\n  {b.body}")


@kb.command("ack")
def ack_command(
    bulletin_id: Annotated[str, typer.Argument(help="bulletin id")],
    agent: Annotated[str, typer.Option("--agent", help="agent user id")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """Acknowledge a bulletin as read."""
    with _user_errors(), _unit_of_work(database_url) as session:
        ack = service.acknowledge_bulletin(
            session=session,
            now=clock.now(),
            bulletin_id=BulletinId(bulletin_id),
            agent=UserId(agent),
        )
    typer.echo(f"已确认公告 {bulletin_id}（{ack.at.isoformat()}）")


def register(root: typer.Typer) -> None:
    """Mount the `kb` command group on the root `consultdesk` app."""
    root.add_typer(kb, name="kb")
