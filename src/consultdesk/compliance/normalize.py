"""Normalisation against evasive spellings (QC-6).

A reply is folded character by character: zero-width and soft-hyphen characters are
dropped, full-width forms become ASCII (NFKC), letters are lower-cased, look-alike
Cyrillic/Greek letters become Latin, and Traditional characters become Simplified.
Two views are kept, each with a map back to the original offsets so that spans can be
reported on the text the agent wrote:

* ``text``: folded, spacing and punctuation kept (numbers, cards, percentages);
* ``compact``: folded, with spaces, punctuation and symbols removed (claims such as
  "保 本", "保.本", "保-本" read as "保本").

After folding, phrases are rewritten in the ``text`` view (and so in ``compact``):
English and toneless-pinyin phrases agents mix in ("zero risk", "principal protected",
"guaranteed", "baoben", "yanzhengma") become the Chinese they stand for, and numbers
written in Chinese before a unit (两万出头, 十万, 三千多, 八百块) become digits (2万出头,
10万, 3000多, 800块) so that the account-fact rules see an amount. Each rewritten
character maps back to the original phrase, so spans still point into the agent's text.
"""

from __future__ import annotations

import re
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


# English and pinyin phrases agents mix into Chinese replies, read as the Chinese they
# stand for (lower case: the text view is already folded). Longest phrases first.
PHRASES: Final = {
    r"zero[\s\-]*risks?": "零风险",
    r"no[\s\-]*risks?|risk[\s\-]*free|riskless|without\s+(?:any\s+)?risks?": "无风险",
    r"(?:100\s*%|absolutely|totally|completely|perfectly|100\s*percent)\s*safe": "绝对安全",
    r"safe\s+as\s+(?:a\s+)?(?:bank\s+)?deposits?": "和存款一样安全",
    r"(?:principal|capital)[\s\-]*(?:protected|guaranteed|safe|protection|guarantee)": "保本",
    r"guaranteed\s+(?:returns?|yields?|income|interest|profits?)": "保证收益",
    r"guaranteed|guarantees?": "保证",
    r"sure[\s\-]*(?:win|profit|thing|bet)|can'?t\s+lose|never\s+lose|no\s+loss(?:es)?": "稳赚",
    r"high\s+(?:returns?|yields?)": "高收益",
    r"(?:verification|sms|otp|security|dynamic)\s*codes?|otp": "验证码",
    r"passwords?|passcodes?|pin\s*(?:code|number)": "密码",
    r"balance": "余额",
    # toneless pinyin typed to dodge keyword lists
    r"bao\s*ben|baoben": "保本",
    r"bao\s*xi": "保息",
    r"bao\s*shou\s*yi": "保收益",
    r"wen\s*zhuan": "稳赚",
    r"wu\s*feng\s*xian": "无风险",
    r"ling\s*feng\s*xian": "零风险",
    r"yan\s*zheng\s*ma": "验证码",
    r"mi\s*ma": "密码",
    r"yu\s*e": "余额",
}
_PHRASE_RE: Final = re.compile("|".join(f"(?<![a-z])(?:{pattern})(?![a-z])" for pattern in PHRASES))
_PHRASE_PATTERNS: Final = tuple((re.compile(f"(?:{p})$"), zh) for p, zh in PHRASES.items())

_CN_DIGIT: Final = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNIT: Final = {"十": 10, "百": 100, "千": 1000}
# A Chinese number that starts with a digit or 十 (千万/万一/百分之 are not amounts) and
# either holds a unit (十, 百, 千, 万) or is followed by a currency word.
_NUMERAL_RE: Final = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万亿])(?:"
    r"(?=[零〇一二两三四五六七八九十百千万亿]*[十百千万亿])"
    r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
    r"|[一二两三四五六七八九]+(?=\s*(?:元|块|美元|港元|欧元)))"
    r"(?![零〇一二两三四五六七八九十百千万亿分倍成])"
)


def chinese_number(numeral: str) -> int | None:
    """The value of a Chinese numeral (三万五 = 35000, 两千 = 2000, 十万 = 100000);
    None when it does not parse as one."""
    total = 0  # finished 亿 and 万 groups
    section = 0  # below 万
    digit: int | None = None
    last_unit = 1
    for ch in numeral:
        if ch in _CN_DIGIT:
            if digit is not None and _CN_DIGIT[ch] != 0:
                return None  # 二三 is a list of digits, not a number
            if _CN_DIGIT[ch] == 0:
                digit, last_unit = None, 10  # 一千零五: what follows 零 counts in ones
            else:
                digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            last_unit, digit = _CN_UNIT[ch], None
        elif ch in "万亿":
            big = 10_000 if ch == "万" else 100_000_000
            section += digit or 0
            total = (total + section) * big if ch == "亿" or total == 0 else total + section * big
            section, digit, last_unit = 0, None, big
        else:
            return None
    if digit is not None:
        # 三万五 / 两千五: a trailing digit counts in the next unit down.
        section += digit * (last_unit // 10 if last_unit >= 10 else 1)
    return total + section


def _numeral_as_digits(numeral: str) -> str | None:
    value = chinese_number(numeral)
    if value is None:
        return None
    if value >= 10_000 and numeral[-1] != "千":
        return f"{value / 10_000:g}万"
    return str(value)


# 百分之六 / 百分之三点五 / 百分之四十: a rate said in words is a rate (SOL-2 wants its source).
_PERCENT_RE: Final = re.compile(
    r"百分之([零〇一二两三四五六七八九十百]+)(?:点([零〇一二三四五六七八九]+))?"
)


def _percent_as_digits(m: re.Match[str]) -> str | None:
    whole = chinese_number(m.group(1))
    if whole is None:
        return None
    decimals = "".join(str(_CN_DIGIT[ch]) for ch in m.group(2) or "")
    return f"{whole}.{decimals}%" if decimals else f"{whole}%"


def _rewrite(text: str, index: list[int]) -> tuple[str, list[int]]:
    """Apply the phrase and numeral rewrites to ``text`` whose characters come from the
    original offsets in ``index``; returns the new text and its offsets."""
    pieces: list[tuple[int, int, str]] = []
    for m in _PHRASE_RE.finditer(text):
        for pattern, zh in _PHRASE_PATTERNS:
            if pattern.match(m.group()):
                pieces.append((m.start(), m.end(), zh))
                break
    for m in _PERCENT_RE.finditer(text):
        percent = _percent_as_digits(m)
        if percent is not None:
            pieces.append((m.start(), m.end(), percent))
    for m in _NUMERAL_RE.finditer(text):
        digits = _numeral_as_digits(m.group())
        if digits is not None and digits != m.group():
            pieces.append((m.start(), m.end(), digits))
    # Spaces inside a run of Chinese characters (溢缴 款, 保 本) split no words.
    for m in _CJK_SPACE.finditer(text):
        pieces.append((m.start(), m.end(), ""))
    if not pieces:
        return text, index
    out: list[str] = []
    out_index: list[int] = []
    cursor = 0
    for start, end, replacement in sorted(pieces):
        if start < cursor:
            continue
        out.append(text[cursor:start])
        out_index.extend(index[cursor:start])
        out.append(replacement)
        if replacement:
            first, last = index[start], index[end - 1]
            out_index.extend([first] * (len(replacement) - 1) + [last])
        cursor = end
    out.append(text[cursor:])
    out_index.extend(index[cursor:])
    return "".join(out), out_index


_CJK_SPACE: Final = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000\u00a0]+(?=[\u4e00-\u9fff])")
_NEEDS_REWRITE: Final = re.compile(
    r"[a-z]|[一二两三四五六七八九十]|[\u4e00-\u9fff][ \t\u3000\u00a0]+[\u4e00-\u9fff]"
)


class Normalized:
    """A reply in its folded views, with maps back to original offsets.

    The views are built with ``str.translate``; the offset maps are built only when a
    span is asked for (most replies need few or none).
    """

    __slots__ = ("_compact_index", "_text_index", "compact", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text = original.translate(_FOLD)
        self._text_index: tuple[int, ...] | None = None
        self._compact_index: tuple[int, ...] | None = None
        if _NEEDS_REWRITE.search(self.text):
            text, index = _rewrite(self.text, list(self._fold_index()))
            if text != self.text:
                self.text = text
                self._text_index = tuple(index)
        self.compact = self.text.translate(_COMPACT)

    def _fold_index(self) -> tuple[int, ...]:
        if len(self.text) == len(self.original) and all(
            len(_FOLD[ord(ch)]) == 1 for ch in self.original
        ):
            return tuple(range(len(self.original)))
        index: list[int] = []
        for position, char in enumerate(self.original):
            index.extend([position] * len(_FOLD[ord(char)]))
        return tuple(index)

    @property
    def text_index(self) -> tuple[int, ...]:
        """Original offset of each character of ``text``."""
        if self._text_index is None:
            self._text_index = self._fold_index()
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
