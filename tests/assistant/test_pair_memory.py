"""Pair memory: groups of same-meaning questions from labelled pairs (issue 15)."""

import numpy as np
from sklearn.metrics import roc_auc_score

from consultdesk.assistant.pair_memory import MEMORY_NAMES, PairMemory, remember


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_same_pairs_join_groups_and_different_pairs_set_them_apart() -> None:
    # REQ: QC-5 — labelled pairs teach which questions mean the same.
    rng = np.random.default_rng(0)
    vectors = _unit(rng.normal(size=(4, 16)))
    first, second = np.array([0, 1, 2]), np.array([1, 2, 3])
    memory = PairMemory.build(vectors, first, second, np.array([1, 0, 1]))
    assert memory.group[0] == memory.group[1] != memory.group[2] == memory.group[3]
    near = _unit(vectors + 0.01 * rng.normal(size=vectors.shape))
    same = memory.features(near[[0]], near[[1]])[0]
    apart = memory.features(near[[0]], near[[3]])[0]
    assert same.shape == (len(MEMORY_NAMES),)
    assert same[0] > 0.9 and same[2] < 0.1
    assert apart[0] < 0.1 and apart[2] > 0.9
    assert np.isfinite(memory.features(near[:0], near[:0])).all()


def test_out_of_fold_rows_never_see_the_pairs_own_label() -> None:
    # Pairs whose questions occur nowhere else, labels at random: the memory of all
    # pairs knows every label (it would score them perfectly); the out-of-fold rows
    # a model is trained on must know nothing about them.
    rng = np.random.default_rng(1)
    n = 400
    left = [f"q{i}a" for i in range(n)]
    right = [f"q{i}b" for i in range(n)]
    va = _unit(rng.normal(size=(n, 32)))
    vb = _unit(rng.normal(size=(n, 32)))
    same = rng.integers(0, 2, n)
    memory, held = remember(left, right, same, va, vb)
    assert held.shape == (n, len(MEMORY_NAMES)) and np.isfinite(held).all()
    assert roc_auc_score(same, memory.features(va, vb)[:, 0]) > 0.95
    assert abs(roc_auc_score(same, held[:, 0]) - 0.5) < 0.1
