"""Figures for the notification outbox (prints numbers; no pass/fail).

    .venv/bin/python bench/bench_outbox.py [--rows 2000] [--postgres URL]

1. Enqueue cost per row (seal the recipient, insert) inside one business transaction.
2. Dispatch throughput to the in-memory sandbox gateway, one dispatcher and two
   concurrent dispatchers (threads), batches of 50; duplicates sent (must be 0).
Runs on a temporary SQLite file, and on PostgreSQL when --postgres is given.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text

from consultdesk.bootstrap import bootstrap
from consultdesk.db.migrate import upgrade
from consultdesk.notifications import service
from consultdesk.notifications.sms import SmsReceipt
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock


class Counting:
    def __init__(self, inner: SandboxSmsGateway) -> None:
        self.inner, self.calls, self.lock = inner, Counter[str](), threading.Lock()

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        with self.lock:
            self.calls[idempotency_key] += 1
        return self.inner.send(to=to, text=text, idempotency_key=idempotency_key)


def run(url: str, schema: str | None, rows: int, data_dir: Path) -> None:
    clock = FakeClock()
    c = bootstrap(
        Settings(
            database_url=url,
            database_schema=schema,
            data_dir=data_dir,
            secret_key="bench-secret-key-long-enough-0123456789",
            environment="test",
        ),
        clock=clock,
    )
    upgrade(c.engine)
    for dispatchers in (1, 2):
        started = time.perf_counter()
        with c.uow() as s:
            for i in range(rows):
                service.enqueue_sms(
                    session=s,
                    now=clock.now(),
                    keyring=c.keyring,
                    to=f"1381234{i % 10000:04d}",
                    text=f"您的预约号 BJ01-20261130-{i:03d}",
                    purpose="bench",
                )
        enqueue_s = time.perf_counter() - started
        gateway = Counting(SandboxSmsGateway(clock=clock))

        def work(gw: Counting = gateway) -> None:
            while service.dispatch_pending(
                uow=c.uow, clock=clock, keyring=c.keyring, sms=gw, mailer=None, limit=50
            ).claimed:
                pass

        started = time.perf_counter()
        threads = [threading.Thread(target=work) for _ in range(dispatchers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        dispatch_s = time.perf_counter() - started
        dupes = sum(n - 1 for n in gateway.calls.values())
        print(
            f"{c.engine.dialect.name:<10} dispatchers={dispatchers} rows={rows} "
            f"enqueue={enqueue_s / rows * 1e6:.0f} µs/row "
            f"dispatch={rows / dispatch_s:.0f} rows/s sent={len(gateway.calls)} duplicates={dupes}"
        )
    c.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.sqlite3", None, args.rows, Path(tmp))
        if args.postgres:
            schema = f"bench_{secrets.token_hex(4)}"
            admin = create_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                run(args.postgres, schema, args.rows, Path(tmp))
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
