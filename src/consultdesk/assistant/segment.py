"""Word segmentation with a bank user dictionary, and the lexical terms matched on.

Contract: `lexical_terms` takes a normalised text and returns the words (jieba, its
dictionary kept in a trie by `word_dictionary`, with the bank dictionary in
`resources/bank_userdict.txt`) and character n-grams that the BM25 index scores; it
never raises and returns an empty list for text without content.
"""

from __future__ import annotations

import itertools
import logging
import threading
from functools import cache
from importlib import resources
from typing import Any

_lock = threading.Lock()
# Function words that carry no meaning for matching (jieba keeps them as words).
_STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 么 哦 嗯 是 我 你 您 请问 一下 the a an to my i is of".split()  # noqa: SIM905
)


@cache
def _tokenizer() -> Any:
    """The process-wide jieba tokenizer with the bank dictionary loaded (lazy; its
    dictionary is a trie, see `word_dictionary`)."""
    import jieba

    from consultdesk.assistant.word_dictionary import TrieTokenizer

    jieba.setLogLevel(logging.WARNING)
    tokenizer = TrieTokenizer()
    dictionary = resources.files("consultdesk.assistant").joinpath("resources/bank_userdict.txt")
    with _lock:
        tokenizer.initialize()
        with dictionary.open("r", encoding="utf-8") as lines:
            for line in lines:
                parts = line.split()
                if parts:
                    tokenizer.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None)
    return tokenizer


def segment_words(normalized: str) -> list[str]:
    """Words of a normalised text, spaces and stop words dropped."""
    if not normalized:
        return []
    words = _tokenizer().lcut(normalized, HMM=True)
    return [word for word in words if word.strip() and word not in _STOPWORDS]


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def char_ngrams(normalized: str) -> list[str]:
    """Character unigrams and bigrams of the Chinese runs, and boundary-marked
    character trigrams of every other word (robust to typos and inflection)."""
    grams: list[str] = []
    for chunk in normalized.split():
        run: list[str] = []
        latin: list[str] = []
        for char in chunk + " ":
            if _is_cjk(char):
                run.append(char)
                if latin:
                    grams.extend(_latin_trigrams("".join(latin)))
                    latin = []
                continue
            if run:
                grams.extend(run)
                grams.extend(a + b for a, b in itertools.pairwise(run))
                run = []
            if char != " ":
                latin.append(char)
        if latin:
            grams.extend(_latin_trigrams("".join(latin)))
    return grams


def _latin_trigrams(word: str) -> list[str]:
    padded = f"<{word}>"
    grams = [padded[i : i + 3] for i in range(max(1, len(padded) - 2))]
    return grams + [padded[i : i + 4] for i in range(len(padded) - 3)]


def lexical_terms(normalized: str) -> list[str]:
    """The BM25 terms of a normalised text: `w:` words plus `c:` character n-grams."""
    words = segment_words(normalized)
    return [f"w:{word}" for word in words] + [f"c:{gram}" for gram in char_ngrams(normalized)]
