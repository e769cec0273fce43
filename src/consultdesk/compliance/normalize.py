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
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Normalized:
    """A reply in its folded views, with maps back to original offsets."""

    original: str
    text: str
    text_index: tuple[int, ...]
    compact: str
    compact_index: tuple[int, ...]

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
    text_chars: list[str] = []
    text_index: list[int] = []
    compact_chars: list[str] = []
    compact_index: list[int] = []
    for position, char in enumerate(original):
        folded = fold_char(char)
        for piece in folded:
            text_chars.append(piece)
            text_index.append(position)
            if _is_compact_char(piece):
                compact_chars.append(piece)
                compact_index.append(position)
    return Normalized(
        original=original,
        text="".join(text_chars),
        text_index=tuple(text_index),
        compact="".join(compact_chars),
        compact_index=tuple(compact_index),
    )
