"""A rebuild after a publish behind a live snapshot: a large knowledge base is built
in a child process into the cache and only loaded by the live process, so answers
never wait for the encoder or the interpreter lock (bench/bench_kb_scale.py
measures the latencies)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from consultdesk.assistant import matcher as matcher_module
from consultdesk.assistant import service
from consultdesk.assistant.entries import demo_knowledge_items
from consultdesk.assistant.matcher import KnowledgeItem
from consultdesk.assistant.service import Assistant, Loaded


def _loaded(items: list[KnowledgeItem], fingerprint: str) -> Loaded:
    return Loaded(items=tuple(items), entries={}, fingerprint=fingerprint)


def test_a_large_rebuild_behind_a_live_snapshot_is_built_in_a_child_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # REQ: QC-5 — the knowledge base is revised (published) while the bot keeps answering.
    items = demo_knowledge_items()
    assistant = Assistant(uow=None, clock=None, cache_dir=tmp_path)  # type: ignore[arg-type]
    assistant.rebuild(_loaded(items, "v1"), wait=True)  # nothing live yet: built here
    old = assistant.knowledge
    assert old.matcher is not None and old.matcher.match("银行卡丢了怎么办").top == "card-lost"

    # From now on this process must not embed or fit anything: only load the cache.
    def no_fitting_here(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the live process fitted the matcher itself")

    monkeypatch.setattr(matcher_module, "_fitted_parts", no_fitting_here)
    monkeypatch.setattr(service, "CHILD_BUILD_MIN_QUESTIONS", 1)
    added = KnowledgeItem(entry_id="pension-wealth", questions=("养老理财产品怎么购买",))
    answers_meanwhile: list[str | None] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set() and assistant.knowledge is old:
            assert old.matcher is not None
            answers_meanwhile.append(old.matcher.match("信用卡怎么提额").top)
            time.sleep(0.01)  # leave the cores to the child

    thread = threading.Thread(target=reader)
    thread.start()
    assert assistant.rebuild(_loaded([*items, added], "v2")) is True
    assistant.wait_idle(120)
    stop.set()
    thread.join()
    new = assistant.knowledge
    assert new is not old and new.fingerprint == "v2" and new.matcher is not None
    assert new.matcher.match("养老理财产品怎么买").top == "pension-wealth"
    assert answers_meanwhile and set(answers_meanwhile) == {"credit-limit-raise"}


def test_small_or_first_builds_and_custom_encoders_stay_in_process(tmp_path: Path) -> None:
    items = demo_knowledge_items()
    questions = sum(len(item.questions) for item in items)
    assert questions < service.CHILD_BUILD_MIN_QUESTIONS
    assistant = Assistant(uow=None, clock=None, cache_dir=tmp_path)  # type: ignore[arg-type]
    big = [KnowledgeItem(entry_id=f"e{i}", questions=("问",) * 10) for i in range(300)]
    assert not assistant._build_in_child(big)  # nothing live yet: nobody to stall
    assistant.rebuild(_loaded(items, "v1"), wait=True)
    assert assistant._build_in_child(big)
    assert not assistant._build_in_child(items)  # small: builds here in about a second
    no_cache = Assistant(uow=None, clock=None)  # type: ignore[arg-type]
    no_cache.install(assistant.knowledge)
    assert not no_cache._build_in_child(big)  # the child hands over through the cache
