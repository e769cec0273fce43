"""`consultdesk audit verify` and `consultdesk audit search` (RSK-2).

`verify` exits 0 printing "审计日志完整 N 条", or exits 1 naming the first bad entry.
The database comes from `--database-url` or the CONSULTDESK_DATABASE_URL variable.
Times given to `search` without an offset are read as Beijing time (UTC+8).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import typer
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from consultdesk.audit.service import search, verify_chain
from consultdesk.shared.errors import DomainError, ValidationFailed

BEIJING = timezone(timedelta(hours=8), "CST")

DatabaseUrl = Annotated[
    str,
    typer.Option(
        "--database-url", envvar="CONSULTDESK_DATABASE_URL", help="SQLAlchemy database URL"
    ),
]


def _parse_time(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"时间格式错误：{text}（应为 ISO 8601，如 2026-03-02T09:00）", field=field
        ) from None
    return (value if value.tzinfo else value.replace(tzinfo=BEIJING)).astimezone(UTC)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=1)


def register(root: typer.Typer) -> None:
    """Mount the `audit` command group on the root `consultdesk` app."""
    app = typer.Typer(help="审计日志：校验完整性、检索记录", no_args_is_help=True)

    @app.command("verify")
    def verify_command(database_url: DatabaseUrl) -> None:
        """校验审计日志哈希链；完整时退出码 0，否则 1 并指出第一条异常记录。"""
        try:
            engine = create_engine(database_url)
            with Session(engine) as session:
                result = verify_chain(session=session)
        except SQLAlchemyError as exc:
            raise _fail(f"无法读取审计日志：{type(exc).__name__}") from None
        except DomainError as exc:
            raise _fail(exc.message) from None
        if result.ok:
            typer.echo(f"审计日志完整 {result.count} 条")
            return
        raise _fail(f"审计日志异常：第 {result.first_bad_seq} 条，{result.reason}")

    @app.command("search")
    def search_command(
        *,
        database_url: DatabaseUrl,
        actor: Annotated[str | None, typer.Option(help="操作人")] = None,
        action: Annotated[str | None, typer.Option(help="操作类型")] = None,
        subject: Annotated[str | None, typer.Option(help="操作对象")] = None,
        since: Annotated[str | None, typer.Option(help="起始时间（含），ISO 8601")] = None,
        until: Annotated[str | None, typer.Option(help="截止时间（不含），ISO 8601")] = None,
        limit: Annotated[int, typer.Option(help="最多返回条数")] = 100,
    ) -> None:
        """按操作人、操作类型、对象、时间检索审计记录（最新在前）。"""
        try:
            engine = create_engine(database_url)
            with Session(engine) as session:
                entries = search(
                    session=session,
                    actor=actor,
                    action=action,
                    subject=subject,
                    since=_parse_time(since, "since"),
                    until=_parse_time(until, "until"),
                    limit=limit,
                )
        except SQLAlchemyError as exc:
            raise _fail(f"无法读取审计日志：{type(exc).__name__}") from None
        except DomainError as exc:
            raise _fail(exc.message) from None
        for entry in entries:
            when = entry.time.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            typer.echo(
                f"{entry.seq}\t{when}\t{entry.actor}\t{entry.action}\t{entry.subject}\t"
                f"{entry.details}"
            )
        typer.echo(f"共 {len(entries)} 条")

    root.add_typer(app, name="audit")
