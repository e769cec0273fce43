"""One consultation from the first chat message to the answered survey (issue 3):
chat opens → the bot cannot answer → an agent joins → the customer verifies → the balance
is given → a complaint is logged → its follow-up is due in working days → closed → the
survey goes out over real SMTP and is answered."""

from __future__ import annotations

import re
from datetime import date
from email import message_from_bytes, policy
from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.customers import service as customers
from consultdesk.shared.clock import FakeClock
from tests.conftest import PASSWORD


def token_for(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_a_chat_goes_from_bot_to_agent_to_closed_and_surveyed(
    container: Container, bot_client: TestClient, make_user: Any, clock: FakeClock, smtp_inbox: Any
) -> None:
    # REQ: ACC-1, ACC-6, ACP-3, SOL-2, CLS-2, CLS-3, STD-6 — the procedure end to end.
    client = bot_client
    inbox, _ = smtp_inbox
    bank = container.corebank
    assert isinstance(bank, SandboxCoreBank)
    profile = bank.demo_profiles()[0]
    with container.uow() as session:
        customer = customers.register_customer(
            session=session,
            now=clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name=profile.name,
            branch="BJ01",
            phone=profile.phone,
            id_number=profile.id_number,
            email="wang@example.cn",
            core_customer_id=profile.customer_id,
        )
    agent = make_user("agent", branch="BJ01")
    supervisor = make_user("supervisor", branch="BJ01")
    staff = token_for(client, agent.username)

    # 1. The customer opens a chat from the widget; the phone links the returning customer.
    opened = client.post("/api/v1/chat", json={"branch": "BJ01", "phone": profile.phone})
    assert opened.status_code == 201, opened.text
    cid, chat = opened.json()["consultation_id"], {"X-Chat-Token": opened.json()["token"]}

    # 2. The bot cannot answer and hands over with its best guesses.
    asked = client.post(
        "/api/v1/assistant/ask",
        headers=chat,
        json={"consultation_id": cid, "text": "你们网点上周把我的存折弄丢了，我要投诉"},
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["handed_over"] is True
    assert (
        client.get(f"/api/v1/consultations/{cid}", headers=staff).json()["status"] == "transferred"
    )

    # 3. An agent joins (the greeting names the bank and the agent).
    clock.advance(20)
    r = client.post(f"/api/v1/consultations/{cid}/moves", headers=staff, json={"move": "accept"})
    assert r.status_code == 200, r.text
    transcript = client.get(f"/api/v1/chat/{cid}/messages", headers=chat).json()
    assert any(
        agent.display_name in m["text"]
        for m in transcript
        if m["author_kind"] in ("agent", "system")
    )

    # 4. Balances need a verified customer; the customer gives the last four of the ID number.
    accounts = client.get(f"/api/v1/consultations/{cid}/core/accounts", headers=staff)
    assert accounts.status_code == 200, accounts.text
    account_id = accounts.json()["data"][0]["account_id"]
    refused = client.get(
        f"/api/v1/consultations/{cid}/core/accounts/{account_id}/balance", headers=staff
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "verification_required")
    verified = client.post(
        f"/api/v1/consultations/{cid}/identity/last-four",
        headers=staff,
        json={"last_four": profile.id_number[-4:]},
    )
    assert verified.status_code == 200, verified.text

    # 5. The balance is given, with its source.
    balance = client.get(
        f"/api/v1/consultations/{cid}/core/accounts/{account_id}/balance", headers=staff
    )
    assert balance.status_code == 200, balance.text
    assert balance.json()["source"]["system"] and "以审批为准" in balance.json()["source"]["note"]

    # 6. The complaint is logged, with a follow-up due in working days (3, from the policy).
    r = client.post(
        f"/api/v1/consultations/{cid}/classify", headers=staff, json={"type": "complaint"}
    )
    assert r.status_code == 200, r.text
    followup = client.post(
        f"/api/v1/consultations/{cid}/followups",
        headers=staff,
        json={"kind": "complaint", "owner_id": agent.id},
    )
    assert followup.status_code == 201, followup.text
    # Opened Monday 2 March 2026 (Beijing): three working days later is Thursday 5 March.
    assert date.fromisoformat(followup.json()["due_date"]) == date(2026, 3, 5)

    # 7. Resolved and closed.
    for move in ("resolve", "close"):
        r = client.post(f"/api/v1/consultations/{cid}/moves", headers=staff, json={"move": move})
        assert r.status_code == 200, r.text

    # 8. The survey goes out by e-mail over real SMTP ...
    r = client.post(f"/api/v1/consultations/{cid}/survey", headers=staff, json={"channel": "email"})
    assert (r.status_code, r.json()["channel"]) == (201, "email")
    sent = client.post(
        "/api/v1/notifications/dispatch", headers=token_for(client, supervisor.username)
    )
    assert sent.json()["sent"] >= 1, sent.text
    [raw] = inbox.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "wang@example.cn"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"/survey/([A-Za-z0-9_\-]+)", body)
    assert link, body

    # 9. ... and the customer answers it; the answer is linked back to the consultation.
    page = client.get(f"/survey/{link.group(1)}")
    assert page.status_code == 200
    answered = client.post(
        f"/survey/{link.group(1)}",
        data={"resolution": 5, "attitude": 5, "efficiency": 4, "rating": "very_satisfied"},
    )
    assert answered.status_code == 200, answered.text
    kinds = [
        e["kind"] for e in client.get(f"/api/v1/consultations/{cid}/timeline", headers=staff).json()
    ]
    for expected in (
        "opened",
        "bot_handover",
        "accept",
        "classified",
        "resolve",
        "close",
        "survey_invited",
    ):
        assert expected in kinds, (expected, kinds)
    assert any("survey" in k and "answer" in k for k in kinds), kinds
    assert (
        customer.id
        == client.get(f"/api/v1/consultations/{cid}", headers=staff).json()["customer_id"]
    )
