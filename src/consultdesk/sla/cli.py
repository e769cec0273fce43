"""`consultdesk worker` (the SLA scheduler) and `consultdesk sla figures|escalations`."""

from __future__ import annotations

import signal
import threading
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated

import typer

from consultdesk.cli.common import container, fail, print_json, user_errors
from consultdesk.sla import figures as sla_figures
from consultdesk.sla import service
from consultdesk.sla.worker import run_pass, run_worker, worker_name


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
    """Add `worker` and the `sla` sub-app to the root app."""

    @root.command("worker")
    def worker(
        poll: Annotated[
            float, typer.Option("--poll", min=0.05, max=60, help="Seconds between passes")
        ] = 0.5,
        batch: Annotated[int, typer.Option("--batch", min=1, max=5000)] = 200,
        once: Annotated[
            bool, typer.Option("--once", help="Fire what is due now, then exit")
        ] = False,
        name: Annotated[str | None, typer.Option("--name", help="Worker name in records")] = None,
    ) -> None:
        """Run the SLA scheduler: fire due timers, reassign lapsed offers; stops on SIGTERM.
        Several workers may run against PostgreSQL; each timer fires exactly once."""
        c = container()
        who = name or worker_name()
        if once:
            try:
                with user_errors():
                    result = run_pass(c, batch=batch, name=who)
            finally:
                c.close()
            print_json(asdict(result))
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        typer.echo(f"SLA 调度已启动（{who}，每 {poll} 秒）", err=True)
        total = run_worker(c, stop=stop, poll_s=poll, batch=batch, name=who)
        typer.echo(f"SLA 调度已停止：{asdict(total)}", err=True)
        c.close()

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


def main() -> None:
    """Standalone entry (``python -m consultdesk.sla.cli worker``) for deployments and
    tests that run the scheduler without the root command."""
    root = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
    register(root)
    root()


if __name__ == "__main__":
    main()
