"""The scheduler that fires due timers: a loop for ``consultdesk worker`` (several may run
against PostgreSQL) and a background thread inside the web app for single-process SQLite
deployments.

Due times are in the database, so nothing is lost while no worker runs: the first pass
after a restart fires everything that fell due meanwhile.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError, OperationalError

from consultdesk.bootstrap import Container
from consultdesk.retention import service as retention
from consultdesk.routing import service as routing
from consultdesk.security import ratelimit
from consultdesk.sla import service as sla

log = logging.getLogger("consultdesk.sla.worker")

BACKGROUND_EXTRA = "sla.background"
FORGET_HITS_EVERY_S = 3600.0  # rate-limit rows older than a day go once an hour


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


@dataclass
class PassResult:
    fired: int = 0
    met: int = 0
    cancelled: int = 0
    reassigned: int = 0

    def add(self, other: PassResult) -> None:
        self.fired += other.fired
        self.met += other.met
        self.cancelled += other.cancelled
        self.reassigned += other.reassigned


def run_pass(container: Container, *, batch: int = 200, name: str | None = None) -> PassResult:
    """Give clocks to recently opened consultations that have none (a caller skipped
    ``sync_clocks``), fire everything due now, one transaction per batch, until nothing
    is due; then reassign offers agents did not accept in time."""
    who = name or worker_name()
    total = PassResult()
    try:
        with container.uow() as session:
            sla.adopt_unclocked(session=session, now=container.clock.now())
    except IntegrityError:
        pass  # another worker adopted the same consultation first
    while True:
        with container.uow() as session:
            result = sla.fire_due(
                session=session, now=container.clock.now(), limit=batch, worker=who
            )
        total.add(PassResult(result.fired, result.met, result.cancelled))
        if result.claimed < batch:
            break
    with container.uow() as session:
        total.reassigned = routing.reassign_expired(session=session, now=container.clock.now())
    return total


def run_worker(
    container: Container,
    *,
    stop: threading.Event,
    poll_s: float = 0.2,
    batch: int = 200,
    name: str | None = None,
    on_pass: Callable[[PassResult], None] | None = None,
) -> PassResult:
    """Loop until ``stop`` is set. A database error (a deadlock victim, a lost
    connection) rolls that batch back; it is retried on the next pass."""
    who = name or worker_name()
    total = PassResult()
    purged_on: date | None = None
    hits_forgotten_at = 0.0
    while not stop.is_set():
        try:
            result = run_pass(container, batch=batch, name=who)
            total.add(result)
            if on_pass is not None:
                on_pass(result)
            # CLS-4: destruction on schedule, once per Beijing day.
            purged_on, _ = retention.purge_if_due(container=container, last_day=purged_on)
            if time.monotonic() - hits_forgotten_at > FORGET_HITS_EVERY_S:
                with container.uow() as session:
                    ratelimit.forget_old_hits(session=session, now=container.clock.now())
                hits_forgotten_at = time.monotonic()
        except (OperationalError, IntegrityError) as exc:
            log.warning("scheduler pass failed, retrying: %s", exc.__class__.__name__)
        stop.wait(poll_s)
    return total


@asynccontextmanager
async def background_scheduler(app: FastAPI) -> AsyncIterator[None]:
    """Runs the scheduler inside the web process when the database is SQLite (one
    process, one writer). With PostgreSQL run ``consultdesk worker`` instead. Tests turn it
    on or off with ``container.extras["sla.background"]``; by default it is off in the
    test environment."""
    container: Container = app.state.container
    wanted = container.extras.get(
        BACKGROUND_EXTRA,
        container.settings.is_sqlite and container.settings.environment != "test",
    )
    if not wanted:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(container,),
        kwargs={"stop": stop, "poll_s": 0.5, "name": f"web:{os.getpid()}"},
        name="sla-scheduler",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
