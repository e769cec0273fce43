"""Timers due while no scheduler ran fire when one starts again (ACC-2, STD-6)."""

from __future__ import annotations

import json
from pathlib import Path

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla import service as sla
from consultdesk.sla.model import TimerState
from tests.sla.workers import start_worker


def test_timers_due_while_down_fire_after_restart(container: Container, tmp_path: Path) -> None:
    # REQ: STD-6 — due times live in the database; a new process fires what fell due.
    # The fake clock stands months before the real one, so these are long overdue for
    # the freshly started worker process, which uses the real clock.
    ids = []
    with container.uow() as s:
        for _ in range(3):
            c = consultations.open_consultation(
                session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="c"
            )
            sla.sync_clocks(session=s, now=container.clock.now(), consultation_id=c.id)
            ids.append(c.id)
    settings = container.settings
    container.close()  # the process that scheduled them is gone

    proc = start_worker(
        settings, settings.data_dir, "--once", "--only", "sla.timers", "--name", "restarted"
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert (
        json.loads(out)["sla.timers"]["fired"] == 6
    )  # first response and supervisor wait, three times

    with container.uow() as s:
        timers = [t for cid in ids for t in sla.timers_of(session=s, consultation_id=cid)]
        facts = [
            e
            for cid in ids
            for e in consultations.timeline(scope=SYSTEM, session=s, consultation_id=cid)
            if e.kind in ("sla_breached", "escalated") and e.actor == "system:sla"
        ]
    assert {t.state for t in timers} == {TimerState.FIRED}
    assert len(facts) == 6
