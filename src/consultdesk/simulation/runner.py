"""``consultdesk demo simulate``: customers keep arriving at a set rate.

Each arrival draws a scenario (bot question, hand-over, complaint; see ``scenarios``)
and a branch, sometimes a returning customer, and goes through the real paths: the bot
answers or hands over on chat, app and bot channels (the knowledge base, the reply
gate, routing); a phone call or a complaint goes to the agents' queue, where routing
offers it and the SLA clocks run. Arrivals are spaced by an exponential draw around the
rate (a Poisson stream), so the desk looks like a desk, not a metronome."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.messages import AuthorKind
from consultdesk.customers.tables import CustomerRow
from consultdesk.routing import service as routing
from consultdesk.simulation.live import LIVE_ACTOR
from consultdesk.simulation.scenarios import SCENARIOS, WEIGHTS, Scenario

BRANCHES = (("BJ01", 3), ("SH01", 2))
BOT_CHANNELS = ("bot", "app", "chat")


@dataclass
class Arrival:
    consultation_id: str
    kind: str
    channel: str
    branch: str
    outcome: str  # "answered", "handed_over", "queued"


@dataclass
class SimulationReport:
    arrivals: list[Arrival] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(a.outcome for a in self.arrivals))


def _pick_branch(rng: random.Random) -> str:
    total = sum(w for _, w in BRANCHES)
    x = rng.random() * total
    for code, w in BRANCHES:
        x -= w
        if x <= 0:
            return code
    return BRANCHES[-1][0]


def _pick_scenario(rng: random.Random) -> Scenario:
    weights = [WEIGHTS[s.kind] for s in SCENARIOS]
    return rng.choices(SCENARIOS, weights=weights, k=1)[0]


def arrive(
    container: Container, scenario: Scenario, *, branch: str, customer: str | None
) -> Arrival:
    """One customer arrives with ``scenario`` at ``branch``."""
    now = container.clock.now()
    with container.uow() as session:
        c = consultations.open_consultation(
            session=session,
            now=now,
            channel=scenario.channel,
            type=scenario.type,
            priority="high" if scenario.kind == "complaint" else "normal",
            branch=branch,
            actor=LIVE_ACTOR,
            customer_id=customer,
            subject=scenario.subject,
        )
        consultations.classify(
            session=session,
            now=now,
            consultation_id=c.id,
            actor=LIVE_ACTOR,
            business_line=scenario.business_line,
        )
    if scenario.channel in BOT_CHANNELS and scenario.kind != "complaint":
        from consultdesk.assistant import bot

        asked = bot.ask(container=container, consultation_id=c.id, text=scenario.message)
        outcome = "handed_over" if asked.handed_over else "answered"
        return Arrival(c.id, scenario.kind, scenario.channel, branch, outcome)
    with container.uow() as session:
        if scenario.message and scenario.channel != "phone":
            consultations.post_message(
                session=session,
                now=container.clock.now(),
                consultation_id=c.id,
                author_kind=AuthorKind.CUSTOMER,
                text=scenario.message,
            )
        routing.enqueue(session=session, now=container.clock.now(), consultation_id=c.id)
    return Arrival(c.id, scenario.kind, scenario.channel, branch, "queued")


def simulate(
    container: Container,
    *,
    per_minute: float,
    count: int | None = None,
    seconds: float | None = None,
    seed: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_arrival: Callable[[Arrival], None] | None = None,
) -> SimulationReport:
    """Customers arrive at ``per_minute`` on average until ``count`` arrived or
    ``seconds`` passed (whichever first; neither: until interrupted)."""
    from consultdesk.assistant import bot

    bot.assistant_for(container).refresh(wait=True)  # the bot answers from the first arrival
    rng = random.Random(seed)
    report = SimulationReport()
    with container.uow() as session:
        regulars = [
            (r.id, r.branch) for r in session.execute(select(CustomerRow.id, CustomerRow.branch))
        ]
    started = time.monotonic()
    while count is None or len(report.arrivals) < count:
        if seconds is not None and time.monotonic() - started >= seconds:
            break
        scenario = _pick_scenario(rng)
        branch = _pick_branch(rng)
        mine = [cid for cid, b in regulars if b == branch]
        customer = rng.choice(mine) if mine and rng.random() < 0.3 else None
        arrival = arrive(container, scenario, branch=branch, customer=customer)
        report.arrivals.append(arrival)
        if on_arrival is not None:
            on_arrival(arrival)
        if count is not None and len(report.arrivals) >= count:
            break
        sleep(rng.expovariate(per_minute / 60.0))
    return report
