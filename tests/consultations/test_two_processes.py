"""Two `consultdesk serve` processes on one PostgreSQL database (ACC-1, the production
shape): customers talk to one process, their agent's socket sits on the other, and every
acknowledged message reaches the other side, once, in order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from consultdesk.bootstrap import bootstrap
from consultdesk.consultations import visitors
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.staff import service as staff
from consultdesk.web.deps import SESSION_COOKIE
from tests.consultations.test_kill import free_port
from tests.pg import PG_URL, schema_name

pytestmark = pytest.mark.postgres

SECRET = "two-process-secret-key-long-enough-0123456789"
CHATS = 4
PER_CHAT = 25


def env_for(schema: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    return env | {
        "CONSULTDESK_DATABASE_URL": PG_URL,
        "CONSULTDESK_DATABASE_SCHEMA": schema,
        "CONSULTDESK_DATA_DIR": str(folder),
        "CONSULTDESK_SECRET_KEY": SECRET,
        "CONSULTDESK_ENVIRONMENT": "test",
    }


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    exe = str(Path(sys.executable).parent / "consultdesk")
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("consultdesk serve did not start")


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[int, int, list[tuple[str, str]], str]]:
    with schema_name("two") as schema:
        env = env_for(schema, tmp_path)
        c = bootstrap(
            Settings(
                database_url=PG_URL,
                database_schema=schema,
                data_dir=tmp_path,
                secret_key=SECRET,
                environment="test",
            )
        )
        upgrade(c.engine)
        with c.uow() as s:
            seed_session_only(s)
            chats = []
            for _ in range(CHATS):
                chat = visitors.open_visitor_chat(
                    session=s, now=c.clock.now(), index_key=c.index_key, branch="BJ01"
                )
                chats.append((chat.consultation.id, chat.token))
            agent = staff.create_user(
                session=s,
                now=c.clock.now(),
                username="agent_two",
                display_name="王坐席",
                role="agent",
                branch="BJ01",
                password="Two-process-pass-123",
            )
            cookie, _ = staff.open_session(session=s, now=c.clock.now(), user=agent, hours=1)
        c.close()
        ports = free_port(), free_port()
        procs = [serve(env, p) for p in ports]
        try:
            yield ports[0], ports[1], chats, cookie
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()


def test_customers_on_one_process_reach_the_agent_on_the_other(
    two_servers: tuple[int, int, list[tuple[str, str]], str],
) -> None:
    port_a, port_b, chats, cookie = two_servers
    received: dict[str, list[tuple[int, str]]] = {cid: [] for cid, _ in chats}
    acked: dict[str, set[str]] = {cid: set() for cid, _ in chats}
    with connect(
        f"ws://127.0.0.1:{port_b}/ws/agent",
        additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
    ) as agent:
        for cid, _ in chats:
            agent.send(json.dumps({"type": "subscribe", "consultation_id": cid}))
            while json.loads(agent.recv(timeout=10))["type"] != "history":
                pass

        def customer(cid: str, token: str) -> None:
            with connect(f"ws://127.0.0.1:{port_a}/ws/chat/{cid}?token={token}") as ws:
                for n in range(PER_CHAT):
                    ws.send(
                        json.dumps(
                            {"type": "message", "client_msg_id": f"m{n}", "text": f"第 {n} 条"}
                        )
                    )
                while len(acked[cid]) < PER_CHAT:
                    event = json.loads(ws.recv(timeout=10))
                    if event["type"] == "ack":
                        acked[cid].add(event["client_msg_id"])

        threads = [threading.Thread(target=customer, args=chat) for chat in chats]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while sum(map(len, received.values())) < CHATS * PER_CHAT:
            assert time.monotonic() < deadline, received
            event = json.loads(agent.recv(timeout=10))
            if event["type"] == "message" and event["message"]["author_kind"] == "customer":
                m = event["message"]
                received[m["consultation_id"]].append((m["seq"], m["client_msg_id"]))
        for t in threads:
            t.join(timeout=20)

        # The agent answers from process B; the customer on process A hears it.
        cid, token = chats[0]
        with connect(f"ws://127.0.0.1:{port_a}/ws/chat/{cid}?token={token}") as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "history"
            agent.send(
                json.dumps(
                    {
                        "type": "message",
                        "consultation_id": cid,
                        "client_msg_id": "a1",
                        "text": "您好，请问有什么可以帮您？",
                    }
                )
            )
            while True:
                event = json.loads(ws.recv(timeout=10))
                if event["type"] == "message" and event["message"]["author_kind"] == "agent":
                    break
    for cid, _ in chats:
        assert acked[cid] == {f"m{n}" for n in range(PER_CHAT)}
        seqs = [seq for seq, _ in received[cid]]
        assert seqs == sorted(seqs), "out of order"
        assert [c for _, c in received[cid]] == [f"m{n}" for n in range(PER_CHAT)]


def test_the_sign_in_limit_per_address_holds_across_both_processes(
    two_servers: tuple[int, int, list[tuple[str, str]], str],
) -> None:
    # REQ: RSK-2 — 20 sign-in attempts per address in 5 minutes, whichever process
    # answers: alternating between the two must not double the allowance.
    from consultdesk.security.ratelimit import SIGN_IN_PER_ADDRESS

    port_a, port_b, _, _ = two_servers
    codes = []
    for n in range(SIGN_IN_PER_ADDRESS.count + 1):
        port = port_a if n % 2 == 0 else port_b
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            json={"username": "agent_two", "password": "wrong-password-000"},
            timeout=10,
        )
        codes.append(r.status_code)
    assert 429 not in codes[:-1], codes
    assert codes[-1] == 429
