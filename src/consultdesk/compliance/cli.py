"""`consultdesk compliance check FILE.jsonl [--json]`: one verdict line per reply;
`consultdesk eval compliance FILE.jsonl [--json]`: recall, precision, false alarms and
latency on a labelled file (the check's input fields plus ``expect``, a list of codes).

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


_CODE_NAMES = {
    "forbidden_claim": "违规承诺/夸大",
    "missing_risk_disclosure": "缺风险提示",
    "missing_non_guaranteed": "缺不保本说明",
    "missing_rate_source": "数字缺来源",
    "pii_leak": "个人信息泄露",
    "credential_request": "索要凭据",
    "suitability_mismatch": "适当性不匹配",
    "balance_unverified": "未核身告知账户信息",
    "jargon_unexplained": "术语未解释",
}


def eval_compliance(
    file: Annotated[
        Path, typer.Argument(help="标注文件 JSONL：text、context、expect（违规代码列表）")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象")] = False,
    rules_only: Annotated[
        bool, typer.Option("--rules-only", help="只用规则包（不含学习层），作为基线")
    ] = False,
    rounds: Annotated[
        int, typer.Option("--rounds", min=1, help="每条回复计时的次数（取最快一次）")
    ] = 3,
    show_errors: Annotated[
        bool, typer.Option("--errors", help="列出判错的回复（JSON 输出总是包含）")
    ] = False,
    split: Annotated[
        str | None,
        typer.Option("--split", help="只评测 split 字段为这些值的行，逗号分隔，如 test,holdout"),
    ] = None,
) -> None:
    """逐条检查标注过的回复，输出各违规代码的召回率与精确率、合规回复的误报率、检查耗时 p50/p99。"""
    from consultdesk.compliance.evaluation import evaluate
    from consultdesk.compliance.labelled import read_labelled

    try:
        rows = read_labelled(file)
    except ValidationFailed as exc:
        typer.echo(f"错误（{exc.field}）：{exc.message}", err=True)
        raise typer.Exit(2) from None
    if split is not None:
        wanted = {part.strip() for part in split.split(",") if part.strip()}
        rows = [row for row in rows if row.split in wanted]
    if not rows:
        typer.echo(f"错误（{file}）：文件中没有（符合 --split 的）标注回复", err=True)
        raise typer.Exit(2)
    report = evaluate(rows, learned=not rules_only, rounds=rounds)
    if as_json:
        typer.echo(_json_line(report))
        return
    typer.echo(f"样本数 n={report['n']}（{report['mode']}，规则包 {report['pack_version']}）")
    typer.echo(f"{'code':26}{'正例':>6}{'召回率':>8}{'精确率':>8}")
    for code, row in report["per_code"].items():
        recall = "-" if row["recall"] is None else f"{row['recall']:.1%}"
        precision = "-" if row["precision"] is None else f"{row['precision']:.1%}"
        typer.echo(f"{code:26}{row['positives']:>6}{recall:>9}{precision:>9}  {_CODE_NAMES[code]}")
    met = report["targets_met"]
    verdict = {True: "达标", False: "未达标", None: "无样本"}
    fa = report["false_alarm_rate"]
    typer.echo(
        f"合规回复误报率：{report['false_alarms']}/{report['compliant']}"
        f"（{'-' if fa is None else f'{fa:.1%}'}，目标 ≤5%：{verdict[met['false_alarm_rate']]}）"
    )
    min_recall = report["min_recall"]
    typer.echo(
        f"最低召回率：{'-' if min_recall is None else f'{min_recall:.1%}'}"
        f"（目标每个代码 ≥95%：{verdict[met['recall']]}）"
    )
    typer.echo(
        f"耗时：p50 {report['latency_p50_ms']:.3f} ms，p99 {report['latency_p99_ms']:.3f} ms"
        f"（目标 p99 ≤2 ms：{verdict[met['latency_p99_ms']]}）"
    )
    if show_errors:
        for error in report["errors"]:
            typer.echo(f"  期望 {error['expect']} 实得 {error['got']}：{error['text']}")


def register(root: typer.Typer) -> None:
    """Mount `compliance` (with `check`) on the root `consultdesk` app, and `compliance`
    on the shared `consultdesk eval` group (which the assistant feature owns and mounts)."""
    root.add_typer(app, name="compliance")
    from consultdesk.assistant.cli import eval_app

    if not any(c.name == "compliance" for c in eval_app.registered_commands):
        eval_app.command("compliance")(eval_compliance)
