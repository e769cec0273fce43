"""`consultdesk compliance check FILE.jsonl [--json]`: one verdict line per reply.

Input lines: {"id", "text", "context": {"topic", "product_risk", "customer_risk",
"guaranteed", "verified"}}. Output lines: {"id", "violations": [{"code", "rule",
"span", "message"}], "fixed_text"}. A malformed line is reported on stderr with its
line number, the others are still checked, and the exit code is then 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.rulepack import check_reply, load_rule_pack
from consultdesk.shared.errors import ValidationFailed


def _json_line(data: object) -> str:
    """One JSON line; characters some readers treat as line breaks are escaped."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


app = typer.Typer(help="回复合规检查（QC-6）", no_args_is_help=True)


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="回复 JSONL 文件")],
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON Lines（默认即为 JSON Lines）")
    ] = False,
    rules: Annotated[Path | None, typer.Option("--rules", help="改用指定的规则包 YAML")] = None,
) -> None:
    """逐条检查回复是否合规，每行输出违规项和修正后的文本。"""
    try:
        pack = load_rule_pack(rules) if rules is not None else None
        lines = [ln.removesuffix("\r") for ln in file.read_text(encoding="utf-8-sig").split("\n")]
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"无法读取文件：{exc}", err=True)
        raise typer.Exit(1) from None
    except ValidationFailed as exc:
        typer.echo(f"规则包无效：{exc.message}（{exc.field}）", err=True)
        raise typer.Exit(1) from None
    malformed = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValidationFailed("每行应为 JSON 对象", field="line")
            text = raw.get("text")
            if not isinstance(text, str):
                raise ValidationFailed("缺少回复文本", field="text")
            context = ReplyContext.from_mapping(raw.get("context"))
        except json.JSONDecodeError:
            typer.echo(f"第 {number} 行：不是有效的 JSON", err=True)
            malformed = True
            continue
        except ValidationFailed as exc:
            typer.echo(f"第 {number} 行：{exc.message}（字段 {exc.field}）", err=True)
            malformed = True
            continue
        result = check_reply(text=text, context=context, pack=pack)
        out = {
            "id": raw.get("id"),
            "violations": [
                {"code": v.code, "rule": v.rule, "span": list(v.span), "message": v.message}
                for v in result.violations
            ],
            "fixed_text": result.fixed_text,
        }
        typer.echo(_json_line(out))
    if malformed:
        raise typer.Exit(2)


def register(root: typer.Typer) -> None:
    """Mount `compliance` (with `check`) on the root `consultdesk` app."""
    root.add_typer(app, name="compliance")
