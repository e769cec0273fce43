"""Durable chat-message ingest over real WebSockets to a uvicorn server on loopback.

    .venv/bin/python bench/bench_ingest.py [--seconds 5] [--no-postgres]

For each database (SQLite in WAL with synchronous=FULL; PostgreSQL at
CONSULTDESK_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test)
the server runs in its own process, once with group commit (the product) and once with a
commit per message (the baseline, ``max_batch=1``). Two figures each:

- throughput: acknowledged messages/s with 32 customer sockets, 8 messages in flight each
  (target ≥ 2,000/s);
- latency: p50/p99 from send to ack at a paced 500 messages/s over 16 sockets, open
  loop, so a slow server shows up as latency (target p99 ≤ 20 ms); the sockets connect
  first, the clock starts when all are open, after a 2 s paced warm-up that is not
  counted (first sight of each consultation reads its recent questions, STD-3).

An ack is sent only after the message's transaction committed. The bench client does
not negotiate permessage-deflate (short chat frames gain nothing from it). Bounded: each phase stops
after ``--seconds`` (default 5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from websockets.asyncio.client import connect

from consultdesk.bootstrap import bootstrap
from consultdesk.consultations import visitors
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings

SECRET = "bench-secret-key-long-enough-0123456789abcdef"
PG_URL = os.environ.get(
    "CONSULTDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
THROUGHPUT_SOCKETS, WINDOW = 32, 8
PACED_RATE, PACED_SOCKETS = 500, 16
TARGET_RATE, TARGET_P99_MS = 2000, 20.0
WARMUP_S = 2.0

SERVER = """
import sys, uvicorn
from consultdesk.bootstrap import bootstrap
from consultdesk.web.app import create_app, settle_startup_memory
c = bootstrap()
c.tuning.ingest_max_batch = int(sys.argv[2])
app = create_app(c)
settle_startup_memory()  # as consultdesk.web.asgi does in production
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            ws="websockets-sansio", access_log=False)
"""


@dataclass
class Db:
    name: str
    url: str
    schema: str | None
    folder: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings(db: Db) -> Settings:
    return Settings(
        database_url=db.url,
        database_schema=db.schema,
        data_dir=db.folder,
        secret_key=SECRET,
        environment="test",
    )


def open_chats(db: Db, count: int) -> list[tuple[str, str]]:
    c = bootstrap(settings(db))
    chats = []
    with c.uow() as s:
        for _ in range(count):
            chat = visitors.open_visitor_chat(
                session=s, now=c.clock.now(), index_key=c.index_key, branch="BJ01"
            )
            chats.append((chat.consultation.id, chat.token))
    c.close()
    return chats


def start(db: Db, max_batch: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "CONSULTDESK_DATABASE_URL": db.url,
        "CONSULTDESK_DATA_DIR": str(db.folder),
        "CONSULTDESK_SECRET_KEY": SECRET,
        "CONSULTDESK_ENVIRONMENT": "test",
    }
    if db.schema:
        env["CONSULTDESK_DATABASE_SCHEMA"] = db.schema
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(max_batch)], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def throughput(port: int, chats: list[tuple[str, str]], seconds: float) -> float:
    """Acked messages per second, closed loop with WINDOW messages in flight per socket."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * len(chats)

    async def one(i: int, cid: str, token: str) -> None:
        async with connect(
            f"ws://127.0.0.1:{port}/ws/chat/{cid}?token={token}", compression=None
        ) as ws:
            sent = acked = 0
            while time.perf_counter() < stop_at:
                while sent - acked < WINDOW:
                    await ws.send(
                        json.dumps(
                            {"type": "message", "client_msg_id": f"t{sent}", "text": "查询余额"}
                        )
                    )
                    sent += 1
                event = json.loads(await ws.recv())
                if event["type"] == "ack":
                    acked += 1
            counts[i] = acked

    started = time.perf_counter()
    await asyncio.gather(*(one(i, cid, tok) for i, (cid, tok) in enumerate(chats)))
    return sum(counts) / (time.perf_counter() - started)


async def paced(
    port: int, chats: list[tuple[str, str]], seconds: float, prefix: str = "p"
) -> tuple[float, float, int, int]:
    """p50 and p99 send→ack latency (ms) at PACED_RATE msgs/s, open loop; plus sent/acked."""
    interval = len(chats) / PACED_RATE
    latencies: list[float] = []
    totals = [0, 0]
    # Steady state: every socket is connected (and has its history) before the clock starts.
    ready = asyncio.Barrier(len(chats))

    async def one(i: int, cid: str, token: str) -> None:
        async with connect(
            f"ws://127.0.0.1:{port}/ws/chat/{cid}?token={token}", compression=None
        ) as ws:
            sent_at: dict[str, float] = {}

            async def reader() -> None:
                async for raw in ws:
                    event = json.loads(raw)
                    if event["type"] == "ack" and event["client_msg_id"] in sent_at:
                        latencies.append(time.perf_counter() - sent_at.pop(event["client_msg_id"]))
                        totals[1] += 1

            json.loads(await ws.recv())  # the history
            task = asyncio.create_task(reader())
            await ready.wait()
            await asyncio.sleep(interval * i / len(chats))  # spread the sockets evenly
            begin = time.perf_counter()
            n = 0
            while time.perf_counter() - begin < seconds:
                due = begin + n * interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                cmid = f"{prefix}{n}"
                sent_at[cmid] = time.perf_counter()
                await ws.send(
                    json.dumps({"type": "message", "client_msg_id": cmid, "text": "查询余额"})
                )
                totals[0] += 1
                n += 1
            deadline = time.perf_counter() + 10
            while sent_at and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            # Unacknowledged by the deadline: count them as that slow.
            latencies.extend(time.perf_counter() - t for t in sent_at.values())
            task.cancel()

    await asyncio.gather(*(one(i, cid, tok) for i, (cid, tok) in enumerate(chats)))
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return p50, p99, totals[0], totals[1]


def run(db: Db, max_batch: int, seconds: float) -> dict[str, float]:
    chats = open_chats(db, THROUGHPUT_SOCKETS + PACED_SOCKETS)
    proc, port = start(db, max_batch)
    try:
        rate = asyncio.run(throughput(port, chats[:THROUGHPUT_SOCKETS], seconds))
        asyncio.run(paced(port, chats[THROUGHPUT_SOCKETS:], WARMUP_S, prefix="w"))  # not counted
        p50, p99, sent, acked = asyncio.run(paced(port, chats[THROUGHPUT_SOCKETS:], seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {"rate": rate, "p50": p50, "p99": p99, "sent": sent, "acked": acked}


def prepare_sqlite(folder: Path) -> Db:
    db = Db("SQLite (WAL, synchronous=FULL)", f"sqlite:///{folder / 'bench.sqlite3'}", None, folder)
    c = bootstrap(settings(db))
    upgrade(c.engine)
    with c.uow() as s:
        seed_session_only(s)
    c.close()
    return db


def prepare_postgres(folder: Path) -> Db | None:
    try:
        admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        schema = f"bench_{secrets.token_hex(4)}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}")
        return None
    db = Db("PostgreSQL", PG_URL, schema, folder)
    c = bootstrap(settings(db))
    upgrade(c.engine)
    with c.uow() as s:
        seed_session_only(s)
    c.close()
    return db


def drop_postgres(db: Db) -> None:
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
    admin.dispose()


def report(db: Db, batched: dict[str, float], single: dict[str, float]) -> None:
    def mark(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    print(f"\n== {db.name}")
    print(f"{'':34}{'group commit':>14}{'baseline (1/commit)':>22}{'target':>12}")
    print(
        f"{'acked msgs/s (32 sockets x 8)':34}{batched['rate']:>14,.0f}{single['rate']:>22,.0f}"
        f"{'>= ' + format(TARGET_RATE, ','):>12}  {mark(batched['rate'] >= TARGET_RATE)}"
    )
    print(
        f"{'p99 ack ms @ 500 msgs/s':34}{batched['p99']:>14.1f}{single['p99']:>22.1f}"
        f"{'<= ' + str(TARGET_P99_MS):>12}  {mark(batched['p99'] <= TARGET_P99_MS)}"
    )
    print(f"{'p50 ack ms @ 500 msgs/s':34}{batched['p50']:>14.1f}{single['p50']:>22.1f}")
    print(
        f"{'acked/sent in the paced phase':34}"
        f"{int(batched['acked']):>8}/{int(batched['sent']):<5}"
        f"{int(single['acked']):>16}/{int(single['sent']):<5}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores; each phase {args.seconds:.0f} s; "
        "server in its own process"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dbs = [prepare_sqlite(folder)]
        if not args.no_postgres:
            pg = prepare_postgres(folder)
            if pg:
                dbs.append(pg)
        for db in dbs:
            try:
                batched = run(db, 256, args.seconds)
                single = run(db, 1, args.seconds)
                report(db, batched, single)
            finally:
                if db.schema:
                    drop_postgres(db)


if __name__ == "__main__":
    main()
