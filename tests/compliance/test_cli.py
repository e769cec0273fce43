"""`consultdesk compliance check` as other tools call it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from consultdesk.compliance.cli import register


def run(path: Path, *extra: str):
    root = typer.Typer()
    register(root)

    @root.callback()
    def main() -> None:  # keeps `compliance` a sub-command
        """root"""

    return CliRunner().invoke(root, ["compliance", "check", str(path), *extra])


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "replies.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


LINE = json.dumps(
    {
        "id": "r1",
        "text": "这款理财稳赚，年化4%。",
        "context": {
            "topic": "wealth",
            "product_risk": "R2",
            "customer_risk": "C3",
            "guaranteed": False,
            "verified": True,
        },
    },
    ensure_ascii=False,
)


# REQ: QC-6
def test_check_writes_one_verdict_line_per_reply(tmp_path: Path) -> None:
    result = run(write(tmp_path, LINE, LINE.replace('"r1"', '"r2"')), "--json")
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["r1", "r2"]
    assert set(lines[0]) == {"id", "violations", "fixed_text"}
    first = lines[0]["violations"][0]
    assert set(first) == {"code", "rule", "span", "message"}
    assert "forbidden_claim" in {v["code"] for v in lines[0]["violations"]}


# REQ: QC-6
def test_malformed_line_is_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    bad_topic = LINE.replace('"wealth"', '"casino"')
    result = run(write(tmp_path, "not json", bad_topic, LINE), "--json")
    assert result.exit_code == 2
    assert "第 1 行" in result.stderr and "第 2 行" in result.stderr
    assert "context.topic" in result.stderr
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["r1"]


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path / "nope.jsonl")
    assert result.exit_code == 1
    assert "无法读取文件" in result.stderr
    assert "Traceback" not in result.stderr


def test_unicode_line_separator_inside_text_does_not_split_the_line(tmp_path: Path) -> None:
    raw = json.loads(LINE)
    raw["text"] = "这款理财稳\u2028赚。"
    path = tmp_path / "replies.jsonl"
    path.write_text(json.dumps(raw, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run(path)
    assert result.exit_code == 0
    assert len(result.stdout.strip().split("\n")) == 1


def test_output_escapes_unicode_line_separators(tmp_path: Path) -> None:
    raw = json.loads(LINE)
    raw["text"] = "您好\u2028请问"
    path = tmp_path / "replies.jsonl"
    path.write_text(json.dumps(raw, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run(path)
    assert "\u2028" not in result.stdout
    assert json.loads(result.stdout)["fixed_text"] == "您好\u2028请问"
