"""Patience rules (STD-3): a question repeated more than the policy limit is steered to
another channel. Pure: standard library only.

Two questions are "near-identical" when they are equal after normalisation: full-width
to half-width (NFKC), case folded, and everything but letters, digits and CJK removed,
so "我的卡被冻结了？？" and "我的卡被冻结了" count as the same question.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

SUGGESTION = (
    "看来这个问题在线上一时难以说清，给您添麻烦了。您也可以拨打本行客服热线 95xxx "
    "由专人电话为您处理，或预约到就近网点柜台办理。"
)
SUGGESTION_KIND = "patience_suggestion"
MIN_CHARS = 2  # "好", "嗯" are acknowledgements, not questions


def normalise_question(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def question_key(text: str) -> str | None:
    """The key near-identical questions share; ``None`` for chatter too short to count."""
    key = normalise_question(text)
    return key if len(key) >= MIN_CHARS else None


def repeat_count(*, earlier: Iterable[str], latest: str) -> int:
    """How many times ``latest`` has now been asked, counting itself (0 for chatter)."""
    key = question_key(latest)
    if key is None:
        return 0
    return 1 + sum(1 for text in earlier if question_key(text) == key)


def needs_other_channel(*, times_asked: int, limit: int) -> bool:
    """STD-3: asked more than ``limit`` times → suggest the hotline or a branch visit.
    Fires once, on the first repeat beyond the limit."""
    return times_asked == limit + 1
