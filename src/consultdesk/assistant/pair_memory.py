"""What labelled pairs teach beyond their own wording: which questions mean the same.

A bank's labelled pairs say "these two questions are the same" and "these two are
not". Joining the same-meaning pairs gives groups of questions that ask one thing
(an intent, found from the labels alone: union of same pairs); different-meaning
pairs say which groups are apart. A new pair (a, b) is then judged by memory as
well as by wording: find the labelled questions nearest to a and to b (sentence
embeddings), and ask whether their groups are the same, or were labelled apart.
"怎么提额" and "额度能调高吗" share few characters, but if both lie next to
questions of one group, they probably ask the same.

Contract:
- `PairMemory.build(...)` from labelled pairs and their embeddings;
  `PairMemory.features(vectors_a, vectors_b)` gives one row of `MEMORY_NAMES` per
  pair, every value finite; nothing is learned from texts beyond the labels given.
- `remember(...)` returns the memory of every pair plus out-of-fold rows for the
  same pairs (each fold's rows come from a memory built without that fold's pairs
  and without the pair's own two questions), so a model trained on the rows sees
  what it will see on questions it has never met, not its own labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MEMORY_NAMES = (
    "memory_same_weight",  # similarity-weighted share of neighbour pairs in one group
    "memory_same_best",  # the closest neighbour pair in one group (min of the two sims)
    "memory_apart_weight",  # the same for groups labelled different
    "memory_apart_best",
    "memory_nearest_a",  # how close a's nearest labelled question is
    "memory_nearest_b",
)
NEIGHBOURS = 10  # labelled questions looked at per side
TEMPERATURE = 0.05  # neighbour weight exp((sim - 1) / T): a close neighbour counts most
FOLDS = 5  # out-of-fold rows for training
_CHUNK = 1024  # query rows per similarity block (1,024 x 23k float32 = 94 MB)


def _groups(size: int, first: NDArray[np.int64], second: NDArray[np.int64]) -> NDArray[np.int64]:
    """Union-find over same-meaning pairs: the group (a root index) of every question."""
    parent = np.arange(size)

    def root(x: int) -> int:
        top = x
        while parent[top] != top:
            top = int(parent[top])
        while parent[x] != top:  # path compression
            parent[x], x = top, int(parent[x])
        return top

    for x, y in zip(first.tolist(), second.tolist(), strict=True):
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[rx] = ry
    return np.array([root(i) for i in range(size)], dtype=np.int64)


@dataclass(frozen=True)
class PairMemory:
    """Labelled questions (unit embedding rows), the group of each, and the group
    pairs labelled different (as sorted keys ``low * size + high``)."""

    vectors: NDArray[np.float32]
    group: NDArray[np.int64]
    apart: NDArray[np.int64]

    @classmethod
    def build(
        cls,
        vectors: NDArray[np.float32],
        first: NDArray[np.int64],
        second: NDArray[np.int64],
        same: NDArray[np.int64],
    ) -> PairMemory:
        """``vectors`` one row per question; pairs as indices into them, 1 = same."""
        size = len(vectors)
        joined = same == 1
        group = _groups(size, first[joined], second[joined])
        a, b = group[first[~joined]], group[second[~joined]]
        keys = np.unique(np.minimum(a, b) * size + np.maximum(a, b))
        return cls(vectors=vectors.astype(np.float32), group=group, apart=keys)

    def _nearest(
        self, queries: NDArray[np.float32], exclude: NDArray[np.int64] | None
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        k = min(NEIGHBOURS, len(self.vectors))
        index = np.zeros((len(queries), k), dtype=np.int64)
        sims = np.zeros((len(queries), k), dtype=np.float32)
        for start in range(0, len(queries), _CHUNK):
            block = queries[start : start + _CHUNK] @ self.vectors.T
            if exclude is not None:
                rows = np.arange(len(block))[:, None]
                block[rows, exclude[start : start + _CHUNK]] = -2.0
            if k < block.shape[1]:
                top = np.argpartition(-block, k - 1, axis=1)[:, :k]
            else:
                top = np.tile(np.arange(block.shape[1]), (len(block), 1))
            index[start : start + len(block)] = top
            sims[start : start + len(block)] = np.take_along_axis(block, top, axis=1)
        return index, sims

    def features(
        self,
        vectors_a: NDArray[np.float32],
        vectors_b: NDArray[np.float32],
        *,
        exclude: NDArray[np.int64] | None = None,
    ) -> NDArray[np.float64]:
        """One row of `MEMORY_NAMES` per pair; ``exclude`` (n, m) question indices a
        pair may not use as neighbours (its own questions, for out-of-fold rows)."""
        rows = np.zeros((len(vectors_a), len(MEMORY_NAMES)), dtype=np.float64)
        if not len(vectors_a) or not len(self.vectors):
            return rows
        near_a, sims_a = self._nearest(vectors_a.astype(np.float32), exclude)
        near_b, sims_b = self._nearest(vectors_b.astype(np.float32), exclude)
        ga, gb = self.group[near_a], self.group[near_b]
        weights = (
            (np.exp((sims_a - 1) / TEMPERATURE)[:, :, None])
            * (np.exp((sims_b - 1) / TEMPERATURE)[:, None, :])
        )
        total = weights.sum(axis=(1, 2))
        total[total == 0] = 1.0
        closeness = np.minimum(sims_a[:, :, None], sims_b[:, None, :]).clip(min=0)
        one = ga[:, :, None] == gb[:, None, :]
        size = len(self.vectors)
        keys = np.minimum(ga[:, :, None], gb[:, None, :]) * size + np.maximum(
            ga[:, :, None], gb[:, None, :]
        )
        apart = np.isin(keys, self.apart) & ~one
        rows[:, 0] = (weights * one).sum(axis=(1, 2)) / total
        rows[:, 1] = (closeness * one).max(axis=(1, 2))
        rows[:, 2] = (weights * apart).sum(axis=(1, 2)) / total
        rows[:, 3] = (closeness * apart).max(axis=(1, 2))
        rows[:, 4] = sims_a.max(axis=1)
        rows[:, 5] = sims_b.max(axis=1)
        return np.nan_to_num(rows)


def remember(
    left: Sequence[str],
    right: Sequence[str],
    same: NDArray[np.int64],
    vectors_left: NDArray[np.float32],
    vectors_right: NDArray[np.float32],
    *,
    seed: int = 0,
) -> tuple[PairMemory, NDArray[np.float64]]:
    """The memory of all the labelled pairs, and out-of-fold `MEMORY_NAMES` rows for
    them (see the module doc)."""
    index: dict[str, int] = {}
    rows: list[NDArray[np.float32]] = []
    first = np.zeros(len(left), dtype=np.int64)
    second = np.zeros(len(left), dtype=np.int64)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        for text, vector, out in ((a, vectors_left[i], first), (b, vectors_right[i], second)):
            at = index.get(text)
            if at is None:
                at = index[text] = len(rows)
                rows.append(vector)
            out[i] = at
    vectors = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 1), np.float32)
    same = np.asarray(same, dtype=np.int64)
    memory = PairMemory.build(vectors, first, second, same)
    held = np.zeros((len(left), len(MEMORY_NAMES)), dtype=np.float64)
    fold = np.random.default_rng(seed).integers(0, FOLDS, len(left))
    for k in range(FOLDS):
        inside = fold == k
        if not inside.any():
            continue
        without = PairMemory.build(vectors, first[~inside], second[~inside], same[~inside])
        own = np.stack([first[inside], second[inside]], axis=1)
        held[inside] = without.features(
            vectors[first[inside]], vectors[second[inside]], exclude=own
        )
    return memory, held
