"""Who waits on whom in PostgreSQL: lets a fault test stop a worker inside a transaction
(hold a row lock it needs, wait until it is blocked on it) instead of guessing with sleeps."""

from __future__ import annotations

import time

from sqlalchemy import Engine, text


def blocked_by(engine: Engine, holder_pid: int) -> list[int]:
    """Backends waiting on a lock the backend ``holder_pid`` holds."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE :me = ANY(pg_blocking_pids(pid))"),
                {"me": holder_pid},
            ).scalars()
        )


def wait_until_blocked(engine: Engine, holder_pid: int, *, timeout_s: float = 15.0) -> int:
    """The pid of the first backend that waits on ``holder_pid``'s locks."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        waiting = blocked_by(engine, holder_pid)
        if waiting:
            return waiting[0]
        time.sleep(0.05)
    raise AssertionError("no backend ever waited on the held lock")


def wait_until_gone(engine: Engine, pid: int, *, timeout_s: float = 15.0) -> None:
    """Wait until the backend ``pid`` has ended (its transaction rolled back)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            alive = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one()
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} of the killed worker is still there")
