"""The core-banking port (ACP-3): what the desk may ask the bank's systems.

Every method may raise `CoreBankUnavailable` when the core system does not answer; the
desk then degrades and offers the emergency script (PREP-3, PREP-4). A lookup that
finds nothing raises `NotFound` naming the field; malformed input (a phone number that
is not a mobile number, a last-four that is not four characters) raises
`ValidationFailed` naming the field. No method returns a full ID, card or phone number.
"""

from __future__ import annotations

from typing import Protocol

from consultdesk.corebank.model import (
    Account,
    AccountId,
    AccountStatus,
    Balance,
    Customer,
    CustomerId,
    Eligibility,
    Transaction,
    TransferRefusal,
)
from consultdesk.shared.errors import DependencyDown

EMERGENCY_SCRIPT = (
    "非常抱歉，银行系统正在维护，暂时无法为您查询账户信息。"
    "我们已记录您的问题，稍后会主动联系您；您也可以明天再来电或前往就近网点办理。"
)


class CoreBankUnavailable(DependencyDown):
    """The core bank did not answer (outage, timeout, 5xx, bad gateway credentials).

    `message` is the emergency script an agent can read to the customer (PREP-4);
    `detail` says what went wrong, for the outage record (PREP-3)."""

    code = "corebank_unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(EMERGENCY_SCRIPT)
        self.detail = detail


class CoreBank(Protocol):
    """Read-only questions to the bank's core system."""

    def ping(self) -> None:
        """Return when the core bank answers; raise CoreBankUnavailable otherwise."""
        ...

    def get_customer(self, *, customer_id: CustomerId) -> Customer:
        """The customer with this id; NotFound(field='customer_id')."""
        ...

    def find_customer_by_phone(self, *, phone: str) -> Customer:
        """The customer whose registered mobile is `phone` (+86, spaces accepted);
        ValidationFailed(field='phone') for a non-mobile, NotFound(field='phone')."""
        ...

    def find_customer_by_id_number(self, *, id_number: str) -> Customer:
        """The customer holding this resident ID number;
        ValidationFailed(field='id_number'), NotFound(field='id_number')."""
        ...

    def check_id_last_four(self, *, customer_id: CustomerId, last_four: str) -> bool:
        """True when `last_four` matches the last four characters of the customer's ID
        number (x and X alike). Never reveals the number. ValidationFailed(field=
        'last_four') unless it is three digits then a digit or X."""
        ...

    def registered_phone_masked(self, *, customer_id: CustomerId) -> str:
        """The registered mobile number, masked ('138****5678')."""
        ...

    def list_accounts(self, *, customer_id: CustomerId) -> list[Account]:
        """The customer's accounts, closed ones included, in opening order."""
        ...

    def get_account(self, *, account_id: AccountId) -> Account:
        """One account; NotFound(field='account_id')."""
        ...

    def account_status(self, *, account_id: AccountId) -> AccountStatus:
        """normal / frozen / dormant / closed."""
        ...

    def balance(self, *, account_id: AccountId) -> Balance:
        """The available balance (Decimal, with currency)."""
        ...

    def recent_transactions(self, *, account_id: AccountId, limit: int = 20) -> list[Transaction]:
        """Up to `limit` (1..100) most recent transactions, newest first."""
        ...

    def refused_transfers(self, *, account_id: AccountId) -> list[TransferRefusal]:
        """Recently refused outgoing transfers, newest first, each with its reason."""
        ...

    def explain_refused_transfer(self, *, account_id: AccountId, serial: str) -> TransferRefusal:
        """Why the transfer with this serial was refused; NotFound(field='serial')."""
        ...

    def product_eligibility(self, *, customer_id: CustomerId, product_code: str) -> Eligibility:
        """Whether the customer may buy/apply for the product, with the reason;
        NotFound(field='product_code') for an unknown product."""
        ...
