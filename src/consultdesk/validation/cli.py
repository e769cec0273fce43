"""`consultdesk validate`: the format checks from the command line (ACP-2).

    consultdesk validate KIND VALUE [--json]     exit 0 valid, 1 invalid, 2 usage error
    consultdesk validate --file CASES.jsonl --json

KIND is one of id, card, phone, uscc (also account, serial). With --file, each input
line `{"kind": ..., "value": ...}` gives one output line, in order:
`{"kind", "value", "valid", "normalized", "reason"}`; a malformed line gives an output
line with valid false and a reason. File mode exits 0 once every line is answered
(validity is in the output), 2 when the file cannot be read.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from consultdesk.shared.clock import SystemClock
from consultdesk.validation.checks import KINDS, Verdict, check

_BEIJING = ZoneInfo("Asia/Shanghai")


def _today() -> date:
    """Today's date in Beijing time: the 'not in the future' rule uses the real date."""
    now: datetime = SystemClock().now()
    return now.astimezone(_BEIJING).date()


def _case_line(kind: Any, value: Any, verdict: Verdict | None, reason: str | None) -> str:
    if verdict is not None:
        out = {
            "kind": kind,
            "value": value,
            "valid": verdict.valid,
            "normalized": verdict.normalized,
            "reason": verdict.reason,
        }
    else:
        out = {"kind": kind, "value": value, "valid": False, "normalized": None, "reason": reason}
    return json.dumps(out, ensure_ascii=False)


def answer_case_line(line: str, *, line_no: int, today: date) -> str:
    """Answer one input line of --file mode; never raises for bad input."""
    try:
        case = json.loads(line)
    except json.JSONDecodeError:
        return _case_line(None, None, None, f"第 {line_no} 行不是合法的 JSON")
    if not isinstance(case, dict):
        return _case_line(None, None, None, f"第 {line_no} 行应为含 kind 和 value 的 JSON 对象")
    kind, value = case.get("kind"), case.get("value")
    if not isinstance(kind, str) or kind not in KINDS:
        return _case_line(
            kind, value, None, f"第 {line_no} 行的 kind 无效，应为 {'、'.join(KINDS)} 之一"
        )
    if not isinstance(value, str):
        return _case_line(kind, value, None, f"第 {line_no} 行的 value 应为字符串")
    return _case_line(kind, value, check(kind, value, today=today), None)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def register(root: typer.Typer) -> None:
    """Add the top-level `validate` command to the root app."""

    @root.command("validate")
    def validate(
        kind: Annotated[
            str | None, typer.Argument(help="id | card | phone | uscc | account | serial")
        ] = None,
        value: Annotated[str | None, typer.Argument(help="the value to check")] = None,
        file: Annotated[
            Path | None, typer.Option("--file", help="JSONL file of {kind, value} cases")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="answer as JSON")] = False,
    ) -> None:
        """Check the format of an ID number, bank card, mobile number or USCC."""
        today = _today()
        if file is not None:
            if kind is not None or value is not None:
                raise _fail("错误：使用 --file 时不能再给出 KIND 和 VALUE", 2)
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise _fail(f"错误：无法读取文件 {file}：{exc.__class__.__name__}", 2) from None
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    typer.echo(answer_case_line(line, line_no=number, today=today))
            return
        if kind is None or value is None:
            raise _fail("错误：需要 KIND 和 VALUE，或使用 --file CASES.jsonl", 2)
        if kind not in KINDS:
            raise _fail(f"错误：未知的类型 {kind!r}，应为 {'、'.join(KINDS)} 之一", 2)
        verdict = check(kind, value, today=today)
        if as_json:
            typer.echo(_case_line(kind, value, verdict, None))
        elif verdict.valid:
            typer.echo(f"有效：{verdict.normalized}")
        else:
            typer.echo(f"无效：{verdict.reason}（{verdict.reason_code}）")
        if not verdict.valid:
            raise typer.Exit(1)
