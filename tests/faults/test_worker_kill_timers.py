"""A `consultdesk worker` killed with SIGKILL in the middle of firing SLA timers loses
nothing and fires nothing twice (issue 12 item 5; STD-6, ACC-2).

Deterministic kill point: the test holds a row lock on one consultation, so the worker's
third batch blocks inside its transaction with ten timers claimed (``FOR UPDATE SKIP
LOCKED``) after two batches have committed. The worker is killed right there; PostgreSQL
rolls the open batch back, and a restarted worker fires the rest."""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.tables import ConsultationEventRow
from consultdesk.shared.clock import FakeClock
from consultdesk.sla import service as sla
from consultdesk.sla.tables import SlaEscalationRow, SlaTimerRow
from tests.faults.locks import wait_until_blocked, wait_until_gone
from tests.sla.workers import start_worker

pytestmark = pytest.mark.postgres

CONSULTATIONS = 30  # chat: first response and supervisor wait, so 60 timers
BATCH = 10
LOCKED = 25  # its first-response timer is in the third batch


def _overdue_consultations(c: Container) -> list[str]:
    """Chat consultations opened two hours ago, one second apart, with their clocks: every
    timer is overdue and the due order (first responses, then waits) is fixed."""
    assert isinstance(c.clock, FakeClock)
    start = c.clock.now() - timedelta(hours=2)
    ids: list[str] = []
    with c.uow() as s:
        for n in range(CONSULTATIONS):
            opened = start + timedelta(seconds=n)
            con = consultations.open_consultation(
                session=s, now=opened, channel="chat", branch="BJ01", actor="customer"
            )
            sla.sync_clocks(session=s, now=opened, consultation_id=con.id)
            ids.append(con.id)
    return ids


def _fired(c: Container) -> int:
    with c.uow() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(SlaTimerRow).where(SlaTimerRow.state == "fired")
            )
            or 0
        )


def test_worker_killed_mid_batch_fires_every_due_timer_exactly_once(
    pg_container: Container,
) -> None:
    """Issue 12 item 5 / STD-6: SIGKILL while a batch of claimed timers is uncommitted;
    after a restart every due timer has fired once: one escalation row and one timeline
    fact per timer, none missing, none twice."""
    c = pg_container
    ids = _overdue_consultations(c)
    with c.uow() as s:
        assert s.scalar(select(func.count()).select_from(SlaTimerRow)) == 2 * CONSULTATIONS

    holder = c.engine.connect()
    holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
    holder.execute(
        text("SELECT id FROM consultations WHERE id = :id FOR UPDATE"), {"id": ids[LOCKED]}
    )
    worker = start_worker(
        c.settings,
        c.settings.data_dir,
        *("--only", "sla.timers", "--batch", str(BATCH), "--poll", "0.05", "--name", "killed"),
    )
    try:
        stuck = wait_until_blocked(c.engine, holder_pid)
        fired_before_kill = _fired(c)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=10)
        holder.rollback()
        holder.close()
    # Two batches committed; the third (ten claimed timers) was open when it died.
    assert fired_before_kill == 2 * BATCH
    # The orphaned backend gets its lock, finds its client gone and rolls back.
    wait_until_gone(c.engine, stuck)
    assert _fired(c) == 2 * BATCH

    again = start_worker(
        c.settings, c.settings.data_dir, "--once", "--only", "sla.timers", "--name", "restarted"
    )
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert json.loads(out)["sla.timers"]["fired"] == 2 * CONSULTATIONS - 2 * BATCH

    with c.uow() as s:
        timers = s.scalars(select(SlaTimerRow)).all()
        escalations = s.scalars(select(SlaEscalationRow)).all()
        facts = s.scalars(
            select(ConsultationEventRow).where(
                ConsultationEventRow.actor == "system:sla",
                ConsultationEventRow.kind.in_(["sla_breached", "escalated"]),
            )
        ).all()
    assert {t.state for t in timers} == {"fired"}
    assert Counter(t.fired_by for t in timers) == {
        "killed": 2 * BATCH,
        "restarted": 2 * CONSULTATIONS - 2 * BATCH,
    }
    assert sorted(e.timer_id or 0 for e in escalations) == sorted(t.id for t in timers)
    per_rule = Counter((f.consultation_id, f.data["rule"]) for f in facts)
    assert len(per_rule) == len(timers) and set(per_rule.values()) == {1}
