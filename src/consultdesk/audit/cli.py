"""`consultdesk audit verify` and `consultdesk audit search` (RSK-2).

`verify` exits 0 printing "审计日志完整 N 条", or exits 1 naming the first bad entry.
Bad input or an unreadable database: one line on stderr, exit 2 (like every command).
The database is the configured one (settings / environment) unless `--database-url`
names another. Times given to `search` without an offset are read as Beijing time (UTC+8).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from consultdesk.audit.service import search, verify_chain
from consultdesk.cli.common import container, fail, print_json, user_errors
from consultdesk.db.engine import make_engine
from consultdesk.shared.errors import ValidationFailed

BEIJING = timezone(timedelta(hours=8), "CST")

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="数据库 URL；不指定时使用配置（CONSULTDESK_DATABASE_URL）"),
]


def _engine(database_url: str | None) -> Engine:
    return make_engine(database_url) if database_url else container().engine


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


def register(root: typer.Typer) -> None:
    """Mount the `audit` command group on the root `consultdesk` app."""
    app = typer.Typer(help="审计日志：校验完整性、检索记录", no_args_is_help=True)

    @app.command("verify")
    def verify_command(database_url: DatabaseUrl = None) -> None:
        """校验审计日志哈希链；完整时退出码 0，否则 1 并指出第一条异常记录。"""
        with user_errors():
            try:
                with Session(_engine(database_url)) as session:
                    result = verify_chain(session=session)
            except SQLAlchemyError as exc:
                raise fail(f"无法读取审计日志（{type(exc).__name__}）") from None
        if result.ok:
            typer.echo(f"审计日志完整 {result.count} 条")
            return
        typer.echo(f"审计日志异常：第 {result.first_bad_seq} 条，{result.reason}", err=True)
        raise typer.Exit(code=1)

    @app.command("search")
    def search_command(
        *,
        database_url: DatabaseUrl = None,
        actor: Annotated[str | None, typer.Option(help="操作人")] = None,
        action: Annotated[str | None, typer.Option(help="操作类型")] = None,
        subject: Annotated[str | None, typer.Option(help="操作对象")] = None,
        since: Annotated[str | None, typer.Option(help="起始时间（含），ISO 8601")] = None,
        until: Annotated[str | None, typer.Option(help="截止时间（不含），ISO 8601")] = None,
        limit: Annotated[int, typer.Option(help="最多返回条数")] = 100,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    ) -> None:
        """按操作人、操作类型、对象、时间检索审计记录（最新在前）。"""
        with user_errors():
            window = (_parse_time(since, "since"), _parse_time(until, "until"))
            try:
                with Session(_engine(database_url)) as session:
                    entries = search(
                        session=session,
                        actor=actor,
                        action=action,
                        subject=subject,
                        since=window[0],
                        until=window[1],
                        limit=limit,
                    )
            except SQLAlchemyError as exc:
                raise fail(f"无法读取审计日志（{type(exc).__name__}）") from None
        if as_json:
            print_json(
                [
                    {
                        "seq": e.seq,
                        "time": e.time,
                        "actor": e.actor,
                        "action": e.action,
                        "subject": e.subject,
                        "details": e.details_dict(),
                        "hash": e.hash,
                    }
                    for e in entries
                ]
            )
            return
        for entry in entries:
            when = entry.time.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            typer.echo(
                f"{entry.seq}\t{when}\t{entry.actor}\t{entry.action}\t{entry.subject}\t"
                f"{entry.details}"
            )
        typer.echo(f"共 {len(entries)} 条")

    root.add_typer(app, name="audit")
