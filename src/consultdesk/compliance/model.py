"""Pure domain types of the reply compliance check: what a reply is checked against,
what a violation looks like, and how a rule acts. Standard library only."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final, NewType

from consultdesk.shared.errors import ValidationFailed

RuleId = NewType("RuleId", str)

TOPICS: Final = frozenset(
    {
        "wealth",
        "deposit",
        "loan",
        "credit_card",
        "ebanking",
        "account",
        "forex",
        "insurance",
        "general",
    }
)

VIOLATION_CODES: Final = (
    "forbidden_claim",
    "missing_risk_disclosure",
    "missing_non_guaranteed",
    "missing_rate_source",
    "pii_leak",
    "credential_request",
    "suitability_mismatch",
    "balance_unverified",
    "jargon_unexplained",
)


class Action(enum.StrEnum):
    """What a rule does when it fires: the agent must edit, is warned, or the text is fixed."""

    BLOCK = "block"
    WARN = "warn"
    FIX = "fix"


def parse_level(value: object, *, prefix: str, field_name: str) -> int | None:
    """Read a risk level such as "R3" (product) or "C2" (customer) as 1..5; None stays None.

    Raises ValidationFailed naming the field for anything else.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    if isinstance(value, str):
        text = value.strip().upper()
        if len(text) == 2 and text[0] == prefix and text[1] in "12345":
            return int(text[1])
    raise ValidationFailed(f"{field_name} 应为 {prefix}1–{prefix}5 或 null", field=field_name)


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What the desk knows when a reply is about to be sent.

    product_risk / customer_risk are 1..5 (R1..R5, C1..C5) or None when unknown;
    guaranteed is True only for a genuinely principal-guaranteed product.
    """

    topic: str = "general"
    product_risk: int | None = None
    customer_risk: int | None = None
    guaranteed: bool | None = None
    verified: bool = False

    @classmethod
    def from_mapping(cls, raw: object) -> ReplyContext:
        """Build a context from JSON-like data, raising ValidationFailed naming the field."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise ValidationFailed("context 应为对象", field="context")
        topic = raw.get("topic", "general")
        if topic is None:
            topic = "general"
        if isinstance(topic, str):
            topic = topic.strip().lower()
        if not isinstance(topic, str) or topic not in TOPICS:
            raise ValidationFailed(f"未知的话题 topic: {topic!r}", field="context.topic")
        guaranteed = raw.get("guaranteed")
        if guaranteed is not None and not isinstance(guaranteed, bool):
            raise ValidationFailed("guaranteed 应为 true/false/null", field="context.guaranteed")
        verified = raw.get("verified", False)
        if verified is None:
            verified = False
        if not isinstance(verified, bool):
            raise ValidationFailed("verified 应为 true/false", field="context.verified")
        return cls(
            topic=topic,
            product_risk=parse_level(
                raw.get("product_risk"), prefix="R", field_name="context.product_risk"
            ),
            customer_risk=parse_level(
                raw.get("customer_risk"), prefix="C", field_name="context.customer_risk"
            ),
            guaranteed=guaranteed,
            verified=verified,
        )


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule that fired on a reply: span is [start, end) in the original text."""

    code: str
    rule: RuleId
    span: tuple[int, int]
    message: str
    action: Action


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict on one reply: its violations and the text after the fixing rules ran."""

    violations: tuple[Violation, ...]
    fixed_text: str
    pack_version: str

    @property
    def blocked(self) -> bool:
        """True when at least one blocking rule fired: the agent must edit before sending."""
        return any(v.action is Action.BLOCK for v in self.violations)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(v.code for v in self.violations)


@dataclass(frozen=True, slots=True)
class RuleExample:
    """A tested example attached to a rule: expect True means the rule must fire."""

    text: str
    expect: bool
    context: ReplyContext = field(default_factory=ReplyContext)
