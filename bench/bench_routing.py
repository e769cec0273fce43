"""Routing decision time with 200 agents (prints figures; no pass/fail).

    .venv/bin/python bench/bench_routing.py [--agents 200] [--decisions 20000] [--dispatches 400]
        [--database-url URL]

1. The pure decision (``choose_agent``: presence, capacity, skill, certificate,
   seniority, longest idle) over 200 agents with mixed presence, load, skills and
   certificates; p50/p99 per decision, beside a same-run baseline that filters into a
   list and sorts it (the obvious implementation).
2. The whole routing step on the database: enqueue one consultation (SLA clocks start)
   and offer it — agent rows read and locked, queue row written, offer stored — then
   release it so capacity stays constant; p50/p99 per step.
Target (issue 4): routing decision p99 <= 5 ms with 200 agents.
"""

from __future__ import annotations

import argparse
import random
import resource
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from consultdesk.bootstrap import bootstrap
from consultdesk.consultations import service as consultations
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.routing import service as routing
from consultdesk.routing.model import (
    AgentState,
    Presence,
    WorkItem,
    choose_agent,
    first_qualified,
    has_room,
    qualified,
)
from consultdesk.routing.tables import RoutingQueueRow
from consultdesk.settings import Settings
from consultdesk.shared.clock import FakeClock
from consultdesk.shared.ids import BranchCode, UserId
from consultdesk.sla.model import percentile
from consultdesk.staff.model import Role, StaffMember

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
LINES = ["deposits", "loans", "cards", "wealth", "insurance", "forex", "ebanking", "accounts"]
TARGET_P99_MS = 5.0
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def random_agents(rng: random.Random, n: int) -> list[AgentState]:
    agents = []
    for i in range(n):
        skills = frozenset(rng.sample(LINES, 5))  # STD-1: at least five business lines
        certs = frozenset(x for x in ("wealth", "insurance") if x in skills and rng.random() < 0.5)
        agents.append(
            AgentState(
                agent_id=f"usr_{i:04d}",
                role=rng.choice(["agent"] * 6 + ["senior_agent", "supervisor"]),
                presence=rng.choice([Presence.AVAILABLE] * 6 + [Presence.BUSY, Presence.AWAY]),
                idle_since=T0 + timedelta(seconds=rng.randint(0, 3600)),
                chats=rng.randint(0, 3),
                on_call=rng.random() < 0.1,
                skills=skills,
                certificates=certs,
            )
        )
    return agents


def random_item(rng: random.Random, i: int) -> WorkItem:
    return WorkItem(
        consultation_id=f"con_{i}",
        channel=rng.choice(["chat", "chat", "app", "phone"]),
        priority_rank=rng.randint(0, 3),
        enqueued_at=T0,
        business_line=rng.choice([*LINES, None]),
        needs_senior=rng.random() < 0.1,
    )


def baseline_choose(item: WorkItem, agents: list[AgentState], max_chats: int) -> AgentState | None:
    candidates = [
        a
        for a in agents
        if a.presence == Presence.AVAILABLE
        and has_room(a, channel=item.channel, max_chats=max_chats)
        and qualified(a, item)
    ]
    candidates.sort(key=lambda a: (a.idle_since, a.agent_id))
    return candidates[0] if candidates else None


def pure(agents_n: int, decisions: int) -> None:
    rng = random.Random(7)
    agents = random_agents(rng, agents_n)
    items = [random_item(rng, i) for i in range(decisions)]
    by_idle = sorted(agents, key=lambda a: (a.idle_since, a.agent_id))
    ours, base = [], []
    routed = 0
    for item in items:
        t0 = time.perf_counter()
        chosen = choose_agent(item, agents, max_chats=3)
        ours.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        expected = baseline_choose(item, agents, 3)
        base.append((time.perf_counter() - t0) * 1000)
        assert chosen == expected
        assert chosen == first_qualified(item, by_idle, max_chats=3)
        routed += chosen is not None
    print(f"1. pure decision, {agents_n} agents, {decisions} decisions ({routed} routed)")
    print(f"   {'':<36}{'p50 ms':>10}{'p99 ms':>10}{'target':>10}")
    for label, values, target in (
        ("choose_agent (ours)", ours, "<= 5"),
        ("filter + sort (baseline)", base, ""),
    ):
        p50, p99 = percentile(values, 50) or 0, percentile(values, 99) or 0
        print(f"   {label:<36}{p50:>10.4f}{p99:>10.4f}{target:>10}")


def on_database(agents_n: int, dispatches: int, url: str | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-routing-"))
    url = url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    schema = None
    admin = None
    if url.startswith("postgresql"):
        schema = f"bench_{secrets.token_hex(4)}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    settings = Settings(
        database_url=url,
        database_schema=schema,
        secret_key=SECRET,
        environment="test",
        data_dir=tmp,
    )
    clock = FakeClock()
    c = bootstrap(settings, clock=clock)
    rng = random.Random(11)
    try:
        upgrade(c.engine)
        with c.uow() as s:
            seed_session_only(s)
            for state in random_agents(rng, agents_n):
                member = StaffMember(
                    UserId(state.agent_id),
                    state.agent_id,
                    "坐席",
                    Role(state.role),
                    BranchCode("BJ01"),
                    True,
                )
                routing.register_agent(
                    session=s,
                    now=clock.now(),
                    member=member,
                    skills=sorted(state.skills),
                    certificates=sorted(state.certificates),
                )
                routing.set_presence(
                    session=s, now=state.idle_since, member=member, status=state.presence.value
                )
        step_ms: list[float] = []
        enqueue_ms: list[float] = []
        offered = 0
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        for i in range(dispatches):
            clock.advance(1)
            line = rng.choice(LINES) if rng.random() < 0.7 else None
            with c.uow() as s:
                con = consultations.open_consultation(
                    session=s,
                    now=clock.now(),
                    channel="chat",
                    branch="BJ01",
                    actor="bench",
                    priority=rng.choice(["low", "normal", "high", "urgent"]),
                )
                if line is not None:
                    consultations.classify(
                        session=s,
                        now=clock.now(),
                        consultation_id=con.id,
                        actor="bench",
                        business_line=line,
                    )
            with c.uow() as s:
                if i % 2 == 0:  # the whole step: queue row, SLA clocks, decision, offer
                    t0 = time.perf_counter()
                    entry = routing.enqueue(session=s, now=clock.now(), consultation_id=con.id)
                    enqueue_ms.append((time.perf_counter() - t0) * 1000)
                    offered += entry.state.value == "offered"
                else:  # the decision alone: lock agents, choose, write the offer
                    s.add(
                        RoutingQueueRow(
                            consultation_id=con.id,
                            branch="BJ01",
                            channel="chat",
                            priority_rank=1,
                            business_line=line,
                            needs_senior=False,
                            enqueued_at=clock.now(),
                            state="waiting",
                            passed_over=[],
                            policy_version="HO-0",
                        )
                    )
                    s.flush()
                    t0 = time.perf_counter()
                    offers = routing.dispatch(session=s, now=clock.now(), branch="BJ01")
                    step_ms.append((time.perf_counter() - t0) * 1000)
                    offered += len(offers)
            with c.uow() as s:
                routing.release(session=s, now=clock.now(), consultation_id=con.id)
        cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
        db = c.engine.dialect.name
        print(f"2. on {db}, {agents_n} agents, {dispatches} steps ({offered} offered)")
        print(f"   {'':<36}{'p50 ms':>10}{'p99 ms':>10}{'target':>10}")
        for label, values, target in (
            ("routing decision (dispatch)", step_ms, "<= 5"),
            ("enqueue incl. SLA clocks + decision", enqueue_ms, ""),
        ):
            p50, p99 = percentile(values, 50) or 0, percentile(values, 99) or 0
            print(f"   {label:<36}{p50:>10.3f}{p99:>10.3f}{target:>10}")
        print(
            f"   CPU over the loop: {cpu:.1f} s in {wall:.1f} s wall ({cpu / wall:.0%} of one core)"
        )
    finally:
        c.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--dispatches", type=int, default=400)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    pure(args.agents, args.decisions)
    on_database(args.agents, args.dispatches, args.database_url)


if __name__ == "__main__":
    main()
