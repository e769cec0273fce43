"""No acknowledged message is ever lost, also when the server is killed (ACC-1).

Starts ``consultdesk serve`` as a separate process on an SQLite file, sends a burst of
chat messages over several WebSockets and over HTTP, records every acknowledgement,
kills the server with SIGKILL in the middle of the burst, reopens the database and
checks that every acknowledged (consultation, client_msg_id) is stored.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from consultdesk.bootstrap import bootstrap
from consultdesk.consultations import visitors
from consultdesk.consultations.tables import MessageRow
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings

SECRET = "kill-test-secret-key-long-enough-0123456789"
SOCKETS = 4
WINDOW = 16  # messages in flight per socket
KILL_AFTER_ACKS = 400


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    url = f"sqlite:///{folder / 'kill.sqlite3'}"
    c = bootstrap(
        Settings(database_url=url, data_dir=folder, secret_key=SECRET, environment="test")
    )
    upgrade(c.engine)
    chats = []
    with c.uow() as s:
        seed_session_only(s)
        for _ in range(SOCKETS + 1):
            chat = visitors.open_visitor_chat(
                session=s, now=c.clock.now(), index_key=c.index_key, branch="BJ01"
            )
            chats.append((chat.consultation.id, chat.token))
    c.close()
    return url, chats


def start_server(url: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONSULTDESK_DATABASE_URL": url,
        "CONSULTDESK_DATA_DIR": str(folder),
        "CONSULTDESK_SECRET_KEY": SECRET,
        "CONSULTDESK_ENVIRONMENT": "test",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from consultdesk.cli.main import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("consultdesk serve did not start")


class Acks:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: set[tuple[str, str]] = set()

    def add(self, cid: str, client_id: str) -> None:
        with self.lock:
            self.seen.add((cid, client_id))

    def __len__(self) -> int:
        with self.lock:
            return len(self.seen)


def chat_burst(port: int, cid: str, token: str, acks: Acks, stop: threading.Event) -> None:
    """Send numbered messages, WINDOW in flight, until the socket dies."""
    try:
        with connect(f"ws://127.0.0.1:{port}/ws/chat/{cid}?token={token}") as ws:
            sent = acked = 0
            while not stop.is_set():
                while sent - acked < WINDOW:
                    frame = {"type": "message", "client_msg_id": f"w{sent}", "text": f"消息 {sent}"}
                    ws.send(json.dumps(frame))
                    sent += 1
                event = json.loads(ws.recv(timeout=10))
                if event["type"] == "ack":
                    acks.add(cid, event["client_msg_id"])
                    acked += 1
    except (WebSocketException, OSError, TimeoutError):
        return  # the server was killed


def http_burst(port: int, cid: str, token: str, acks: Acks, stop: threading.Event) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        n = 0
        while not stop.is_set():
            try:
                r = client.post(
                    f"/api/v1/chat/{cid}/messages",
                    json={"text": f"HTTP 消息 {n}", "client_msg_id": f"h{n}"},
                    headers={"X-Chat-Token": token},
                )
            except httpx.TransportError:
                return
            if r.status_code in (200, 201):
                acks.add(cid, f"h{n}")
            n += 1


@pytest.mark.slow
def test_every_acknowledged_message_survives_sigkill(tmp_path: Path) -> None:
    # REQ: ACC-1 — "No acknowledged message is ever lost, also when the server is killed."
    url, chats = prepare(tmp_path)
    port = free_port()
    server = start_server(url, tmp_path, port)
    acks, stop = Acks(), threading.Event()
    workers = [
        threading.Thread(target=chat_burst, args=(port, cid, token, acks, stop))
        for cid, token in chats[:SOCKETS]
    ]
    workers.append(threading.Thread(target=http_burst, args=(port, *chats[SOCKETS], acks, stop)))
    try:
        for w in workers:
            w.start()
        deadline = time.monotonic() + 30
        while len(acks) < KILL_AFTER_ACKS and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(server.pid, signal.SIGKILL)  # mid-burst: clients are still sending
        server.wait(timeout=10)
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
        for w in workers:
            w.join(timeout=15)
    acknowledged = set(acks.seen)
    assert len(acknowledged) >= KILL_AFTER_ACKS

    c = bootstrap(
        Settings(database_url=url, data_dir=tmp_path, secret_key=SECRET, environment="test")
    )
    try:
        with c.uow() as s:
            stored = {
                (m.consultation_id, m.client_msg_id)
                for m in s.query(MessageRow).filter(MessageRow.client_msg_id.is_not(None))
            }
    finally:
        c.close()
    lost = acknowledged - stored
    assert not lost, f"{len(lost)} acknowledged messages lost, e.g. {sorted(lost)[:5]}"
