"""The labelled corpus of paraphrase families (issue 13): its size, coverage and split."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from consultdesk.compliance.labelled import read_labelled
from consultdesk.compliance.model import VIOLATION_CODES

ROWS = read_labelled(Path(__file__).parent / "data" / "corpus.jsonl")
WRITTEN = [r for r in ROWS if r.style not in ("legacy", "knowledge-base")]
STYLES = {"plain", "chat", "indirect", "traditional", "mixed-english", "spaced", "pinyin"}
STYLES |= {"numerals", "near-miss", "context"}


# REQ: QC-6
def test_at_least_1500_replies_written_as_families_cover_every_code_and_style() -> None:
    assert len(WRITTEN) >= 1500
    assert set(Counter(c for r in WRITTEN for c in r.expect)) == set(VIOLATION_CODES)
    assert {r.style for r in WRITTEN} >= STYLES


# REQ: QC-6
def test_compliant_replies_are_at_least_as_many_as_violating_ones() -> None:
    compliant = sum(not r.expect for r in WRITTEN)
    assert compliant >= len(WRITTEN) - compliant


# REQ: QC-6
def test_the_split_is_by_family_and_every_code_is_tested_on_unseen_families() -> None:
    splits: dict[str, set[str]] = {}
    for row in ROWS:
        splits.setdefault(row.family, set()).add(row.split)
    assert all(len(s) == 1 for s in splits.values())
    unseen = [r for r in ROWS if r.split in ("test", "holdout")]
    assert set(Counter(c for r in unseen for c in r.expect)) == set(VIOLATION_CODES)
    assert all(r.split == "train" for r in ROWS if r.style in ("legacy", "knowledge-base"))
