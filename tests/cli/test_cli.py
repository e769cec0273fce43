"""The CLI: users and policy against a real database file, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consultdesk.bootstrap import bootstrap
from consultdesk.cli.main import app
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings

runner = CliRunner()


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("CONSULTDESK_DATABASE_URL", url)
    c = bootstrap(Settings(database_url=url))
    upgrade(c.engine)
    with c.uow() as session:
        seed_session_only(session)
    c.close()
    return url


def test_help_reads_like_a_manual() -> None:
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for command in ("demo", "serve", "db", "users", "policy"):
        assert command in r.output


def test_users_create_then_list_as_json(db_env: str) -> None:
    r = runner.invoke(
        app,
        [
            "users",
            "create",
            "li.na",
            "--role",
            "agent",
            "--branch",
            "BJ01",
            "--name",
            "李娜",
            "--password",
            "Agent-pass-2026",
        ],
    )
    assert r.exit_code == 0, r.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).output)
    assert [(u["username"], u["role"], u["branch"]) for u in listed] == [("li.na", "agent", "BJ01")]


def test_users_create_with_bad_role_is_one_line_and_exit_2(db_env: str) -> None:
    r = runner.invoke(
        app,
        [
            "users",
            "create",
            "x.y",
            "--role",
            "king",
            "--name",
            "x",
            "--password",
            "Agent-pass-2026",
        ],
    )
    assert r.exit_code == 2
    assert "未知角色" in r.output
    assert "Traceback" not in r.output


def test_users_disable(db_env: str) -> None:
    runner.invoke(
        app,
        ["users", "create", "gone", "--role", "qa", "--name", "x", "--password", "Agent-pass-2026"],
    )
    assert runner.invoke(app, ["users", "disable", "gone"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).output)
    assert listed[0]["active"] is False


def test_policy_set_and_show(db_env: str) -> None:
    # REQ: ANX-2
    r = runner.invoke(
        app, ["policy", "set", "sla.online_first_response_s", "25", "--reason", "试点"]
    )
    assert r.exit_code == 0, r.output
    shown = json.loads(runner.invoke(app, ["policy", "show", "--json"]).output)
    assert shown["version"] == "HO-1"
    assert shown["values"]["sla.online_first_response_s"] == 25


def test_policy_set_bad_value_exits_2(db_env: str) -> None:
    r = runner.invoke(
        app, ["policy", "set", "sla.online_first_response_s", "soon", "--reason", "x"]
    )
    assert r.exit_code == 2
    assert "需要整数" in r.output
