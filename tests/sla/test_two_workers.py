"""Two scheduler PROCESSES on PostgreSQL: every due timer fires exactly once (STD-6)."""

from __future__ import annotations

import secrets
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.consultations import service as consultations
from consultdesk.consultations.tables import ConsultationEventRow
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from consultdesk.sla import service as sla
from consultdesk.sla.tables import SlaEscalationRow, SlaTimerRow
from tests.conftest import PG_URL, SECRET, _pg_available
from tests.sla.workers import start_worker

CONSULTATIONS = 150  # two rules each: 300 timers


@pytest.fixture
def pg_container(tmp_path: Path) -> Iterator[Container]:
    """A schema of our own, so the worker processes see exactly this test's rows."""
    problem = _pg_available()
    if problem:
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    schema = f"sla_{secrets.token_hex(5)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    settings = Settings(
        database_url=PG_URL,
        database_schema=schema,
        secret_key=SECRET,
        environment="test",
        data_dir=tmp_path,
    )
    c = bootstrap(settings, clock=FakeClock(datetime.now(UTC)))
    try:
        upgrade(c.engine)
        with c.uow() as s:
            seed_session_only(s)
        yield c
    finally:
        c.close()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_two_worker_processes_fire_each_escalation_exactly_once(pg_container: Container) -> None:
    # REQ: STD-6 — no double firing with several workers (FOR UPDATE SKIP LOCKED).
    c = pg_container
    workers = [
        start_worker(c.settings, c.settings.data_dir, "--poll", "0.05", "--batch", "5", "--name", n)
        for n in ("worker-a", "worker-b")
    ]
    try:
        for w in workers:  # both are polling before anything falls due
            assert w.stderr is not None
            assert "后台任务已启动" in w.stderr.readline()
        start = datetime.now(UTC)
        assert isinstance(c.clock, FakeClock)
        c.clock.set(start - timedelta(seconds=600))  # wait rule due 0.5 s from now ...
        with c.uow() as s:
            for _ in range(CONSULTATIONS):
                con = consultations.open_consultation(
                    session=s, now=c.clock.now(), channel="chat", branch="BJ01", actor="c"
                )
                sla.sync_clocks(
                    session=s, now=c.clock.now() + timedelta(seconds=0.5), consultation_id=con.id
                )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with c.uow() as s:
                pending = s.scalar(
                    select(func.count())
                    .select_from(SlaTimerRow)
                    .where(SlaTimerRow.state == "pending")
                )
            if pending == 0:
                break
            time.sleep(0.2)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.communicate(timeout=60)
    assert [w.returncode for w in workers] == [0, 0]
    with c.uow() as s:
        timers = s.scalars(select(SlaTimerRow)).all()
        escalations = s.scalars(select(SlaEscalationRow)).all()
        facts = s.scalars(
            select(ConsultationEventRow).where(
                ConsultationEventRow.actor == "system:sla",
                ConsultationEventRow.kind.in_(["sla_breached", "escalated"]),
            )
        ).all()
    assert len(timers) == 2 * CONSULTATIONS
    assert {t.state for t in timers} == {"fired"}
    assert len(escalations) == len(timers)
    assert Counter(e.timer_id for e in escalations).most_common(1)[0][1] == 1
    per_rule = Counter((f.consultation_id, f.data["rule"]) for f in facts)
    assert len(per_rule) == len(timers) and set(per_rule.values()) == {1}
    assert {t.fired_by for t in timers} == {"worker-a", "worker-b"}  # both took part
