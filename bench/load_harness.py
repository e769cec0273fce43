"""Load harness: chat customers on one web process, their agents on the other (issue 12).

    .venv/bin/python bench/load_harness.py [--customers 500] [--agents 150] [--seconds 180]
        [--interval 2] [--read-seconds 20] [--read-concurrency 32] [--quick]
        [--no-baseline] [--json FILE]

On loopback only, each run on a fresh PostgreSQL schema of CONSULTDESK_TEST_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test; dropped at the end), the
production shape: two ``consultdesk serve`` processes, A and B, and one
``consultdesk worker``, in the production environment with JSON logs. Then:

1. Seed (in this process, through the services): the branches; N agents of BJ01 (role
   agent, routable, available), each with a console session (for their socket) and an
   API token (for their REST calls); one more member of staff stands in for the bot's
   hand-over. When the policy's ``routing.max_concurrent_chats`` leaves customers without
   an agent, the head-office policy gets a new version with ceil(customers / agents)
   (printed): every customer should have an agent, or delivery cannot be measured.
2. Take: each customer opens a chat on A (``POST /api/v1/chat``), connects its socket on
   A and is handed over to the agents as the bot's hand-over does (``POST
   /api/v1/routing/queue`` on B: offered at once to the longest-idle agent with room).
   Agents poll their queue on B every second, accept their offers and subscribe to them
   on their own socket on B. At most ``--connect-concurrency`` customers open at once.
3. Chat, for ``--seconds``: every customer sends one message every ``--interval`` s,
   open loop, spread evenly. Ack: send → ack on A (sent after the commit). Delivery:
   send → the message reaching its agent's socket on B, through LISTEN/NOTIFY. Lost:
   acked but not delivered 10 s after the last send.
4. Read, for ``--read-seconds``: agents' API reads, spread evenly over both processes (an
   agent's open consultations, a full transcript), closed loop with
   ``--read-concurrency`` connections, each with one request in flight, from a lean
   HTTP/1.1 generator in a child process (bench/read_load.py; httpx cost more CPU per
   request than the servers). Every customer's and agent's socket stays open meanwhile.

While the reads run, the CPU each process used is printed in cores (A, B: the web
processes; W: the worker; PG: PostgreSQL; gen: the request generator): the machine has
two, and the line shows whether the servers or something beside them had them.

The same run is then repeated with ONE web process, customers and agents both on A: the
baseline. Peak memory is VmHWM of each server process and its children. Every figure is
printed beside its target; a missed target says MISSED. The harness itself shares the
machine with the servers and PostgreSQL: its event loop's lag is printed so a slow client
shows up as what it is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from consultdesk.bootstrap import bootstrap
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.policy import service as policy
from consultdesk.routing import service as routing
from consultdesk.security.crypto import new_keyring, write_key_file
from consultdesk.settings import Settings
from consultdesk.shared.ids import UserId
from consultdesk.staff import passwords
from consultdesk.staff import service as staff
from consultdesk.web.deps import SESSION_COOKIE
from read_load import ReadRequest, run_reads

PG_URL = os.environ.get(
    "CONSULTDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BRANCH = "BJ01"
CAPACITY_KEY = "routing.max_concurrent_chats"
TARGET_DELIVERY_P99_MS = 200.0
TARGET_READS_PER_S = 1000.0
POLL_S = 1.0  # agents look at their queue this often while chats are being handed over
TAKE_TIMEOUT_S = 90.0  # every customer should have an agent by then
DRAIN_S = 10.0  # after the last send: acks and deliveries still to come
START_TIMEOUT_S = 60.0


# ---- configuration and seeding ---------------------------------------------------------


@dataclass(frozen=True)
class Config:
    customers: int
    agents: int
    seconds: float
    interval: float
    read_seconds: float
    read_concurrency: int
    connect_concurrency: int

    @property
    def offered_rate(self) -> float:
        return self.customers / self.interval


@dataclass(frozen=True)
class AgentLogin:
    id: str
    cookie: str
    token: str


@dataclass(frozen=True)
class Seeded:
    agents: list[AgentLogin]
    handover_token: str
    capacity: int
    capacity_note: str


@contextlib.contextmanager
def fresh_schema(label: str) -> Iterator[str]:
    """A new, empty schema ``load_<pid>_<label>_<hex>``, dropped afterwards."""
    schema = f"load_{os.getpid()}_{label}_{secrets.token_hex(3)}"
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def server_env(schema: str, folder: Path, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    return env | {
        "CONSULTDESK_DATABASE_URL": PG_URL,
        "CONSULTDESK_DATABASE_SCHEMA": schema,
        "CONSULTDESK_DATA_DIR": str(folder),
        "CONSULTDESK_SECRET_KEY": secret,
        "CONSULTDESK_ENVIRONMENT": "production",
        "CONSULTDESK_LOG_FORMAT": "json",
    }


def seed(schema: str, folder: Path, secret: str, cfg: Config) -> Seeded:
    """Migrate ``schema`` and seed branches, agents and the policy (see the module doc)."""
    write_key_file(folder / "keys.json", new_keyring())  # production refuses to make one
    # Agents never sign in with a password here (they get sessions directly), so the
    # cheap hash only shortens seeding; the servers use the production profile.
    passwords.use_cheap_hashing_for_tests()
    c = bootstrap(
        Settings(
            database_url=PG_URL,
            database_schema=schema,
            data_dir=folder,
            secret_key=secret,
            environment="production",
        )
    )
    try:
        upgrade(c.engine)
        now = c.clock.now()
        logins: list[AgentLogin] = []
        with c.uow() as s:
            seed_session_only(s)
            handover = staff.create_user(
                session=s,
                now=now,
                username="load_handover",
                display_name="转人工",
                role="agent",
                branch=BRANCH,
                password="Load-harness-pass-123",
            )
            handover_token = staff.issue_token(session=s, now=now, user=handover, name="load")
            default = policy.current_policy(session=s).int(CAPACITY_KEY)
            needed = math.ceil(cfg.customers / max(cfg.agents, 1))
            capacity, note = default, f"{CAPACITY_KEY} {default} (policy default)"
            if needed > default:
                raised = policy.set_policy_value(
                    session=s,
                    now=now,
                    author=UserId(handover.id),
                    key=CAPACITY_KEY,
                    value=needed,
                    reason=f"load harness: {cfg.customers} chats on {cfg.agents} agents",
                )
                capacity = needed
                note = (
                    f"{CAPACITY_KEY} {default} -> {needed} (new head-office version "
                    f"{raised.version}) so {cfg.agents} agents hold {cfg.customers} chats"
                )
            for n in range(cfg.agents):
                member = staff.create_user(
                    session=s,
                    now=now,
                    username=f"load_agent_{n:04d}",
                    display_name=f"坐席{n}",
                    role="agent",
                    branch=BRANCH,
                    password="Load-harness-pass-123",
                )
                routing.set_presence(session=s, now=now, member=member, status="available")
                cookie, _ = staff.open_session(session=s, now=now, user=member, hours=2)
                token = staff.issue_token(session=s, now=now, user=member, name="load")
                logins.append(AgentLogin(member.id, cookie, token))
        return Seeded(logins, handover_token, capacity, note)
    finally:
        c.close()


# ---- server processes ------------------------------------------------------------------


@dataclass
class Process:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    port: int | None = None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(name: str, args: list[str], env: dict[str, str], folder: Path) -> Process:
    exe = str(Path(sys.executable).parent / "consultdesk")
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([exe, *args], env=env, stdout=out, stderr=subprocess.STDOUT)
    return Process(name, proc, log)


def start_servers(
    env: dict[str, str], folder: Path, web: list[str]
) -> tuple[list[Process], Process]:
    """``consultdesk serve`` on a free loopback port for each name in ``web``, one
    ``consultdesk worker``; returns once every web process answers /healthz."""
    servers = []
    for name in web:
        port = free_port()
        p = launch(name, ["serve", "--host", "127.0.0.1", "--port", str(port)], env, folder)
        p.port = port
        servers.append(p)
    worker = launch("worker", ["worker"], env, folder)
    deadline = time.monotonic() + START_TIMEOUT_S
    for p in servers:
        while True:
            if p.proc.poll() is not None or time.monotonic() > deadline:
                stop([*servers, worker])
                raise RuntimeError(f"{p.name} did not start:\n{tail(p.log)}")
            try:
                url = f"http://127.0.0.1:{p.port}/healthz"
                if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    if worker.proc.poll() is not None:
        stop(servers)
        raise RuntimeError(f"worker did not start:\n{tail(worker.log)}")
    return servers, worker


def stop(processes: list[Process]) -> None:
    for p in processes:
        if p.proc.poll() is None:
            p.proc.terminate()
    for p in processes:
        try:
            p.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.proc.kill()
            p.proc.wait(timeout=5)


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def peak_rss_mib(pid: int) -> float:
    """VmHWM (peak resident memory) of ``pid`` plus that of each of its descendants."""
    total_kib = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kib += int(line.split()[1])
        todo.extend(_children(current))
    return total_kib / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU seconds of every PostgreSQL process on this machine (backends come and go: a
    backend that exits during a phase drops out, so this is a lower bound)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().startswith("postgres"):
                    total += cpu_seconds(int(entry.name))
    return total


def logged_errors(path: Path) -> Counter[str]:
    """ERROR/CRITICAL lines and tracebacks a process wrote, by logger and message."""
    found: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if record.get("level") in ("ERROR", "CRITICAL"):
                    what = f"{record.get('logger')}: {record.get('msg')}"
                    if record.get("exc_type"):
                        what += f" ({record['exc_type']})"
                    hint = re.search(
                        r'(unique constraint "[^"]+"|UNIQUE constraint failed: \S+)',
                        str(record.get("exc", "")),
                    )
                    if hint:
                        what += f" {hint.group(1)}"
                    found[what[:160]] += 1
        elif line.startswith("Traceback"):
            found["traceback (uvicorn)"] += 1
    return found


# ---- the load ------------------------------------------------------------------------


@dataclass
class Customer:
    index: int
    cid: str
    token: str
    ws: ClientConnection
    reader: asyncio.Task[None] | None = None


@dataclass
class Run:
    """What one topology's run saw; keys are (consultation id, client message id)."""

    cfg: Config
    seeded: Seeded
    customer_url: str
    agent_url: str
    read_urls: list[str]
    pids: dict[str, int] = field(default_factory=dict)
    sent: dict[tuple[str, str], float] = field(default_factory=dict)
    ack_ms: dict[tuple[str, str], float] = field(default_factory=dict)
    delivery_ms: dict[tuple[str, str], float] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    subscribed: dict[str, asyncio.Event] = field(default_factory=dict)
    owner: dict[str, AgentLogin] = field(default_factory=dict)
    last_seq: dict[str, int] = field(default_factory=dict)
    taking_done: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    lag_ms: list[float] = field(default_factory=list)
    measuring_lag: bool = False
    reads: int = 0
    read_cores: dict[str, float] = field(default_factory=dict)
    read_ms: list[float] = field(default_factory=list)
    read_seconds: float = 0.0
    taken: int = 0
    take_seconds: float = 0.0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ws_url(http_url: str) -> str:
    return "ws" + http_url.removeprefix("http")


def http_client(base: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base,
        timeout=30,
        trust_env=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def open_socket(url: str, headers: dict[str, str] | None = None) -> ClientConnection:
    return await connect(
        url,
        additional_headers=headers,
        compression=None,  # as the product: short chat frames gain nothing from deflate
        proxy=None,
        open_timeout=30,
        max_queue=None,
    )


async def agent_desk(run: Run, login: AgentLogin, http: httpx.AsyncClient) -> None:
    """One agent: a socket on the agents' process, the queue polled until every chat is
    taken, offers accepted and followed; the socket stays open until the run ends."""
    try:
        ws = await open_socket(
            f"{ws_url(run.agent_url)}/ws/agent", {"Cookie": f"{SESSION_COOKIE}={login.cookie}"}
        )
    except (OSError, WebSocketException) as exc:
        run.errors[f"agent socket refused ({type(exc).__name__})"] += 1
        return
    reader = asyncio.create_task(agent_reader(run, login, ws))
    accepting: set[str] = set()
    rng = random.Random(login.id)
    await asyncio.sleep(rng.random() * POLL_S)  # spread the polls over the second
    try:
        while not run.taking_done.is_set():
            try:
                r = await http.get("/api/v1/routing/queue", headers=bearer(login.token))
            except httpx.HTTPError as exc:
                run.errors[f"queue read failed ({type(exc).__name__})"] += 1
                r = None
            if r is not None and r.status_code != 200:
                run.errors[f"queue read HTTP {r.status_code}"] += 1
            elif r is not None:
                for entry in r.json():
                    cid = entry["consultation_id"]
                    if entry["state"] != "offered" or entry["agent_id"] != login.id:
                        continue
                    if cid in accepting:
                        continue
                    accepting.add(cid)
                    a = await http.post(
                        f"/api/v1/routing/queue/{cid}/accept", headers=bearer(login.token)
                    )
                    if a.status_code != 200:
                        run.errors[f"accept HTTP {a.status_code}"] += 1
                        continue
                    run.owner[cid] = login
                    await ws.send(json.dumps({"type": "subscribe", "consultation_id": cid}))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(run.taking_done.wait(), POLL_S)
        await run.finished.wait()
    finally:
        reader.cancel()
        await ws.close()


async def agent_reader(run: Run, login: AgentLogin, ws: ClientConnection) -> None:
    try:
        async for raw in ws:
            now = time.perf_counter()
            event = json.loads(raw)
            kind = event.get("type")
            if kind == "message":
                m = event["message"]
                cid = m["consultation_id"]
                if m["seq"] <= run.last_seq.get(cid, 0):
                    run.errors["delivered out of order or twice (seq)"] += 1
                run.last_seq[cid] = max(m["seq"], run.last_seq.get(cid, 0))
                if m["author_kind"] != "customer" or not m["client_msg_id"]:
                    continue
                key = (cid, m["client_msg_id"])
                sent_at = run.sent.get(key)
                if sent_at is None:
                    continue
                if key in run.delivery_ms:
                    run.errors["delivered twice"] += 1
                else:
                    run.delivery_ms[key] = (now - sent_at) * 1000
            elif kind == "history":
                cid = event["consultation_id"]
                seqs = [m["seq"] for m in event["messages"]]
                run.last_seq[cid] = max([run.last_seq.get(cid, 0), *seqs])
                run.subscribed.setdefault(cid, asyncio.Event()).set()
            elif kind == "error":
                run.errors[f"agent socket error: {event.get('message')}"] += 1
    except WebSocketException:
        if not run.finished.is_set():
            run.errors["agent socket closed early"] += 1


async def customer_reader(run: Run, c: Customer) -> None:
    try:
        async for raw in c.ws:
            now = time.perf_counter()
            event = json.loads(raw)
            kind = event.get("type")
            if kind == "ack":
                key = (c.cid, event["client_msg_id"])
                sent_at = run.sent.get(key)
                if sent_at is not None and key not in run.ack_ms:
                    run.ack_ms[key] = (now - sent_at) * 1000
            elif kind == "error":
                run.errors[f"customer socket error: {event.get('message')}"] += 1
    except WebSocketException:
        if not run.finished.is_set():
            run.errors["customer socket closed early"] += 1


async def open_customer(
    run: Run, index: int, gate: asyncio.Semaphore, a: httpx.AsyncClient, b: httpx.AsyncClient
) -> Customer | None:
    """Open a chat on the customers' process, connect, hand it over to the agents."""
    async with gate:
        try:
            r = await a.post("/api/v1/chat", json={"branch": BRANCH, "lang": "zh"})
            if r.status_code != 201:
                run.errors[f"open chat HTTP {r.status_code}"] += 1
                return None
            opened = r.json()
            cid, token = opened["consultation_id"], opened["token"]
            run.subscribed.setdefault(cid, asyncio.Event())
            ws = await open_socket(f"{ws_url(run.customer_url)}/ws/chat/{cid}?token={token}")
            if json.loads(await ws.recv())["type"] != "history":
                run.errors["customer socket: no history first"] += 1
            c = Customer(index, cid, token, ws)
            c.reader = asyncio.create_task(customer_reader(run, c))
            q = await b.post(
                "/api/v1/routing/queue",
                json={"consultation_id": cid},
                headers=bearer(run.seeded.handover_token),
            )
            if q.status_code != 201:
                run.errors[f"hand-over HTTP {q.status_code}"] += 1
            return c
        except (httpx.HTTPError, OSError, WebSocketException) as exc:
            run.errors[f"opening a chat failed ({type(exc).__name__})"] += 1
            return None


async def chat(run: Run, c: Customer, begin: float, end: float) -> None:
    """Open loop: one message every interval from ``begin`` (spread by index) to ``end``."""
    interval = run.cfg.interval
    start = begin + interval * c.index / run.cfg.customers
    n = 0
    while (due := start + n * interval) < end:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        cmid = f"m{n}"
        frame = {"type": "message", "client_msg_id": cmid, "text": f"请问信用卡账单第{n}期怎么分期"}
        run.sent[(c.cid, cmid)] = time.perf_counter()
        try:
            await c.ws.send(json.dumps(frame, ensure_ascii=False))
        except WebSocketException:
            run.errors["customer send failed"] += 1
            return
        n += 1


async def loop_lag(run: Run) -> None:
    """How late this process's event loop wakes up: the harness's own share of latency."""
    tick = 0.05
    while not run.finished.is_set():
        before = time.perf_counter()
        await asyncio.sleep(tick)
        if run.measuring_lag:
            run.lag_ms.append((time.perf_counter() - before - tick) * 1000)


async def read_phase(run: Run, held: list[tuple[AgentLogin, str]]) -> None:
    """Closed loop, ``read_concurrency`` connections spread over ``read_urls``: an agent's
    open consultations, or the full transcript of one of them. The requests come from a
    lean generator in a child process (bench/read_load.py): httpx spent more CPU per
    request than the servers did, on the same two cores."""
    requests: list[ReadRequest] = []
    for login, cid in held:
        requests.append(ReadRequest("/api/v1/consultations?mine=true&open_only=true", login.token))
        requests.append(ReadRequest(f"/api/v1/consultations/{cid}/messages", login.token))
    targets = []
    for url in run.read_urls:
        host, _, port = url.removeprefix("http://").partition(":")
        targets.append((host, int(port)))
    before = {name: cpu_seconds(pid) for name, pid in run.pids.items()}
    before["postgres"] = postgres_cpu_seconds()
    children_before = os.times()
    result = await asyncio.to_thread(
        run_reads, targets, requests, run.cfg.read_concurrency, run.cfg.read_seconds
    )
    after = {name: cpu_seconds(pid) for name, pid in run.pids.items()}
    after["postgres"] = postgres_cpu_seconds()
    children_after = os.times()
    seconds = max(result.seconds, 1e-9)
    run.read_cores = {name: (after[name] - before[name]) / seconds for name in after}
    run.read_cores["generator"] = (
        children_after.children_user
        + children_after.children_system
        - children_before.children_user
        - children_before.children_system
    ) / seconds
    run.reads = result.reads
    run.read_ms = result.latencies_ms
    run.read_seconds = result.seconds
    for what, n in result.errors.items():
        run.errors[what] += n


async def drive(run: Run) -> None:
    cfg = run.cfg
    lag = asyncio.create_task(loop_lag(run))
    a = http_client(run.customer_url, cfg.connect_concurrency)
    b = http_client(run.agent_url, 64)
    desks = [asyncio.create_task(agent_desk(run, login, b)) for login in run.seeded.agents]
    customers: list[Customer] = []
    try:
        # 2. take
        gate = asyncio.Semaphore(cfg.connect_concurrency)
        started = time.perf_counter()
        opened = await asyncio.gather(
            *(open_customer(run, i, gate, a, b) for i in range(cfg.customers))
        )
        customers = [c for c in opened if c is not None]
        deadline = started + TAKE_TIMEOUT_S
        for c in customers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    run.subscribed[c.cid].wait(), max(0.0, deadline - time.perf_counter())
                )
        run.take_seconds = time.perf_counter() - started
        run.taking_done.set()
        taken = [c for c in customers if run.subscribed[c.cid].is_set() and c.cid in run.owner]
        run.taken = len(taken)
        if run.taken < cfg.customers:
            run.errors["customers without an agent"] += cfg.customers - run.taken
        # 3. chat
        run.measuring_lag = True
        begin = time.perf_counter() + 0.5
        end = begin + cfg.seconds
        await asyncio.gather(*(chat(run, c, begin, end) for c in taken))
        drain_until = time.perf_counter() + DRAIN_S
        while time.perf_counter() < drain_until and (
            len(run.ack_ms) < len(run.sent) or not run.ack_ms.keys() <= run.delivery_ms.keys()
        ):
            await asyncio.sleep(0.05)
        run.measuring_lag = False
        # 4. read
        held = [(login, cid) for cid, login in run.owner.items()]
        if held and cfg.read_seconds > 0:
            await read_phase(run, held)
    finally:
        run.finished.set()
        for c in customers:
            if c.reader is not None:
                c.reader.cancel()
            with contextlib.suppress(Exception):
                await c.ws.close()
        await asyncio.gather(*desks, return_exceptions=True)
        lag.cancel()
        await a.aclose()
        await b.aclose()


# ---- one topology, the report ----------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def run_topology(label: str, cfg: Config, two: bool) -> dict[str, Any]:
    """Seed a fresh schema, start the servers, drive the load, return the figures."""
    with fresh_schema(label) as schema, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        secret = secrets.token_urlsafe(48)
        seeded = seed(schema, folder, secret, cfg)
        names = ["web-a", "web-b"] if two else ["web-a"]
        servers, worker = start_servers(server_env(schema, folder, secret), folder, names)
        urls = [f"http://127.0.0.1:{p.port}" for p in servers]
        run = Run(cfg, seeded, urls[0], urls[-1], urls)
        run.pids = {p.name: p.proc.pid for p in [*servers, worker]}
        try:
            try:
                import uvloop

                uvloop.run(drive(run))
            except ImportError:
                asyncio.run(drive(run))
            rss = {p.name: peak_rss_mib(p.proc.pid) for p in [*servers, worker]}
        finally:
            stop([*servers, worker])
        logged: Counter[str] = Counter()
        for p in [*servers, worker]:
            for what, n in logged_errors(p.log).items():
                logged[f"{p.name}: {what}"] += n
        return figures(run, rss, logged, seeded)


def figures(
    run: Run, rss: dict[str, float], logged: Counter[str], seeded: Seeded
) -> dict[str, Any]:
    acked = set(run.ack_ms)
    lost = acked - run.delivery_ms.keys()
    errors = Counter(run.errors)
    if unacked := len(run.sent) - len(acked):
        errors["sent, never acked"] += unacked
    ack = list(run.ack_ms.values())
    delivery = list(run.delivery_ms.values())
    return {
        "customers": run.cfg.customers,
        "taken": run.taken,
        "take_seconds": run.take_seconds,
        "sent": len(run.sent),
        "acked": len(acked),
        "delivered": len(run.delivery_ms),
        "messages_per_s": len(acked) / run.cfg.seconds,
        "ack_ms": {q: percentile(ack, v) for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
        "delivery_ms": {
            q: percentile(delivery, v) for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "lost": len(lost),
        "reads_per_s": run.reads / run.read_seconds if run.read_seconds else 0.0,
        "read_cores": run.read_cores,
        "read_ms": {"p50": percentile(run.read_ms, 0.5), "p99": percentile(run.read_ms, 0.99)},
        "peak_rss_mib": rss,
        "logged_errors": dict(logged),
        "loop_lag_p99_ms": percentile(run.lag_ms, 0.99),
        "capacity": seeded.capacity,
        "capacity_note": seeded.capacity_note,
    }


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSED"


def ms3(d: dict[str, float]) -> str:
    return f"{d['p50']:.1f} / {d['p95']:.1f} / {d['p99']:.1f}"


def report(cfg: Config, note: str, two: dict[str, Any], one: dict[str, Any] | None) -> None:
    print(
        f"\n== load: {cfg.customers} chat customers, {cfg.agents} agents, {cfg.seconds:.0f} s; "
        f"one message per customer every {cfg.interval:g} s (~{cfg.offered_rate:,.0f} msgs/s "
        f"offered); reads {cfg.read_seconds:.0f} s x {cfg.read_concurrency} in flight"
    )
    print(f"   machine: {os.cpu_count()} cores shared by PostgreSQL, the servers and this client")
    print(f"   policy: {note}")
    rows: list[tuple[str, str, str, str, str]] = []

    def row(name: str, key: Any, fmt: Any, target: str = "", ok: bool | None = None) -> None:
        base = fmt(one[key]) if one is not None else "-"
        rows.append((name, fmt(two[key]), base, target, "" if ok is None else verdict(ok)))

    row(
        "customers taken by an agent",
        "taken",
        lambda v: f"{v}/{cfg.customers}",
        "all",
        two["taken"] == cfg.customers,
    )
    row("messages/s (acked)", "messages_per_s", lambda v: f"{v:,.0f}")
    row("ack ms p50 / p95 / p99", "ack_ms", ms3)
    row(
        "delivery ms p50 / p95 / p99",
        "delivery_ms",
        ms3,
        f"p99 <= {TARGET_DELIVERY_P99_MS:.0f}",
        two["delivery_ms"]["p99"] <= TARGET_DELIVERY_P99_MS,
    )
    row("errors", "errors", str, "0", two["errors"] == 0)
    row("lost (acked, never delivered)", "lost", str, "0", two["lost"] == 0)
    row(
        "API reads req/s",
        "reads_per_s",
        lambda v: f"{v:,.0f}",
        f">= {TARGET_READS_PER_S:,.0f}",
        two["reads_per_s"] >= TARGET_READS_PER_S,
    )
    row("API read ms p50 / p99", "read_ms", lambda d: f"{d['p50']:.1f} / {d['p99']:.1f}")
    short = {"web-a": "A", "web-b": "B", "worker": "W", "postgres": "PG", "generator": "gen"}
    row(
        "CPU in reads, cores",
        "read_cores",
        lambda d: " ".join(f"{short.get(k, k)} {v:.2f}" for k, v in d.items()),
    )
    row(
        "peak RSS MiB (VmHWM)",
        "peak_rss_mib",
        lambda d: " / ".join(f"{k} {v:.0f}" for k, v in d.items()),
    )
    row("server log errors", "logged_errors", lambda d: str(sum(d.values())))
    row("harness loop lag p99 ms", "loop_lag_p99_ms", lambda v: f"{v:.1f}")
    headers = ("", "A customers, B agents", "baseline: one process", "target", "")
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(5)]
    for r in [headers, *rows]:
        print("   " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    for label, result in (("two processes", two), ("baseline", one)):
        if result is None:
            continue
        for what, n in sorted(result["error_kinds"].items()):
            print(f"   {label} error: {what} x{n}")
        for what, n in sorted(result["logged_errors"].items()):
            print(f"   {label} log: {what} x{n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--agents", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--interval", type=float, default=2.0, help="s between one's messages")
    parser.add_argument("--read-seconds", type=float, default=20.0)
    parser.add_argument("--read-concurrency", type=int, default=32)
    parser.add_argument("--connect-concurrency", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="50 customers, 15 agents, 20 s")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-process run")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.customers, args.agents, args.seconds, args.read_seconds = 50, 15, 20.0, 5.0
    if args.customers < 1 or args.agents < 1 or args.seconds <= 0 or args.interval <= 0:
        parser.error("--customers, --agents, --seconds and --interval must be positive")
    cfg = Config(
        customers=args.customers,
        agents=args.agents,
        seconds=args.seconds,
        interval=args.interval,
        read_seconds=args.read_seconds,
        read_concurrency=args.read_concurrency,
        connect_concurrency=args.connect_concurrency,
    )
    print(f"two web processes + worker on PostgreSQL ({PG_URL.split('@')[-1]}) ...", flush=True)
    two = run_topology("two", cfg, two=True)
    one = None
    if not args.no_baseline:
        print("baseline: one web process + worker ...", flush=True)
        one = run_topology("one", cfg, two=False)
    report(cfg, two["capacity_note"], two, one)
    if args.json:
        args.json.write_text(json.dumps({"two": two, "one": one}, indent=2, default=str))


if __name__ == "__main__":
    main()
