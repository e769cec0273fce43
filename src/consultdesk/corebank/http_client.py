"""`HttpCoreBank`: the CoreBank port over HTTP (httpx), talking to the gateway contract
documented in http_server.py.

Failure mapping: connection refused, DNS, timeouts, 5xx, rejected credentials and
malformed answers -> CoreBankUnavailable (the desk degrades, PREP-3); 404 with the error
shape -> NotFound; 422 -> ValidationFailed, both keeping the server's message and field.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

import httpx

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
from consultdesk.corebank.port import CoreBankUnavailable
from consultdesk.corebank.wire import decode
from consultdesk.shared.errors import NotFound, ValidationFailed

T = TypeVar("T")

CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 3.0


def _seg(value: str) -> str:
    return quote(value, safe="")


class HttpCoreBank:
    """CoreBank over HTTP. Close it (or use it as a context manager) when done."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/corebank/v1",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpCoreBank:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- transport --------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise CoreBankUnavailable(f"timeout: {exc.__class__.__name__}") from None
        except httpx.TransportError as exc:
            raise CoreBankUnavailable(f"connection failed: {exc.__class__.__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body if isinstance(body, dict) and "error" in body else None
        if response.status_code == 404 and error is not None:
            raise NotFound(str(error.get("message") or "未找到"), field=error.get("field"))
        if response.status_code == 422:
            message, field = "输入格式不正确", None
            if error is not None:
                message, field = str(error.get("message") or message), error.get("field")
            raise ValidationFailed(message, field=field)
        if response.status_code != 200 or body is None:
            raise CoreBankUnavailable(f"HTTP {response.status_code} from {path}")
        return body

    def _get(self, cls: type[T], path: str, **kwargs: Any) -> T:
        body = self._call("GET", path, **kwargs)
        return self._decode(cls, body, path)

    def _decode(self, cls: type[T], body: Any, path: str) -> T:
        try:
            return decode(cls, body)
        except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
            raise CoreBankUnavailable(f"malformed answer from {path}: {exc}") from None

    def _get_list(self, cls: type[T], path: str, **kwargs: Any) -> list[T]:
        body = self._call("GET", path, **kwargs)
        if not isinstance(body, list):
            raise CoreBankUnavailable(f"malformed answer from {path}: expected a list")
        return [self._decode(cls, item, path) for item in body]

    def _field(self, body: Any, name: str, kind: type[T], path: str) -> T:
        value = body.get(name) if isinstance(body, dict) else None
        if not isinstance(value, kind):
            raise CoreBankUnavailable(f"malformed answer from {path}: {name}")
        return value

    # --- the port ---------------------------------------------------------------------

    def ping(self) -> None:
        self._call("GET", "/health")

    def get_customer(self, *, customer_id: CustomerId) -> Customer:
        return self._get(Customer, f"/customers/{_seg(customer_id)}")

    def find_customer_by_phone(self, *, phone: str) -> Customer:
        body = self._call("POST", "/customers/search", json={"phone": phone})
        return self._decode(Customer, body, "/customers/search")

    def find_customer_by_id_number(self, *, id_number: str) -> Customer:
        body = self._call("POST", "/customers/search", json={"id_number": id_number})
        return self._decode(Customer, body, "/customers/search")

    def check_id_last_four(self, *, customer_id: CustomerId, last_four: str) -> bool:
        path = f"/customers/{_seg(customer_id)}/id-check"
        body = self._call("POST", path, json={"last_four": last_four})
        return self._field(body, "match", bool, path)

    def registered_phone_masked(self, *, customer_id: CustomerId) -> str:
        path = f"/customers/{_seg(customer_id)}/phone"
        return self._field(self._call("GET", path), "phone_masked", str, path)

    def list_accounts(self, *, customer_id: CustomerId) -> list[Account]:
        return self._get_list(Account, f"/customers/{_seg(customer_id)}/accounts")

    def get_account(self, *, account_id: AccountId) -> Account:
        return self._get(Account, f"/accounts/{_seg(account_id)}")

    def account_status(self, *, account_id: AccountId) -> AccountStatus:
        path = f"/accounts/{_seg(account_id)}/status"
        value = self._field(self._call("GET", path), "status", str, path)
        try:
            return AccountStatus(value)
        except ValueError:
            raise CoreBankUnavailable(f"unknown account status {value!r}") from None

    def balance(self, *, account_id: AccountId) -> Balance:
        return self._get(Balance, f"/accounts/{_seg(account_id)}/balance")

    def recent_transactions(self, *, account_id: AccountId, limit: int = 20) -> list[Transaction]:
        return self._get_list(
            Transaction, f"/accounts/{_seg(account_id)}/transactions", params={"limit": limit}
        )

    def refused_transfers(self, *, account_id: AccountId) -> list[TransferRefusal]:
        return self._get_list(TransferRefusal, f"/accounts/{_seg(account_id)}/refused-transfers")

    def explain_refused_transfer(self, *, account_id: AccountId, serial: str) -> TransferRefusal:
        if not serial.strip().isalnum():
            # Serials are letters and digits; anything else cannot name a transfer, and a
            # '/' would not even reach the route.
            raise NotFound("未找到该笔被拒绝的转账", field="serial")
        return self._get(
            TransferRefusal, f"/accounts/{_seg(account_id)}/refused-transfers/{_seg(serial)}"
        )

    def product_eligibility(self, *, customer_id: CustomerId, product_code: str) -> Eligibility:
        return self._get(
            Eligibility, f"/customers/{_seg(customer_id)}/eligibility/{_seg(product_code)}"
        )
