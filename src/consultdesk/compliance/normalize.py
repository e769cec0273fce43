"""Normalisation against evasive spellings (QC-6).

A reply is folded character by character: zero-width and soft-hyphen characters are
dropped, full-width forms become ASCII (NFKC), letters are lower-cased, look-alike
Cyrillic/Greek letters become Latin, and Traditional characters become Simplified.
Two views are kept, each with a map back to the original offsets so that spans can be
reported on the text the agent wrote:

* ``text``: folded, spacing and punctuation kept (numbers, cards, percentages);
* ``compact``: folded, with spaces, punctuation and symbols removed (claims such as
  "保 本", "保.本", "保-本" read as "保本").
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources
from typing import Final

ZERO_WIDTH: Final = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f"
)

# Latin look-alikes used to dodge keyword lists (mixed scripts).
CONFUSABLES: Final = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ο": "o", "α": "a", "ν": "v", "τ": "t",
    "ι": "i", "κ": "k", "ρ": "p", "υ": "u", "ω": "w", "η": "n",
}  # fmt: skip

# Japanese shinjitai forms that OpenCC's Traditional table does not fold.
CJK_VARIANTS: Final = {"険": "险", "証": "证", "収": "收", "験": "验", "銭": "钱"}

KEEP_IN_COMPACT: Final = frozenset("%")


def _load_traditional_map() -> dict[str, str]:
    """Traditional → Simplified single characters, from OpenCC's TSCharacters table."""
    table: dict[str, str] = {}
    try:
        source = resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
        content = source.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - opencc is pinned
        return table
    for line in content.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            first = parts[1].split(" ")[0]
            if len(first) == 1:
                table[parts[0]] = first
    return table


_TRADITIONAL: Final = _load_traditional_map()


@cache
def fold_char(char: str) -> str:
    """The folded form of one character (may be empty, or several characters)."""
    if char in ZERO_WIDTH:
        return ""
    out = []
    for piece in unicodedata.normalize("NFKC", char).lower():
        if piece in ZERO_WIDTH or unicodedata.category(piece) == "Mn":
            continue
        base = unicodedata.normalize("NFD", piece)[0]
        # Pinyin with tone marks (fēng) reads as plain Latin (feng).
        latin = base if "a" <= base <= "z" else CONFUSABLES.get(piece, piece)
        latin = CJK_VARIANTS.get(latin, latin)
        out.append(_TRADITIONAL.get(latin, latin))
    return "".join(out)


@cache
def _is_compact_char(char: str) -> bool:
    if char in KEEP_IN_COMPACT:
        return True
    category = unicodedata.category(char)
    return category[0] in "LN"


class _FoldTable(dict[int, str]):
    """``str.translate`` table folding each character, filled on first sight."""

    def __missing__(self, key: int) -> str:
        folded = fold_char(chr(key))
        self[key] = folded
        return folded


class _CompactTable(dict[int, str | None]):
    """``str.translate`` table dropping what the compact view leaves out."""

    def __missing__(self, key: int) -> str | None:
        char = chr(key)
        kept = char if _is_compact_char(char) else None
        self[key] = kept
        return kept


_FOLD = _FoldTable()
_COMPACT = _CompactTable()


class Normalized:
    """A reply in its folded views, with maps back to original offsets.

    The views are built with ``str.translate``; the offset maps are built only when a
    span is asked for (most replies need few or none).
    """

    __slots__ = ("_compact_index", "_text_index", "compact", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text = original.translate(_FOLD)
        self.compact = self.text.translate(_COMPACT)
        self._text_index: tuple[int, ...] | None = None
        self._compact_index: tuple[int, ...] | None = None

    @property
    def text_index(self) -> tuple[int, ...]:
        """Original offset of each character of ``text``."""
        if self._text_index is None:
            if len(self.text) == len(self.original) and all(
                len(_FOLD[ord(ch)]) == 1 for ch in self.original
            ):
                self._text_index = tuple(range(len(self.original)))
            else:
                index: list[int] = []
                for position, char in enumerate(self.original):
                    index.extend([position] * len(_FOLD[ord(char)]))
                self._text_index = tuple(index)
        return self._text_index

    @property
    def compact_index(self) -> tuple[int, ...]:
        """Original offset of each character of ``compact``."""
        if self._compact_index is None:
            text_index = self.text_index
            self._compact_index = tuple(
                text_index[i] for i, ch in enumerate(self.text) if _COMPACT[ord(ch)] is not None
            )
        return self._compact_index

    def span_of_text(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the folded-text slice [start, end)."""
        return self._span(self.text_index, start, end)

    def span_of_compact(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the compact slice [start, end)."""
        return self._span(self.compact_index, start, end)

    def _span(self, index: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
        if not index:
            return (0, 0)
        if start >= len(index):
            n = len(self.original)
            return (n, n)
        return (index[start], index[max(start, end - 1)] + 1)


def normalize(original: str) -> Normalized:
    """Fold a reply into its ``text`` and ``compact`` views (see the module docstring)."""
    return Normalized(original)
