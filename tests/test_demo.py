"""The demo bank loads, and loading it again changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from consultdesk.bootstrap import Container
from consultdesk.customers import service as customers
from consultdesk.demo import DEMO_LOGINS, seed_demo
from consultdesk.staff import service as staff
from consultdesk.staff.model import Role
from tests.servers import closed_port_url


def test_demo_has_a_login_for_every_role_and_is_idempotent(container: Container) -> None:
    seed_demo(container)
    seed_demo(container)
    with container.uow() as session:
        users = staff.list_users(session=session)
        found = customers.find_by_phone(
            session=session, index_key=container.index_key, phone="13812340001"
        )
    assert {u.role for u in users} == set(Role)
    assert len(users) == len(DEMO_LOGINS)
    assert found is not None and found.core_customer_id == "C001"
    assert found.phone_masked == "138****0001"


def test_demo_knowledge_base_is_published(container: Container) -> None:
    # REQ: PREP-1 — a knowledge base of standard answers by business line.
    from consultdesk.knowledge import service as knowledge

    seed_demo(container)
    with container.uow() as session:
        published = knowledge.list_published(session=session, now=container.clock.now())
    assert len(published) >= 200
    assert len({p.business_line for p in published}) == 9


def test_make_demo_command_prints_the_logins_and_serves_the_console(tmp_path: Path) -> None:
    # The command `make demo` runs: `consultdesk demo` migrates an SQLite file, loads the
    # demo bank, prints the logins with their columns named, and serves the console.
    port = int(closed_port_url().rsplit(":", 1)[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env |= {
        "CONSULTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "CONSULTDESK_DATA_DIR": str(tmp_path),
    }
    exe = str(Path(sys.executable).parent / "consultdesk")
    with subprocess.Popen(
        [exe, "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        try:
            out: list[str] = []
            assert proc.stdout is not None
            for line in proc.stdout:
                out.append(line)
                if "控制台 / Console" in line:
                    break
            printed = "".join(out)
            assert "用户名 username" in printed and "密码 password" in printed, printed
            for login in DEMO_LOGINS:
                assert f"{login.username} " in printed and login.password in printed
            deadline = time.monotonic() + 60
            while True:
                try:
                    page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the console did not come up"
                    time.sleep(0.3)
            assert page.status_code == 200 and "登录" in page.text
        finally:
            proc.terminate()
            proc.wait(timeout=30)
