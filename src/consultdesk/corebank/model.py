"""Facts the core bank returns. Pure: standard library only.

Nothing here carries a full ID number, card number or phone number: the port returns
masked forms only, and identity checks answer yes or no (ACC-6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NewType

CustomerId = NewType("CustomerId", str)
AccountId = NewType("AccountId", str)


class AccountStatus(StrEnum):
    NORMAL = "normal"
    FROZEN = "frozen"
    DORMANT = "dormant"
    CLOSED = "closed"


class AccountKind(StrEnum):
    DEBIT_CARD = "debit_card"
    SAVINGS = "savings"
    CREDIT_CARD = "credit_card"
    LOAN = "loan"


class RiskTolerance(StrEnum):
    """Customer risk tolerance from the suitability assessment (C1 cautious .. C5 bold)."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"


class RefusalReason(StrEnum):
    LIMIT = "limit"
    OVERDUE = "overdue"
    FROZEN = "frozen"
    INSUFFICIENT_FUNDS = "insufficient_funds"


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as the desk may see them before identity verification."""

    customer_id: CustomerId
    name: str
    birth_date: date
    phone_masked: str
    risk_tolerance: RiskTolerance | None
    risk_assessed_on: date | None
    risk_assessment_valid_until: date | None

    def age_on(self, today: date) -> int:
        """Full years of age on `today`."""
        before_birthday = (today.month, today.day) < (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - int(before_birthday)

    def risk_assessment_current(self, today: date) -> bool:
        """True when a risk tolerance exists and its assessment has not expired."""
        return (
            self.risk_tolerance is not None
            and self.risk_assessment_valid_until is not None
            and today <= self.risk_assessment_valid_until
        )


@dataclass(frozen=True, slots=True)
class Account:
    """One account; `number_masked` shows the last four digits only."""

    account_id: AccountId
    customer_id: CustomerId
    kind: AccountKind
    number_masked: str
    status: AccountStatus
    currency: str
    daily_transfer_limit: Decimal | None
    transferred_today: Decimal
    overdue_days: int


@dataclass(frozen=True, slots=True)
class Balance:
    """Available balance; for a loan, the outstanding principal as a negative amount."""

    account_id: AccountId
    amount: Decimal
    currency: str
    as_of: datetime


@dataclass(frozen=True, slots=True)
class Transaction:
    """A booked transaction; `amount` is negative for money going out."""

    serial: str
    booked_on: date
    amount: Decimal
    currency: str
    counterparty_masked: str
    channel: str
    summary: str


@dataclass(frozen=True, slots=True)
class TransferRefusal:
    """A transfer the bank refused, with the reason a customer can be told."""

    serial: str
    attempted_at: datetime
    amount: Decimal
    currency: str
    reason: RefusalReason
    explanation: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Whether a customer may buy or apply for a product, and why (Chinese)."""

    product_code: str
    eligible: bool
    reason_code: str
    reason: str


def mask_phone(phone: str) -> str:
    """'13812345678' -> '138****5678'."""
    return f"{phone[:3]}****{phone[-4:]}"


def mask_number(number: str) -> str:
    """A card or account number with only the last four shown: '**** 1234'."""
    return f"**** {number[-4:]}"


def mask_name(name: str) -> str:
    """'王小明' -> '王**': the family name only."""
    return name[:1] + "*" * (len(name) - 1)


def explain_refusal(reason: RefusalReason, *, account: Account, amount: Decimal) -> str:
    """The customer-readable explanation of a refused transfer (Simplified Chinese)."""
    if reason is RefusalReason.LIMIT:
        limit = account.daily_transfer_limit or Decimal(0)
        used = account.transferred_today
        return (
            f"该笔转账 {amount} 元超过了账户的单日转账限额：今日已转出 {used} 元，"
            f"限额 {limit} 元。您可以明日再转，或携带身份证到柜台或在手机银行申请调整限额。"
        )
    if reason is RefusalReason.OVERDUE:
        return (
            "您名下的贷款目前处于逾期状态，按合同约定暂停了该账户的对外转账。"
            "归还逾期款项后即可恢复，如需协商还款请联系贷款经办网点。"
        )
    if reason is RefusalReason.FROZEN:
        return (
            "该账户目前处于冻结状态，暂时无法转出资金。"
            "请本人携带有效身份证件到开户网点咨询具体原因及解冻手续。"
        )
    return "转账金额超过了账户可用余额，请确认余额后重新发起转账。"
