"""`consultdesk aml screen FILE.jsonl [--json]`: screen transactions, one alert per line.

Malformed lines are reported on stderr with their line number, the rest is still
screened, and the exit code is then 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consultdesk.aml.model import Transaction
from consultdesk.aml.screening import screen_transactions
from consultdesk.shared.errors import ValidationFailed


def _json_line(data: object) -> str:
    """One JSON line; characters some readers treat as line breaks are escaped."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


app = typer.Typer(help="反洗钱筛查（RSK-5）", no_args_is_help=True)


@app.command("screen")
def screen(
    file: Annotated[Path, typer.Argument(help="交易 JSONL 文件")],
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON Lines（默认即为 JSON Lines）")
    ] = False,
) -> None:
    """按大额交易和拆分交易规则筛查交易，每行输出一条预警。"""
    try:
        lines = [ln.removesuffix("\r") for ln in file.read_text(encoding="utf-8-sig").split("\n")]
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"无法读取文件 {file}：{exc}", err=True)
        raise typer.Exit(1) from None
    transactions: list[Transaction] = []
    # Ids are echoed as given (a numeric id stays a number in the output).
    given_ids: dict[str, object] = {}
    malformed = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            typer.echo(f"第 {number} 行：不是有效的 JSON", err=True)
            malformed = True
            continue
        try:
            transactions.append(Transaction.from_mapping(raw))
            given_ids.setdefault(f"c:{raw['customer_id']}", raw["customer_id"])
            given_ids.setdefault(f"t:{raw['id']}", raw["id"])
        except ValidationFailed as exc:
            typer.echo(f"第 {number} 行：{exc.message}（字段 {exc.field}）", err=True)
            malformed = True
    for alert in screen_transactions(transactions):
        out = alert.as_json()
        out["customer_id"] = given_ids.get(f"c:{alert.customer_id}", alert.customer_id)
        out["transaction_ids"] = [given_ids.get(f"t:{t}", t) for t in alert.transaction_ids]
        typer.echo(_json_line(out))
    if malformed:
        raise typer.Exit(2)


def register(root: typer.Typer) -> None:
    """Mount `aml` (with `screen`) on the root `consultdesk` app."""
    root.add_typer(app, name="aml")
