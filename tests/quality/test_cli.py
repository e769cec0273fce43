"""`consultdesk plans …` and `consultdesk qa …` as an operator types them: the real
executable on an SQLite file, acting as the member named by --as (QC-1..QC-3, RSK-2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from consultdesk.bootstrap import bootstrap
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.quality import plans
from consultdesk.settings import Settings
from consultdesk.staff import service as staff
from tests.quality.conftest import closed_consultation

EXE = str(Path(sys.executable).parent / "consultdesk")


@pytest.fixture
def shop(tmp_path: Path) -> tuple[dict[str, str], str]:
    """QA of BJ01, a supervisor of SH01, an agent; three closed November consultations at
    BJ01 and an open plan there."""
    url = f"sqlite:///{tmp_path / 'quality.sqlite3'}"
    c = bootstrap(Settings(database_url=url, data_dir=tmp_path))
    upgrade(c.engine)
    with c.uow() as s:
        seed_session_only(s)
        for username, role, branch in (
            ("qa.bj", "qa", "BJ01"),
            ("sup.sh", "supervisor", "SH01"),
            ("li.na", "agent", "BJ01"),
        ):
            staff.create_user(
                session=s,
                now=c.clock.now(),
                username=username,
                display_name=username,
                role=role,
                branch=branch,
                password="Quality-cli-2026!",
            )
    for channel in ("chat", "chat", "phone"):
        closed_consultation(c, branch="BJ01", agent_id="agt_li", channel=channel)
    with c.uow() as s:
        plan = plans.open_plan(
            session=s,
            now=c.clock.now(),
            branch="BJ01",
            month="2026-11",
            trigger="satisfaction",
            trigger_value=Decimal("86.5"),
            threshold=90,
            created_by="system",
            calendar=c.calendar,
        )
    c.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env |= {"CONSULTDESK_DATABASE_URL": url, "CONSULTDESK_DATA_DIR": str(tmp_path)}
    return env, plan.id


def consultdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_qa_sample_then_samples_then_score(shop: tuple[dict[str, str], str]) -> None:
    """REQ: QC-2 — `consultdesk qa sample 2026-11 --branch BJ01 --as USER`."""
    env, _ = shop
    drawn = consultdesk(
        env, "qa", "sample", "2026-11", "--branch", "BJ01", "--as", "qa.bj", "--json"
    )
    assert drawn.returncode == 0, drawn.stderr
    samples = json.loads(drawn.stdout)["drawn"]
    assert sorted(s["channel"] for s in samples) == ["chat", "chat", "phone"]
    again = consultdesk(env, "qa", "sample", "2026-11", "--as", "qa.bj", "--json")
    assert json.loads(again.stdout) == {
        "month": "2026-11",
        "drawn": [],
        "agents_already_drawn": ["agt_li"],
    }
    listed = consultdesk(env, "qa", "samples", "2026-11", "--json", "--as", "qa.bj")
    assert {s["id"] for s in json.loads(listed.stdout)} == {s["id"] for s in samples}
    scored = consultdesk(
        env, "qa", "score", samples[0]["id"], "--score", "88", "--as", "qa.bj", "--json"
    )
    assert scored.returncode == 0 and json.loads(scored.stdout)["review_score"] == 88
    elsewhere = consultdesk(env, "qa", "samples", "2026-11", "--json", "--as", "sup.sh")
    assert json.loads(elsewhere.stdout) == []
    agent = consultdesk(env, "qa", "sample", "2026-11", "--as", "li.na")
    assert agent.returncode == 2 and "as" in agent.stderr
    bad = consultdesk(env, "qa", "samples", "2026-13", "--as", "qa.bj")
    assert bad.returncode == 2 and bad.stderr.startswith("错误（month）")


def test_plans_update_and_done_from_the_command_line(shop: tuple[dict[str, str], str]) -> None:
    """REQ: QC-1 — done only with a cause analysis and an action."""
    env, pid = shop
    listed = consultdesk(env, "plans", "list", "--month", "2026-11", "--as", "qa.bj", "--json")
    assert [p["id"] for p in json.loads(listed.stdout)] == [pid]
    assert consultdesk(env, "plans", "start", pid, "--as", "qa.bj").returncode == 0
    early = consultdesk(env, "plans", "done", pid, "--as", "qa.bj")
    assert early.returncode == 2 and early.stderr.startswith("错误（cause_analysis）")
    updated = consultdesk(
        env, "plans", "update", pid, "--owner", "qa.bj", "--cause", "午间排队过长",
        "--action", "增加午间排班", "--action", "推广手机银行自助", "--done-action", "1",
        "--as", "qa.bj", "--json",
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    assert [a["done"] for a in json.loads(updated.stdout)["actions"]] == [True, False]
    done = consultdesk(env, "plans", "done", pid, "--outcome", "满意度回升", "--as", "qa.bj")
    assert done.returncode == 0 and "已完成" in done.stdout
    shown = consultdesk(env, "plans", "show", pid, "--as", "qa.bj", "--json")
    assert json.loads(shown.stdout)["status"] == "done"
    hidden = consultdesk(env, "plans", "show", pid, "--as", "sup.sh")
    assert hidden.returncode == 2 and hidden.stderr.strip() == "错误（plan_id）：整改计划不存在"
