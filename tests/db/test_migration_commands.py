"""`consultdesk db upgrade|current|downgrade -1|check` as an operator types them: the real
executable in a subprocess, on an SQLite file and on a PostgreSQL schema. And the
history stays linear: one head, so `db upgrade` never meets "Multiple head revisions"."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from consultdesk.db.migrate import heads, script_directory
from tests.pg import PG_URL, REQUIRE_PG

EXE = str(Path(sys.executable).parent / "consultdesk")


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_history_has_one_head_and_no_branch_after_the_merge() -> None:
    assert len(heads()) == 1, "two heads: rebase your migration onto the current head"
    script = script_directory()
    parents: dict[str, str] = {}
    for rev in script.walk_revisions():
        if rev.revision == "0004":
            break
        (parent,) = rev._normalized_down_revisions  # one parent each after the merge
        assert parent not in parents, f"{rev.revision} and {parents[parent]} both follow {parent}"
        parents[parent] = rev.revision


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shell_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env["CONSULTDESK_DATA_DIR"] = str(tmp_path / "data")
    if request.param == "sqlite":
        env["CONSULTDESK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
        yield env
        return
    schema = f"ops_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    env["CONSULTDESK_DATABASE_URL"] = PG_URL
    env["CONSULTDESK_DATABASE_SCHEMA"] = schema
    try:
        yield env
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_current_downgrade_and_check_from_the_shell(shell_env: dict[str, str]) -> None:
    # A fresh database: nothing applied, check says so and fails.
    r = run(shell_env, "db", "current", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "revision": None,
        "head": heads()[0],
        "up_to_date": False,
        "dialect": json.loads(r.stdout)["dialect"],
    }
    assert run(shell_env, "db", "check").returncode == 1

    r = run(shell_env, "db", "upgrade")
    assert r.returncode == 0, r.stderr
    assert heads()[0] in r.stdout
    assert "Traceback" not in r.stderr
    assert json.loads(run(shell_env, "db", "current", "--json").stdout)["up_to_date"] is True
    r = run(shell_env, "db", "check", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["differences"] == []

    # One step back, then down to the merge and one more: the eight heads it joined.
    r = run(shell_env, "db", "downgrade", "-1")
    assert r.returncode == 0, r.stderr
    current = json.loads(run(shell_env, "db", "current", "--json").stdout)
    assert current["up_to_date"] is False
    assert run(shell_env, "db", "check").returncode == 1
    assert run(shell_env, "db", "downgrade", "0004").returncode == 0
    assert run(shell_env, "db", "downgrade", "-1").returncode == 0
    current = json.loads(run(shell_env, "db", "current", "--json").stdout)
    assert current["revision"].count("+") == 7

    # And forward again; running it twice is harmless.
    assert run(shell_env, "db", "upgrade").returncode == 0
    assert run(shell_env, "db", "upgrade").returncode == 0
    assert run(shell_env, "db", "check").returncode == 0


def test_check_names_a_table_changed_without_a_migration(shell_env: dict[str, str]) -> None:
    assert run(shell_env, "db", "upgrade").returncode == 0
    url = shell_env["CONSULTDESK_DATABASE_URL"]
    schema = shell_env.get("CONSULTDESK_DATABASE_SCHEMA")
    engine = create_engine(
        url, connect_args={"options": f"-csearch_path={schema}"} if schema else {}
    )
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE org_branches ADD COLUMN stray_note VARCHAR(20)"))
    engine.dispose()
    r = run(shell_env, "db", "check", "--json")
    assert r.returncode == 1
    (difference,) = json.loads(r.stdout)["differences"]
    assert "stray_note" in difference


def test_bad_revision_is_one_error_line(shell_env: dict[str, str]) -> None:
    r = run(shell_env, "db", "upgrade", "no-such-revision")
    assert r.returncode == 2
    assert "revision" in r.stderr and "no-such-revision" in r.stderr
    assert "Traceback" not in r.stderr
    r = run(shell_env, "db", "downgrade", "-1")
    assert r.returncode == 2
    assert "尚未迁移" in r.stderr


def test_production_refuses_the_demo_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env |= {
        "CONSULTDESK_ENVIRONMENT": "production",
        "CONSULTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "CONSULTDESK_DATA_DIR": str(tmp_path),
    }
    for command in (["serve"], ["worker"], ["db", "upgrade"]):
        r = run(env, *command)
        assert r.returncode == 2, (command, r.stdout, r.stderr)
        assert "CONSULTDESK_SECRET_KEY" in r.stderr
        assert "Traceback" not in r.stderr
    # A short key is refused by name too.
    r = run(env | {"CONSULTDESK_SECRET_KEY": "short"}, "db", "upgrade")
    assert r.returncode == 2
    assert "CONSULTDESK_SECRET_KEY" in r.stderr
    assert not (tmp_path / "prod.sqlite3").exists()
