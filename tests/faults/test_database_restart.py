"""PostgreSQL stopped and started under a running `consultdesk serve` (issue 12 item 5;
PREP-3: a dependency's outage degrades the desk with a clear answer, never a 500).

A private cluster (tests/faults/cluster.py) is stopped with ``pg_ctl stop -m fast``
while requests keep coming, two of them blocked half-way through their transaction (a
consultation row written, its "opened" event waiting on a table lock the test holds).
While it is down every API answer is a 503 ``database_unavailable`` in the error shape;
once it is back the same serve process answers again (pool pre-ping), and the database
holds each consultation whole or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from consultdesk.bootstrap import bootstrap
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.staff import service as staff
from consultdesk.web.app import create_app
from tests.conftest import SECRET
from tests.consultations.test_kill import free_port
from tests.consultations.test_two_processes import serve
from tests.faults.cluster import PrivateCluster, private_cluster
from tests.faults.locks import wait_until_blocked
from tests.servers import closed_port_url

PROMPT_S = 3.0  # an answer during the outage comes at once, not after a hang


def _env(url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    return env | {
        "CONSULTDESK_DATABASE_URL": url,
        "CONSULTDESK_DATA_DIR": str(folder),
        "CONSULTDESK_SECRET_KEY": SECRET,
        "CONSULTDESK_ENVIRONMENT": "test",
    }


@dataclass
class Load:
    """One client opening consultations and listing them, each POST named by its subject."""

    base: str
    headers: dict[str, str]
    stop: threading.Event = field(default_factory=threading.Event)
    paused: threading.Event = field(default_factory=threading.Event)
    idle: threading.Event = field(default_factory=threading.Event)
    posts: dict[str, int] = field(default_factory=dict)  # subject -> status
    codes: Counter[int] = field(default_factory=Counter)
    bodies_503: list[dict[str, object]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # transport errors: serve died?

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=20) as client:
            n = 0
            while not self.stop.is_set():
                if self.paused.is_set():
                    self.idle.set()
                    time.sleep(0.01)
                    continue
                self.idle.clear()
                subject = f"load-{n}"
                n += 1
                try:
                    r = client.post(
                        "/api/v1/consultations", json={"channel": "phone", "subject": subject}
                    )
                    self.posts[subject] = r.status_code
                    self._note(r)
                    self._note(client.get("/api/v1/consultations", params={"limit": 5}))
                except httpx.TransportError as exc:
                    self.failures.append(type(exc).__name__)
                time.sleep(0.02)

    def _note(self, r: httpx.Response) -> None:
        self.codes[r.status_code] += 1
        if r.status_code == 503:
            self.bodies_503.append(r.json())

    def pause(self) -> None:
        self.paused.set()
        assert self.idle.wait(timeout=10)


def _assert_database_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "数据库暂时不可用" in error["message"] and "database" in error["message"]
    assert "Traceback" not in r.text and "sqlalchemy" not in r.text.lower()


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    with private_cluster() as pg:
        yield pg


@pytest.mark.postgres
def test_serve_answers_503_while_postgres_is_down_and_recovers_without_restart(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    """Issue 12 item 5 / PREP-3: 503 with a clear JSON error while PostgreSQL is down
    (``/readyz`` says the database is down), answers again after it restarts without
    restarting serve, and no consultation half-written by the outage."""
    env = _env(cluster.url, tmp_path)
    exe = str(Path(sys.executable).parent / "consultdesk")
    subprocess.run([exe, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60)

    settings = Settings(
        database_url=cluster.url, secret_key=SECRET, environment="test", data_dir=tmp_path
    )
    c = bootstrap(settings)
    with c.uow() as s:
        seed_session_only(s)
        agent = staff.create_user(
            session=s,
            now=c.clock.now(),
            username="agent_outage",
            display_name="李坐席",
            role="agent",
            branch="BJ01",
            password="Outage-pass-12345",
        )
        token = staff.issue_token(session=s, now=c.clock.now(), user=agent, name="fault")
    c.close()
    headers = {"Authorization": f"Bearer {token}"}

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(env, port)
    load = Load(base, headers)
    loader = threading.Thread(target=load.run)
    holder_engine = create_engine(cluster.url, poolclass=NullPool)
    interrupted: dict[str, httpx.Response] = {}
    try:
        loader.start()
        deadline = time.monotonic() + 10
        while load.codes[201] < 3:
            assert time.monotonic() < deadline, load.codes
            time.sleep(0.05)

        # Two POSTs stopped half-way: the consultation row is written, the insert of its
        # "opened" event waits on the lock the test holds.
        load.pause()
        holder = holder_engine.connect()
        holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
        holder.execute(text("LOCK TABLE consultation_events IN SHARE MODE"))

        def post_interrupted() -> None:
            interrupted["r"] = httpx.post(
                f"{base}/api/v1/consultations",
                json={"channel": "phone", "subject": "interrupted"},
                headers=headers,
                timeout=20,
            )

        poster = threading.Thread(target=post_interrupted)
        poster.start()
        wait_until_blocked(holder_engine, holder_pid)
        load.paused.clear()  # the load's next POST blocks the same way; its GETs go on

        cluster.stop()
        poster.join(timeout=10)
        holder.invalidate()
        _assert_database_unavailable(interrupted["r"])

        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            started = time.monotonic()
            _assert_database_unavailable(client.get("/api/v1/consultations"))
            _assert_database_unavailable(
                client.post("/api/v1/consultations", json={"channel": "phone", "subject": "x"})
            )
            ready = client.get("/readyz")
            assert time.monotonic() - started < PROMPT_S
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"]["state"] == "down"
            # Liveness stays up: the process is fine and must not be restarted for this.
            assert client.get("/healthz").status_code == 200

            cluster.start()
            r = client.get("/api/v1/consultations")
            assert r.status_code == 200, r.text  # the first request after the restart
            after = client.post(
                "/api/v1/consultations", json={"channel": "phone", "subject": "after"}
            )
            assert after.status_code == 201, after.text
            assert client.get("/readyz").json()["checks"]["database"]["state"] == "ok"
        deadline = time.monotonic() + 10
        while load.codes[201] == 0 or list(load.posts.values())[-1] != 201:
            assert time.monotonic() < deadline, load.codes
            time.sleep(0.05)
    finally:
        load.stop.set()
        loader.join(timeout=30)
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        holder_engine.dispose()

    assert not load.failures, load.failures  # serve itself never went away
    assert set(load.codes) <= {200, 201, 503}, load.codes
    assert load.codes[503] > 0
    assert {b["error"]["code"] for b in load.bodies_503} == {"database_unavailable"}  # type: ignore[index]

    check = create_engine(cluster.url, poolclass=NullPool)
    with check.connect() as conn:
        stored = Counter(conn.execute(text("SELECT subject FROM consultations")).scalars().all())
        events: dict[str, int] = dict(
            conn.execute(
                text(
                    "SELECT c.subject, count(e.id) FROM consultations c "
                    "LEFT JOIN consultation_events e "
                    "ON e.consultation_id = c.id AND e.kind = 'opened' GROUP BY c.id, c.subject"
                )
            ).all()
        )
    check.dispose()
    acknowledged = {s for s, code in load.posts.items() if code == 201}
    refused = {s for s, code in load.posts.items() if code == 503}
    assert stored["interrupted"] == 0  # rolled back with the outage, not half there
    assert stored["after"] == 1
    assert all(stored[s] == 1 for s in acknowledged), "an acknowledged consultation is missing"
    assert not any(stored[s] for s in refused), "a refused POST left a consultation behind"
    assert set(events.values()) == {1}, "a consultation without its opened event"


def test_unreachable_database_is_a_503_in_the_error_shape_not_a_500(tmp_path: Path) -> None:
    """Issue 12 item 5 / PREP-3, in-process: a PostgreSQL URL nobody listens on gives the
    same 503 ``database_unavailable`` (Chinese and English), never a traceback."""
    url = closed_port_url().replace("http://", "postgresql+psycopg://postgres@") + "/x"
    settings = Settings(database_url=url, secret_key=SECRET, environment="test", data_dir=tmp_path)
    c = bootstrap(settings)
    try:
        with TestClient(create_app(c), raise_server_exceptions=False) as client:
            r = client.get("/api/v1/consultations", headers={"Authorization": "Bearer nope"})
            ready = client.get("/readyz")
    finally:
        c.close()
    _assert_database_unavailable(r)
    assert r.headers["retry-after"]
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["state"] == "down"
