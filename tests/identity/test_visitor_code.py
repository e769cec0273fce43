"""The customer types the SMS code in the chat widget instead of reading it out (ACC-6)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.customers import service as customers
from tests.identity.conftest import last_code, profile


def visitor_chat(client: TestClient, container: Container) -> tuple[str, dict[str, str], str]:
    p = profile(container, "C001")
    with container.uow() as session:
        customers.register_customer(
            session=session,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name=p.name,
            branch="BJ01",
            phone=p.phone,
            core_customer_id="C001",
        )
    opened = client.post("/api/v1/chat", json={"branch": "BJ01", "phone": p.phone})
    assert opened.status_code == 201, opened.text
    body = opened.json()
    return body["consultation_id"], {"X-Chat-Token": body["token"]}, p.phone


def test_the_customer_types_the_code_the_agent_sent(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: ACC-6 — one-time code to the registered phone, entered by the customer.
    cid, visitor, phone = visitor_chat(client, container)
    url = f"/api/v1/chat/{cid}/verification"
    assert client.get(url, headers=visitor).json() == {
        "verified": False,
        "code_sent": False,
        "message": None,
        "attempts_left": None,
    }
    early = client.post(url, json={"code": "123456"}, headers=visitor)
    assert early.status_code == 404 and early.json()["error"]["field"] == "code"

    agent = auth_headers("agent", branch="BJ01")
    sent = client.post(f"/api/v1/consultations/{cid}/identity/otp", headers=agent)
    assert sent.status_code == 201, sent.text
    assert client.get(url, headers=visitor).json()["code_sent"] is True

    code = last_code(container, phone)
    wrong_code = "000000" if code != "000000" else "111111"
    wrong = client.post(url, json={"code": wrong_code}, headers=visitor).json()
    assert wrong["verified"] is False and wrong["code_sent"] is True and wrong["message"]
    right = client.post(url, json={"code": code}, headers=visitor).json()
    assert right["verified"] is True and right["code_sent"] is False

    seen = client.get(f"/api/v1/consultations/{cid}/identity", headers=agent).json()
    assert seen["level"] == "verified" and "otp" in seen["methods"]
    again = client.post(url, json={"code": code}, headers=visitor)
    assert again.status_code == 404  # nothing pending: no replay


def test_a_code_needs_the_chat_token_and_digits(client: TestClient, container: Container) -> None:
    # REQ: ACC-6, RSK-2 — a wrong token learns nothing; a malformed code names the field.
    cid, visitor, _ = visitor_chat(client, container)
    url = f"/api/v1/chat/{cid}/verification"
    assert client.get(url, headers={"X-Chat-Token": "nope"}).status_code == 401
    bad = client.post(url, json={"code": "12ab"}, headers=visitor)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "code"
