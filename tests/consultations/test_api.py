"""The consultations and customers API on SQLite and PostgreSQL: happy paths, a 4xx naming
the field for each endpoint, branch scoping, and the customer-side chat token."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.consultations.http import PHONE, V1, field_of, open_chat, visitor


def test_created_customer_shows_masked_identifiers_only(
    client: TestClient, agent: dict[str, str]
) -> None:
    # REQ: RSK-1, ACC-4
    r = client.post(f"{V1}/customers", json={"name": "王芳", "phone": PHONE}, headers=agent)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["phone_masked"] == "138****5678"
    assert PHONE not in r.text
    assert body["branch"] == "BJ01"


def test_returning_customer_found_by_phone_with_history(
    client: TestClient, agent: dict[str, str]
) -> None:
    # REQ: ACC-5 — earlier consultations and open ones at once.
    cust = client.post(f"{V1}/customers", json={"name": "王芳", "phone": PHONE}, headers=agent)
    cid = open_chat(client, agent, customer_id=cust.json()["id"], subject="信用卡额度")["id"]
    r = client.get(f"{V1}/customers", params={"phone": "+86 138 1234 5678"}, headers=agent)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["customer"]["id"] == cust.json()["id"]
    assert [c["id"] for c in body["consultations"]] == [cid]
    assert [c["id"] for c in body["open_consultations"]] == [cid]


def test_branch_agent_cannot_read_another_branchs_customer(
    client: TestClient, auth_headers: Any, agent: dict[str, str]
) -> None:
    # REQ: RSK-2
    sh = auth_headers("agent", branch="SH01")
    cust = client.post(f"{V1}/customers", json={"name": "李雷"}, headers=sh).json()
    assert client.get(f"{V1}/customers/{cust['id']}", headers=agent).status_code == 404


# ---- consultations -------------------------------------------------------------------


def test_bj01_agent_cannot_read_sh01_consultation(
    client: TestClient, auth_headers: Any, agent: dict[str, str]
) -> None:
    # REQ: RSK-2 — another branch's consultation does not exist for you (404, not 403).
    sh = auth_headers("agent", branch="SH01")
    c = open_chat(client, sh)
    for path in ("", "/messages", "/timeline"):
        r = client.get(f"{V1}/consultations/{c['id']}{path}", headers=agent)
        assert r.status_code == 404, path
    r = client.post(f"{V1}/consultations/{c['id']}/messages", json={"text": "hi"}, headers=agent)
    assert r.status_code == 404


def test_list_is_scoped_to_the_branch_and_filters(
    client: TestClient, auth_headers: Any, agent: dict[str, str]
) -> None:
    sh = auth_headers("agent", branch="SH01")
    mine = open_chat(client, agent)
    open_chat(client, sh)
    r = client.get(f"{V1}/consultations", headers=agent)
    assert [c["id"] for c in r.json()] == [mine["id"]]
    head = auth_headers("supervisor", branch="HO")
    assert len(client.get(f"{V1}/consultations", headers=head).json()) == 2
    r = client.get(f"{V1}/consultations", params={"branch": "SH01"}, headers=head)
    assert [c["branch"] for c in r.json()] == ["SH01"]
    r = client.get(f"{V1}/consultations", params={"status": "resolved"}, headers=agent)
    assert r.json() == []


def test_agent_message_is_stored_then_resend_is_not_duplicated(
    client: TestClient, agent: dict[str, str]
) -> None:
    # REQ: ACC-1 — written before acknowledged, idempotent by client message id.
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    first = client.post(url, json={"text": "您好", "client_msg_id": "a1"}, headers=agent)
    again = client.post(url, json={"text": "您好", "client_msg_id": "a1"}, headers=agent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True
    assert again.json()["message"]["seq"] == first.json()["message"]["seq"] == 1
    assert [m["seq"] for m in client.get(url, headers=agent).json()] == [1]


def test_transcript_after_seq_returns_only_later_messages(
    client: TestClient, agent: dict[str, str]
) -> None:
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    for i in range(3):
        client.post(url, json={"text": f"第{i}条", "client_msg_id": f"m{i}"}, headers=agent)
    r = client.get(url, params={"after_seq": 1}, headers=agent)
    assert [m["seq"] for m in r.json()] == [2, 3]
    bad = client.get(url, params={"after_seq": -1}, headers=agent)
    assert bad.status_code == 422
    assert field_of(bad) == "after_seq"


# ---- customer side (widget, app) -----------------------------------------------------


def test_visitor_opens_chat_and_talks_with_the_token(client: TestClient) -> None:
    # REQ: ACC-1
    cid, token = visitor(client, subject="开户")
    r = client.post(
        f"{V1}/chat/{cid}/messages", json={"text": "你好", "client_msg_id": "v1"}, headers=token
    )
    assert r.status_code == 201
    [m] = client.get(f"{V1}/chat/{cid}/messages", headers=token).json()
    assert (m["author_kind"], m["text"]) == ("customer", "你好")


def test_chat_token_is_stored_hashed(client: TestClient, container: Any) -> None:
    from consultdesk.consultations.visitor_tables import ChatTokenRow

    cid, token = visitor(client)
    with container.uow() as s:
        row = s.get(ChatTokenRow, cid)
    assert row.token_hash != token["X-Chat-Token"]
    assert len(row.token_hash) == 64


def test_visitor_with_known_phone_is_linked_for_the_agent(
    client: TestClient, agent: dict[str, str]
) -> None:
    # REQ: ACC-5 — the agent sees the returning customer's history at once.
    cust = client.post(
        f"{V1}/customers", json={"name": "王芳", "phone": PHONE}, headers=agent
    ).json()
    cid, _ = visitor(client, phone=PHONE)
    c = client.get(f"{V1}/consultations/{cid}", headers=agent).json()
    assert c["customer_id"] == cust["id"]
    # A typed phone number proves nothing: the match is marked unverified (ACC-6).
    timeline = client.get(f"{V1}/consultations/{cid}/timeline", headers=agent).json()
    assert {"kind": "customer_matched_by_phone", "verified": False} in [
        {"kind": e["kind"], **e["data"]} for e in timeline
    ]


def test_customer_reads_are_in_the_audit_log(
    client: TestClient, agent: dict[str, str], container: Any
) -> None:
    # REQ: RSK-2 — every access to customer data is logged.
    from consultdesk.audit import service as audit

    cust = client.post(f"{V1}/customers", json={"name": "王芳", "phone": PHONE}, headers=agent)
    cid = cust.json()["id"]
    client.get(f"{V1}/customers", params={"phone": PHONE}, headers=agent)
    client.get(f"{V1}/customers/{cid}", headers=agent)
    client.get(f"{V1}/customers/{cid}/history", headers=agent)
    with container.uow() as s:
        actions = [e.action for e in audit.search(session=s, subject=cid)]
    assert sorted(actions) == ["customer.history", "customer.lookup_by_phone", "customer.view"]


def test_agent_reply_with_a_forbidden_claim_is_blocked_and_not_stored(
    client: TestClient, agent: dict[str, str]
) -> None:
    # REQ: QC-6, RSK-7 — every agent reply is checked before it is sent.
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    r = client.post(url, json={"text": "这款理财保本保收益，稳赚不赔"}, headers=agent)
    assert r.status_code == 422
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("reply_blocked", "text")
    assert client.get(url, headers=agent).json() == []


def test_agent_reply_with_a_card_number_goes_out_masked(
    client: TestClient, agent: dict[str, str]
) -> None:
    # REQ: RSK-1 — an unmasked card number is masked before it is sent.
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    r = client.post(url, json={"text": "您尾号的卡 6222021234567890128 已登记"}, headers=agent)
    assert r.status_code == 201, r.text
    assert "6222021234567890128" not in r.json()["message"]["text"]
