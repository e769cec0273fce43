"""Turn what a person types into the plain ASCII form the checks work on.

Full-width letters (ＡＢＣ, e.g. an ID number's check character typed in an input
method's full-width mode) become ASCII, the ideographic space and other spaces, hyphens
and dashes (-, －, —, –) are dropped. Nothing else is changed, so a wrong character still
shows up as wrong: only ASCII digits count as digits, so every other digit form
(full-width １, Arabic-Indic ٦, Devanagari ६, circled ⑥, superscript ⁶, mathematical 𝟔…)
is found by ``foreign_digit`` before any folding and refused, never converted (ACP-2);
a leading sign is found by ``leading_sign``."""

from __future__ import annotations

import unicodedata

# Separators people type inside numbers: spaces of every width, hyphens and dashes.
_SEPARATORS = frozenset(" \t\u3000\u00a0-\u2010\u2011\u2012\u2013\u2014\u2015\uff0d_")


# Signs people may type in front of a number: ASCII, full-width, minus sign, small forms.
SIGNS = frozenset("+-\uff0b\uff0d\u2212\ufe62\ufe63\u2010\u2011\u2012\u2013\u2014")


def foreign_digit(text: str) -> str | None:
    """The first character that is a digit in some script but not an ASCII digit, e.g.
    '１' (full-width), '٦' (Arabic-Indic), '①', '²', '𝟔'; None when there is none."""
    for ch in text:
        if "0" <= ch <= "9":
            continue
        if (
            unicodedata.category(ch) in ("Nd", "No", "Nl")
            or unicodedata.digit(ch, None) is not None
        ):
            return ch
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and any(c.isdigit() for c in folded):
            return ch
    return None


def leading_sign(text: str) -> str | None:
    """The sign ('+', '-', '－', '−'…) the text starts with, after spaces; None if none."""
    stripped = text.lstrip(" \t\u3000\u00a0")
    return stripped[0] if stripped and stripped[0] in SIGNS else None


def to_halfwidth(text: str) -> str:
    """Fold full-width forms to ASCII (NFKC), e.g. 'ｘ' -> 'x' (digits never reach here in
    any form but ASCII: ``foreign_digit`` refuses them first)."""
    return unicodedata.normalize("NFKC", text)


def strip_separators(text: str) -> str:
    """Remove spaces, hyphens and dashes anywhere in the text."""
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def clean(text: str) -> str:
    """Full-width to ASCII, then separators removed, then surrounding whitespace gone."""
    return strip_separators(to_halfwidth(text)).strip()
