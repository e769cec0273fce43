"""Suitability matching (SOL-5): product risk R1–R5 against customer tolerance C1–C5.

Pure. A sale is allowed when R ≤ C and the risk assessment is at most
``assessment_valid_days`` old; a missing or stale assessment requires re-assessment
first. Customers aged ``senior_age`` or over get the extra care the sales rules ask:
the sale is recorded on audio and video (双录) and, for products at or above
``senior_caution_risk``, confirmed a second time by the customer and a supervisor.
Every decision carries its basis in words and the policy version it used.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from consultdesk.shared.errors import ValidationFailed


class Outcome(enum.StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    REASSESS = "reassess"


class ExtraCare(enum.StrEnum):
    RECORDED_SALE = "recorded_sale"  # 双录
    SECOND_CONFIRMATION = "second_confirmation"  # 客户二次确认 + 主管复核


@dataclass(frozen=True, slots=True)
class SuitabilityPolicy:
    """Policy numbers (ANX-2), fed from the versioned policy."""

    assessment_valid_days: int = 365
    senior_age: int = 65
    senior_caution_risk: int = 4
    version: str = "default"


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """The customer's latest risk tolerance assessment."""

    level: int  # C1..C5 as 1..5
    assessed_on: date


@dataclass(frozen=True, slots=True)
class SuitabilityDecision:
    """What was decided and why (recorded against the sale, SOL-5)."""

    outcome: Outcome
    product_risk: int
    customer_risk: int | None
    basis: tuple[str, ...]
    extra_care: tuple[ExtraCare, ...]
    policy_version: str

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED


def _check_level(value: int, field: str) -> None:
    if not 1 <= value <= 5:
        raise ValidationFailed(f"{field} 应在 1–5 之间", field=field)


def decide_suitability(
    *,
    product_risk: int,
    assessment: RiskAssessment | None,
    age: int | None,
    today: date,
    policy: SuitabilityPolicy | None = None,
) -> SuitabilityDecision:
    """Decide whether a product of ``product_risk`` may be sold to this customer today."""
    rules = policy or SuitabilityPolicy()
    _check_level(product_risk, "product_risk")
    if age is not None and age < 0:
        raise ValidationFailed("年龄无效", field="age")
    basis: list[str] = [f"产品风险等级 R{product_risk}"]
    extra: list[ExtraCare] = []
    senior = age is not None and age >= rules.senior_age
    if senior:
        basis.append(f"客户年满{rules.senior_age}周岁，需加强适当性保护")
        extra.append(ExtraCare.RECORDED_SALE)
        if product_risk >= rules.senior_caution_risk:
            extra.append(ExtraCare.SECOND_CONFIRMATION)
            basis.append(f"R{product_risk} 产品向老年客户销售须二次确认并经主管复核")

    if assessment is None:
        basis.append("客户无风险承受能力评估记录，须先完成评估")
        return SuitabilityDecision(
            Outcome.REASSESS, product_risk, None, tuple(basis), tuple(extra), rules.version
        )
    _check_level(assessment.level, "assessment.level")
    if assessment.assessed_on > today:
        raise ValidationFailed("评估日期晚于今天", field="assessment.assessed_on")
    basis.append(f"客户风险承受能力 C{assessment.level}（评估于 {assessment.assessed_on}）")
    if today - assessment.assessed_on > timedelta(days=rules.assessment_valid_days):
        basis.append(f"评估已超过 {rules.assessment_valid_days} 天，须重新评估")
        outcome = Outcome.REASSESS
    elif product_risk <= assessment.level:
        basis.append("产品风险等级不高于客户风险承受能力，匹配")
        outcome = Outcome.ALLOWED
    else:
        basis.append("产品风险等级高于客户风险承受能力，不得销售")
        outcome = Outcome.REFUSED
    return SuitabilityDecision(
        outcome, product_risk, assessment.level, tuple(basis), tuple(extra), rules.version
    )
