"""`consultdesk validate` command line (ACP-2)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from consultdesk.validation.cli import register


def make_app() -> typer.Typer:
    root = typer.Typer()
    register(root)

    @root.command("version")
    def version() -> None:  # a second command so `validate` stays a named sub-command
        typer.echo("0")

    return root


runner = CliRunner()


# REQ: ACP-2
def test_valid_id_exits_zero() -> None:
    result = runner.invoke(make_app(), ["validate", "id", "11010519491231002x"])
    assert result.exit_code == 0
    assert "11010519491231002X" in result.stdout


# REQ: ACP-2
def test_invalid_card_exits_one_with_reason() -> None:
    result = runner.invoke(make_app(), ["validate", "card", "6222021234567891"])
    assert result.exit_code == 1
    assert "校验位" in result.stdout


# REQ: ACP-2
def test_json_output_has_the_five_fields() -> None:
    result = runner.invoke(make_app(), ["validate", "phone", "+86 138 1234 5678", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "kind": "phone",
        "value": "+86 138 1234 5678",
        "valid": True,
        "normalized": "13812345678",
        "reason": None,
    }


def test_unknown_kind_exits_two_with_one_line_on_stderr() -> None:
    result = runner.invoke(make_app(), ["validate", "passport", "E1234"])
    assert result.exit_code == 2
    assert "passport" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


# REQ: ACP-2
def test_file_mode_answers_every_line_in_order(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(
            [
                json.dumps({"kind": "id", "value": "110105194912310021"}),
                json.dumps({"kind": "uscc", "value": "91110000600037341L"}),
                "{not json",
                json.dumps({"kind": "passport", "value": "E1"}),
                json.dumps({"kind": "card", "value": 6222021234567890}),
                json.dumps(["id", "x"]),
                json.dumps({"kind": "phone", "value": "abc"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(make_app(), ["validate", "--file", str(cases), "--json"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 7
    assert all(set(line) == {"kind", "value", "valid", "normalized", "reason"} for line in lines)
    assert [line["valid"] for line in lines] == [False, True, False, False, False, False, False]
    assert lines[0]["normalized"] == "110105194912310021"
    assert lines[1]["reason"] is None
    assert "第 3 行" in lines[2]["reason"]
    assert lines[3]["kind"] == "passport"
    assert lines[6]["normalized"] is None


def test_missing_file_exits_two() -> None:
    result = runner.invoke(make_app(), ["validate", "--file", "/nonexistent/cases.jsonl", "--json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
