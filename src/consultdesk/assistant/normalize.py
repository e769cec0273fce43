"""Chinese-aware text normalisation shared by indexing and querying.

The contract: `normalize_text` is total (never raises on any string), idempotent,
and maps equivalent spellings onto one form: Traditional → Simplified, full-width →
half-width (NFKC), lower case, HTML stripped, punctuation and symbols (emoji included)
turned into single spaces, Chinese numerals before a unit turned into Arabic digits.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache
from typing import Protocol

# Longer input is cut before any work: a consultation question is short, and a
# 10,000-character paste must not cost more than a short one (RSK: safe on bad input).
MAX_INPUT_CHARS = 512

_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^<>]{0,300}>")
_SPACE_RE = re.compile(r"\s+")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
# A Chinese numeral run that starts with a digit (or 十) and is followed by a unit of
# money, time or count; "一下", "万一" and "一起" stay untouched.
_CN_NUMBER_RE = re.compile(
    r"([零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)"
    r"(?=[元块天个月年岁次号日小分秒笔张%])"
    r"|([零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*[万亿]"
    r"(?:[零〇一二两三四五六七八九][千百十])*)"
)
# Characters kept inside a token: a decimal point or percent sign between digits.
_KEEP_IN_NUMBER = {".", "%"}


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _t2s() -> _Converter:
    from opencc import OpenCC

    converter: _Converter = OpenCC("t2s")
    return converter


def chinese_numeral_value(numeral: str) -> int | None:
    """The integer a Chinese numeral spells (`"三千五百"` → 3500), or None when it
    is not a well-formed numeral."""
    total = 0
    section = 0
    digit: int | None = None
    for char in numeral:
        if char in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row ("一一") is not a numeral
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        elif char in _CN_BIG:
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (total + section) * _CN_BIG[char] if char == "亿" else total
            if char == "万":
                total += section * _CN_BIG[char]
            section = 0
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def _arabic(match: re.Match[str]) -> str:
    numeral = match.group(0)
    value = chinese_numeral_value(numeral)
    return numeral if value is None else str(value)


def _punctuation_to_space(text: str) -> str:
    out: list[str] = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if (
            category[0] in "LN"
            or char.isspace()
            or (char in _KEEP_IN_NUMBER and index > 0 and text[index - 1].isdigit())
        ):
            out.append(char)
        else:
            out.append(" ")
    return "".join(out)


def normalize_text(text: str) -> str:
    """Return the canonical form of `text` used for both indexing and matching."""
    text = text[: MAX_INPUT_CHARS * 4]
    if "<" in text:
        text = _SCRIPT_RE.sub(" ", text)
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text).lower()
    text = _THOUSANDS_RE.sub("", text)
    text = _CN_NUMBER_RE.sub(_arabic, text)
    text = _punctuation_to_space(text)
    text = _SPACE_RE.sub(" ", text).strip()
    return text[:MAX_INPUT_CHARS]


def has_content(normalized: str) -> bool:
    """True when a normalised text holds at least one letter or digit to match on."""
    return any(char.isalnum() for char in normalized)
