"""Bad input to every consultations/customers endpoint gets a 4xx naming the field.

These answers come from request schemas and use-case checks that do not depend on the
database, so this module runs on SQLite only (the behaviour tests in test_api.py run on
both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.settings import Settings
from tests.consultations.http import PHONE, V1, field_of, open_chat, visitor


@pytest.fixture
def db_settings(sqlite_only: Settings) -> Settings:
    return sqlite_only


def test_customer_with_bad_phone_names_the_field(client: TestClient, agent: dict[str, str]) -> None:
    r = client.post(f"{V1}/customers", json={"name": "王芳", "phone": "12"}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "phone"


def test_customer_without_name_names_the_field(client: TestClient, agent: dict[str, str]) -> None:
    r = client.post(f"{V1}/customers", json={"phone": PHONE}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "name"


def test_unknown_phone_is_404_naming_phone(client: TestClient, agent: dict[str, str]) -> None:
    r = client.get(f"{V1}/customers", params={"phone": "13900000000"}, headers=agent)
    assert r.status_code == 404
    assert field_of(r) == "phone"


def test_unknown_customer_is_404_naming_customer_id(
    client: TestClient, agent: dict[str, str]
) -> None:
    r = client.get(f"{V1}/customers/cus_nope", headers=agent)
    assert r.status_code == 404
    assert field_of(r) == "customer_id"


def test_open_with_unknown_channel_names_the_field(
    client: TestClient, agent: dict[str, str]
) -> None:
    r = client.post(f"{V1}/consultations", json={"channel": "fax"}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "channel"


def test_open_in_another_branch_is_refused_naming_branch(
    client: TestClient, agent: dict[str, str]
) -> None:
    r = client.post(
        f"{V1}/consultations", json={"channel": "chat", "branch": "SH01"}, headers=agent
    )
    assert r.status_code == 403
    assert field_of(r) == "branch"


def test_list_with_bad_status_names_the_field(client: TestClient, agent: dict[str, str]) -> None:
    r = client.get(f"{V1}/consultations", params={"status": "nonsense"}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "status"


def test_list_of_another_branch_is_refused(client: TestClient, agent: dict[str, str]) -> None:
    r = client.get(f"{V1}/consultations", params={"branch": "SH01"}, headers=agent)
    assert r.status_code == 403
    assert field_of(r) == "branch"


def test_admin_may_not_read_consultations(client: TestClient, auth_headers: Any) -> None:
    # The administrator runs the system, not the business.
    r = client.get(f"{V1}/consultations", headers=auth_headers("admin"))
    assert r.status_code == 403


def test_empty_message_names_text(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    r = client.post(f"{V1}/consultations/{c['id']}/messages", json={"text": ""}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "text"


def test_bad_client_msg_id_names_the_field(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/messages",
        json={"text": "x", "client_msg_id": "has space"},
        headers=agent,
    )
    assert r.status_code == 422
    assert field_of(r) == "client_msg_id"


def test_illegal_move_is_409_naming_status(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    r = client.post(f"{V1}/consultations/{c['id']}/moves", json={"move": "resolve"}, headers=agent)
    assert r.status_code == 409
    assert field_of(r) == "status"


def test_unknown_move_names_the_field(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    r = client.post(f"{V1}/consultations/{c['id']}/moves", json={"move": "fly"}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "move"


def test_handoff_with_unknown_reason_names_the_field(
    client: TestClient, agent: dict[str, str]
) -> None:
    c = open_chat(client, agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/handoff", json={"reason": "bored"}, headers=agent
    )
    assert r.status_code == 422
    assert field_of(r) == "reason"


def test_confirm_without_summary_is_409_naming_summary(
    client: TestClient, agent: dict[str, str]
) -> None:
    cid, token = visitor(client)
    r = client.post(f"{V1}/chat/{cid}/confirm", headers=token)
    assert r.status_code == 409
    assert field_of(r) == "summary"


def test_empty_summary_names_the_field(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    r = client.post(f"{V1}/consultations/{c['id']}/summary", json={"summary": ""}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "summary"


def test_classify_with_nothing_names_complexity(client: TestClient, agent: dict[str, str]) -> None:
    c = open_chat(client, agent)
    r = client.post(f"{V1}/consultations/{c['id']}/classify", json={}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "complexity"
    r = client.post(
        f"{V1}/consultations/{c['id']}/classify", json={"complexity": "huge"}, headers=agent
    )
    assert field_of(r) == "complexity"


def test_unknown_consultation_is_404_naming_consultation_id(
    client: TestClient, agent: dict[str, str]
) -> None:
    r = client.get(f"{V1}/consultations/con_nope", headers=agent)
    assert r.status_code == 404
    assert field_of(r) == "consultation_id"


def test_unsigned_request_is_401(client: TestClient) -> None:
    assert client.get(f"{V1}/consultations").status_code == 401


def test_wrong_chat_token_is_401_naming_token(client: TestClient) -> None:
    cid, _ = visitor(client)
    r = client.get(f"{V1}/chat/{cid}/messages", headers={"X-Chat-Token": "guess"})
    assert r.status_code == 401
    assert field_of(r) == "token"


def test_token_of_one_chat_does_not_open_another(client: TestClient) -> None:
    a, _ = visitor(client)
    _, token_b = visitor(client)
    assert client.get(f"{V1}/chat/{a}/messages", headers=token_b).status_code == 401


def test_missing_chat_token_names_the_header(client: TestClient) -> None:
    cid, _ = visitor(client)
    r = client.get(f"{V1}/chat/{cid}/messages")
    assert r.status_code == 422
    assert field_of(r) == "X-Chat-Token"


def test_visitor_chat_with_unknown_branch_names_branch(client: TestClient) -> None:
    r = client.post(f"{V1}/chat", json={"branch": "XX99"})
    assert r.status_code in (404, 422)
    assert field_of(r) == "branch"


def test_visitor_chat_with_bad_channel_names_channel(client: TestClient) -> None:
    r = client.post(f"{V1}/chat", json={"branch": "BJ01", "channel": "phone"})
    assert r.status_code == 422
    assert field_of(r) == "channel"


def test_handoff_to_an_unknown_colleague_names_agent_id(
    client: TestClient, agent: dict[str, str]
) -> None:
    c = open_chat(client, agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/handoff",
        json={"reason": "agitated", "agent_id": "usr_nobody"},
        headers=agent,
    )
    assert r.status_code == 422
    assert field_of(r) == "agent_id"


def test_handoff_to_another_branchs_agent_names_agent_id(
    client: TestClient, agent: dict[str, str], make_user: Any
) -> None:
    # REQ: STD-3 — handed to a colleague who can serve this branch.
    other = make_user("agent", branch="SH01")
    c = open_chat(client, agent)
    r = client.post(
        f"{V1}/consultations/{c['id']}/handoff",
        json={"reason": "agitated", "agent_id": other.id},
        headers=agent,
    )
    assert r.status_code == 422
    assert field_of(r) == "agent_id"


def test_nul_character_in_a_message_names_text(client: TestClient, agent: dict[str, str]) -> None:
    # PostgreSQL cannot store NUL: refused up front, never a 500.
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    r = client.post(url, json={"text": "a\x00b"}, headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "text"


def test_malformed_consultation_id_names_the_field(
    client: TestClient, agent: dict[str, str]
) -> None:
    r = client.get(f"{V1}/consultations/bad%00id", headers=agent)
    assert r.status_code == 422
    assert field_of(r) == "consultation_id"
