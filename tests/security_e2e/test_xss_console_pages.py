"""Stored XSS through customer questions and knowledge-base answers shown in the console
(RSK-1): the pages show the characters as text (Jinja autoescaping), never as markup."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from consultdesk.assistant import bot, review
from consultdesk.bootstrap import Container
from consultdesk.knowledge import service as knowledge
from consultdesk.knowledge.model import BusinessLine, Complexity, EntryContent, EntryId
from consultdesk.shared.ids import UserId

QUESTION = "<script>window.__xss='question'</script>怎么挂失银行卡"
ANSWER = (
    "<img src=x onerror=\"window.__xss='answer'\">请立即拨打客服电话挂失，"
    "或登录手机银行办理临时挂失。具体以银行审批为准。"
)


def test_a_hostile_customer_question_in_the_review_queue_is_escaped(
    client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: RSK-1
    with container.uow() as session:
        review.queue_for_review(
            session=session,
            now=container.clock.now(),
            question=QUESTION,
            decision="handover",
            confidence=0.1,
        )
    r = client.get(
        "/console/knowledge",
        headers={**auth_headers("agent", branch="BJ01"), "accept": "text/html"},
    )
    assert r.status_code == 200
    assert QUESTION not in r.text
    assert "&lt;script&gt;window.__xss=" in r.text


def test_a_hostile_knowledge_base_answer_is_escaped(
    client: TestClient, container: Container, auth_headers: Any, make_user: Any
) -> None:
    # REQ: RSK-1
    author, reviewer = make_user("agent", branch="HO"), make_user("supervisor", branch="HO")
    now = container.clock.now()
    with container.uow() as session:
        knowledge.create_draft(
            session=session,
            now=now,
            author=UserId(author.id),
            business_line=BusinessLine.ACCOUNTS,
            owner=UserId(author.id),
            content=EntryContent(
                standard_question="银行卡丢了怎么挂失",
                paraphrases=("卡丢了怎么办",),
                answer=ANSWER,
                steps=(),
                complexity=Complexity.SIMPLE,
                risk_tags=(),
                source="《银行卡章程》第十二条",
                effective_from=date(2026, 1, 1),
            ),
            entry_id=EntryId("KB-XSS-1"),
        )
        knowledge.submit_for_review(
            session=session, now=now, entry_id=EntryId("KB-XSS-1"), actor=UserId(author.id)
        )
        knowledge.publish(
            session=session, now=now, entry_id=EntryId("KB-XSS-1"), reviewer=UserId(reviewer.id)
        )
    bot.assistant_for(container).refresh(wait=True)
    r = client.get(
        "/console/knowledge",
        params={"q": "银行卡丢了怎么挂失"},
        headers={**auth_headers("agent", branch="BJ01"), "accept": "text/html"},
    )
    assert r.status_code == 200
    assert "KB-XSS-1" in r.text
    assert ANSWER not in r.text
    assert "&lt;img src=x onerror=" in r.text
