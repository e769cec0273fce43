"""The assistant over the live knowledge base: built from the database, rebuilt in the
background after a publish while answers keep flowing, the chat hook, and
`consultdesk assistant train` on the database."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from consultdesk.assistant import bot
from consultdesk.assistant.cli import register
from consultdesk.assistant.encoder import SentenceEncoder
from consultdesk.assistant.matcher import KnowledgeItem, Matcher
from consultdesk.assistant.service import Assistant
from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.knowledge.model import EntrySpec
from consultdesk.shared.scope import SYSTEM
from consultdesk.web.app import create_app
from tests.assistant.bot.conftest import open_chat, publish_slice


def test_the_assistant_builds_its_matcher_from_the_published_entries(
    container: Container, kb_slice: list[EntrySpec], encoder: SentenceEncoder, cache_dir: Path
) -> None:
    publish_slice(container, kb_slice)
    assistant = Assistant(
        uow=container.uow, clock=container.clock, cache_dir=cache_dir, encoder=encoder
    )
    assert assistant.refresh(wait=True) is True
    assert assistant.knowledge.ready and len(assistant.knowledge.entries) == len(kb_slice)
    assert assistant.refresh(wait=True) is False  # unchanged: no rebuild


def test_answers_keep_flowing_while_a_rebuild_runs(
    container: Container, kb_slice: list[EntrySpec], slice_matcher: Matcher
) -> None:
    # A publish triggers a background rebuild; the old snapshot answers meanwhile and
    # the new one takes over in one swap (no downtime).
    publish_slice(container, kb_slice[:-1])
    release = threading.Event()
    building = threading.Event()

    def slow_build(items: Sequence[KnowledgeItem]) -> Matcher:
        if len(items) == len(kb_slice):  # the rebuild after the publish
            building.set()
            release.wait(10)
        return slice_matcher

    assistant = Assistant(uow=container.uow, clock=container.clock, builder=slow_build)
    assistant.refresh(wait=True)
    before = assistant.knowledge
    assert kb_slice[-1].entry_id not in before.entries
    publish_slice(container, kb_slice[-1:])
    assert assistant.refresh() is True
    assert building.wait(10)
    answered = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # the old snapshot keeps answering
        snapshot = assistant.knowledge
        assert snapshot is before
        assert snapshot.matcher is not None and snapshot.matcher.match("信用卡怎么申请").top
        answered += 1
    release.set()
    assistant.wait_idle(10)
    assert answered > 0
    assert kb_slice[-1].entry_id in assistant.knowledge.entries


def test_a_customer_chat_message_gets_a_bot_reply(
    bot_client: TestClient, container: Container
) -> None:
    # REQ: ACP-4 — the bot answers at once while no agent has the chat.
    chat = open_chat(bot_client)
    r = bot_client.post(
        f"/api/v1/chat/{chat.consultation_id}/messages",
        headers=chat.headers,
        json={"text": "手机银行转账额度不够怎么调高", "client_msg_id": "c1"},
    )
    assert r.status_code == 201, r.text
    hook = container.attached.bot_hook
    assert isinstance(hook, bot.ChatHook)
    hook.drain()
    with container.uow() as s:
        kinds = [
            m.author_kind.value
            for m in consultations.transcript(
                scope=SYSTEM, session=s, consultation_id=chat.consultation_id
            )
        ]
    assert kinds == ["customer", "bot"]


def test_the_cli_trains_on_the_database_by_default(
    container: Container,
    kb_slice: list[EntrySpec],
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # REQ: QC-5 — `consultdesk assistant train` fits on the knowledge base.
    publish_slice(container, kb_slice)
    from consultdesk.assistant import review

    with container.uow() as session:  # agents' labels calibrate the pair score
        for first, second, same in (
            ("信用卡可以分期吗", "信用卡能不能分期还", True),
            ("信用卡可以分期吗", "借记卡能透支吗", False),
        ):
            review.label_pair(
                session=session,
                now=container.clock.now(),
                first=first,
                second=second,
                same=same,
                actor="usr_agent",
            )
    s = container.settings
    monkeypatch.setenv("CONSULTDESK_DATABASE_URL", s.database_url)
    if s.database_schema:
        monkeypatch.setenv("CONSULTDESK_DATABASE_SCHEMA", s.database_schema)
    monkeypatch.setenv("CONSULTDESK_SECRET_KEY", s.secret_key)
    monkeypatch.setenv("CONSULTDESK_DATA_DIR", str(s.data_dir))
    monkeypatch.setenv("CONSULTDESK_ENVIRONMENT", "test")
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(
        app, ["assistant", "train", "--cache-dir", str(cache_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["entries"] == len(kb_slice) and report["classifier"] is True
    assert report["labelled_pairs"] == 2 and "pair_threshold" in report


def test_the_customer_sees_the_bot_reply_on_the_chat_socket(
    bot_client: TestClient, container: Container
) -> None:
    # REQ: ACC-2 — the bot answers at once on the customer's own chat.
    chat = open_chat(bot_client)
    with bot_client.websocket_connect(f"/ws/chat/{chat.consultation_id}?token={chat.token}") as ws:
        ws.send_json({"type": "message", "client_msg_id": "c1", "text": "你好"})
        while True:
            event = ws.receive_json()
            if event["type"] == "message" and event["message"]["author_kind"] == "bot":
                break
    assert "智能助手" in event["message"]["text"]


def test_an_assistant_never_refreshed_loads_on_first_use(
    container: Container, kb_slice: list[EntrySpec], encoder: SentenceEncoder, cache_dir: Path
) -> None:
    # Without the app's lifespan (no watcher) the first question starts the load.
    publish_slice(container, kb_slice)
    assistant = Assistant(
        uow=container.uow, clock=container.clock, cache_dir=cache_dir, encoder=encoder
    )
    assistant.ensure_loaded()
    assistant.wait_idle(60)
    assert assistant.knowledge.ready


def test_suggestions_say_loading_until_the_first_build_is_done(
    container: Container,
    kb_slice: list[EntrySpec],
    slice_matcher: Matcher,
    auth_headers: Any,
) -> None:
    # QC-5: right after start-up the knowledge base is still building. Agents' suggestions
    # answer 503 `assistant_loading` (the console says "loading" and asks again), not
    # an empty list that would read as "nothing matches".
    publish_slice(container, kb_slice)
    release = threading.Event()

    def slow_build(items: Sequence[KnowledgeItem]) -> Matcher:
        release.wait(20)
        return slice_matcher

    assistant = Assistant(uow=container.uow, clock=container.clock, builder=slow_build)
    bot.install_assistant(container, assistant)
    container.tuning.assistant_refresh_s = 0
    headers = auth_headers("agent", branch="BJ01")
    params = {"text": "转账额度怎么调高"}
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            r = client.get("/api/v1/assistant/suggest", params=params, headers=headers)
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "assistant_loading"
            assert "正在加载" in r.json()["error"]["message"]
            status = client.get("/api/v1/assistant/status", headers=headers).json()
            assert (status["loading"], status["ready"]) == (True, False)

            release.set()
            assistant.wait_idle(20)
            r = client.get("/api/v1/assistant/suggest", params=params, headers=headers)
            assert r.status_code == 200 and r.json()[0]["entry_id"] == "EB-005"
            status = client.get("/api/v1/assistant/status", headers=headers).json()
            assert (status["loading"], status["ready"]) == (False, True)
    finally:
        release.set()


def test_an_empty_knowledge_base_is_loaded_not_loading(container: Container) -> None:
    assistant = Assistant(uow=container.uow, clock=container.clock)
    assert assistant.loading
    assistant.refresh(wait=True)
    assert not assistant.loading and not assistant.knowledge.ready


def test_the_watcher_picks_up_a_publish_and_stops_on_detach(
    container: Container, kb_slice: list[EntrySpec], slice_matcher: Matcher
) -> None:
    # After a publish the running app rebuilds on its own (every refresh_seconds).
    assistant = Assistant(
        uow=container.uow, clock=container.clock, builder=lambda items: slice_matcher
    )
    bot.install_assistant(container, assistant)
    hook = bot.attach_bot(container, refresh_seconds=0.05)
    try:
        publish_slice(container, kb_slice)
        deadline = time.monotonic() + 10
        while not assistant.knowledge.ready and time.monotonic() < deadline:
            time.sleep(0.05)
        assert assistant.knowledge.ready
    finally:
        bot.detach_bot(container)
    assert hook.watcher is not None and not hook.watcher.is_alive()
    assert container.attached.bot_hook is None
