"""`consultdesk sla figures|escalations` (the timers themselves run in `consultdesk worker`)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated

import typer

from consultdesk.cli.common import container, fail, print_json, user_errors
from consultdesk.sla import figures as sla_figures
from consultdesk.sla import service


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} 须为 ISO 8601 时间，例如 2026-03-01T00:00:00+08:00") from None
    if parsed.tzinfo is None:
        raise fail(f"{option} 须带时区，例如 +08:00")
    return parsed


def register(root: typer.Typer) -> None:
    """Add the `sla` sub-app to the root app."""

    app = typer.Typer(help="服务时限与升级（ACC-2、STD-4、STD-6）", no_args_is_help=True)

    @app.command("figures")
    def figures(
        since: Annotated[str | None, typer.Option(help="ISO time with zone")] = None,
        until: Annotated[str | None, typer.Option(help="ISO time with zone")] = None,
        branch: Annotated[str | None, typer.Option()] = None,
    ) -> None:
        """First response, speed of answer, handling time, breaches and service level (JSON)."""
        c = container()
        now = c.clock.now()
        end = _when(until, "--until") or now
        start = _when(since, "--since") or end - timedelta(days=1)
        if end <= start:
            raise fail("--until 须晚于 --since")
        try:
            with user_errors(), c.uow() as session:
                result = sla_figures.sla_figures(
                    session=session, since=start, until=end, branch=branch
                )
        finally:
            c.close()
        print_json(asdict(result))

    @app.command("escalations")
    def escalations(
        queue: Annotated[str | None, typer.Option(help="supervisor | qa | breach")] = None,
        branch: Annotated[str | None, typer.Option()] = None,
    ) -> None:
        """Open escalations, newest first (JSON)."""
        if queue not in (None, "supervisor", "qa", "breach"):
            raise fail("--queue 可选 supervisor、qa、breach")
        c = container()
        try:
            with c.uow() as session:
                rows = service.escalations(session=session, queue=queue, branch=branch)
        finally:
            c.close()
        print_json([asdict(r) for r in rows])

    root.add_typer(app, name="sla")
