"""jieba's word dictionary in a compact trie, so the engine starts in milliseconds.

Contract: `TrieTokenizer()` segments exactly as `jieba.Tokenizer()` does with the same
dictionary and the same `add_word` calls (a test compares them word for word), but loads
its dictionary from a cached `marisa-trie` file instead of jieba's own cache.

Why: jieba keeps its 349k-word dictionary as a Python dict of ~500k words and prefixes,
and unmarshalling it takes 0.6-1.7 s on our two-core machines, the largest part of the
engine's cold start. A marisa trie of the same words loads in a few milliseconds and
answers "which dictionary words start here" in one call.

The cache file is built from jieba's `dict.txt` on first use (about 1 s, as jieba's own
first run) into the temporary folder, keyed by a hash of the dictionary and this format.
When that folder cannot be written, the trie is built in memory on every start. A cache
file is read only when it carries the right checksum, belongs to our own user and nobody
else can write it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import tempfile
from array import array
from collections.abc import Iterator
from importlib.metadata import version
from math import log
from pathlib import Path
from typing import Any

import jieba
import marisa_trie

_FORMAT = b"consultdesk-jieba-trie-4"
# total frequency, number of words, longest word, SHA-256 of what follows the header
_HEADER = struct.Struct("<qqq32s")
_log = logging.getLogger(__name__)


class FrequencyTable:
    """The part of a dict that jieba uses on `Tokenizer.FREQ`, over a trie.

    Words of the base dictionary live in the trie, their frequencies in an array indexed
    by the trie's key id (`add_word` on such a word changes the array); other added words
    live in `overlay`. As in jieba, every prefix of a word is "in" the table, with
    frequency 0.
    """

    def __init__(self, trie: marisa_trie.Trie, frequencies: array[int], longest: int) -> None:
        self.trie = trie
        self.frequencies = frequencies
        self.longest = longest
        self.overlay: dict[str, int] = {}
        self.overlay_prefixes: set[str] = set()  # added words and their prefixes
        self.overlay_initials: set[str] = set()

    def get(self, word: str, default: Any = None) -> Any:
        key_id = self.trie.get(word)
        if key_id is not None:
            return self.frequencies[key_id]
        if word in self.overlay:
            return self.overlay[word]
        if word in self.overlay_prefixes or next(self.trie.iterkeys(word), None) is not None:
            return 0
        return default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        value = self.get(word)
        if value is None:
            raise KeyError(word)
        return int(value)

    def __setitem__(self, word: str, frequency: int) -> None:
        key_id = self.trie.get(word)
        if key_id is not None:
            self.frequencies[key_id] = frequency
            return
        self.overlay[word] = frequency
        self.overlay_prefixes.update(word[:end] for end in range(1, len(word) + 1))
        self.overlay_initials.add(word[:1])
        self.longest = max(self.longest, len(word))

    def words_at(self, sentence: str, start: int, found: dict[tuple[int, int], int]) -> list[int]:
        """Last indices of the dictionary words (frequency > 0) that start at `start`, in
        increasing order; each word's frequency goes into `found[start, last index]`."""
        ends: list[int] = []
        frequencies = self.frequencies
        window = sentence[start : start + self.longest]
        for word, key_id in self.trie.iter_prefixes_with_ids(window):
            frequency = frequencies[key_id]
            if frequency:
                end = start + len(word) - 1
                ends.append(end)
                found[start, end] = frequency
        if sentence[start] in self.overlay_initials:
            ends.extend(self._overlay_words_at(sentence, start, found))
            ends.sort()
        return ends

    def _overlay_words_at(
        self, sentence: str, start: int, found: dict[tuple[int, int], int]
    ) -> Iterator[int]:
        end = start
        fragment = sentence[start]
        while end < len(sentence) and fragment in self.overlay_prefixes:
            if self.overlay.get(fragment):
                found[start, end] = self.overlay[fragment]
                yield end
            end += 1
            fragment = sentence[start : end + 1]


class _Graph(dict[int, list[int]]):
    """jieba's DAG (start -> possible last indices), carrying each edge's frequency."""

    frequencies: dict[tuple[int, int], int]


class TrieTokenizer(jieba.Tokenizer):  # type: ignore[misc]
    """A `jieba.Tokenizer` whose dictionary is a `FrequencyTable` loaded from a trie file."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        super().__init__()
        self.trie_cache_dir = cache_dir

    def initialize(self, dictionary: str | None = None) -> None:
        if dictionary:
            raise ValueError("TrieTokenizer uses jieba's default dictionary only")
        with self.lock:
            if bool(getattr(self, "initialized", False)):
                return
            self.FREQ, self.total = load_table(self.get_dict_file(), self.trie_cache_dir)
            self.initialized = True

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:  # noqa: N802 - jieba's name
        self.check_initialized()
        table: FrequencyTable = self.FREQ
        graph = _Graph()
        graph.frequencies = {}
        for start in range(len(sentence)):
            graph[start] = table.words_at(sentence, start, graph.frequencies) or [start]
        return graph

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, Any]) -> None:  # noqa: N803
        if not isinstance(DAG, _Graph):  # a graph not made by get_DAG: jieba's own way
            super().calc(sentence, DAG, route)
            return
        length = len(sentence)
        route[length] = (0, 0)
        logtotal = log(self.total)
        get = DAG.frequencies.get
        for idx in range(length - 1, -1, -1):
            route[idx] = max(
                (log(get((idx, x)) or 1) - logtotal + route[x + 1][0], x) for x in DAG[idx]
            )


def load_table(dictionary: Any, cache_dir: Path | None = None) -> tuple[FrequencyTable, int]:
    """The frequency table and total of jieba's `dict.txt` (an open binary file),
    from the cache file when it is there and intact, else built and cached."""
    with dictionary:
        source = dictionary.read()
    digest = hashlib.sha256(_FORMAT + version("marisa-trie").encode() + source).hexdigest()
    folder = cache_dir or Path(tempfile.gettempdir())
    path = folder / f"consultdesk-jieba-{digest[:16]}.trie"
    try:
        if _trusted(path):
            return _read(path.read_bytes())
    except (OSError, ValueError, RuntimeError, struct.error):
        pass
    payload = _build(source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_bytes(payload)
        partial.chmod(0o644)
        os.replace(partial, path)
    except OSError as error:  # read-only folder: keep the trie in memory only
        _log.warning("jieba trie cache not written to %s: %s", path, error)
    return _read(payload)


def _trusted(path: Path) -> bool:
    """Only a cache file of our own user that nobody else can write is read (the
    temporary folder is shared; a planted file is ignored and rebuilt in memory)."""
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _build(source: bytes) -> bytes:
    frequencies_by_word: dict[str, int] = {}
    total = 0  # as jieba: every line counts, also a word listed twice
    for lineno, line in enumerate(source.decode("utf-8").splitlines(), 1):
        parts = line.strip().split(" ")
        if not parts[0]:
            continue
        try:
            frequency = int(parts[1])
        except (IndexError, ValueError):
            raise ValueError(f"invalid jieba dictionary entry at line {lineno}: {line!r}") from None
        frequencies_by_word[parts[0]] = frequency
        total += frequency
    words = [word for word, frequency in frequencies_by_word.items() if frequency > 0]
    trie = marisa_trie.Trie(words)
    frequencies = array("q", bytes(8 * len(trie)))
    for word in words:
        frequencies[trie[word]] = frequencies_by_word[word]
    longest = max(map(len, words), default=1)
    body = frequencies.tobytes() + bytes(trie.tobytes())
    return _HEADER.pack(total, len(trie), longest, hashlib.sha256(body).digest()) + body


def _read(payload: bytes) -> tuple[FrequencyTable, int]:
    total, count, longest, checksum = _HEADER.unpack_from(payload)
    start = _HEADER.size
    if hashlib.sha256(payload[start:]).digest() != checksum:
        raise ValueError("jieba trie cache is damaged")
    frequencies = array("q")
    frequencies.frombytes(payload[start : start + 8 * count])
    trie = marisa_trie.Trie().frombytes(payload[start + 8 * count :])
    if len(trie) != count or len(frequencies) != count:
        raise ValueError("jieba trie cache is damaged")
    return FrequencyTable(trie, frequencies, longest), total
