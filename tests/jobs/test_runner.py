"""The one jobs runner: what it runs, and that one failing job does not stop the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.jobs.model import Job
from consultdesk.jobs.runner import JobState, all_jobs, jobs_in_web, run_due
from consultdesk.sla import service as sla
from tests.sla.workers import worker_env

EXE = str(Path(sys.executable).parent / "consultdesk")


def test_worker_and_serve_run_the_same_jobs_from_every_feature() -> None:
    # REQ: STD-6, CLS-1, CLS-4 — timers, outbox, purge in one runner.
    assert {j.name for j in all_jobs(worker="w")} == {
        "sla.timers",
        "notifications.outbox",
        "retention.purge",
        "security.forget_rate_hits",
        "quality.categorize",
        "quality.plans",
    }


def test_a_failing_job_is_retried_later_and_the_others_still_run(container: Container) -> None:
    calls: list[str] = []

    def broken(_: Container) -> None:
        calls.append("broken")
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    def crashing(_: Container) -> None:
        calls.append("crashing")
        raise RuntimeError("bug")

    def fine(_: Container) -> int:
        calls.append("fine")
        return 1

    states = [
        JobState(Job(n, every_s=5.0, run=f))
        for n, f in (("a", broken), ("b", crashing), ("c", fine))
    ]
    next_due = run_due(container, states, now=100.0)
    assert calls == ["broken", "crashing", "fine"]
    assert [s.failures for s in states] == [1, 1, 0] and states[2].passes == 1
    assert next_due == 105.0
    run_due(container, states, now=101.0)  # nothing due yet
    assert len(calls) == 3


def test_a_job_with_a_full_batch_runs_again_without_pausing(container: Container) -> None:
    job = Job("batchy", every_s=5.0, run=lambda _: 50, again=lambda r: r == 50)
    state = JobState(job)
    assert run_due(container, [state], now=10.0) == 10.0


def test_serve_runs_the_jobs_on_sqlite_and_leaves_them_to_the_worker_on_postgresql(
    container: Container,
) -> None:
    assert not jobs_in_web(container)  # the test environment decides per test
    container.tuning.jobs_in_web = True
    assert jobs_in_web(container)


def test_worker_once_from_the_shell_runs_every_job(container: Container) -> None:
    # REQ: STD-6 — `consultdesk worker --once`, the real executable.
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="c"
        )
        sla.sync_clocks(session=s, now=container.clock.now(), consultation_id=c.id)
    env = worker_env(container.settings, container.settings.data_dir)
    done = subprocess.run(
        [EXE, "worker", "--once"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["sla.timers"]["fired"] == 2
    assert set(report) == {j.name for j in all_jobs(worker="w")}
    unknown = subprocess.run(
        [EXE, "worker", "--only", "nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert unknown.returncode == 2 and "--only" in unknown.stderr
