"""``consultdesk notifications``: run the outbox dispatcher, list and requeue notifications."""

from __future__ import annotations

import time
from contextlib import closing
from typing import Annotated

import typer

from consultdesk.cli.common import JsonOption, container, print_json, table, user_errors
from consultdesk.notifications import service


def register(root: typer.Typer) -> None:
    """Add the ``notifications`` sub-app to the root app."""
    app = typer.Typer(help="通知发件箱：投递短信与邮件（CLS-1/2/3）", no_args_is_help=True)

    @app.command("dispatch")
    def dispatch(
        once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
        interval: Annotated[float, typer.Option(min=0.5, max=3600, help="Seconds")] = 5.0,
        limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    ) -> None:
        """Send due notifications; loops until interrupted unless --once."""
        with closing(container()) as c:
            while True:
                with user_errors():
                    report = service.dispatch_once(c, limit=limit)
                if once or report.claimed:
                    typer.echo(
                        f"已领取 {report.claimed} 条：发送 {report.sent}，"
                        f"稍后重试 {report.retried}，放弃 {report.dead}"
                    )
                if once:
                    return
                if not report.claimed:
                    time.sleep(interval)

    @app.command("list")
    def list_(
        status: Annotated[str | None, typer.Option(help="pending/sending/sent/dead")] = None,
        limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
        as_json: bool = JsonOption,
    ) -> None:
        """Notifications, newest first (recipients masked)."""
        with closing(container()) as c:
            with user_errors(), c.uow() as session:
                entries = service.list_outbox(session=session, status=status, limit=limit)
            rows = [
                {
                    "id": e.id,
                    "channel": e.channel.value,
                    "purpose": e.purpose,
                    "recipient": e.recipient_masked,
                    "status": e.status.value,
                    "attempts": e.attempts,
                    "last_error": e.last_error or "",
                }
                for e in entries
            ]
            if as_json:
                print_json(rows)
            else:
                table(rows, ["id", "channel", "purpose", "recipient", "status", "attempts"])

    @app.command("requeue")
    def requeue(outbox_id: Annotated[str, typer.Argument(help="Outbox id")]) -> None:
        """Send a dead notification again."""
        with closing(container()) as c:
            with user_errors(), c.uow() as session:
                entry = service.requeue(session=session, now=c.clock.now(), outbox_id=outbox_id)
            typer.echo(f"已重新排队：{entry.id}")

    root.add_typer(app, name="notifications")
