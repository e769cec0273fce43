"""`consultdesk workdays add START N [--table FILE]`: a deadline in working days (CLS-3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from consultdesk.shared.errors import DomainError
from consultdesk.workdays.chinese_calendar_adapter import mainland_calendar
from consultdesk.workdays.domain import add_working_days
from consultdesk.workdays.table_file import load_holiday_table


def register(root: typer.Typer) -> None:
    """Add the `workdays` sub-app to the root app."""
    app = typer.Typer(help="工作日计算（含法定节假日与调休）")

    @app.command("add")
    def add(
        start: Annotated[str, typer.Argument(help="start date, YYYY-MM-DD")],
        n: Annotated[int, typer.Argument(help="working days to add (negative: back)")],
        table: Annotated[
            Path | None, typer.Option("--table", help="bank holiday table (YAML)")
        ] = None,
    ) -> None:
        """Print the date N working days after START."""
        try:
            begin = date.fromisoformat(start)
        except ValueError:
            typer.echo(f"错误：开始日期 {start!r} 无效，应为 YYYY-MM-DD", err=True)
            raise typer.Exit(2) from None
        try:
            calendar = mainland_calendar(load_holiday_table(table) if table else None)
            typer.echo(add_working_days(begin, n, calendar=calendar).isoformat())
        except DomainError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            raise typer.Exit(1) from None

    root.add_typer(app, name="workdays")
