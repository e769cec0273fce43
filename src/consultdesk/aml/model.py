"""Pure AML domain: transactions, the policy thresholds and alerts. Money is Decimal.

Large-value reporting follows PBOC Order 2016 No. 3, Art. 5: one customer's same-day
single or cumulative total, thresholds inclusive, each currency totalled separately.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final, NewType

from consultdesk.shared.errors import ValidationFailed

CustomerId = NewType("CustomerId", str)
TransactionId = NewType("TransactionId", str)

CURRENCIES: Final = ("CNY", "USD")
CENT: Final = Decimal("0.01")
_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Party(enum.StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"


class Kind(enum.StrEnum):
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    TRANSFER_DOMESTIC = "transfer_domestic"
    TRANSFER_CROSSBORDER = "transfer_crossborder"

    @property
    def is_cash(self) -> bool:
        return self in (Kind.CASH_IN, Kind.CASH_OUT)


class AlertRule(enum.StrEnum):
    LARGE_CASH = "large_cash"
    LARGE_TRANSFER_DOMESTIC = "large_transfer_domestic"
    LARGE_TRANSFER_CROSSBORDER = "large_transfer_crossborder"
    LARGE_ENTITY_TRANSFER = "large_entity_transfer"
    STRUCTURING = "structuring"
    EVASION_INQUIRY = "evasion_inquiry"  # a customer asks how to avoid reporting


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Policy numbers for screening (ANX-2: fed from the versioned policy; defaults are
    PBOC Order 2016 No. 3, Art. 5). Large-value thresholds are inclusive; the structuring
    band is [structuring_floor, large cash threshold) per day on structuring_days or more
    consecutive days."""

    cash_cny: Decimal = Decimal("50000")
    cash_usd: Decimal = Decimal("10000")
    domestic_cny: Decimal = Decimal("500000")
    domestic_usd: Decimal = Decimal("100000")
    crossborder_cny: Decimal = Decimal("200000")
    crossborder_usd: Decimal = Decimal("10000")
    entity_cny: Decimal = Decimal("2000000")
    entity_usd: Decimal = Decimal("200000")
    structuring_floor_cny: Decimal = Decimal("45000")
    structuring_days: int = 3
    policy_version: str = "PBOC-2016-3"

    def threshold(self, rule: AlertRule, currency: str) -> Decimal:
        """The inclusive threshold of a large-value rule in a currency."""
        table = {
            AlertRule.LARGE_CASH: (self.cash_cny, self.cash_usd),
            AlertRule.LARGE_TRANSFER_DOMESTIC: (self.domestic_cny, self.domestic_usd),
            AlertRule.LARGE_TRANSFER_CROSSBORDER: (self.crossborder_cny, self.crossborder_usd),
            AlertRule.LARGE_ENTITY_TRANSFER: (self.entity_cny, self.entity_usd),
        }
        cny, usd = table[rule]
        return cny if currency == "CNY" else usd


@dataclass(frozen=True, slots=True)
class Transaction:
    """One booked transaction of a customer."""

    id: TransactionId
    customer_id: CustomerId
    party: Party
    kind: Kind
    amount: Decimal
    currency: str
    day: date

    @classmethod
    def from_mapping(cls, raw: object) -> Transaction:
        """Parse JSON-like data; raises ValidationFailed naming the bad field."""
        if not isinstance(raw, dict):
            raise ValidationFailed("交易应为 JSON 对象", field="line")
        for name in ("id", "customer_id", "party", "kind", "amount", "currency", "date"):
            if raw.get(name) is None:
                raise ValidationFailed(f"缺少字段 {name}", field=name)
        ident, customer = raw["id"], raw["customer_id"]
        if not _is_identifier(ident):
            raise ValidationFailed("交易编号无效", field="id")
        if not _is_identifier(customer):
            raise ValidationFailed("客户编号无效", field="customer_id")
        try:
            party = Party(raw["party"])
        except ValueError:
            raise ValidationFailed(f"未知的客户类型：{raw['party']!r}", field="party") from None
        try:
            kind = Kind(raw["kind"])
        except ValueError:
            raise ValidationFailed(f"未知的交易类型：{raw['kind']!r}", field="kind") from None
        currency = raw["currency"]
        if currency not in CURRENCIES:
            raise ValidationFailed(f"未知的币种：{currency!r}", field="currency")
        return cls(
            id=TransactionId(str(ident)),
            customer_id=CustomerId(str(customer)),
            party=party,
            kind=kind,
            amount=parse_amount(raw["amount"]),
            currency=str(currency),
            day=parse_day(raw["date"]),
        )


def _is_identifier(value: object) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) != ""


def parse_amount(value: object) -> Decimal:
    """A non-negative amount with at most two decimals, given as a string (or integer);
    floats are refused, money is never float."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationFailed(f'金额无效：{value!r}（应为如 "123.45" 的字符串）', field="amount")
    text = str(value).strip()
    if not _AMOUNT.fullmatch(text):
        raise ValidationFailed(f"金额无效：{value!r}", field="amount")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already guards
        raise ValidationFailed(f"金额无效：{value!r}", field="amount") from None


def parse_day(value: object) -> date:
    """A calendar date written YYYY-MM-DD."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValidationFailed(f"日期无效：{value!r}（应为 YYYY-MM-DD）", field="date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"日期不存在：{value!r}", field="date") from None


@dataclass(frozen=True, slots=True)
class Alert:
    """A screening result for the AML queue."""

    customer_id: CustomerId
    day: date
    rule: AlertRule
    currency: str
    total: Decimal
    transaction_ids: tuple[TransactionId, ...]

    def as_json(self) -> dict[str, object]:
        """The exact output shape of `consultdesk aml screen`."""
        return {
            "customer_id": self.customer_id,
            "date": self.day.isoformat(),
            "rule": self.rule.value,
            "currency": self.currency,
            "total": str(self.total.quantize(CENT)),
            "transaction_ids": list(self.transaction_ids),
        }
