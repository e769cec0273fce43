"""Reply compliance check: latency (p50/p99 against the 2 ms target, beside a naive
substring baseline measured in the same run) and recall / false alarms per code on the
labelled corpus in tests/compliance/corpus.py; then false alarms on the demo knowledge
base's answers (all written to be compliant; read from consultdesk.knowledge.demo, with
the topic the reply gate gives their business line), per code, each finding listed.

Run: .venv/bin/python bench/bench_compliance.py [--rounds N] [--kb-only]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.compliance.corpus import full_corpus

from consultdesk.compliance.model import VIOLATION_CODES, Action, ReplyContext
from consultdesk.compliance.rulepack import check_reply, default_rule_pack
from consultdesk.consultations.reply_gate import TOPIC_OF_LINE
from consultdesk.knowledge.demo import load_demo_entries

TARGET_MS = 2.0
NAIVE_TERMS = ("保本", "保收益", "稳赚", "无风险", "零风险", "密码", "验证码", "余额")


def naive_check(text: str) -> list[str]:
    """Baseline: plain substring search, no normalisation, no negation."""
    return [term for term in NAIVE_TERMS if term in text]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--kb-only", action="store_true", help="only the knowledge-base scan")
    args = parser.parse_args()
    if args.kb_only:
        knowledge_base_false_alarms()
        return
    corpus = full_corpus()
    cases = [(text, ReplyContext.from_mapping(ctx), expected) for text, ctx, expected in corpus]
    default_rule_pack()  # load once, outside the timing

    engine_ms: list[float] = []
    naive_ms: list[float] = []
    for _ in range(args.rounds):
        for text, ctx, _expected in cases:
            t0 = time.perf_counter()
            check_reply(text=text, context=ctx)
            engine_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            naive_check(text)
            naive_ms.append((time.perf_counter() - t0) * 1000)

    print(f"corpus: {len(cases)} replies x {args.rounds} rounds = {len(engine_ms)} checks")
    print(f"{'':14}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, values in (("engine", engine_ms), ("naive", naive_ms)):
        print(
            f"{name:14}{statistics.median(values):10.4f}{percentile(values, 99):10.4f}"
            f"{max(values):10.4f}"
        )
    p99 = percentile(engine_ms, 99)
    print(f"target p99 <= {TARGET_MS} ms: {'PASS' if p99 <= TARGET_MS else 'FAIL'} ({p99:.4f} ms)")
    # On a shared machine the raw p99 carries other processes' noise; the best of five
    # runs per reply shows the engine's own cost.
    best = []
    for text, ctx, _expected in cases:
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            check_reply(text=text, context=ctx)
            runs.append((time.perf_counter() - t0) * 1000)
        best.append(min(runs))
    print(f"per-reply best of 5: p99 {percentile(best, 99):.4f} ms, max {max(best):.4f} ms")
    # CPU time of the whole batch per round (thread_time ticks too coarsely per call).
    cpu_ms = []
    for _ in range(args.rounds):
        c0 = time.thread_time()
        for text, ctx, _expected in cases:
            check_reply(text=text, context=ctx)
        cpu_ms.append((time.thread_time() - c0) * 1000 / len(cases))
    per_call_cpu = []
    for text, ctx, _expected in cases:
        c0 = time.thread_time_ns()
        for _ in range(20):
            check_reply(text=text, context=ctx)
        per_call_cpu.append((time.thread_time_ns() - c0) / 20 / 1e6)
    cpu_p99 = percentile(per_call_cpu, 99)
    print(
        f"CPU time per check (excludes waiting for a core): mean {statistics.mean(cpu_ms):.4f}"
        f" ms; per reply (20 runs each) p50 {statistics.median(per_call_cpu):.4f} ms,"
        f" p99 {cpu_p99:.4f} ms vs target {TARGET_MS} ms:"
        f" {'PASS' if cpu_p99 <= TARGET_MS else 'FAIL'}"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    results = [(expected, check_reply(text=t, context=c).codes) for t, c, expected in cases]
    print(f"\n{'code':26}{'pos':>5}{'recall':>9}{'false alarm':>13}")
    for code in VIOLATION_CODES:
        pos = [got for expected, got in results if code in expected]
        neg = [got for expected, got in results if code not in expected]
        recall = sum(code in g for g in pos) / len(pos) if pos else float("nan")
        false_alarm = sum(code in g for g in neg) / len(neg)
        print(f"{code:26}{len(pos):5}{recall:9.1%}{false_alarm:13.1%}")
    compliant = [got for expected, got in results if not expected]
    flagged = sum(bool(g) for g in compliant)
    print(
        f"compliant replies flagged: {flagged}/{len(compliant)} "
        f"({flagged / len(compliant):.1%}, target <= 5%)"
    )
    naive_fa = sum(bool(naive_check(t)) for t, _, e in cases if not e)
    print(f"naive baseline flags {naive_fa}/{len(compliant)} compliant replies")
    print()
    knowledge_base_false_alarms()


def knowledge_base_false_alarms() -> None:
    """Every finding on the demo knowledge base's answers (all meant to be compliant)."""
    entries = load_demo_entries()
    per_code: dict[str, int] = dict.fromkeys(VIOLATION_CODES, 0)
    blocking = 0
    flagged = 0
    lines = []
    for entry in entries:
        answer = entry.content.answer
        topic = TOPIC_OF_LINE[entry.business_line.value]
        result = check_reply(text=answer, context=ReplyContext(topic=topic))
        flagged += bool(result.violations)
        for code in result.codes:
            per_code[code] += 1
        for v in result.violations:
            blocking += v.action is Action.BLOCK
            around = answer[max(0, v.span[0] - 12) : v.span[1] + 12].replace("\n", " ")
            lines.append(f"  {entry.entry_id:8}{v.code:26}{v.action.value:6}{v.rule:8}…{around}…")
    n = len(entries)
    print(f"demo knowledge base: {n} answers, {flagged} with any finding ({flagged / n:.1%}),")
    print(f"  {blocking} blocking findings (target 0)")
    print(f"{'code':26}{'answers':>8}{'rate':>8}")
    for code, count in per_code.items():
        print(f"{code:26}{count:8}{count / n:8.1%}")
    print("findings:")
    print("\n".join(lines) if lines else "  none")


if __name__ == "__main__":
    main()
