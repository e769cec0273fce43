"""Fixtures of the bot's tests: one small slice of the demo knowledge base, its matcher
built once per session (the real encoder), and helpers to publish the slice into a
test database and open chats on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consultdesk.assistant import bot
from consultdesk.assistant.dialogue import EntryView
from consultdesk.assistant.encoder import SentenceEncoder
from consultdesk.assistant.matcher import KnowledgeItem, Matcher
from consultdesk.assistant.service import Assistant, Knowledge, load_knowledge
from consultdesk.bootstrap import Container
from consultdesk.knowledge import service as knowledge
from consultdesk.knowledge.demo import load_demo_entries
from consultdesk.knowledge.model import EntrySpec, UserId
from consultdesk.web.app import create_app

SLICE_IDS = (
    "ACC-001", "ACC-002", "ACC-007", "ACC-020", "ACC-021",
    "CC-001", "CC-002", "CC-003",
    "EB-001", "EB-005", "EB-006", "EB-012",
    "DEP-001", "DEP-002", "DEP-003",
    "LN-001", "LN-002",
    "WM-001", "WM-002",
    "FX-001", "INS-001", "PM-001",
)  # fmt: skip


@pytest.fixture(scope="session")
def kb_slice() -> list[EntrySpec]:
    by_id: dict[str, EntrySpec] = {s.entry_id: s for s in load_demo_entries()}
    return [by_id[i] for i in SLICE_IDS if i in by_id]


def items_of(specs: list[EntrySpec]) -> list[KnowledgeItem]:
    return [
        KnowledgeItem(s.entry_id, (s.content.standard_question, *s.content.paraphrases))
        for s in specs
    ]


def views_of(specs: list[EntrySpec]) -> dict[str, EntryView]:
    return {
        s.entry_id: EntryView(
            entry_id=s.entry_id,
            question=s.content.standard_question,
            answer=s.content.answer,
            steps=s.content.steps,
            complexity=s.content.complexity.value,
            source=s.content.source,
            business_line=s.business_line.value,
        )
        for s in specs
    }


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("assistant-cache")


@pytest.fixture(scope="session")
def slice_matcher(kb_slice: list[EntrySpec], encoder: SentenceEncoder, cache_dir: Path) -> Matcher:
    return Matcher.build(items_of(kb_slice), encoder=encoder, cache_dir=cache_dir)


def publish_slice(container: Container, specs: list[EntrySpec]) -> None:
    with container.uow() as session:
        now = container.clock.now()
        report = knowledge.import_entries(
            session=session, now=now, specs=specs, author=UserId("usr_author")
        )
        for entry_id in report.created:
            knowledge.publish(
                session=session, now=now, entry_id=entry_id, reviewer=UserId("usr_reviewer")
            )


@pytest.fixture
def live(
    container: Container,
    kb_slice: list[EntrySpec],
    encoder: SentenceEncoder,
    cache_dir: Path,
    slice_matcher: Matcher,
) -> Assistant:
    """The slice published in the test database and the container's assistant serving
    it with the session's matcher (the build from the database itself is tested in
    test_live_knowledge.py)."""
    publish_slice(container, kb_slice)
    assistant = Assistant(
        uow=container.uow, clock=container.clock, cache_dir=cache_dir, encoder=encoder
    )
    with container.uow() as session:
        loaded = load_knowledge(session=session, now=container.clock.now())
    assistant.install(Knowledge(slice_matcher, loaded.entries, loaded.fingerprint))
    bot.install_assistant(container, assistant)
    container.tuning.assistant_refresh_s = 0  # no watcher thread in tests
    return assistant


@pytest.fixture
def bot_client(container: Container, live: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as tc:
        yield tc


@dataclass(frozen=True)
class Chat:
    consultation_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Chat-Token": self.token}


def open_chat(client: TestClient, *, branch: str = "BJ01", lang: str = "zh") -> Chat:
    r = client.post("/api/v1/chat", json={"branch": branch, "lang": lang})
    assert r.status_code == 201, r.text
    return Chat(r.json()["consultation_id"], r.json()["token"])


def ask(client: TestClient, chat: Chat, text: str) -> Any:
    return client.post(
        "/api/v1/assistant/ask",
        headers=chat.headers,
        json={"consultation_id": chat.consultation_id, "text": text},
    )
