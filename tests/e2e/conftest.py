"""Browser tests: the real console on a real uvicorn server, driven by Debian's Chromium.

Playwright's own browser download cannot work here, so the system Chromium is used.
Without /usr/bin/chromium these tests skip, unless CONSULTDESK_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from consultdesk.bootstrap import bootstrap
from consultdesk.demo import seed_demo
from consultdesk.policy.service import set_policy_value
from consultdesk.settings import Settings
from consultdesk.shared.ids import UserId
from consultdesk.web.app import create_app
from tests.servers import serve_in_thread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CONSULTDESK_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (CONSULTDESK_REQUIRE_BROWSER=1) but it is missing")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo bank on an SQLite file, served over HTTP on a free loopback port."""
    folder: Path = tmp_path_factory.mktemp("e2e")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'e2e.sqlite3'}",
        data_dir=folder,
        environment="test",
        secret_key="e2e-secret-key-long-enough-0123456789abcdef",
    )
    container = bootstrap(settings)
    seed_demo(container)
    # Every browser test signs in from 127.0.0.1: lift the per-address limit for the run.
    with container.uow() as session:
        set_policy_value(
            session=session,
            now=container.clock.now(),
            author=UserId("e2e"),
            key="security.sign_in_per_address",
            value=10_000,
            reason="浏览器测试",
        )
    with serve_in_thread(create_app(container)) as url:
        yield url
    container.close()
