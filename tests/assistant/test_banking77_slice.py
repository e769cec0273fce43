"""A small BANKING77 slice through the bot's pipeline (skipped without the data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consultdesk.assistant.encoder import SentenceEncoder
from consultdesk.assistant.evaluation import evaluate_intents, read_labelled_texts

# The shared data sits beside the project folder (../shared/data), never inside it.
DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "banking77" / "train.csv"


@pytest.mark.skipif(not DATA.exists(), reason="BANKING77 not present in ../shared/data")
def test_six_intents_slice_is_mostly_right(encoder: SentenceEncoder) -> None:
    # REQ: QC-5 FAQ answer accuracy is measured
    rows = read_labelled_texts(DATA, field="--train")
    keep = sorted({r.category for r in rows})[:6]
    chosen = [r for r in rows if r.category in keep]
    train = [r for i, r in enumerate(chosen) if i % 5]
    test = [r for i, r in enumerate(chosen) if i % 5 == 0][:60]
    report = evaluate_intents(train=train, test=test, encoder=encoder)
    assert report["accuracy"] >= 0.8
