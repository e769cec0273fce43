"""What simulated customers ask, by scenario. Written for this product (pure data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    kind: str  # "bot" (the knowledge base answers), "handover", "complaint"
    channel: str
    subject: str
    message: str
    type: str = "other"
    business_line: str | None = None


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "bot",
        "bot",
        "信用卡额度",
        "信用卡额度怎么提升？",
        "product_info",
        "credit_cards",
    ),
    Scenario(
        "bot",
        "bot",
        "挂失",
        "银行卡丢了怎么挂失？",
        "business_handling",
        "accounts",
    ),
    Scenario(
        "bot",
        "app",
        "转账到账",
        "跨行转账多久能到账？",
        "product_info",
        "accounts",
    ),
    Scenario(
        "bot",
        "bot",
        "手机银行",
        "手机银行登录密码忘了怎么办？",
        "business_handling",
        "ebanking",
    ),
    Scenario(
        "handover",
        "chat",
        "理财赎回",
        "转人工，我想问一下理财赎回的事",
        "product_info",
        "wealth",
    ),
    Scenario(
        "handover",
        "chat",
        "房贷提前还款",
        "人工客服，房贷提前还款要预约吗",
        "business_handling",
        "loans",
    ),
    Scenario(
        "handover",
        "app",
        "外汇额度",
        "找人工，购汇额度用完了怎么办",
        "product_info",
        "forex",
    ),
    Scenario(
        "handover",
        "phone",
        "账户冻结",
        "我的卡被冻结了，要人工处理",
        "account_query",
        "accounts",
    ),
    Scenario(
        "complaint",
        "chat",
        "投诉排队",
        "我要投诉，网点排队等了一个多小时没人管",
        "complaint",
        "accounts",
    ),
    Scenario(
        "complaint",
        "phone",
        "投诉扣费",
        "信用卡莫名其妙扣了年费，我要投诉",
        "complaint",
        "credit_cards",
    ),
)

WEIGHTS = {"bot": 5, "handover": 4, "complaint": 1}
