"""Same-meaning decisions on a second Chinese question-matching set (prints figures).

    .venv/bin/python bench/bench_pairs_cross.py [--bq-dev ../shared/data/bq/dev.tsv]

Issue 15 asks that `consultdesk eval pairs` give a sane figure on other Chinese
question-matching sets of BQ's kind without retuning. No such public set is reachable
from this machine (LCQMC, AFQMC and the rest are downloads), so this bench builds one
from a source nothing was tuned on: the demo bank's knowledge base
(`consultdesk/knowledge/demo/*.yaml`, written for consultdesk: 9 business lines, each
entry a standard question and its paraphrases, typos and long chat-style questions
included). Pairs:

- same meaning: each question with its entry's standard question, and with one other
  paraphrase of the entry;
- different meaning: each question with the most similar question of another entry of
  the same business line by character bigrams (BQ's negatives are also near-misses:
  "借款" vs "还款"), and with a random question of another entry of the line.

Entries are split into two halves (a family never straddles them). The real command
is run as a user types it, in a child process, with the hyper-parameters chosen on BQ
left as they are:
1. `eval pairs HALF_B` (built-in weights and threshold, nothing fitted);
2. `eval pairs HALF_B --calibrate HALF_A` and the other way round (the command's own
   calibration on the new set: the figure a bank gets with its own labelled pairs);
3. `eval pairs HALF_A+B --calibrate BQ_DEV` (calibrated on WeBank's questions, judged on
   another bank's: the cross-domain figure), when BQ is present.
Pairs are written to a temporary folder and removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

BQ_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "bq" / "dev.tsv"
TARGET = "sane: well above chance (0.5), near the BQ figure"


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def build_pairs(seed: int = 0) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(half A, half B) labelled pairs from the demo knowledge base, split by entry."""
    from consultdesk.knowledge.demo import load_demo_entries

    rng = random.Random(seed)
    entries = load_demo_entries()
    families = [
        (
            str(e.business_line),
            [e.content.standard_question, *e.content.paraphrases],
        )
        for e in entries
        if e.content.paraphrases
    ]
    rng.shuffle(families)
    halves: list[list[tuple[str, list[str]]]] = [families[0::2], families[1::2]]
    out: list[list[tuple[str, str, int]]] = []
    for half in halves:
        pairs: list[tuple[str, str, int]] = []
        for index, (line, questions) in enumerate(half):
            others = [
                (q, bigrams(q))
                for j, (other_line, qs) in enumerate(half)
                if j != index and other_line == line
                for q in qs
            ]
            standard = questions[0]
            for q in questions[1:]:
                pairs.append((q, standard, 1))
                peers = [p for p in questions[1:] if p != q]
                if peers:
                    pairs.append((q, rng.choice(peers), 1))
                if others:
                    grams = bigrams(q)
                    nearest = max(others, key=lambda o: jaccard(grams, o[1]))[0]
                    pairs.append((q, nearest, 0))
                    pairs.append((q, rng.choice(others)[0], 0))
        rng.shuffle(pairs)
        out.append(pairs)
    return out[0], out[1]


def write(path: Path, pairs: list[tuple[str, str, int]]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for a, b, same in pairs:
            f.write(f"{a}\t{b}\t{same}\n")
    return path


def run(test: Path, calibrate: Path | None) -> dict[str, object]:
    command = [str(Path(sys.executable).with_name("consultdesk")), "eval", "pairs", str(test)]
    command.append("--json")
    if calibrate is not None:
        command += ["--calibrate", str(calibrate)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bq-dev", type=Path, default=BQ_DEV)
    args = parser.parse_args()
    a, b = build_pairs()
    same = sum(p[2] for p in a + b)
    print(
        f"Demo-bank question pairs: {len(a)} + {len(b)} (halves by entry), "
        f"{same} same / {len(a) + len(b) - same} different"
    )
    with tempfile.TemporaryDirectory() as folder:
        half_a, half_b = write(Path(folder) / "a.tsv", a), write(Path(folder) / "b.tsv", b)
        both = write(Path(folder) / "ab.tsv", a + b)
        rows: list[tuple[str, dict[str, object]]] = [
            ("built-in (nothing fitted), on half B", run(half_b, None)),
            ("--calibrate half A, on half B", run(half_b, half_a)),
            ("--calibrate half B, on half A", run(half_a, half_b)),
        ]
        if args.bq_dev.exists():
            rows.append(("--calibrate BQ dev, on A+B (cross-domain)", run(both, args.bq_dev)))
        else:
            print(f"  (BQ dev not found at {args.bq_dev}: cross-domain row skipped)")
    for label, report in rows:
        print(
            f"  {label:44s} acc {report['accuracy']:.4f} auc {report['auc']} "
            f"threshold {report['threshold']}  target {TARGET}"
        )


if __name__ == "__main__":
    main()
