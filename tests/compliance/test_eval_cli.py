"""`consultdesk eval compliance FILE.jsonl` as an operator types it: the real executable
for a good file and a bad one (each start of the executable costs seconds), the other
refusals through the same Typer app in-process (QC-6, issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from consultdesk.assistant.cli import eval_app
from consultdesk.compliance.cli import register

EXE = str(Path(sys.executable).parent / "consultdesk")
WEALTH = {
    "topic": "wealth",
    "product_risk": "R2",
    "customer_risk": "C3",
    "guaranteed": False,
    "verified": True,
}
LINES = [
    {"text": "这款理财保本保息，稳赚不赔。", "context": WEALTH, "expect": ["forbidden_claim"]},
    {
        "text": "请把短信验证码告诉我。",
        "context": {"topic": "ebanking"},
        "expect": ["credential_request"],
    },
    {
        "text": "本产品不保本，理财非存款、产品有风险、投资须谨慎。",
        "context": WEALTH,
        "expect": [],
    },
    {"text": "您好，请问有什么可以帮您？", "context": {"topic": "general"}, "expect": []},
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120, check=False)


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# REQ: QC-6
def test_eval_compliance_reports_recall_precision_false_alarms_and_latency(tmp_path: Path) -> None:
    path = write(tmp_path, [json.dumps(line, ensure_ascii=False) for line in LINES])
    result = run("eval", "compliance", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == 4
    assert report["compliant"] == 2
    assert report["per_code"]["credential_request"]["recall"] == 1.0
    assert report["per_code"]["forbidden_claim"]["positives"] == 1
    assert 0.0 <= report["false_alarm_rate"] <= 1.0
    assert report["latency_p50_ms"] <= report["latency_p99_ms"]
    assert set(report["targets_met"]) == {"recall", "false_alarm_rate", "latency_p99_ms"}


def invoke(*args: str):  # type: ignore[no-untyped-def]
    root = typer.Typer()
    register(root)
    root.add_typer(eval_app, name="eval")
    return CliRunner().invoke(root, list(args))


# REQ: QC-6
def test_eval_compliance_prints_a_table_and_has_a_rules_only_baseline(tmp_path: Path) -> None:
    path = write(tmp_path, [json.dumps(line, ensure_ascii=False) for line in LINES])
    result = invoke("eval", "compliance", str(path), "--rules-only")
    assert result.exit_code == 0, result.output
    assert "rules" in result.stdout and "credential_request" in result.stdout
    assert "误报率" in result.stdout and "p99" in result.stdout


# REQ: QC-6
def test_a_missing_file_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    result = invoke("eval", "compliance", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "无法读取文件" in result.stderr


# REQ: QC-6
def test_a_bad_json_line_names_its_line_number(tmp_path: Path) -> None:
    good = json.dumps(LINES[0], ensure_ascii=False)
    path = write(tmp_path, [good, '{"text": "oops"', good])
    result = run("eval", "compliance", str(path), "--json")
    assert result.returncode == 2
    assert "第 2 行" in result.stderr and "Traceback" not in result.stderr


# REQ: QC-6
def test_a_line_without_expect_or_with_an_unknown_code_is_refused(tmp_path: Path) -> None:
    no_expect = json.dumps({"text": "您好", "context": {}}, ensure_ascii=False)
    result = invoke("eval", "compliance", str(write(tmp_path, [no_expect])))
    assert result.exit_code == 2 and "expect" in result.stderr
    unknown = json.dumps({"text": "您好", "expect": ["made_up"]}, ensure_ascii=False)
    result = invoke("eval", "compliance", str(write(tmp_path, [unknown])))
    assert result.exit_code == 2 and "made_up" in result.stderr


# REQ: QC-6
def test_split_keeps_only_the_named_splits(tmp_path: Path) -> None:
    lines = [
        json.dumps({**LINES[0], "split": "train"}, ensure_ascii=False),
        json.dumps({**LINES[1], "split": "test"}, ensure_ascii=False),
    ]
    result = invoke("eval", "compliance", str(write(tmp_path, lines)), "--split", "test", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 1
    result = invoke("eval", "compliance", str(write(tmp_path, lines)), "--split", "holdout")
    assert result.exit_code == 2 and "--split" in result.stderr
