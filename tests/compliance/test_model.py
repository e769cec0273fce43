"""Reading a reply context from JSON-like data."""

from __future__ import annotations

import pytest

from consultdesk.compliance.model import ReplyContext
from consultdesk.shared.errors import ValidationFailed


def test_risk_levels_are_read_as_numbers() -> None:
    raw = {"topic": "wealth", "product_risk": "r4", "customer_risk": "C2"}
    ctx = ReplyContext.from_mapping(raw)
    assert (ctx.product_risk, ctx.customer_risk) == (4, 2)


def test_null_risk_levels_stay_unknown() -> None:
    ctx = ReplyContext.from_mapping({"topic": "wealth", "product_risk": None})
    assert ctx.product_risk is None and ctx.customer_risk is None


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"topic": "casino"}, "context.topic"),
        ({"topic": "wealth", "product_risk": "R9"}, "context.product_risk"),
        ({"topic": "wealth", "customer_risk": "R2"}, "context.customer_risk"),
        ({"topic": "wealth", "guaranteed": "yes"}, "context.guaranteed"),
        ({"topic": "wealth", "verified": 1}, "context.verified"),
    ],
)
def test_bad_context_names_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        ReplyContext.from_mapping(raw)
    assert caught.value.field == field


def test_topic_and_levels_are_read_leniently() -> None:
    ctx = ReplyContext.from_mapping({"topic": " Wealth ", "product_risk": 4, "customer_risk": "c2"})
    assert (ctx.topic, ctx.product_risk, ctx.customer_risk) == ("wealth", 4, 2)
