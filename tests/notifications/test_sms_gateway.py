"""The SmsGateway contract (CLS-1, CLS-2), run against the sandbox directly and against
HttpSmsGateway talking to the sandbox on a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from tests.servers import closed_port_url, serve_in_thread

from consultdesk.notifications.sms import SmsGateway, SmsGatewayUnavailable
from consultdesk.notifications.sms_http import HttpSmsGateway, create_sms_app
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.errors import Conflict, ValidationFailed

TOKEN = "sms-test-token"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
KEY_FACTS = "【示例银行】您的预约号 A0123，请于 3 月 4 日 10:00 携带身份证到人民路支行办理。"


class SmsGatewayContract:
    """Needs fixtures `gateway` (under test) and `sandbox` (where messages land)."""

    # REQ: CLS-1
    def test_send_delivers_key_facts_to_the_inbox(
        self, gateway: SmsGateway, sandbox: SandboxSmsGateway
    ) -> None:
        receipt = gateway.send(to="+86 138 1234 0001", text=KEY_FACTS, idempotency_key="c1-facts")
        (message,) = sandbox.inbox(to="13812340001")
        assert message.text == KEY_FACTS
        assert message.message_id == receipt.message_id

    # REQ: CLS-1
    def test_receipt_carries_the_normalised_number(self, gateway: SmsGateway) -> None:
        receipt = gateway.send(to="0086-139-1234-0002", text="测试", idempotency_key="norm-1")
        assert receipt.to == "13912340002"
        assert receipt.idempotency_key == "norm-1"
        assert receipt.accepted_at == START

    # REQ: CLS-1
    def test_same_idempotency_key_sends_once(
        self, gateway: SmsGateway, sandbox: SandboxSmsGateway
    ) -> None:
        first = gateway.send(to="13812340001", text=KEY_FACTS, idempotency_key="dup-1")
        second = gateway.send(to="13812340001", text=KEY_FACTS, idempotency_key="dup-1")
        assert first == second
        assert len(sandbox.inbox()) == 1

    def test_different_keys_send_twice(
        self, gateway: SmsGateway, sandbox: SandboxSmsGateway
    ) -> None:
        gateway.send(to="13812340001", text=KEY_FACTS, idempotency_key="k-1")
        gateway.send(to="13812340001", text=KEY_FACTS, idempotency_key="k-2")
        assert len(sandbox.inbox()) == 2

    def test_key_reused_for_another_message_is_conflict(self, gateway: SmsGateway) -> None:
        gateway.send(to="13812340001", text="第一条", idempotency_key="reuse-1")
        with pytest.raises(Conflict) as caught:
            gateway.send(to="13812340001", text="第二条", idempotency_key="reuse-1")
        assert caught.value.field == "idempotency_key"

    # REQ: ACP-2
    def test_landline_is_refused_naming_to(
        self, gateway: SmsGateway, sandbox: SandboxSmsGateway
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            gateway.send(to="010-12345678", text=KEY_FACTS, idempotency_key="land-1")
        assert caught.value.field == "to"
        assert "固定电话" in caught.value.message
        assert sandbox.inbox() == []

    def test_empty_text_is_refused_naming_text(self, gateway: SmsGateway) -> None:
        with pytest.raises(ValidationFailed) as caught:
            gateway.send(to="13812340001", text="   ", idempotency_key="empty-1")
        assert caught.value.field == "text"

    def test_overlong_text_is_refused(self, gateway: SmsGateway) -> None:
        with pytest.raises(ValidationFailed) as caught:
            gateway.send(to="13812340001", text="字" * 336, idempotency_key="long-1")
        assert caught.value.field == "text"

    def test_empty_idempotency_key_is_refused(self, gateway: SmsGateway) -> None:
        with pytest.raises(ValidationFailed) as caught:
            gateway.send(to="13812340001", text=KEY_FACTS, idempotency_key=" ")
        assert caught.value.field == "idempotency_key"

    # REQ: CLS-2
    def test_outage_raises_unavailable_and_sends_nothing(
        self, gateway: SmsGateway, sandbox: SandboxSmsGateway
    ) -> None:
        sandbox.outage = True
        with pytest.raises(SmsGatewayUnavailable):
            gateway.send(to="13812340001", text="满意度调查", idempotency_key="out-1")
        sandbox.outage = False
        assert sandbox.inbox() == []

    # REQ: CLS-2
    def test_retry_after_outage_with_same_key_sends_once(
        self, gateway: SmsGateway, sandbox: SandboxSmsGateway
    ) -> None:
        sandbox.outage = True
        with pytest.raises(SmsGatewayUnavailable):
            gateway.send(to="13812340001", text="满意度调查", idempotency_key="retry-1")
        sandbox.outage = False
        gateway.send(to="13812340001", text="满意度调查", idempotency_key="retry-1")
        gateway.send(to="13812340001", text="满意度调查", idempotency_key="retry-1")
        assert len(sandbox.inbox()) == 1


# --- the sandbox directly ---------------------------------------------------------------


class TestSandboxSmsGateway(SmsGatewayContract):
    @pytest.fixture
    def sandbox(self) -> SandboxSmsGateway:
        return SandboxSmsGateway(clock=FakeClock(START))

    @pytest.fixture
    def gateway(self, sandbox: SandboxSmsGateway) -> SmsGateway:
        return sandbox


# --- over HTTP --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[SandboxSmsGateway, str]]:
    sandbox = SandboxSmsGateway(clock=FakeClock(START))
    with serve_in_thread(create_sms_app(gateway=sandbox, token=TOKEN)) as base_url:
        yield sandbox, base_url


class TestHttpSmsGateway(SmsGatewayContract):
    @pytest.fixture
    def sandbox(self, served: tuple[SandboxSmsGateway, str]) -> SandboxSmsGateway:
        served[0].clear()
        return served[0]

    @pytest.fixture
    def gateway(
        self, served: tuple[SandboxSmsGateway, str], sandbox: SandboxSmsGateway
    ) -> Iterator[SmsGateway]:
        with HttpSmsGateway(base_url=served[1], token=TOKEN) as client:
            yield client


# REQ: CLS-1
def test_inbox_is_served_for_the_console(served: tuple[SandboxSmsGateway, str]) -> None:
    sandbox, base_url = served
    sandbox.clear()
    sandbox.send(to="13812340001", text=KEY_FACTS, idempotency_key="console-1")
    response = httpx.get(
        base_url + "/sms/v1/messages",
        params={"to": "+8613812340001"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert [m["text"] for m in response.json()] == [KEY_FACTS]


def test_missing_idempotency_header_is_422_naming_it(
    served: tuple[SandboxSmsGateway, str],
) -> None:
    response = httpx.post(
        served[1] + "/sms/v1/messages",
        json={"to": "13812340001", "text": "x"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "idempotency_key"


def test_wrong_token_is_unavailable(served: tuple[SandboxSmsGateway, str]) -> None:
    with (
        HttpSmsGateway(base_url=served[1], token="wrong") as client,
        pytest.raises(SmsGatewayUnavailable) as caught,
    ):
        client.send(to="13812340001", text="x", idempotency_key="tok-1")
    assert "401" in caught.value.detail


# REQ: CLS-1
def test_closed_port_is_unavailable_quickly() -> None:
    with HttpSmsGateway(base_url=closed_port_url(), token=TOKEN) as client:
        started = time.monotonic()
        with pytest.raises(SmsGatewayUnavailable):
            client.send(to="13812340001", text="x", idempotency_key="down-1")
        assert time.monotonic() - started < 1.5


def test_malformed_receipt_is_unavailable() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    client = HttpSmsGateway(base_url="http://sms.test", token=TOKEN, transport=transport)
    with client, pytest.raises(SmsGatewayUnavailable):
        client.send(to="13812340001", text="x", idempotency_key="bad-1")


def test_bad_number_costs_no_request() -> None:
    calls: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500)

    transport = httpx.MockTransport(record)
    client = HttpSmsGateway(base_url="http://sms.test", token=TOKEN, transport=transport)
    with client, pytest.raises(ValidationFailed):
        client.send(to="12345", text="x", idempotency_key="n-1")
    assert calls == []


def test_clear_empties_the_inbox_and_forgets_keys() -> None:
    sandbox = SandboxSmsGateway(clock=FakeClock(START))
    sandbox.send(to="13812340001", text="一", idempotency_key="c-1")
    sandbox.clear()
    assert sandbox.inbox() == []
    sandbox.send(to="13812340001", text="二", idempotency_key="c-1")
    assert [m.text for m in sandbox.inbox()] == ["二"]
