"""Live demo activity: the desk at work when the demo starts, and customers that keep
arriving through the real bot, routing and SLA clocks (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.demo import seed_demo
from consultdesk.routing.wall import wall
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from consultdesk.simulation.live import seed_live
from consultdesk.simulation.runner import simulate
from consultdesk.sla import service as sla

EXE = str(Path(sys.executable).parent / "consultdesk")


def test_the_demo_starts_with_waiting_work_a_chat_in_hand_and_history(
    container: Container, clock: FakeClock
) -> None:
    # REQ: STD-6, ACC-5 — a breach about to happen; returning customers have history.
    seed_demo(container)
    first = seed_live(container)
    assert len(first.waiting) == 5 and len(first.in_hand) == 1 and first.history >= 4
    assert seed_live(container).skipped  # once per database
    with container.uow() as s:
        board = wall(session=s, now=clock.now(), branch=None)
    channels = {c["channel"] for c in board.channels}
    assert {"chat", "app", "phone"} <= channels
    assert board.channels[0]["longest_wait_s"] >= 9 * 60
    assert [q.agent_name for q in board.active] == ["王强"]

    clock.advance(45)  # the 10-minute rule passes for the chat that waited 9½ minutes
    with container.uow() as s:
        sla.fire_due(session=s, now=clock.now())
        fired = sla.escalations(session=s, branch="BJ01")
    assert any(e.consultation_id == first.waiting[0] for e in fired), fired


def test_customers_keep_arriving_through_the_bot_and_the_queue(container: Container) -> None:
    # REQ: ACC-6, ACC-7 — the bot answers what it knows and hands over what it should not.
    seed_demo(container)
    slept: list[float] = []
    report = simulate(container, per_minute=60, count=12, seed=7, sleep=slept.append)
    outcomes = report.counts()
    assert len(report.arrivals) == 12 and len(slept) == 11
    assert outcomes.get("answered", 0) >= 1 and outcomes.get("handed_over", 0) >= 1
    assert sum(slept) / len(slept) < 5  # about one a second at 60 a minute
    with container.uow() as s:
        board = wall(session=s, now=container.clock.now(), branch=None)
    queued = {q.consultation_id for q in board.queue}
    waiting = [a for a in report.arrivals if a.outcome in ("handed_over", "queued")]
    assert waiting and all(a.consultation_id in queued for a in waiting)


def test_demo_simulate_from_the_command_line(tmp_path: Path) -> None:
    # The command a user types: `consultdesk demo simulate --count N --rate R`.
    url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env |= {"CONSULTDESK_DATABASE_URL": url, "CONSULTDESK_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [EXE, "demo", "simulate", "--count", "3", "--rate", "600", "--seed", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "共 3 位" in done.stdout, done.stdout
    bad = subprocess.run(
        [EXE, "demo", "simulate", "--rate", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "--rate" in bad.stderr and "Traceback" not in bad.stderr
    c = bootstrap(Settings(database_url=url, data_dir=tmp_path))
    try:
        with c.uow() as s:
            assert len(wall(session=s, now=c.clock.now(), branch=None).queue) <= 3
    finally:
        c.close()
