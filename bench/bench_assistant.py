"""Figures for the assistant's matching engine (prints numbers; no pass/fail).

    .venv/bin/python bench/bench_assistant.py [--folds 5] [--bq-train-rows 100000]
        [--skip-banking] [--skip-bq] [--skip-latency]

1. BANKING77 train, stratified k-fold: the bot's pipeline (evaluate_intents) beside
   same-run baselines (TF-IDF + logistic regression; plain BM25 nearest question).
2. BQ dev pair accuracy: the pair score calibrated on 10,000 rows of BQ train (as
   `eval pairs --calibrate`: similarity weights and threshold, no text model), and a
   model trained on BQ train (`--train`); beside baselines (built-in weights with a
   calibrated threshold; raw USE cosine, character Jaccard, each with a calibrated
   threshold).
3. Latency p50/p99 per question on a synthetic 5,000-entry knowledge base, and cold
   start (fresh process, embeddings cached) to the first answer, beside the same cold
   start with jieba's own dictionary cache instead of our trie (the baseline).
Data is read from ../shared/data (beside the project folder) and never copied.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TARGETS = {
    "accuracy": ">= 0.92",
    "answered_accuracy": ">= 0.97",
    "handover_rate": "<= 0.15",
    "bq_calibrated": ">= 0.72",
    "bq_trained": ">= 0.80",
    "p99_ms": "<= 20",
    "cold_start_s": "<= 3",
}


def banking(folds: int) -> None:
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from consultdesk.assistant.evaluation import evaluate_intents, macro_f1, read_labelled_texts
    from consultdesk.assistant.lexical import Bm25Index
    from consultdesk.assistant.normalize import normalize_text
    from consultdesk.assistant.segment import lexical_terms

    rows = read_labelled_texts(DATA / "banking77" / "train.csv", field="train")
    labels = np.array([r.category for r in rows])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    totals: dict[str, list[float]] = defaultdict(list)
    for fold, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(rows)), labels)):
        train = [rows[i] for i in train_idx]
        test = [rows[i] for i in test_idx]
        started = time.perf_counter()
        report = evaluate_intents(train=train, test=test)
        seconds = time.perf_counter() - started
        for key in ("accuracy", "macro_f1", "handover_rate", "answered_accuracy"):
            totals[key].append(report[key])
        totals["answer_rate"].append(report["answer_rate"])
        totals["offer_rate"].append(report["offer_rate"])
        totals["p50"].append(report["latency_ms"]["p50"])
        totals["p99"].append(report["latency_ms"]["p99"])

        # Baseline 1: TF-IDF words 1-2 + char 2-4, logistic regression.
        train_text = [r.text.lower() for r in train]
        test_text = [r.text.lower() for r in test]
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(train_text)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(
            train_text
        )

        def featurize(texts: list[str], w=words, c=chars) -> sparse.csr_matrix:
            return sparse.hstack([w.transform(texts), c.transform(texts)]).tocsr()

        model = LogisticRegression(C=10, max_iter=2000).fit(
            featurize(train_text), labels[train_idx]
        )
        guess = model.predict(featurize(test_text))
        totals["tfidf_lr_accuracy"].append(float((guess == labels[test_idx]).mean()))
        totals["tfidf_lr_macro_f1"].append(macro_f1(list(labels[test_idx]), list(guess)))

        # Baseline 2: plain BM25, category of the best-scoring training question.
        index = Bm25Index.build([lexical_terms(normalize_text(t)) for t in train_text])
        train_labels = labels[train_idx]
        bm25_guess = [
            train_labels[int(np.argmax(index.scores(lexical_terms(normalize_text(t)))))]
            for t in test_text
        ]
        totals["bm25_accuracy"].append(float((np.array(bm25_guess) == labels[test_idx]).mean()))
        print(
            f"  fold {fold + 1}/{folds}: engine acc {report['accuracy']:.4f} "
            f"answered {report['answered_accuracy']:.4f} handover {report['handover_rate']:.4f} "
            f"offer {report['offer_rate']:.4f} | tfidf+lr {totals['tfidf_lr_accuracy'][-1]:.4f} "
            f"| bm25 {totals['bm25_accuracy'][-1]:.4f} ({seconds:.0f} s)",
            flush=True,
        )
    mean = {key: float(np.mean(values)) for key, values in totals.items()}
    print(f"BANKING77 {folds}-fold CV on train ({len(rows)} rows), mean over folds:")
    print(f"  engine accuracy           {mean['accuracy']:.4f}   target {TARGETS['accuracy']}")
    print(f"  engine macro-F1           {mean['macro_f1']:.4f}")
    print(
        f"  engine answered accuracy  {mean['answered_accuracy']:.4f}"
        f"   target {TARGETS['answered_accuracy']}"
    )
    print(
        f"  engine handover rate      {mean['handover_rate']:.4f}"
        f"   target {TARGETS['handover_rate']}"
    )
    print(f"  engine answer / offer     {mean['answer_rate']:.4f} / {mean['offer_rate']:.4f}")
    print(f"  engine latency ms         p50 {mean['p50']:.2f}  p99 {mean['p99']:.2f}")
    print(
        f"  baseline TF-IDF + LR      {mean['tfidf_lr_accuracy']:.4f}"
        f" (macro-F1 {mean['tfidf_lr_macro_f1']:.4f})"
    )
    print(f"  baseline plain BM25       {mean['bm25_accuracy']:.4f}")


def bq(train_rows: int) -> None:
    from sklearn.metrics import roc_auc_score

    from consultdesk.assistant.encoder import default_encoder
    from consultdesk.assistant.evaluation import evaluate_pairs, read_labelled_pairs
    from consultdesk.assistant.pairs import best_threshold, builtin_pair_model, pair_features

    encoder = default_encoder()
    dev = read_labelled_pairs(DATA / "bq" / "dev.tsv", field="dev")
    train = read_labelled_pairs(DATA / "bq" / "train.tsv", field="train")
    rng = np.random.default_rng(0)
    order = rng.permutation(len(train))
    calibration = [train[i] for i in order[:10_000]]
    fitting = [train[i] for i in order[:train_rows]]

    started = time.perf_counter()
    builtin = evaluate_pairs(test=dev, calibrate=calibration, encoder=encoder)
    print(
        f"BQ dev, score calibrated on 10k BQ train rows: acc {builtin['accuracy']:.4f} "
        f"auc {builtin['auc']} thr {builtin['threshold']} latency {builtin['latency_ms']} "
        f"target {TARGETS['bq_calibrated']} ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    dev_features = pair_features([(p.first, p.second) for p in dev], encoder=encoder)
    cal_features = pair_features([(p.first, p.second) for p in calibration], encoder=encoder)
    dev_truth = np.array([p.same for p in dev])
    cal_truth = np.array([p.same for p in calibration])
    builtin_scores = builtin_pair_model().probabilities(dev_features)
    threshold = best_threshold(builtin_pair_model().probabilities(cal_features), cal_truth)
    accuracy = float(((builtin_scores >= threshold) == dev_truth).mean())
    auc = roc_auc_score(dev_truth, builtin_scores)
    print(f"  baseline {'built-in weights':16s} acc {accuracy:.4f} auc {auc:.4f}")
    for name, column in (("raw USE cosine", 0), ("char Jaccard", 2), ("centred cosine", 1)):
        threshold = best_threshold(cal_features[:, column], cal_truth)
        accuracy = float(((dev_features[:, column] >= threshold) == dev_truth).mean())
        auc = roc_auc_score(dev_truth, dev_features[:, column])
        print(f"  baseline {name:16s} acc {accuracy:.4f} auc {auc:.4f}")

    started = time.perf_counter()
    held_out = [train[i] for i in order[train_rows : train_rows + 5_000]] or calibration
    trained = evaluate_pairs(test=dev, calibrate=held_out, train=fitting, encoder=encoder)
    print(
        f"BQ dev, model trained on {len(fitting)} BQ train rows (threshold from 5k other train "
        f"rows): acc {trained['accuracy']:.4f} auc {trained['auc']} thr {trained['threshold']} "
        f"target {TARGETS['bq_trained']} ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )


def synthetic_knowledge(entries: int) -> list[object]:
    from consultdesk.assistant.matcher import KnowledgeItem

    rng = np.random.default_rng(0)
    products = [
        "信用卡",
        "借记卡",
        "手机银行",
        "网银",
        "理财产品",
        "定期存款",
        "房贷",
        "车贷",
        "消费贷",
        "外汇",
        "基金",
        "保险",
        "黄金",
        "社保卡",
        "公积金",
    ]
    actions = [
        "怎么办理",
        "如何取消",
        "能否修改",
        "收费多少",
        "限额多少",
        "多久到账",
        "需要什么材料",
        "在哪里查询",
        "为什么失败",
        "怎么开通",
    ]
    details = [
        "在柜台",
        "用手机",
        "在周末",
        "给家人",
        "境外",
        "夜间",
        "首次",
        "再次",
        "紧急",
        "批量",
        "线上",
        "异地",
    ]
    items = []
    for i in range(entries):
        p = products[i % len(products)]
        a = actions[(i // len(products)) % len(actions)]
        d = details[(i // (len(products) * len(actions))) % len(details)]
        n = i // (len(products) * len(actions) * len(details))
        base = f"{d}{p}{a}{'第' + str(n) + '类' if n else ''}"
        paraphrases = (base, f"请问{base}", f"{p}{d}{a}呢", f"我想知道{base}")
        items.append(KnowledgeItem(entry_id=f"e{i}", questions=paraphrases))
    rng.shuffle(items)
    return items


def latency(entries: int) -> None:
    from consultdesk.assistant.encoder import default_encoder
    from consultdesk.assistant.matcher import Matcher

    encoder = default_encoder()
    items = synthetic_knowledge(entries)
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        matcher = Matcher.build(items, encoder=encoder, cache_dir=Path(cache))  # type: ignore[arg-type]
        build = time.perf_counter() - started
        queries = ["信用卡在周末怎么办理", "网银限额多少", "我的房贷提前还款", "理财收益", "你好"]
        queries += [q for item in items[:495] for q in item.questions[1:2]]  # type: ignore[attr-defined]
        matcher.match("预热")
        timings = []
        for query in queries:
            t0 = time.perf_counter()
            matcher.match(query)
            timings.append((time.perf_counter() - t0) * 1000)
        print(
            f"Latency, synthetic KB {entries} entries x 4 questions (build {build:.1f} s, "
            f"classifier {matcher.uses_classifier}): p50 {np.percentile(timings, 50):.2f} ms "
            f"p99 {np.percentile(timings, 99):.2f} ms  target {TARGETS['p99_ms']}",
            flush=True,
        )
        for label, baseline in (
            ("jieba dictionary in a trie", False),
            ("baseline: jieba's own dictionary cache", True),
        ):
            for attempt in (1, 2):
                seconds = _cold_start(entries, cache, plain_jieba=baseline)
                print(
                    f"Cold start #{attempt}, {label} (fresh process, embeddings cached, "
                    f"to first answer): {seconds:.2f} s  target {TARGETS['cold_start_s']}",
                    flush=True,
                )


def _cold_start(entries: int, cache: str, *, plain_jieba: bool) -> float:
    """Seconds from a fresh interpreter to the first answer, the matcher's parts cached.
    `plain_jieba` swaps the trie dictionary for jieba's own (the baseline)."""
    script = textwrap.dedent(
        f"""
        import sys, time
        t0 = time.perf_counter()
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pathlib import Path
        if {plain_jieba!r}:
            import jieba
            from consultdesk.assistant import word_dictionary
            word_dictionary.TrieTokenizer = jieba.Tokenizer
        from bench_assistant import synthetic_knowledge
        from consultdesk.assistant.matcher import Matcher
        items = synthetic_knowledge({entries})
        m = Matcher.build(items, cache_dir=Path({cache!r}))
        m.match("信用卡怎么办理")
        print(time.perf_counter() - t0)
        """
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return float(output.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--bq-train-rows", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--skip-banking", action="store_true")
    parser.add_argument("--skip-bq", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    if not args.skip_latency:
        latency(args.entries)
    if not args.skip_banking and (DATA / "banking77").exists():
        banking(args.folds)
    if not args.skip_bq and (DATA / "bq").exists():
        bq(args.bq_train_rows)


if __name__ == "__main__":
    main()
