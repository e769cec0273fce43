from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from consultdesk.audit.cli import register
from consultdesk.audit.service import record
from consultdesk.security.crypto import new_keyring

from .conftest import NOW

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        """consultdesk"""

    register(root)
    return root


@pytest.fixture
def db_url(sqlite_file_url: str) -> str:
    engine = create_engine(sqlite_file_url)
    with Session(engine) as session:
        for i in range(5):
            record(
                session=session,
                now=NOW + timedelta(hours=i),
                actor="agent-1" if i < 3 else "qa-1",
                action="consultation.view",
                subject=f"consultation:{i}",
                details={"i": i},
            )
        session.commit()
    engine.dispose()
    return sqlite_file_url


# REQ: RSK-2
def test_verify_reports_intact_log_and_exits_zero(app: typer.Typer, db_url: str) -> None:
    result = runner.invoke(app, ["audit", "verify", "--database-url", db_url])
    assert result.exit_code == 0
    assert "审计日志完整 5 条" in result.stdout


# REQ: RSK-2
def test_verify_names_the_edited_entry_and_exits_one(app: typer.Typer, db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor = 'intruder' WHERE seq = 3"))
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify", "--database-url", db_url])
    assert result.exit_code == 1
    assert "第 3 条" in result.stderr
    assert "Traceback" not in result.output


def test_verify_uses_the_configured_database(app: typer.Typer, db_url: str, tmp_path: Path) -> None:
    env = {
        "CONSULTDESK_DATABASE_URL": db_url,
        "CONSULTDESK_KEYS": new_keyring("k1").to_json(),
        "CONSULTDESK_DATA_DIR": str(tmp_path),
    }
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 0, result.output
    assert "审计日志完整 5 条" in result.stdout


def test_verify_on_a_database_without_the_log_fails_in_one_line(
    app: typer.Typer, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["audit", "verify", "--database-url", f"sqlite:///{tmp_path}/empty.db"]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "无法读取审计日志" in result.stderr


def test_search_lists_matching_entries_newest_first(app: typer.Typer, db_url: str) -> None:
    result = runner.invoke(app, ["audit", "search", "--database-url", db_url, "--actor", "qa-1"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines[:-1]] == ["5", "4"]
    assert lines[-1] == "共 2 条"


def test_search_reads_naive_times_as_beijing_time(app: typer.Typer, db_url: str) -> None:
    # NOW is 01:00 UTC = 09:00 Beijing; entries are one hour apart.
    result = runner.invoke(
        app,
        ["audit", "search", "--database-url", db_url, "--since", "2026-03-02T11:00"],
    )
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1] == "共 3 条"


def test_search_with_a_bad_time_names_the_problem(app: typer.Typer, db_url: str) -> None:
    result = runner.invoke(app, ["audit", "search", "--database-url", db_url, "--since", "昨天"])
    assert result.exit_code == 2
    assert "时间格式错误" in result.stderr
    assert "since" in result.stderr


def test_search_prints_json_on_request(app: typer.Typer, db_url: str) -> None:
    result = runner.invoke(
        app, ["audit", "search", "--database-url", db_url, "--limit", "1", "--json"]
    )
    assert result.exit_code == 0
    (entry,) = json.loads(result.stdout)
    assert entry["seq"] == 5
    assert entry["details"] == {"i": 4}
