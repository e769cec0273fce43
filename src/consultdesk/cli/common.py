"""What every CLI command shares: the container, JSON output, and clean error lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pydantic
import typer
from sqlalchemy.orm import Session

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.shared.errors import DomainError, Forbidden
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, StaffMember

JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
AsOption = typer.Option(
    ...,
    "--as",
    help="The staff member you act as: their branch limits what you see (RSK-2).",
)


def container() -> Container:
    """The container from the environment; a setting that cannot run (the demo secret in
    production, a missing key file) is one error line and exit 2, not a traceback."""
    try:
        with user_errors():
            return bootstrap()
    except pydantic.ValidationError as exc:
        for err in exc.errors():
            variable = "CONSULTDESK_" + "_".join(str(p) for p in err["loc"]).upper()
            typer.echo(f"错误（{variable}）：{err['msg']}", err=True)
        raise typer.Exit(2) from None


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(type(value).__name__)


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, default=_default))


def fail(message: str, *, code: int = 2) -> typer.Exit:
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a domain error into one line on stderr and exit code 2."""
    try:
        yield
    except DomainError as exc:
        where = f"（{exc.field}）" if exc.field else ""
        typer.echo(f"错误{where}：{exc.message}", err=True)
        raise typer.Exit(2) from None


def acting_member(session: Session, username: str, *permissions: Permission) -> StaffMember:
    """The active member named by ``--as`` holding one of ``permissions``: the command
    line reads with that member's scope, as the console and the API do (RSK-2)."""
    member = staff.find_user(session=session, username=username)
    if not member.active:
        raise Forbidden(f"用户 {username} 已停用", field="as")
    if permissions and not any(member.can(p) for p in permissions):
        raise Forbidden(f"用户 {username} 的角色无权执行此操作", field="as")
    return member


def table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        typer.echo("（无记录）")
        return
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    typer.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        typer.echo("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns))


def stderr(message: str) -> None:
    print(message, file=sys.stderr)
