"""Outbox API, the SMS sandbox inbox page, and the dispatch CLI (CLS-1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from tests.followups.test_cli import cli_env
from typer.testing import CliRunner

from consultdesk.bootstrap import Container
from consultdesk.notifications import service
from consultdesk.notifications.cli import register

PHONE = "13512345678"


def enqueue(container: Container, text: str = "您的预约号 SH01-20261130-004") -> None:
    with container.uow() as s:
        service.enqueue_sms(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            to=PHONE,
            text=text,
            purpose="appointment_booked",
        )


def console_login(client: TestClient, make_user: Any, role: str) -> str:
    member = make_user(role)
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    r = client.post(
        "/login",
        data={"username": member.username, "password": "Correct-horse-42", "csrf_token": csrf[1]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    home = client.get("/console/sms-inbox")
    token = re.search(r'name="csrf-token" content="([^"]+)"', home.text)
    assert token
    return token[1]


# REQ: CLS-1
def test_sms_inbox_page_shows_dispatched_text_with_masked_number(
    container: Container, client: TestClient, make_user: Any
) -> None:
    enqueue(container)
    csrf = console_login(client, make_user, "supervisor")
    r = client.post("/console/sms-inbox/dispatch", data={"csrf_token": csrf})
    assert r.status_code == 200  # followed the redirect back to the inbox
    assert "SH01-20261130-004" in r.text
    assert "135****5678" in r.text and PHONE not in r.text
    assert 'data-nav="nav.sms_inbox"' in r.text


def test_agent_cannot_open_the_sms_inbox(
    container: Container, client: TestClient, auth_headers: Any
) -> None:
    r = client.get("/console/sms-inbox", headers=auth_headers("agent"))
    assert r.status_code == 403


def test_outbox_api_lists_masked_recipients_and_dispatches(
    container: Container, client: TestClient, auth_headers: Any
) -> None:
    enqueue(container)
    h = auth_headers("admin")
    r = client.post("/api/v1/notifications/dispatch", headers=h)
    assert r.json()["sent"] == 1
    (row,) = client.get("/api/v1/notifications/outbox", headers=h).json()
    assert (row["status"], row["recipient"]) == ("sent", "135****5678")


def test_outbox_api_bad_status_is_422_naming_it(client: TestClient, auth_headers: Any) -> None:
    r = client.get("/api/v1/notifications/outbox?status=lost", headers=auth_headers("supervisor"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"


def test_dispatch_once_cli_reports_what_it_sent(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueue(container)
    cli_env(monkeypatch, container.settings)
    root = typer.Typer()
    register(root)
    result = CliRunner().invoke(root, ["notifications", "dispatch", "--once"])
    assert result.exit_code == 0, result.output
    assert "发送 1" in result.stdout
    listed = CliRunner().invoke(root, ["notifications", "list", "--status", "sent", "--json"])
    assert '"recipient": "135****5678"' in listed.stdout


def test_cli_bad_status_is_one_line_and_exit_2(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_env(monkeypatch, container.settings)
    root = typer.Typer()
    register(root)
    result = CliRunner().invoke(root, ["notifications", "list", "--status", "lost"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("错误（status）")


def test_background_dispatcher_in_the_web_process_sends_by_itself(container: Container) -> None:
    # REQ: CLS-1
    import time

    from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
    from consultdesk.web.app import create_app

    container.tuning.jobs_in_web = True
    enqueue(container)
    with TestClient(create_app(container)):
        gateway = service.sms_gateway(container)
        assert isinstance(gateway, SandboxSmsGateway)
        deadline = time.monotonic() + 10
        while not gateway.inbox() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [m.to for m in gateway.inbox()] == [PHONE]
