"""The jobs runner (``consultdesk worker``, and the web process on SQLite).

Every job keeps its state in the database (due times, claims, leases), so the runner
itself holds nothing worth losing: a killed worker loses at most the transaction it was
in, which rolls back, and the first pass after a restart does what fell due meanwhile.
Several runners may work against PostgreSQL; the jobs' claims keep each row with one.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from consultdesk.bootstrap import Container
from consultdesk.jobs.model import Job

log = logging.getLogger("consultdesk.jobs")


@dataclass
class JobState:
    job: Job
    due_at: float = 0.0
    passes: int = 0
    failures: int = 0
    last: object = None


def run_due(container: Container, states: Sequence[JobState], *, now: float) -> float:
    """Run every job that is due at monotonic time ``now``; returns when the next is due.
    A database error (a deadlock victim, a lost connection, PostgreSQL restarting) is
    logged and the job tried again at its next time; any other error is logged with its
    traceback and does not stop the other jobs."""
    for state in states:
        if state.due_at > now:
            continue
        try:
            state.last = state.job.run(container)
            state.passes += 1
            more = state.job.again(state.last)
        except (OperationalError, IntegrityError, DBAPIError) as exc:
            state.failures += 1
            more = False
            log.warning("job %s failed, retrying: %s", state.job.name, type(exc).__name__)
        except Exception:
            state.failures += 1
            more = False
            log.exception("job %s failed", state.job.name)
        state.due_at = now if more else now + state.job.every_s
    return min(s.due_at for s in states)


def run_jobs(
    container: Container,
    *,
    stop: threading.Event,
    jobs: Sequence[Job] | None = None,
    max_sleep_s: float = 1.0,
) -> list[JobState]:
    """Run ``jobs`` (all of them by default) until ``stop`` is set."""
    states = [JobState(j) for j in (jobs if jobs is not None else all_jobs(worker=_web_name()))]
    while not stop.is_set():
        next_due = run_due(container, states, now=time.monotonic())
        stop.wait(min(max_sleep_s, max(0.0, next_due - time.monotonic())))
    return states


def run_once(container: Container, *, jobs: Sequence[Job] | None = None) -> dict[str, object]:
    """Each job's pass once, in order (``consultdesk worker --once``); errors propagate."""
    chosen = jobs if jobs is not None else all_jobs(worker=_web_name())
    return {j.name: j.run(container) for j in chosen}


def all_jobs(*, worker: str, batch: int = 200) -> list[Job]:
    """The jobs every feature contributes (``consultdesk.features.FEATURES``); ``worker``
    names this runner in what the jobs record (who fired a timer), ``batch`` is how many
    rows a job takes in one transaction."""
    from consultdesk.features import feature_jobs

    return feature_jobs(worker=worker, batch=batch)


def _web_name() -> str:
    return f"web:{os.getpid()}"


def jobs_in_web(container: Container) -> bool:
    """Whether ``serve`` runs the jobs itself: on SQLite (one process, one writer) yes;
    on PostgreSQL ``consultdesk worker`` does. Tests decide with ``container.tuning``."""
    if container.tuning.jobs_in_web is not None:
        return container.tuning.jobs_in_web
    return container.settings.is_sqlite and container.settings.environment != "test"


@asynccontextmanager
async def background_jobs(app: FastAPI) -> AsyncIterator[None]:
    """The runner in a thread of the web process, when ``jobs_in_web`` says so."""
    container: Container = app.state.container
    if not jobs_in_web(container):
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=run_jobs,
        args=(container,),
        kwargs={"stop": stop},
        name=f"jobs-{os.getpid()}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
