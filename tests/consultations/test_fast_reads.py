"""The two reads made most often (an agent's open chats, a transcript) take a shorter path
(issue 12's read figure): the caller resolved in the same transaction as the read, the
JSON written straight from the domain objects. These tests hold that path to the same
answers, the same refusals and the same documented shape as the rest of the API."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi.testclient import TestClient

from consultdesk.consultations import service
from consultdesk.consultations.messages import Message
from consultdesk.consultations.model import Consultation
from consultdesk.consultations.schemas import ConsultationOut, MessageOut
from consultdesk.shared.scope import SYSTEM
from consultdesk.staff import service as staff
from consultdesk.web.deps import SESSION_COOKIE
from tests.consultations.http import V1, open_chat


def test_domain_objects_carry_exactly_the_documented_fields_in_order() -> None:
    # The fast path serialises Message and Consultation themselves; the OpenAPI document
    # still names MessageOut and ConsultationOut. A field added to one and not the other
    # fails here.
    assert [f.name for f in dataclasses.fields(Message)] == list(MessageOut.model_fields)
    assert [f.name for f in dataclasses.fields(Consultation)] == list(ConsultationOut.model_fields)


def test_transcript_json_equals_the_response_models(
    client: TestClient, container: Any, agent: dict[str, str]
) -> None:
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    first = {"text": "您好，请问有什么可以帮您？", "client_msg_id": "a1"}
    client.post(url, json=first, headers=agent)
    second = {"text": "卡号 6222021234567890123", "client_msg_id": "a2"}
    client.post(url, json=second, headers=agent)
    r = client.get(url, headers=agent)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    with container.uow() as s:
        stored = service.transcript(session=s, consultation_id=c["id"], scope=SYSTEM)
    assert r.json() == [MessageOut.of(m).model_dump(mode="json") for m in stored]
    assert [m["client_msg_id"] for m in r.json()] == ["a1", "a2"]


def test_open_list_json_equals_the_response_models(
    client: TestClient, container: Any, agent: dict[str, str]
) -> None:
    open_chat(client, agent, subject="信用卡额度")
    open_chat(client, agent)
    r = client.get(f"{V1}/consultations", params={"open_only": "true"}, headers=agent)
    assert r.status_code == 200, r.text
    with container.uow() as s:
        stored = service.list_consultations(session=s, scope=SYSTEM, open_only=True)
    assert r.json() == [ConsultationOut.of(c).model_dump(mode="json") for c in stored]
    assert {c["subject"] for c in r.json()} == {"信用卡额度", None}


def test_transcript_with_nothing_after_seq_is_empty_and_an_unknown_id_is_404(
    client: TestClient, agent: dict[str, str]
) -> None:
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    assert client.get(url, headers=agent).json() == []
    client.post(url, json={"text": "您好", "client_msg_id": "a1"}, headers=agent)
    assert client.get(url, params={"after_seq": 1}, headers=agent).json() == []
    missing = client.get(f"{V1}/consultations/C-none/messages", headers=agent)
    assert missing.status_code == 404
    assert missing.json()["error"]["field"] == "consultation_id"


def test_fast_reads_refuse_as_the_rest_of_the_api_does(
    client: TestClient, container: Any, auth_headers: Any, agent: dict[str, str]
) -> None:
    # REQ: RSK-2 — no credentials 401, a role without consultations 403, another branch's
    # consultation 404, a disabled account at once (nothing is cached between requests).
    c = open_chat(client, agent)
    paths = (f"{V1}/consultations", f"{V1}/consultations/{c['id']}/messages")
    for path in paths:
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer cdt_nope"}).status_code == 401
        assert client.get(path, headers=auth_headers("admin")).status_code == 403
    other = auth_headers("agent", branch="SH01")
    assert client.get(paths[1], headers=other).status_code == 404
    assert client.get(paths[0], headers=other).json() == []
    me = client.get(f"{V1}/me", headers=agent).json()
    with container.uow() as s:
        staff.disable_user(session=s, username=me["username"])
    for path in paths:
        r = client.get(path, headers=agent)
        assert r.status_code == 401
        assert r.json()["error"]["code"] in {"bad_token", "disabled"}


def test_console_session_reads_the_same(
    client: TestClient, container: Any, make_user: Any, agent: dict[str, str]
) -> None:
    # The console signs in with a cookie; a GET needs no CSRF token.
    c = open_chat(client, agent)
    client.post(
        f"{V1}/consultations/{c['id']}/messages",
        json={"text": "您好", "client_msg_id": "a1"},
        headers=agent,
    )
    member = make_user("supervisor", branch="BJ01")
    with container.uow() as s:
        cookie, _ = staff.open_session(session=s, now=container.clock.now(), user=member, hours=1)
    client.cookies.set(SESSION_COOKIE, cookie)
    try:
        assert [x["id"] for x in client.get(f"{V1}/consultations").json()] == [c["id"]]
        [m] = client.get(f"{V1}/consultations/{c['id']}/messages").json()
        assert m["text"] == "您好"
    finally:
        client.cookies.clear()


def test_reads_on_worker_threads_answer_the_same(
    client: TestClient, container: Any, agent: dict[str, str]
) -> None:
    # CONSULTDESK_READ_THREADS=N (a distant database) runs the same reads on N threads.
    c = open_chat(client, agent)
    url = f"{V1}/consultations/{c['id']}/messages"
    client.post(url, json={"text": "您好", "client_msg_id": "a1"}, headers=agent)
    on_loop = (
        client.get(url, headers=agent).json(),
        client.get(f"{V1}/consultations", headers=agent).json(),
    )
    container.settings.read_threads = 2
    on_threads = (
        client.get(url, headers=agent).json(),
        client.get(f"{V1}/consultations", headers=agent).json(),
    )
    assert on_threads == on_loop
    assert client.get(url).status_code == 401
