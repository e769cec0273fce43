"""Turn what a person types into the plain ASCII form the checks work on.

Full-width digits and letters (１２３, ＡＢＣ) become ASCII, the ideographic space and
other spaces, hyphens and dashes (-, －, —, –) are dropped. Nothing else is changed, so
a wrong character still shows up as wrong."""

from __future__ import annotations

import unicodedata

# Separators people type inside numbers: spaces of every width, hyphens and dashes.
_SEPARATORS = frozenset(" \t\u3000\u00a0-\u2010\u2011\u2012\u2013\u2014\u2015\uff0d_")


def to_halfwidth(text: str) -> str:
    """Fold full-width forms to ASCII (NFKC), e.g. '１１０１０５' -> '110105'."""
    return unicodedata.normalize("NFKC", text)


def strip_separators(text: str) -> str:
    """Remove spaces, hyphens and dashes anywhere in the text."""
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def clean(text: str) -> str:
    """Full-width to ASCII, then separators removed, then surrounding whitespace gone."""
    return strip_separators(to_halfwidth(text)).strip()
