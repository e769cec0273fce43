"""Suitability matching (SOL-5)."""

from __future__ import annotations

from datetime import date

import pytest

from consultdesk.compliance.suitability import (
    ExtraCare,
    Outcome,
    RiskAssessment,
    SuitabilityPolicy,
    decide_suitability,
)
from consultdesk.shared.errors import ValidationFailed

TODAY = date(2026, 3, 2)


def decide(product: int, level: int | None, *, age: int | None = 40, on: date = date(2026, 1, 5)):
    assessment = None if level is None else RiskAssessment(level=level, assessed_on=on)
    return decide_suitability(product_risk=product, assessment=assessment, age=age, today=TODAY)


# REQ: SOL-5
def test_product_risk_equal_to_tolerance_is_allowed() -> None:
    assert decide(3, 3).outcome is Outcome.ALLOWED


# REQ: SOL-5
def test_product_risk_above_tolerance_is_refused_with_basis() -> None:
    decision = decide(4, 2)
    assert decision.outcome is Outcome.REFUSED
    assert any("高于" in line for line in decision.basis)


# REQ: SOL-5
def test_missing_assessment_requires_reassessment() -> None:
    assert decide(1, None).outcome is Outcome.REASSESS


# REQ: SOL-5
def test_assessment_older_than_a_year_requires_reassessment() -> None:
    assert decide(2, 5, on=date(2025, 3, 1)).outcome is Outcome.REASSESS


# REQ: SOL-5
def test_assessment_exactly_a_year_old_is_still_valid() -> None:
    assert decide(2, 5, on=date(2025, 3, 2)).outcome is Outcome.ALLOWED


# REQ: SOL-5
def test_customer_aged_65_gets_a_recorded_sale() -> None:
    assert decide(2, 3, age=65).extra_care == (ExtraCare.RECORDED_SALE,)


# REQ: SOL-5
def test_senior_buying_high_risk_needs_second_confirmation() -> None:
    decision = decide(4, 5, age=70)
    assert decision.allowed
    assert ExtraCare.SECOND_CONFIRMATION in decision.extra_care


# REQ: SOL-5
def test_customer_aged_64_gets_no_extra_care() -> None:
    assert decide(4, 5, age=64).extra_care == ()


# REQ: ANX-2
def test_decision_records_policy_version() -> None:
    policy = SuitabilityPolicy(version="2026.1")
    decision = decide_suitability(
        product_risk=1, assessment=None, age=None, today=TODAY, policy=policy
    )
    assert decision.policy_version == "2026.1"


def test_out_of_range_product_risk_names_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        decide(6, 3)
    assert caught.value.field == "product_risk"
