"""The monthly quality report over a million consultations (issue 14 target).

    .venv/bin/python bench/bench_report.py [--consultations 1000000] [--months 3]
        [--skip-sqlite] [--skip-postgres] [--reuse]

Generates the history (consultations with their messages, events, timers, calls,
complaints, ratings, violations; `quality/history.py`) into a fresh SQLite file and a
fresh PostgreSQL schema, then times `monthly_report` for the busiest full month, whole
bank and one branch (median of 3), beside a same-run raw baseline: the two GROUP BYs a
hand-written report would start from (category and channel counts of the month).
Targets: <= 2 s on SQLite, <= 1 s on PostgreSQL. `--reuse` keeps and reuses the SQLite
file under bench/.cache (generation takes minutes).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text

from consultdesk.bootstrap import bootstrap
from consultdesk.consultations.tables import ConsultationRow, MessageRow
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.quality.history import generate_history
from consultdesk.quality.report import monthly_report
from consultdesk.settings import Settings
from consultdesk.shared.clock import SystemClock
from consultdesk.shared.scope import HEAD_OFFICE_SCOPE
from consultdesk.surveys.model import parse_month

PG_URL = os.environ.get(
    "CONSULTDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGET_S = {"sqlite": 2.0, "postgresql": 1.0}
CACHE = Path(__file__).parent / ".cache"


def median_time(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fill(engine: Engine, n: int, months: int) -> float:
    upgrade(engine)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(ConsultationRow)).scalar_one() >= n:
            return 0.0
    from sqlalchemy.orm import Session

    with Session(engine) as s, s.begin():
        seed_session_only(s)
    t0 = time.perf_counter()
    generate_history(
        engine=engine, now=SystemClock().now(), months=months, consultations=n, batch=20000
    )
    if engine.dialect.name == "postgresql":  # as autovacuum would: visibility map, stats
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - t0


def busiest_month(engine: Engine, months: list[str]) -> tuple[str, int]:
    best = ("", -1)
    with engine.connect() as conn:
        for label in months:
            m = parse_month(label)
            n = conn.execute(
                select(func.count()).where(
                    ConsultationRow.opened_at >= m.starts, ConsultationRow.opened_at < m.ends
                )
            ).scalar_one()
            if n > best[1]:
                best = (label, int(n))
    return best


def run(label: str, settings: Settings, n: int, months: int) -> None:
    c = bootstrap(settings)
    try:
        took = fill(c.engine, n, months)
        with c.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(ConsultationRow)).scalar_one()
            msgs = conn.execute(select(func.count()).select_from(MessageRow)).scalar_one()
        now = c.clock.now()
        today = now.date()
        labels = []
        y, mo = today.year, today.month
        for _ in range(months):
            y, mo = (y - 1, 12) if mo == 1 else (y, mo - 1)
            labels.append(f"{y:04d}-{mo:02d}")
        month, in_month = busiest_month(c.engine, labels)
        m = parse_month(month)

        def report(branch: str | None) -> Callable[[], object]:
            def go() -> object:
                with c.uow() as s:
                    return monthly_report(
                        session=s, now=now, month=month, scope=HEAD_OFFICE_SCOPE, branch=branch
                    )

            return go

        def baseline() -> object:
            with c.engine.connect() as conn:
                for col in (ConsultationRow.problem_category, ConsultationRow.channel):
                    conn.execute(
                        select(col, func.count())
                        .where(
                            ConsultationRow.opened_at >= m.starts,
                            ConsultationRow.opened_at < m.ends,
                        )
                        .group_by(col)
                    ).all()
            return None

        report(None)()  # warm the policy and category caches of the database
        bank = median_time(report(None))
        branch = median_time(report("BJ01"))
        base = median_time(baseline)
        target = TARGET_S[c.engine.dialect.name]
        verdict = "meets" if max(bank, branch) <= target else "MISSED"
        print(
            f"\n== {label}: {total:,} consultations, {msgs:,} messages"
            + (f" (generated in {took:.0f} s)" if took else " (reused)")
        )
        print(f"   month {month}: {in_month:,} consultations")
        print(f"   {'':34}{'seconds':>10}   target")
        print(f"   {'monthly report, whole bank':34}{bank:10.3f}   <= {target:g} s  {verdict}")
        print(f"   {'monthly report, BJ01':34}{branch:10.3f}   <= {target:g} s")
        print(f"   {'baseline: raw GROUP BY x2':34}{base:10.3f}")
    finally:
        c.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consultations", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--pg-schema", help="use (and keep) this PostgreSQL schema instead of a scratch one"
    )
    args = parser.parse_args()
    print(
        f"== monthly report benchmark: {args.consultations:,} consultations over "
        f"{args.months} months (+ this month to date); {os.cpu_count()} cores"
    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            folder = CACHE if args.reuse else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            db = folder / f"report-{args.consultations}.sqlite3"
            run(
                "SQLite",
                Settings(database_url=f"sqlite:///{db}", data_dir=folder),
                args.consultations,
                args.months,
            )
    if not args.skip_postgres:
        schema = args.pg_schema or f"bench_report_{secrets.token_hex(4)}"
        admin = create_engine(PG_URL)
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        except Exception as exc:
            print(f"\n== PostgreSQL unreachable ({type(exc).__name__}); skipped")
            return
        try:
            with tempfile.TemporaryDirectory() as tmp:
                run(
                    "PostgreSQL",
                    Settings(database_url=PG_URL, database_schema=schema, data_dir=Path(tmp)),
                    args.consultations,
                    args.months,
                )
        finally:
            if not args.pg_schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
