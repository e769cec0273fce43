"""The demo bank served with WebSockets on (the console queue loads messages over a
WebSocket; tests/servers.py serves with ws='none'), plus Chromium from tests/e2e."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from consultdesk.bootstrap import Container, bootstrap
from consultdesk.demo import seed_demo
from consultdesk.settings import Settings
from consultdesk.staff import service as staff
from consultdesk.web.app import create_app
from tests.e2e.conftest import browser_type_launch_args

__all__ = ["auth_headers", "browser_type_launch_args", "chat_server", "served"]


@pytest.fixture
def auth_headers(container: Container, make_user: Any) -> Any:
    """Bearer-token headers for a new member of ``role``: the token is issued directly
    (one password hash per member instead of two; sign-in itself is tested in tests/staff)."""

    def headers(role: str, *, branch: str = "HO") -> dict[str, str]:
        member = make_user(role, branch=branch)
        with container.uow() as session:
            token = staff.issue_token(
                session=session, now=container.clock.now(), user=member, name="test"
            )
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Container]]:
    """(base URL, container) of the demo bank on loopback, WebSockets on."""
    folder: Path = tmp_path_factory.mktemp("xss")
    container = bootstrap(
        Settings(
            database_url=f"sqlite:///{folder / 'xss.sqlite3'}",
            data_dir=folder,
            environment="test",
            secret_key="xss-secret-key-long-enough-0123456789abcdef",
        )
    )
    seed_demo(container)
    config = uvicorn.Config(
        create_app(container),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        ws="websockets-sansio",
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("uvicorn test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", container
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        container.close()


@pytest.fixture(scope="session")
def chat_server(served: tuple[str, Container]) -> str:
    return served[0]
