from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from consultdesk.knowledge.cli import register
from consultdesk.knowledge.io import FileFormat, write_entries
from tests.knowledge.test_io import SPECS

runner = CliRunner()


def app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        """consultdesk"""

    register(root)
    return root


def db(tmp_path: Path) -> list[str]:
    return ["--database-url", f"sqlite:///{tmp_path / 'kb.sqlite3'}"]


def test_import_then_publish_then_list(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    write_entries(source, FileFormat.XLSX, SPECS)
    imported = runner.invoke(
        app(), ["kb", "import", str(source), "--author", "alice", *db(tmp_path)]
    )
    assert imported.exit_code == 0, imported.output
    assert "新增 2 条" in imported.output
    published = runner.invoke(
        app(), ["kb", "publish", "DEP-001", "--reviewer", "bob", *db(tmp_path)]
    )
    assert published.exit_code == 0, published.output
    listed = runner.invoke(app(), ["kb", "list", "--json", *db(tmp_path)])
    rows = {r["entry_id"]: r for r in json.loads(listed.output)}
    assert rows["DEP-001"]["status"] == "published"
    assert rows["WM-001"]["status"] == "in_review"


# REQ: PREP-1
def test_publish_by_author_fails_with_one_line_on_stderr(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_entries(source, FileFormat.JSONL, SPECS)
    runner.invoke(app(), ["kb", "import", str(source), "--author", "alice", *db(tmp_path)])
    result = runner.invoke(
        app(), ["kb", "publish", "DEP-001", "--reviewer", "alice", *db(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == "错误：审核人不能是该版本的作者或修改人"


def test_export_writes_csv_that_imports_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_entries(source, FileFormat.JSONL, SPECS)
    runner.invoke(app(), ["kb", "import", str(source), *db(tmp_path)])
    out = tmp_path / "out.csv"
    exported = runner.invoke(app(), ["kb", "export", str(out), *db(tmp_path)])
    assert exported.exit_code == 0, exported.output
    again = runner.invoke(app(), ["kb", "import", str(out), *db(tmp_path)])
    assert "未变 2 条" in again.output


def test_import_of_missing_file_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(app(), ["kb", "import", str(tmp_path / "nope.csv"), *db(tmp_path)])
    assert result.exit_code == 1
    assert "文件不存在" in result.stderr
    assert "Traceback" not in result.output


def test_database_url_is_read_from_the_environment(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_entries(source, FileFormat.JSONL, SPECS)
    env = {"CONSULTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'env.sqlite3'}"}
    result = runner.invoke(app(), ["kb", "import", str(source)], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.sqlite3").exists()


def test_malformed_database_url_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(app(), ["kb", "list", "--database-url", "nonsense://"])
    assert result.exit_code == 1
    assert "CONSULTDESK_DATABASE_URL" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


# REQ: PREP-1
def test_import_with_a_bad_row_leaves_the_database_empty(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_entries(source, FileFormat.JSONL, SPECS)
    lines = source.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["complexity"] = "hard"
    source.write_text(lines[0] + "\n" + json.dumps(bad, ensure_ascii=False) + "\n", "utf-8")
    result = runner.invoke(app(), ["kb", "import", str(source), *db(tmp_path)])
    assert result.exit_code == 1
    assert "第 2 行" in result.stderr and "complexity" in result.stderr
    listed = runner.invoke(app(), ["kb", "list", "--json", *db(tmp_path)])
    assert json.loads(listed.output) == []


def test_list_filters_by_business_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_entries(source, FileFormat.JSONL, SPECS)
    runner.invoke(app(), ["kb", "import", str(source), *db(tmp_path)])
    listed = runner.invoke(app(), ["kb", "list", "--json", "--line", "wealth", *db(tmp_path)])
    assert [r["entry_id"] for r in json.loads(listed.output)] == ["WM-001"]


# REQ: PREP-2
def test_agent_acknowledges_demo_bulletins_from_the_command_line(tmp_path: Path) -> None:
    loaded = runner.invoke(app(), ["kb", "load-demo", *db(tmp_path)])
    assert loaded.exit_code == 0, loaded.output
    pending = runner.invoke(app(), ["kb", "bulletins", "--agent", "a1", "--json", *db(tmp_path)])
    first = json.loads(pending.output)[0]["bulletin_id"]
    acked = runner.invoke(app(), ["kb", "ack", first, "--agent", "a1", *db(tmp_path)])
    assert acked.exit_code == 0, acked.output
    again = runner.invoke(app(), ["kb", "bulletins", "--agent", "a1", "--json", *db(tmp_path)])
    assert first not in [b["bulletin_id"] for b in json.loads(again.output)]


def test_acknowledging_unknown_bulletin_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(app(), ["kb", "ack", "NOPE", "--agent", "a1", *db(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == "错误：公告 NOPE 不存在"
