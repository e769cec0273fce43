"""``consultdesk consultations …`` against a real database file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consultdesk.bootstrap import bootstrap
from consultdesk.cli.main import app
from consultdesk.consultations import service
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.settings import Settings
from consultdesk.staff import service as staff

runner = CliRunner()


@pytest.fixture
def consultation_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("CONSULTDESK_DATABASE_URL", url)
    monkeypatch.setenv("CONSULTDESK_DATA_DIR", str(tmp_path))
    c = bootstrap(Settings(database_url=url, data_dir=tmp_path))
    upgrade(c.engine)
    with c.uow() as session:
        seed_session_only(session)
        for username, branch in (("li.na", "BJ01"), ("zhou.ting", "SH01")):
            staff.create_user(
                session=session,
                now=c.clock.now(),
                username=username,
                display_name=username,
                role="agent",
                branch=branch,
                password="Agent-cli-2026!",
            )
        opened = service.open_consultation(
            session=session, now=c.clock.now(), channel="phone", branch="BJ01", actor="cli-test"
        )
        service.post_message(
            session=session,
            now=c.clock.now(),
            consultation_id=opened.id,
            author_kind="customer",
            text="我想问下信用卡年费",
        )
    c.close()
    return opened.id


def test_list_and_show_as_json(consultation_id: str) -> None:
    # REQ: ACC-4 — consultations with channel and transcript from the command line.
    listed = json.loads(
        runner.invoke(app, ["consultations", "list", "--as", "li.na", "--json"]).output
    )
    assert [x["id"] for x in listed] == [consultation_id]
    shown = json.loads(
        runner.invoke(
            app, ["consultations", "show", consultation_id, "--as", "li.na", "--json"]
        ).output
    )
    assert shown["consultation"]["channel"] == "phone"
    assert [m["text"] for m in shown["messages"]] == ["我想问下信用卡年费"]


def test_unknown_consultation_is_one_line_and_exit_2(consultation_id: str) -> None:
    r = runner.invoke(app, ["consultations", "show", "con_nope", "--as", "li.na"])
    assert r.exit_code == 2
    assert "咨询不存在" in r.output
