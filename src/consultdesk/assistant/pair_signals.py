"""Text evidence for same-meaning decisions: overlap, alignment and agreement
signals of two normalised questions, language-generic (nothing learned from a
data set; the only word lists are Chinese function words for negation and for
the kind of question asked).

Contract: `text_signals(left, right)` returns one row of `SIGNAL_NAMES` per pair,
every value finite, for any strings (empty ones included); the groups
(`SIGNAL_GROUPS`) name which columns belong to which kind of evidence, for the
ablation in bench/bench_pairs.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

SIGNAL_GROUPS: dict[str, tuple[str, ...]] = {
    "char_ngrams": (
        "char1_jaccard",
        "char2_jaccard",
        "char3_jaccard",
        "char1_containment",
        "char2_containment",
        "char3_containment",
    ),
    "words": ("word_jaccard2", "word_containment", "unshared_words"),
    "alignment": (
        "edit_similarity",
        "lcsubsequence_ratio",
        "lcsubstring_ratio",
        "prefix_shared",
        "suffix_shared",
        "length_gap",
        "length_min_ratio",
        "log_length",
    ),
    "agreement": (
        "numbers_conflict",
        "numbers_one_side",
        "negation_mismatch",
        "question_kind_conflict",
        "question_kind_shared",
        "latin_conflict",
    ),
}
SIGNAL_NAMES: tuple[str, ...] = tuple(name for group in SIGNAL_GROUPS.values() for name in group)

# Negation markers; an A-not-A question ("能不能", "是不是") and 是否 ask, not deny.
_NEGATIONS = ("不", "没", "未", "无", "别", "非", "莫", "勿")
_A_NOT_A = re.compile(r"(.)[不没]\1")
# What a question asks for, by its Chinese interrogative (generic grammar, not
# topic words): the reason, the way, the time, the amount, the place, yes/no.
_QUESTION_KINDS: dict[str, tuple[str, ...]] = {
    "why": ("为什么", "为何", "怎么会", "什么原因", "原因", "为啥", "咋会", "why"),
    "how": ("怎么", "怎样", "如何", "咋", "方法", "步骤", "流程", "how"),
    "when": ("什么时候", "多久", "何时", "几天", "几号", "哪天", "时间", "when"),
    "amount": ("多少", "几个", "几次", "多大", "多高", "how much", "how many"),
    "where": ("哪里", "哪儿", "在哪", "什么地方", "where"),
    "whether": ("能不能", "可不可以", "是不是", "是否", "能否", "可否", "可以吗", "吗"),
    "what": ("什么", "啥", "what"),
}
_DIGITS = re.compile(r"\d+(?:\.\d+)?%?")
_LATIN = re.compile(r"[a-z]+")


def _ngrams(text: str, n: int) -> frozenset[str]:
    return frozenset(text[i : i + n] for i in range(len(text) - n + 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _containment(a: frozenset[str], b: frozenset[str]) -> float:
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


@lru_cache(maxsize=65536)
def _text_view(text: str) -> tuple[str, tuple[frozenset[str], ...], frozenset[str], frozenset[str]]:
    """(compact text, char 1-3-gram sets, words, numbers) of one normalised text."""
    from consultdesk.assistant.segment import segment_words

    compact = text.replace(" ", "")
    grams = (_ngrams(compact, 1), _ngrams(compact, 2), _ngrams(compact, 3))
    words = frozenset(segment_words(text))
    numbers = frozenset(_DIGITS.findall(compact))
    return compact, grams, words, numbers


@lru_cache(maxsize=65536)
def _negations(compact: str) -> int:
    cleaned = _A_NOT_A.sub("", compact.replace("是否", ""))
    return sum(cleaned.count(marker) for marker in _NEGATIONS)


@lru_cache(maxsize=65536)
def _question_kinds(compact: str) -> frozenset[str]:
    kinds = set()
    rest = compact
    # Longest cues first, so "什么时候" is "when" and not also "what".
    cues = sorted(
        ((cue, kind) for kind, group in _QUESTION_KINDS.items() for cue in group),
        key=lambda pair: -len(pair[0]),
    )
    for cue, kind in cues:
        if cue in rest:
            kinds.add(kind)
            rest = rest.replace(cue, " ")
    return frozenset(kinds)


def _edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _common_subsequence_and_substring(a: str, b: str) -> tuple[int, int]:
    """Lengths of the longest common subsequence and substring."""
    subsequence = [0] * (len(b) + 1)
    substring = [0] * (len(b) + 1)
    longest_run = 0
    for char_a in a:
        previous_sub, previous_run = 0, 0
        for j, char_b in enumerate(b, start=1):
            keep_sub, keep_run = subsequence[j], substring[j]
            if char_a == char_b:
                subsequence[j] = previous_sub + 1
                substring[j] = previous_run + 1
                longest_run = max(longest_run, substring[j])
            else:
                subsequence[j] = max(subsequence[j], subsequence[j - 1])
                substring[j] = 0
            previous_sub, previous_run = keep_sub, keep_run
    return subsequence[-1], longest_run


def _shared_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _row(left: str, right: str) -> list[float]:
    a, grams_a, words_a, numbers_a = _text_view(left)
    b, grams_b, words_b, numbers_b = _text_view(right)
    shorter = max(min(len(a), len(b)), 1)
    longer = max(len(a), len(b), 1)
    row = [_jaccard(x, y) for x, y in zip(grams_a, grams_b, strict=True)]
    row += [_containment(x, y) for x, y in zip(grams_a, grams_b, strict=True)]
    row += [
        _jaccard(words_a, words_b),
        _containment(words_a, words_b),
        float(np.log1p(len(words_a ^ words_b))),
    ]
    subsequence, substring = _common_subsequence_and_substring(a[:64], b[:64])
    row += [
        1.0 - _edit_distance(a[:64], b[:64]) / longer,
        subsequence / shorter,
        substring / shorter,
        _shared_prefix(a, b) / shorter,
        _shared_prefix(a[::-1], b[::-1]) / shorter,
        abs(len(a) - len(b)) / longer,
        shorter / longer,
        float(np.log1p(longer)),
    ]
    kinds_a, kinds_b = _question_kinds(a), _question_kinds(b)
    latin_a, latin_b = frozenset(_LATIN.findall(a)), frozenset(_LATIN.findall(b))
    row += [
        float(bool(numbers_a) and bool(numbers_b) and numbers_a != numbers_b),
        float(bool(numbers_a) != bool(numbers_b)),
        float((_negations(a) % 2) != (_negations(b) % 2)),
        float(bool(kinds_a) and bool(kinds_b) and not (kinds_a & kinds_b)),
        float(bool(kinds_a & kinds_b)),
        float(bool(latin_a) and bool(latin_b) and not (latin_a & latin_b)),
    ]
    return row


def text_signals(left: Sequence[str], right: Sequence[str]) -> NDArray[np.float64]:
    """One row of SIGNAL_NAMES per pair of normalised texts."""
    rows = np.zeros((len(left), len(SIGNAL_NAMES)), dtype=np.float64)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        rows[i] = _row(a, b)
    return rows
