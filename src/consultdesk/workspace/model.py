"""The shift's figures and the script search, pure (ACC-2, CLS-2, SOL-1).

A shift is the agent's Beijing calendar day: figures count consultations the agent
resolved or closed since local midnight, first responses the agent gave to
consultations opened that day, and ratings given that day."""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from consultdesk.shared.months import BEIJING
from consultdesk.surveys.model import Rating, satisfaction_score


def shift_start(now: datetime) -> datetime:
    """Local midnight (Beijing) of ``now``'s day, as UTC."""
    local = now.astimezone(BEIJING)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


@dataclass(frozen=True)
class ShiftFigures:
    handled: int
    first_responses: int
    first_response_median_s: float | None
    first_response_within_s: int  # the policy's online first-response limit
    first_response_within_share: float | None
    ratings: int
    satisfaction: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "handled": self.handled,
            "first_responses": self.first_responses,
            "first_response_median_s": self.first_response_median_s,
            "first_response_within_s": self.first_response_within_s,
            "first_response_within_share": self.first_response_within_share,
            "ratings": self.ratings,
            "satisfaction": None if self.satisfaction is None else float(self.satisfaction),
        }


def shift_figures(
    *,
    handled: int,
    first_response_s: Iterable[float],
    ratings: Mapping[Rating, int],
    within_s: int,
) -> ShiftFigures:
    waits = sorted(max(0.0, w) for w in first_response_s)
    within = sum(1 for w in waits if w <= within_s)
    return ShiftFigures(
        handled=handled,
        first_responses=len(waits),
        first_response_median_s=round(statistics.median(waits), 1) if waits else None,
        first_response_within_s=within_s,
        first_response_within_share=round(within / len(waits), 4) if waits else None,
        ratings=sum(ratings.values()),
        satisfaction=satisfaction_score(ratings),
    )


@dataclass(frozen=True)
class Script:
    """One entry of the script library: a greeting, hold, verification, closing or
    complaint script, for every business line or one."""

    code: str
    kind: str
    business_line: str | None
    title: str
    title_en: str
    text: str
    text_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "business_line": self.business_line,
            "title": self.title,
            "title_en": self.title_en,
            "text": self.text,
            "text_en": self.text_en,
        }


SCRIPT_KINDS = ("greeting", "verification", "hold", "transfer", "complaint", "closing")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def search_scripts(
    scripts: Iterable[Script], *, query: str = "", business_line: str | None = None
) -> list[Script]:
    """Scripts whose title or text holds every space-separated term of ``query``; those
    of ``business_line`` and those for every line; in kind order (a shift's order)."""
    terms = [_fold(t) for t in query.split() if t.strip()]
    out = []
    for s in scripts:
        if business_line and s.business_line not in (None, business_line):
            continue
        body = _fold(" ".join((s.title, s.title_en, s.text, s.text_en)))
        if all(t in body for t in terms):
            out.append(s)
    rank = {k: i for i, k in enumerate(SCRIPT_KINDS)}
    out.sort(key=lambda s: (rank.get(s.kind, len(rank)), s.business_line is not None, s.code))
    return out
