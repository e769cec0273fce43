"""`consultdesk aml screen` as other tools call it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from consultdesk.aml.cli import register


def run(path: Path):
    root = typer.Typer()
    register(root)

    @root.callback()
    def main() -> None:
        """root"""

    return CliRunner().invoke(root, ["aml", "screen", str(path), "--json"])


def line(ident: str, amount: str, **extra: str) -> str:
    raw = {
        "id": ident,
        "customer_id": "c1",
        "party": "individual",
        "kind": "cash_in",
        "amount": amount,
        "currency": "CNY",
        "date": "2026-03-02",
    }
    raw.update(extra)
    return json.dumps(raw)


# REQ: RSK-5
def test_screen_writes_one_alert_per_line(tmp_path: Path) -> None:
    path = tmp_path / "tx.jsonl"
    path.write_text(line("t1", "20000.00") + "\n" + line("t2", "30000.00") + "\n")
    result = run(path)
    assert result.exit_code == 0
    assert [json.loads(x) for x in result.stdout.splitlines()] == [
        {
            "customer_id": "c1",
            "date": "2026-03-02",
            "rule": "large_cash",
            "currency": "CNY",
            "total": "50000.00",
            "transaction_ids": ["t1", "t2"],
        }
    ]


# REQ: RSK-5
def test_malformed_lines_are_reported_with_line_numbers_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "tx.jsonl"
    path.write_text(
        "\n".join(
            [
                line("t1", "50000"),
                line("t2", "abc"),
                line("t3", "1", currency="EUR"),
                line("t4", "1", date="2026-13-01"),
                "{not json",
                json.dumps({"id": "t6", "amount": "1"}),
            ]
        )
    )
    result = run(path)
    assert result.exit_code == 2
    for number in (2, 3, 4, 5, 6):
        assert f"第 {number} 行" in result.stderr
    assert "第 1 行" not in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_numeric_ids_are_echoed_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "tx.jsonl"
    raw = json.loads(line("x", "50000"))
    raw["id"], raw["customer_id"] = 7, 42
    path.write_text(json.dumps(raw) + "\n")
    (alert,) = [json.loads(x) for x in run(path).stdout.splitlines()]
    assert alert["customer_id"] == 42 and alert["transaction_ids"] == [7]


def test_byte_order_mark_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "tx.jsonl"
    path.write_bytes(("\ufeff" + line("t1", "50000") + "\r\n").encode("utf-8"))
    result = run(path)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1
