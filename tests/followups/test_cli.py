"""``consultdesk followups list --overdue --json`` (CLS-3)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from consultdesk.followups.cli import register
from consultdesk.settings import Settings
from tests.followups.conftest import Desk


def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("CONSULTDESK_DATABASE_URL", settings.database_url)
    if settings.database_schema:
        monkeypatch.setenv("CONSULTDESK_DATABASE_SCHEMA", settings.database_schema)
    monkeypatch.setenv("CONSULTDESK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CONSULTDESK_SECRET_KEY", settings.secret_key)


# REQ: CLS-3
def test_list_overdue_json(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    desk.at_beijing(2025, 1, 6, 10, 0)  # long ago: overdue by the real clock the CLI uses
    f = desk.create()
    cli_env(monkeypatch, desk.container.settings)
    root = typer.Typer()
    register(root)
    result = CliRunner().invoke(root, ["followups", "list", "--overdue", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["id"], r["overdue"], r["due_date"]) for r in rows] == [(f.id, True, "2025-01-09")]


def test_unknown_branch_filter_lists_nothing(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    desk.create()
    cli_env(monkeypatch, desk.container.settings)
    root = typer.Typer()
    register(root)
    result = CliRunner().invoke(root, ["followups", "list", "--branch", "XX99"])
    assert result.exit_code == 0
    assert "无记录" in result.stdout
