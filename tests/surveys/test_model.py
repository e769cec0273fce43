"""The monthly score formula (QC-1). Pure."""

from __future__ import annotations

from decimal import Decimal

from consultdesk.surveys.model import Rating, satisfaction_score

VS, FAIR, UNS = Rating.VERY_SATISFIED, Rating.FAIR, Rating.UNSATISFIED


# REQ: QC-1
def test_all_very_satisfied_scores_one_hundred() -> None:
    assert satisfaction_score({VS: 7}) == Decimal("100.0")


# REQ: QC-1
def test_fair_earns_sixty_points() -> None:
    assert satisfaction_score({FAIR: 5}) == Decimal("60.0")


def test_three_very_satisfied_to_one_fair_is_exactly_ninety() -> None:
    assert satisfaction_score({VS: 3, FAIR: 1, UNS: 0}) == Decimal("90.0")


def test_score_rounds_half_up_to_one_decimal() -> None:
    # (100 + 60 + 0) / 3 = 53.333…
    assert satisfaction_score({VS: 1, FAIR: 1, UNS: 1}) == Decimal("53.3")


def test_no_ratings_no_score() -> None:
    assert satisfaction_score({}) is None
