"""The review queue and pair labels (QC-5) on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consultdesk.assistant import review
from consultdesk.bootstrap import Container
from consultdesk.knowledge import service as knowledge
from consultdesk.knowledge.model import EntryId, VersionStatus
from tests.assistant.bot.conftest import ask, open_chat


def queue_one(container: Container, question: str = "你们银行的停车场在哪里") -> str:
    with container.uow() as s:
        item = review.queue_for_review(
            session=s,
            now=container.clock.now(),
            question=question,
            decision="handover",
            confidence=0.1,
            guesses=[{"entry_id": "ACC-001", "question": "办借记卡需要带什么？", "score": 0.1}],
        )
    return item.id


def test_a_question_the_bot_could_only_guess_at_is_queued_for_review(
    bot_client: TestClient, auth_headers: Any
) -> None:
    # REQ: QC-5 — low-confidence and unanswered questions feed the knowledge base.
    ask(bot_client, open_chat(bot_client), "你们银行的停车场在哪里能停多久")
    r = bot_client.get("/api/v1/assistant/review", headers=auth_headers("agent"))
    assert r.status_code == 200
    assert [i["question"] for i in r.json()] == ["你们银行的停车场在哪里能停多久"]
    assert r.json()[0]["guesses"]


def test_the_same_open_question_is_queued_once(container: Container) -> None:
    assert queue_one(container) == queue_one(container)


def test_adding_as_a_paraphrase_drafts_a_new_version_of_the_entry(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    # REQ: QC-5 — the question becomes a paraphrase, live after review and publication.
    item_id = queue_one(container)
    r = bot_client.post(
        f"/api/v1/assistant/review/{item_id}/resolve",
        headers=auth_headers("agent"),
        json={"outcome": "paraphrase_added", "entry_id": "ACC-001"},
    )
    assert (r.status_code, r.json()["status"]) == (200, "paraphrase_added")
    with container.uow() as s:
        entry = knowledge.get_entry(session=s, entry_id=EntryId("ACC-001"))
    assert entry.latest.status is VersionStatus.DRAFT
    assert "你们银行的停车场在哪里" in entry.latest.content.paraphrases
    assert entry.published is not None  # the live answer stays live meanwhile


def test_a_paraphrase_without_an_entry_is_a_422_naming_the_field(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    item_id = queue_one(container)
    r = bot_client.post(
        f"/api/v1/assistant/review/{item_id}/resolve",
        headers=auth_headers("agent"),
        json={"outcome": "paraphrase_added"},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "entry_id")


def test_a_resolved_item_cannot_be_resolved_again(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    item_id = queue_one(container)
    headers = auth_headers("agent")
    url = f"/api/v1/assistant/review/{item_id}/resolve"
    assert bot_client.post(url, headers=headers, json={"outcome": "dismissed"}).status_code == 200
    again = bot_client.post(url, headers=headers, json={"outcome": "dismissed"})
    assert again.status_code == 409


def test_an_unknown_outcome_is_a_422_naming_the_field(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    r = bot_client.post(
        f"/api/v1/assistant/review/{queue_one(container)}/resolve",
        headers=auth_headers("agent"),
        json={"outcome": "maybe"},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "outcome")


def test_agents_label_pairs_and_same_pairs_become_paraphrases(
    bot_client: TestClient, container: Container, auth_headers: Any
) -> None:
    # The labelled pair trains the matcher: the new wording joins the entry's questions.
    r = bot_client.post(
        "/api/v1/assistant/pairs",
        headers=auth_headers("agent"),
        json={"first": "怎么查询银行卡余额？", "second": "卡上的钱怎么看", "same": True},
    )
    assert r.status_code == 201, r.text
    from consultdesk.assistant.service import load_knowledge

    with container.uow() as s:
        loaded = load_knowledge(session=s, now=container.clock.now())
    balance = next(i for i in loaded.items if i.entry_id == "ACC-020")
    assert "卡上的钱怎么看" in balance.questions and loaded.added == 1


def test_a_pair_with_an_empty_side_is_a_422_naming_the_field(
    bot_client: TestClient, auth_headers: Any
) -> None:
    r = bot_client.post(
        "/api/v1/assistant/pairs",
        headers=auth_headers("agent"),
        json={"first": "怎么查余额", "second": "", "same": False},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "second")


def test_the_console_page_shows_suggestions_and_the_review_queue(
    bot_client: TestClient, container: Container, make_user: Any
) -> None:
    from consultdesk.staff import service as staff
    from consultdesk.web.deps import SESSION_COOKIE

    queue_one(container)
    member = make_user("agent", branch="BJ01")
    with container.uow() as s:
        token, _ = staff.open_session(session=s, now=container.clock.now(), user=member, hours=1)
    bot_client.cookies.set(SESSION_COOKIE, token)
    page = bot_client.get("/console/knowledge", params={"q": "转账额度怎么调高"})
    assert page.status_code == 200
    assert 'data-testid="kb-suggestions"' in page.text and "EB-005" in page.text
    assert "你们银行的停车场在哪里" in page.text
