"""Figures for the bot on the live demo knowledge base (prints numbers; no pass/fail).

    .venv/bin/python bench/bench_bot.py [--asks 200]

1. Build of the assistant from the published demo knowledge base (207 entries): cold
   (empty cache) and warm (cache hit, as after a restart).
2. `bot.ask` end to end on visitor chats (dialogue, matcher under the policy thresholds,
   reply gate, transcript writes, handover, review queue) on SQLite: p50/p99.
3. Routing of the labelled utterances (tests/assistant/bot/utterances.py) and what the
   bot does with the FAQ ones under the branch policy (answer / offer / handover).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asks", type=int, default=200)
    args = parser.parse_args()

    from tests.assistant.bot import utterances as u

    from consultdesk.assistant import bot
    from consultdesk.assistant.dialogue import guard
    from consultdesk.assistant.service import Assistant
    from consultdesk.bootstrap import bootstrap
    from consultdesk.consultations import visitors
    from consultdesk.demo import seed_demo
    from consultdesk.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        secret_key="bench-secret-key-that-is-long-enough-0123456789",
        environment="test",
        data_dir=folder,
    )
    container = bootstrap(settings)
    seed_demo(container)

    started = time.perf_counter()
    assistant = Assistant(uow=container.uow, clock=container.clock, cache_dir=folder / "cache")
    assistant.refresh(wait=True)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    warm_assistant = Assistant(uow=container.uow, clock=container.clock, cache_dir=folder / "cache")
    warm_assistant.refresh(wait=True)
    warm = time.perf_counter() - started
    bot.install_assistant(container, warm_assistant)
    print(f"entries: {len(warm_assistant.knowledge.entries)}")
    print(f"build cold: {cold:.1f} s; warm (cache hit): {warm:.2f} s")

    questions = [*u.FAQ, *u.SENSITIVE, *u.SECOND_CHECK, *u.GREET, *u.CREDENTIALS]
    latencies = []
    actions: Counter[str] = Counter()
    faq_actions: Counter[str] = Counter()
    for i in range(args.asks):
        text = questions[i % len(questions)]
        with container.uow() as session:
            chat = visitors.open_visitor_chat(
                session=session,
                now=container.clock.now(),
                index_key=container.index_key,
                branch="BJ01",
            )
        started = time.perf_counter()
        asked = bot.ask(container=container, consultation_id=chat.consultation.id, text=text)
        latencies.append(time.perf_counter() - started)
        actions[asked.turn.action.value] += 1
        if i < len(u.FAQ):
            faq_actions[asked.turn.action.value] += 1
    ms = np.asarray(latencies) * 1000
    print(
        f"bot.ask end to end ({len(ms)} asks, SQLite): p50 {np.percentile(ms, 50):.1f} ms, "
        f"p99 {np.percentile(ms, 99):.1f} ms"
    )
    print(f"actions over all asks: {dict(actions)}")
    print(f"FAQ utterances under the policy thresholds: {dict(faq_actions)}")

    labelled = [
        *[(t, "clarify") for t in u.CLARIFY],
        *[(t, "refuse_credentials") for t in u.CREDENTIALS],
        *[(t, "refuse_authority") for t in u.AUTHORITY],
        *[(t, "second_check") for t in u.SECOND_CHECK],
        *[(t, "verify_first") for t in u.SENSITIVE],
        *[(t, "faq") for t in u.FAQ],
    ]
    started = time.perf_counter()
    right = sum(guard(t).route.value == r for t, r in labelled)
    per = (time.perf_counter() - started) / len(labelled) * 1e6
    print(f"guard on the labelled set: {right}/{len(labelled)}, {per:.0f} µs per message")
    container.close()


if __name__ == "__main__":
    main()
