"""Reproduce the shipped learned layer of the reply check (QC-6).

Reads tests/compliance/data/corpus.jsonl (build it with
tests/compliance/data/build_corpus.py), fits on the train families only, and writes
src/consultdesk/compliance/data/reply_model.npz; prints the cross-validated choices
and the held-out (test families) figures beside the rules-only baseline.

Run: .venv/bin/python bench/train_compliance_model.py [--c 2] [--fp-cost 8]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consultdesk.compliance import learned  # noqa: E402
from consultdesk.compliance.evaluation import evaluate  # noqa: E402
from consultdesk.compliance.labelled import digest, read_labelled  # noqa: E402
from consultdesk.compliance.learned import save_layer  # noqa: E402
from consultdesk.compliance.training import train_layer  # noqa: E402

CORPUS = ROOT / "tests/compliance/data/corpus.jsonl"
OUT = ROOT / "src/consultdesk/compliance/data/reply_model.npz"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--c", type=float, default=2.0)
    parser.add_argument("--fp-cost", type=float, default=8.0)
    parser.add_argument("--min-df", type=int, default=2)
    parser.add_argument("--prune", type=float, default=0.01)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = read_labelled(CORPUS)
    t0 = time.perf_counter()
    layer = train_layer(
        rows,
        c=args.c,
        fp_cost=args.fp_cost,
        min_df=args.min_df,
        prune=args.prune,
        corpus_digest=digest(CORPUS),
    )
    print(f"trained in {time.perf_counter() - t0:.1f} s: {len(layer.vocabulary)} features")
    print(json.dumps(layer.meta["cv"], ensure_ascii=False, indent=1))
    print("cross-validated objective (train families):", layer.meta["cv_objective"])
    save_layer(layer, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")
    if args.out.resolve() != OUT.resolve():
        print("(weights written elsewhere: the held-out figures below need the shipped path)")
        return
    learned.default_layer.cache_clear()
    test = [r for r in rows if r.split in ("test", "holdout")]
    for name, use in (("rules only", False), ("rules + model", True)):
        report = evaluate(test, learned=use, rounds=1)
        figures = {k: report[k] for k in ("min_recall", "false_alarm_rate")}
        print(f"unseen families, {name}:", json.dumps(figures))


if __name__ == "__main__":
    main()
