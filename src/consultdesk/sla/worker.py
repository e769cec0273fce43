"""The pass that fires due timers and reassigns lapsed offers: one of the jobs the jobs
runner (``consultdesk.jobs``) runs in ``consultdesk worker`` (several may run against
PostgreSQL) and, for single-process SQLite deployments, inside ``serve``.

Due times are in the database, so nothing is lost while no worker runs: the first pass
after a restart fires everything that fell due meanwhile.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from consultdesk.bootstrap import Container
from consultdesk.jobs.model import Job
from consultdesk.routing import service as routing
from consultdesk.sla import service as sla

log = logging.getLogger("consultdesk.sla.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class PassResult:
    fired: int = 0
    met: int = 0
    cancelled: int = 0
    reassigned: int = 0
    offered: int = 0

    def add(self, other: PassResult) -> None:
        self.fired += other.fired
        self.met += other.met
        self.cancelled += other.cancelled
        self.reassigned += other.reassigned


def run_pass(container: Container, *, batch: int = 200, name: str | None = None) -> PassResult:
    """Give clocks to recently opened consultations that have none (a caller skipped
    ``sync_clocks``), fire everything due now, one transaction per batch, until nothing
    is due; then reassign offers agents did not accept in time, and offer whatever still
    waits beside an agent with room (``routing.sweep``)."""
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
    with container.uow() as session:
        total.offered = routing.sweep(session=session, now=container.clock.now())
    return total


def jobs(*, worker: str, batch: int = 200) -> list[Job]:
    """The SLA timers, lapsed offers and waiting work, for the jobs runner: a pass every half second
    (a pass itself goes on while full batches fall due)."""
    return [Job("sla.timers", every_s=0.5, run=lambda c: run_pass(c, batch=batch, name=worker))]
