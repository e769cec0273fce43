"""`consultdesk workdays add` (CLS-3)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from consultdesk.workdays.cli import register

runner = CliRunner()


def make_app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    return root


# REQ: CLS-3
def test_add_prints_the_deadline() -> None:
    result = runner.invoke(make_app(), ["workdays", "add", "2026-09-30", "3"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "2026-10-10"


def test_unknown_year_is_one_clear_error_line() -> None:
    result = runner.invoke(make_app(), ["workdays", "add", "2027-03-01", "1"])
    assert result.exit_code == 1
    assert "2027" in result.stderr
    assert "Traceback" not in result.output


def test_table_option_covers_2027(tmp_path: Path) -> None:
    table = tmp_path / "t.yaml"
    table.write_text("complete_years: [2027]\nholidays: [2027-03-02]\n", encoding="utf-8")
    result = runner.invoke(
        make_app(), ["workdays", "add", "2027-03-01", "1", "--table", str(table)]
    )
    assert result.stdout.strip() == "2027-03-03"


def test_bad_start_date_exits_two() -> None:
    result = runner.invoke(make_app(), ["workdays", "add", "2026-02-30", "1"])
    assert result.exit_code == 2
