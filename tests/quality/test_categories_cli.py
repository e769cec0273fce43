"""`consultdesk demo seed` and `consultdesk categories list|set|history` as an operator
types them: the real executable on an SQLite file (QC-3, CLS-5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).parent / "consultdesk")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    return out | {
        "CONSULTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'cats.sqlite3'}",
        "CONSULTDESK_DATA_DIR": str(tmp_path),
    }


def consultdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_demo_seed_then_categories_list_set_and_history(env: dict[str, str]) -> None:
    # REQ: CLS-5, QC-3 — history for the reports; a managed, versioned category list.
    seeded = consultdesk(env, "demo", "seed", "--months", "1", "--consultations", "120")
    assert seeded.returncode == 0, seeded.stderr
    assert "已生成 120 条咨询" in seeded.stdout, seeded.stdout

    listed = consultdesk(env, "categories", "list", "--branch", "BJ01", "--json")
    assert listed.returncode == 0, listed.stderr
    codes = {c["code"]: c for c in json.loads(listed.stdout)}
    assert "ebank_login" in codes

    changed = consultdesk(
        env,
        *("categories", "set", "ebank_login", "--label", "手机银行登录问题"),
        *("--branch", "BJ01", "--reason", "分行口径", "--as", "admin"),
        *("--keywords", "登录,人脸识别"),
    )
    assert changed.returncode == 0, changed.stderr
    after = {
        c["code"]: c
        for c in json.loads(
            consultdesk(env, "categories", "list", "--branch", "BJ01", "--json").stdout
        )
    }
    assert after["ebank_login"]["label"] == "手机银行登录问题"
    bank_wide = {
        c["code"]: c for c in json.loads(consultdesk(env, "categories", "list", "--json").stdout)
    }
    assert bank_wide["ebank_login"]["label"] == codes["ebank_login"]["label"]
    history = json.loads(consultdesk(env, "categories", "history", "ebank_login", "--json").stdout)
    assert [h["reason"] for h in history][-1] == "分行口径"


def test_categories_set_by_an_agent_is_refused_with_one_line(env: dict[str, str]) -> None:
    # REQ: ANX-2 — only policy editors change the list; a clear error, no traceback.
    assert (
        consultdesk(env, "demo", "seed", "--months", "1", "--consultations", "10").returncode == 0
    )
    refused = consultdesk(
        env,
        *("categories", "set", "ebank_login", "--label", "x", "--reason", "y", "--as", "agent"),
    )
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert refused.stderr.strip(), refused.stdout
