"""The contract run against HttpCoreBank talking to the sandbox on a real uvicorn server
on 127.0.0.1, plus the HTTP failure mapping (PREP-3)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from consultdesk.corebank.http_client import HttpCoreBank
from consultdesk.corebank.http_server import create_corebank_app
from consultdesk.corebank.model import CustomerId
from consultdesk.corebank.port import CoreBank, CoreBankUnavailable
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.shared.clock import FakeClock
from tests.corebank.contract import CoreBankContract
from tests.servers import closed_port_url, serve_in_thread

TOKEN = "test-token"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[SandboxCoreBank, str]]:
    sandbox = SandboxCoreBank(clock=FakeClock(START), seed=7)
    with serve_in_thread(create_corebank_app(bank=sandbox, token=TOKEN)) as base_url:
        yield sandbox, base_url


@pytest.fixture
def sandbox(served: tuple[SandboxCoreBank, str]) -> Iterator[SandboxCoreBank]:
    bank, _ = served
    bank.outage = False
    yield bank
    bank.outage = False


@pytest.fixture
def bank(served: tuple[SandboxCoreBank, str]) -> Iterator[CoreBank]:
    with HttpCoreBank(base_url=served[1], token=TOKEN) as client:
        yield client


class TestHttpContract(CoreBankContract):
    pass


# REQ: PREP-3
def test_closed_port_is_unavailable_quickly() -> None:
    client = HttpCoreBank(base_url=closed_port_url(), token=TOKEN)
    started = time.monotonic()
    with pytest.raises(CoreBankUnavailable) as caught:
        client.ping()
    assert time.monotonic() - started < 1.5
    assert "connection" in caught.value.detail
    client.close()


# REQ: PREP-3
def test_wrong_token_is_unavailable(served: tuple[SandboxCoreBank, str]) -> None:
    with (
        HttpCoreBank(base_url=served[1], token="wrong") as client,
        pytest.raises(CoreBankUnavailable) as caught,
    ):
        client.ping()
    assert "401" in caught.value.detail


def test_server_refuses_missing_token_with_401(served: tuple[SandboxCoreBank, str]) -> None:
    response = httpx.get(served[1] + "/corebank/v1/customers/C001")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_amounts_travel_as_strings(served: tuple[SandboxCoreBank, str]) -> None:
    response = httpx.get(
        served[1] + "/corebank/v1/accounts/C001-01/balance",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.json()["amount"] == "52340.18"


def test_outage_can_be_switched_over_http(served: tuple[SandboxCoreBank, str]) -> None:
    sandbox, base_url = served
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        switched = httpx.put(
            base_url + "/corebank/v1/sandbox/outage", json={"on": True}, headers=headers
        )
        assert switched.status_code == 200
        assert httpx.get(base_url + "/corebank/v1/health", headers=headers).status_code == 503
    finally:
        sandbox.outage = False


# REQ: PREP-3
def test_latency_switch_delays_answers_and_switching_it_off_releases_them(
    served: tuple[SandboxCoreBank, str],
) -> None:
    _, base_url = served
    headers = {"Authorization": f"Bearer {TOKEN}"}
    switch = base_url + "/corebank/v1/sandbox/latency"
    assert httpx.put(switch, json={"seconds": -1}, headers=headers).status_code == 422
    try:
        assert httpx.put(switch, json={"seconds": 30}, headers=headers).status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(base_url + "/corebank/v1/health", headers=headers, timeout=0.3)
    finally:
        assert httpx.put(switch, json={"seconds": 0}, headers=headers).json() == {"seconds": 0}
    started = time.monotonic()
    assert httpx.get(base_url + "/corebank/v1/health", headers=headers).status_code == 200
    assert time.monotonic() - started < 1.0


def test_bad_query_gets_the_error_shape(served: tuple[SandboxCoreBank, str]) -> None:
    response = httpx.get(
        served[1] + "/corebank/v1/accounts/C001-01/transactions?limit=many",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def _client_over(handler: Any) -> HttpCoreBank:
    return HttpCoreBank(
        base_url="http://gateway.test", token=TOKEN, transport=httpx.MockTransport(handler)
    )


# REQ: PREP-3
def test_server_error_is_unavailable() -> None:
    client = _client_over(lambda request: httpx.Response(502, text="bad gateway"))
    with pytest.raises(CoreBankUnavailable) as caught:
        client.get_customer(customer_id=CustomerId("C001"))
    assert "502" in caught.value.detail


# REQ: PREP-3
def test_malformed_answer_is_unavailable() -> None:
    client = _client_over(lambda request: httpx.Response(200, json={"name": "王小明"}))
    with pytest.raises(CoreBankUnavailable):
        client.get_customer(customer_id=CustomerId("C001"))


def test_float_amount_is_refused_as_malformed() -> None:
    body = {"account_id": "A", "amount": 1.1, "currency": "CNY", "as_of": START.isoformat()}
    client = _client_over(lambda request: httpx.Response(200, content=json.dumps(body)))
    with pytest.raises(CoreBankUnavailable):
        client.balance(account_id="A")  # type: ignore[arg-type]


def test_404_without_error_shape_is_unavailable_not_not_found() -> None:
    client = _client_over(lambda request: httpx.Response(404, text="no route"))
    with pytest.raises(CoreBankUnavailable):
        client.get_customer(customer_id=CustomerId("C001"))


async def _slow_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await asyncio.sleep(0.6)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


# REQ: PREP-3
def test_slow_core_bank_times_out_as_unavailable() -> None:
    with serve_in_thread(_slow_app) as base_url:
        client = HttpCoreBank(base_url=base_url, token=TOKEN, read_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(CoreBankUnavailable) as caught:
            client.ping()
        assert time.monotonic() - started < 1.5
        assert "timeout" in caught.value.detail
        client.close()
