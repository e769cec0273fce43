"""The bot over HTTP on SQLite and PostgreSQL: answers posted to the transcript after the
reply gate, handover with guesses, identity first, figures once verified, bad input."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.customers import service as customers
from consultdesk.shared.scope import SYSTEM
from tests.assistant.bot.conftest import Chat, ask, open_chat


def transcript(container: Container, cid: str) -> list[tuple[str, str]]:
    with container.uow() as s:
        return [
            (m.author_kind.value, m.text)
            for m in consultations.transcript(scope=SYSTEM, session=s, consultation_id=cid)
        ]


def test_a_faq_question_is_answered_and_posted_as_the_bot(
    bot_client: TestClient, container: Container
) -> None:
    # REQ: SOL-1, ACP-4 — a simple question is answered at once by the bot.
    chat = open_chat(bot_client)
    r = ask(bot_client, chat, "手机银行转账额度不够怎么调高")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["decision"], body["entry_id"], body["handed_over"]) == ("answer", "EB-005", False)
    assert body["gate"] in {"send", "send_fixed"}
    assert body["candidates"][0]["entry_id"] == "EB-005"
    kinds = [k for k, _ in transcript(container, chat.consultation_id)]
    assert kinds == ["customer", "bot"]


def test_a_balance_request_before_verification_hands_over_for_an_identity_check(
    bot_client: TestClient, container: Container
) -> None:
    # REQ: ACC-6
    chat = open_chat(bot_client)
    body = ask(bot_client, chat, "帮我查一下我卡里还有多少钱").json()
    assert (body["route"], body["handed_over"]) == ("verify_first", True)
    with container.uow() as s:
        c = consultations.get_consultation(
            scope=SYSTEM, session=s, consultation_id=chat.consultation_id
        )
        facts = [
            e.kind for e in consultations.timeline(scope=SYSTEM, session=s, consultation_id=c.id)
        ]
    assert c.status.value == "transferred"
    assert "bot_handover" in facts
    messages = transcript(container, chat.consultation_id)
    assert messages[-1][0] == "system" and "机器人转人工" in messages[-1][1]


def test_a_handover_carries_the_bots_best_guesses(
    bot_client: TestClient, container: Container
) -> None:
    chat = open_chat(bot_client)
    body = ask(bot_client, chat, "我的账户为什么被冻结了").json()
    assert (body["decision"], body["handed_over"]) == ("handover", True)
    system = transcript(container, chat.consultation_id)[-1][1]
    assert "ACC-007" in system


def test_the_bot_stays_silent_once_handed_over(bot_client: TestClient) -> None:
    chat = open_chat(bot_client)
    ask(bot_client, chat, "转人工")
    r = ask(bot_client, chat, "信用卡怎么还款")
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "consultation_id"


def test_social_engineering_is_refused_with_a_warning(bot_client: TestClient) -> None:
    # REQ: RSK-3
    body = ask(bot_client, open_chat(bot_client), "告诉我朋友我的密码").json()
    assert (body["route"], body["handed_over"]) == ("refuse_credentials", False)
    assert "不会索要" in body["reply"]


def verified_chat(client: TestClient, container: Container, headers: dict[str, str]) -> Chat:
    from consultdesk.corebank.sandbox import SandboxCoreBank

    bank = container.corebank
    assert isinstance(bank, SandboxCoreBank)
    p = next(x for x in bank.demo_profiles() if x.customer_id == "C001")
    with container.uow() as s:
        customers.register_customer(
            session=s,
            now=container.clock.now(),
            keyring=container.keyring,
            index_key=container.index_key,
            name=p.name,
            branch="BJ01",
            phone=p.phone,
            core_customer_id="C001",
        )
    r = client.post("/api/v1/chat", json={"branch": "BJ01", "phone": p.phone})
    chat = Chat(r.json()["consultation_id"], r.json()["token"])
    r = client.post(
        f"/api/v1/consultations/{chat.consultation_id}/identity/last-four",
        headers=headers,
        json={"last_four": p.id_number[-4:]},
    )
    assert r.status_code == 200, r.text
    return chat


def test_a_verified_customer_gets_the_balance_with_its_source_and_time(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: ACC-6, SOL-2 — figures from the core bank cite source and time.
    chat = verified_chat(bot_client, container, auth_headers("agent", branch="BJ01"))
    body = ask(bot_client, chat, "我的余额是多少").json()
    assert (body["route"], body["handed_over"]) == ("figures", False), body
    assert "核心银行系统" in body["reply"] and "以核心系统为准" in body["reply"]
    assert "余额" in body["reply"]


def test_a_verified_customer_gets_the_remaining_transfer_limit_with_its_source(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: SOL-2
    chat = verified_chat(bot_client, container, auth_headers("agent", branch="BJ01"))
    body = ask(bot_client, chat, "我今天还能转多少").json()
    assert (body["route"], body["handed_over"]) == ("figures", False), body
    assert "日累计转账限额" in body["reply"] and "以核心系统为准" in body["reply"]


def test_ten_thousand_characters_are_a_safe_handover_not_an_error(
    bot_client: TestClient,
) -> None:
    r = ask(bot_client, open_chat(bot_client), "啊" * 10_000)
    assert r.status_code == 200
    assert r.json()["handed_over"] is True


def test_an_empty_message_gets_a_clarifying_reply(bot_client: TestClient) -> None:
    r = ask(bot_client, open_chat(bot_client), "")
    assert (r.status_code, r.json()["decision"]) == (200, "clarify")


def test_a_missing_text_is_a_422_naming_the_field(bot_client: TestClient) -> None:
    chat = open_chat(bot_client)
    r = bot_client.post(
        "/api/v1/assistant/ask",
        headers=chat.headers,
        json={"consultation_id": chat.consultation_id},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "text")


def test_a_wrong_chat_token_is_refused(bot_client: TestClient) -> None:
    chat = open_chat(bot_client)
    r = ask(bot_client, Chat(chat.consultation_id, "wrong"), "你好")
    assert r.status_code == 401


def test_staff_of_another_branch_get_a_404(bot_client: TestClient, auth_headers: Any) -> None:
    chat = open_chat(bot_client, branch="BJ01")
    r = bot_client.post(
        "/api/v1/assistant/ask",
        headers=auth_headers("agent", branch="SH01"),
        json={"consultation_id": chat.consultation_id, "text": "你好"},
    )
    assert r.status_code == 404


def test_agents_get_the_same_suggestions_as_they_type(
    bot_client: TestClient, auth_headers: Any
) -> None:
    # REQ: QC-5
    r = bot_client.get(
        "/api/v1/assistant/suggest",
        params={"text": "转账额度怎么调高"},
        headers=auth_headers("agent", branch="BJ01"),
    )
    assert r.status_code == 200
    found = r.json()
    assert 1 <= len(found) <= 3 and found[0]["entry_id"] == "EB-005" and found[0]["answer"]
    scores = [s["score"] for s in found]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.05


def test_suggestions_under_the_policy_floor_are_left_out(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: QC-5 — the floor under agents' suggestions is a versioned policy number.
    from consultdesk.policy import service as policy
    from consultdesk.shared.ids import BranchCode, UserId

    params = {"text": "转账额度怎么调高"}
    headers = auth_headers("agent", branch="BJ01")
    assert bot_client.get("/api/v1/assistant/suggest", params=params, headers=headers).json()
    with container.uow() as s:
        policy.set_policy_value(
            session=s,
            now=container.clock.now(),
            author=UserId("usr_admin"),
            key="assistant.suggest_min_score",
            value="1",
            reason="测试",
            scope=BranchCode("BJ01"),
        )
    r = bot_client.get("/api/v1/assistant/suggest", params=params, headers=headers)
    assert (r.status_code, r.json()) == (200, [])
    other = bot_client.get(
        "/api/v1/assistant/suggest", params=params, headers=auth_headers("agent", branch="SH01")
    )
    assert other.json()  # another branch keeps head office's floor


def test_an_empty_suggest_text_is_a_422_naming_the_field(
    bot_client: TestClient, auth_headers: Any
) -> None:
    r = bot_client.get(
        "/api/v1/assistant/suggest", params={"text": ""}, headers=auth_headers("agent")
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "text")


def test_the_customer_picks_one_of_the_offered_questions_by_number(
    bot_client: TestClient, container: Container
) -> None:
    # REQ: QC-5 — offered the top three, the customer answers "2" and gets that answer.
    from consultdesk.policy import service as policy
    from consultdesk.shared.ids import BranchCode, UserId

    with container.uow() as s:  # this branch answers nothing at once: every match is offered
        policy.set_policy_value(
            session=s,
            now=container.clock.now(),
            author=UserId("usr_admin"),
            key="assistant.answer_confidence",
            value="1",
            reason="测试",
            scope=BranchCode("BJ01"),
        )
    chat = open_chat(bot_client)
    offer = ask(bot_client, chat, "手机银行转账额度不够怎么调高").json()
    assert offer["decision"] == "offer", offer
    second = offer["candidates"][1]["entry_id"]
    picked = ask(bot_client, chat, "2").json()
    assert (picked["decision"], picked["entry_id"]) == ("answer", second)


def test_a_bot_reply_the_gate_would_block_is_never_sent(
    bot_client: TestClient, container: Container, live: Any
) -> None:
    # REQ: QC-6 — every bot reply passes the compliance check; a blocked one becomes a handover.
    from dataclasses import replace

    from consultdesk.assistant.service import Knowledge

    knowledge = live.knowledge
    bad = replace(knowledge.entries["EB-005"], answer="请您提供一下银行卡密码，我帮您调整限额。")
    live.install(
        Knowledge(knowledge.matcher, {**knowledge.entries, "EB-005": bad}, knowledge.fingerprint)
    )
    chat = open_chat(bot_client)
    body = ask(bot_client, chat, "手机银行转账额度不够怎么调高").json()
    assert (body["decision"], body["handed_over"]) == ("handover", True)
    sent = [text for kind, text in transcript(container, chat.consultation_id) if kind == "bot"]
    assert sent and all("密码" not in text for text in sent)
