"""The quality loop's background jobs (run by ``consultdesk worker`` or single-process
``serve``):

- ``quality.categorize``: closed consultations get their problem category;
- ``quality.plans``: once a Beijing day, last month's report is read for the whole bank
  and each branch, and every flag (a category over the alert share, a score under the
  floor) gets its improvement plan (idempotent: an open plan is left as it is). QC-1, QC-3.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from consultdesk.quality.categories import jobs as categorize_jobs

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container
    from consultdesk.jobs.model import Job


def open_plans_for_last_month(*, container: Container) -> int:
    """Plans for every flag of last month's reports; returns how many flags there were."""
    from datetime import timedelta

    from consultdesk.org import service as org
    from consultdesk.quality.plans import open_plans_for_flags
    from consultdesk.quality.report import monthly_report
    from consultdesk.shared.ids import HEAD_OFFICE
    from consultdesk.shared.scope import SYSTEM
    from consultdesk.surveys.model import BEIJING

    now = container.clock.now()
    first = now.astimezone(BEIJING).date().replace(day=1)
    last = first - timedelta(days=1)
    month = f"{last.year:04d}-{last.month:02d}"
    flagged = 0
    with container.uow() as session:
        branches = [b.code for b in org.list_branches(session=session)]
    for branch in [None, *[b for b in branches if b != HEAD_OFFICE]]:
        with container.uow() as session:
            report = monthly_report(
                session=session, now=now, month=month, scope=SYSTEM, branch=branch
            )
            flags = [(f.trigger, f.category, f.value, f.threshold) for f in report.flags]
            if flags:
                open_plans_for_flags(
                    session=session,
                    now=now,
                    branch=branch or HEAD_OFFICE,
                    month=month,
                    flags=flags,
                    calendar=container.calendar,
                )
            flagged += len(flags)
    return flagged


def jobs(*, worker: str, batch: int = 200) -> list[Job]:
    from consultdesk.jobs.model import Job
    from consultdesk.surveys.model import BEIJING

    last_day: list[date | None] = [None]

    def plans(container: Container) -> int | None:
        today = container.clock.now().astimezone(BEIJING).date()
        if last_day[0] == today:
            return None
        flagged = open_plans_for_last_month(container=container)
        last_day[0] = today
        return flagged

    return [
        *categorize_jobs(worker=worker, batch=batch),
        Job("quality.plans", every_s=300.0, run=plans),
    ]
