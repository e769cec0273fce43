"""Consultation flows over HTTP: greeting (ACC-3), restate-and-confirm (ACP-1),
classification (ACP-4), hand-off and patience (STD-3), C3 warning (RSK-3).

The use cases behind these routes run on both databases in test_service.py and
test_ingest.py; this module checks the HTTP wiring, on SQLite only, to keep the suite
fast on a shared two-core machine."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.settings import Settings
from tests.consultations.http import V1, field_of, open_chat, visitor


@pytest.fixture
def db_settings(sqlite_only: Settings) -> Settings:
    return sqlite_only


def test_customer_history_by_id(client: TestClient, agent: dict[str, str]) -> None:
    cust = client.post(f"{V1}/customers", json={"name": "王芳"}, headers=agent).json()
    open_chat(client, agent, customer_id=cust["id"])
    r = client.get(f"{V1}/customers/{cust['id']}/history", headers=agent)
    assert r.status_code == 200
    assert len(r.json()["consultations"]) == 1
    assert client.get(f"{V1}/customers/{cust['id']}", headers=agent).json()["name"] == "王芳"


def test_open_and_get_consultation(client: TestClient, agent: dict[str, str]) -> None:
    # REQ: ACC-1, ACC-4
    c = open_chat(client, agent, type="complaint", priority="high", subject="扣费")
    assert (c["channel"], c["type"], c["priority"], c["status"]) == (
        "chat",
        "complaint",
        "high",
        "queued",
    )
    assert c["branch"] == "BJ01"
    assert client.get(f"{V1}/consultations/{c['id']}", headers=agent).json()["id"] == c["id"]


def test_accept_sends_greeting_naming_bank_and_agent(
    client: TestClient, agent: dict[str, str]
) -> None:
    # REQ: ACC-3
    c = open_chat(client, agent)
    r = client.post(f"{V1}/consultations/{c['id']}/moves", json={"move": "accept"}, headers=agent)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress"
    [hello] = client.get(f"{V1}/consultations/{c['id']}/messages", headers=agent).json()
    assert hello["author_kind"] == "system"
    assert "示例银行" in hello["text"]
    assert "测试用户" in hello["text"]


def test_english_visitor_gets_english_greeting(client: TestClient, agent: dict[str, str]) -> None:
    # REQ: ACC-3
    cid, token = visitor(client, lang="en")
    client.post(f"{V1}/consultations/{cid}/moves", json={"move": "accept"}, headers=agent)
    [hello] = client.get(f"{V1}/chat/{cid}/messages", headers=token).json()
    assert hello["text"].startswith("Hello, welcome to 示例银行")


def test_timeline_records_moves(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    client.post(f"{V1}/consultations/{c['id']}/moves", json={"move": "accept"}, headers=agent)
    kinds = [
        e["kind"]
        for e in client.get(f"{V1}/consultations/{c['id']}/timeline", headers=agent).json()
    ]
    assert kinds == ["opened", "accept"]


def test_hand_agitated_customer_to_colleague(client: TestClient, agent: dict[str, str]) -> None:
    # REQ: STD-3 — an agitated customer can be handed to a colleague.
    c = open_chat(client, agent)
    client.post(f"{V1}/consultations/{c['id']}/moves", json={"move": "accept"}, headers=agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/handoff", json={"reason": "agitated"}, headers=agent
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "transferred"
    last = client.get(f"{V1}/consultations/{c['id']}/timeline", headers=agent).json()[-1]
    assert (last["kind"], last["reason"]) == ("transfer", "agitated")


def test_restate_then_customer_confirms(client: TestClient, agent: dict[str, str]) -> None:
    # REQ: ACP-1
    cid, token = visitor(client)
    r = client.post(
        f"{V1}/consultations/{cid}/summary",
        json={"summary": "客户询问信用卡临时额度"},
        headers=agent,
    )
    assert r.status_code == 200
    assert (
        client.get(f"{V1}/chat/{cid}", headers=token).json()["summary"] == "客户询问信用卡临时额度"
    )
    ok = client.post(f"{V1}/chat/{cid}/confirm", headers=token)
    assert ok.status_code == 200
    assert ok.json()["summary_confirmed_at"] is not None


def test_agent_records_confirmation_on_the_phone(client: TestClient, agent: dict[str, str]) -> None:
    # REQ: ACP-1
    c = open_chat(client, agent)
    client.post(f"{V1}/consultations/{c['id']}/summary", json={"summary": "挂失"}, headers=agent)
    r = client.post(f"{V1}/consultations/{c['id']}/confirm", headers=agent)
    assert r.json()["summary_confirmed_at"] is not None


def test_classify_sets_complexity_and_type(client: TestClient, agent: dict[str, str]) -> None:
    # REQ: ACP-4, ACC-4
    c = open_chat(client, agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/classify",
        json={"complexity": "complex", "type": "business_handling", "business_line": "贷款"},
        headers=agent,
    )
    assert r.status_code == 200
    assert (r.json()["complexity"], r.json()["type"], r.json()["business_line"]) == (
        "complex",
        "business_handling",
        "贷款",
    )


def test_outcome_is_recorded(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/outcome", json={"outcome": "已告知额度"}, headers=agent
    )
    assert r.json()["outcome"] == "已告知额度"
    bad = client.post(f"{V1}/consultations/{c['id']}/outcome", json={"outcome": ""}, headers=agent)
    assert bad.status_code == 422
    assert field_of(bad) == "outcome"


def test_customer_password_is_redacted_and_warned(client: TestClient) -> None:
    # REQ: RSK-3 — the C3 warning is sent back to the customer; the secret is not stored.
    cid, token = visitor(client)
    r = client.post(
        f"{V1}/chat/{cid}/messages",
        json={"text": "我的密码是 837261", "client_msg_id": "p1"},
        headers=token,
    )
    assert r.status_code == 201
    assert r.json()["warning"]
    assert "837261" not in r.text


def test_repeated_question_gets_other_channel_suggestion(client: TestClient) -> None:
    # REQ: STD-3 — asked more than twice (policy default 2): suggest the hotline or a branch.
    cid, token = visitor(client)
    url = f"{V1}/chat/{cid}/messages"
    for i, text in enumerate(
        ["我的卡为什么被冻结了？", "我的卡为什么被冻结了", "我的卡为什么被冻结了！！"]
    ):
        client.post(url, json={"text": text, "client_msg_id": f"q{i}"}, headers=token)
    messages = client.get(url, headers=token).json()
    kinds = [m["author_kind"] for m in messages]
    assert kinds == ["customer", "customer", "customer", "system"]
    assert "95xxx" in messages[-1]["text"]


def test_two_repeats_are_within_patience(client: TestClient) -> None:
    # REQ: STD-3
    cid, token = visitor(client)
    url = f"{V1}/chat/{cid}/messages"
    for i in range(2):
        client.post(url, json={"text": "怎么开户", "client_msg_id": f"q{i}"}, headers=token)
    assert all(m["author_kind"] == "customer" for m in client.get(url, headers=token).json())


def test_agitated_customer_handed_to_a_named_colleague(
    client: TestClient, agent: dict[str, str], make_user: Any
) -> None:
    # REQ: STD-3
    senior = make_user("senior_agent", branch="BJ01")
    c = open_chat(client, agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/handoff",
        json={"reason": "agitated", "agent_id": senior.id},
        headers=agent,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["agent_id"]) == ("transferred", senior.id)
