"""``consultdesk worker``: the jobs runner as its own process (PostgreSQL deployments)."""

from __future__ import annotations

import signal
import threading
from dataclasses import replace
from typing import Annotated

import typer

from consultdesk.cli.common import container, fail, print_json, user_errors
from consultdesk.jobs.model import Job
from consultdesk.jobs.runner import all_jobs, run_jobs, run_once

FREQUENT_S = 60.0  # --poll sets the pause of jobs that run more often than this


def _chosen(only: list[str] | None, worker: str, poll: float | None, batch: int) -> list[Job]:
    jobs = [
        replace(j, every_s=poll) if poll is not None and j.every_s < FREQUENT_S else j
        for j in all_jobs(worker=worker, batch=batch)
    ]
    if not only:
        return jobs
    names = {j.name for j in jobs}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise fail(f"--only：未知的任务 {'、'.join(unknown)}（可选：{'、'.join(sorted(names))}）")
    return [j for j in jobs if j.name in only]


def register(root: typer.Typer) -> None:
    @root.command("worker")
    def worker(
        once: Annotated[
            bool, typer.Option("--once", help="Run every job's pass once, print JSON, exit")
        ] = False,
        only: Annotated[
            list[str] | None, typer.Option("--only", help="Run only this job (repeatable)")
        ] = None,
        name: Annotated[str | None, typer.Option("--name", help="Worker name in records")] = None,
        poll: Annotated[
            float | None,
            typer.Option("--poll", min=0.01, max=60, help="Pause of the frequent jobs, s"),
        ] = None,
        batch: Annotated[
            int, typer.Option("--batch", min=1, max=5000, help="Rows a job takes per pass")
        ] = 200,
        max_sleep: Annotated[
            float, typer.Option("--max-sleep", min=0.05, max=60, help="Longest idle pause, s")
        ] = 1.0,
    ) -> None:
        """Run the background jobs: SLA timers and escalations, lapsed offers, the
        notification outbox, the daily purge, old rate-limit hits. Stops on SIGTERM.
        Several workers may run against PostgreSQL; each timer fires exactly once."""
        from consultdesk.sla.worker import worker_name

        who = name or worker_name()
        jobs = _chosen(only, who, poll, batch)
        c = container()
        if once:
            try:
                with user_errors():
                    done = run_once(c, jobs=jobs)
            finally:
                c.close()
            print_json(done)
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        typer.echo(f"后台任务已启动（{who}）：{'、'.join(j.name for j in jobs)}", err=True)
        states = run_jobs(c, stop=stop, jobs=jobs, max_sleep_s=max_sleep)
        summary = "，".join(f"{s.job.name} {s.passes} 次" for s in states)
        typer.echo(f"后台任务已停止：{summary}", err=True)
        c.close()
