"""`consultdesk branches add|list` as typed (ANX-1): a fresh database gets its head
office and branches before their staff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXE = str(Path(sys.executable).parent / "consultdesk")


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], env=env, capture_output=True, text=True, check=False)


def test_branches_add_list_and_refuse_a_bad_code(tmp_path: Path) -> None:
    # REQ: ANX-1 — head office and branches are the bank's own list.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env |= {
        "CONSULTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'org.sqlite3'}",
        "CONSULTDESK_DATA_DIR": str(tmp_path),
    }
    assert run(env, "db", "upgrade").returncode == 0
    added = run(env, "branches", "add", "bj01", "--name", "北京分行")
    assert added.returncode == 0 and "BJ01 北京分行" in added.stdout, added.stderr
    assert run(env, "branches", "add", "HO", "--name", "总行").returncode == 0
    listed = json.loads(run(env, "branches", "list", "--json").stdout)
    assert listed == [{"code": "BJ01", "name": "北京分行"}, {"code": "HO", "name": "总行"}]
    bad = run(env, "branches", "add", "北京", "--name", "x")
    assert bad.returncode == 2 and "（branch）" in bad.stderr and "Traceback" not in bad.stderr
    user = run(
        env,
        "users",
        "create",
        "a.li",
        "--role",
        "agent",
        "--branch",
        "SH01",
        "--name",
        "李",
        "--password",
        "Agent-pass-2026",
    )
    assert user.returncode == 2 and "SH01 不存在" in user.stderr
