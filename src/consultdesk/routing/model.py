"""Routing decisions, pure (PREP-5, STD-1, STD-5).

``choose_agent`` picks who gets a consultation: only agents who are available, have room
(a chat takes one of ``max_chats`` places, a call takes the whole agent), hold the skill
for the business line and — for the lines that need one — the certificate (STD-1), and
are senior when the consultation needs it. Among those the longest idle goes first.
``queue_order`` says which waiting consultation is served first: higher priority, then
the longest waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from consultdesk.shared.errors import ValidationFailed


class Presence(StrEnum):
    """PREP-5: an agent is available, busy, away or offline."""

    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"
    OFFLINE = "offline"


PRESENCE_ZH = {
    Presence.AVAILABLE: "空闲",
    Presence.BUSY: "忙碌",
    Presence.AWAY: "暂离",
    Presence.OFFLINE: "离线",
}


class QueueState(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    DONE = "done"


PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}

# STD-1: business lines an agent may only take with the certificate named here.
CERTIFIED_LINES: dict[str, str] = {
    "wealth": "wealth",  # 理财/基金销售从业资格
    "insurance": "insurance",  # 保险代理从业资格
    "precious_metals": "precious_metals",  # 贵金属交易资格
}

SENIOR_ROLES = frozenset({"senior_agent", "supervisor"})
VOICE_CHANNELS = frozenset({"phone"})


@dataclass(frozen=True)
class AgentState:
    agent_id: str
    role: str
    presence: Presence
    idle_since: datetime
    chats: int = 0
    on_call: bool = False
    skills: frozenset[str] = field(default_factory=frozenset)
    certificates: frozenset[str] = field(default_factory=frozenset)

    @property
    def senior(self) -> bool:
        return self.role in SENIOR_ROLES


@dataclass(frozen=True)
class WorkItem:
    consultation_id: str
    channel: str
    priority_rank: int
    enqueued_at: datetime
    business_line: str | None = None
    needs_senior: bool = False
    passed_over: frozenset[str] = field(default_factory=frozenset)


def has_room(agent: AgentState, *, channel: str, max_chats: int) -> bool:
    """STD-5: up to ``max_chats`` chats at once; a call needs an agent with nothing else."""
    if agent.on_call:
        return False
    if channel in VOICE_CHANNELS:
        return agent.chats == 0
    return agent.chats < max_chats


def qualified(agent: AgentState, item: WorkItem) -> bool:
    """STD-1: the skill for the business line, its certificate where one is required, and
    seniority for complex or escalated work."""
    if item.needs_senior and not agent.senior:
        return False
    line = item.business_line
    if line is None:
        return True
    if line not in agent.skills:
        return False
    certificate = CERTIFIED_LINES.get(line)
    return certificate is None or certificate in agent.certificates


def choose_agent(
    item: WorkItem, agents: Iterable[AgentState], *, max_chats: int
) -> AgentState | None:
    """The agent who should get ``item``, or None when nobody may take it now."""
    best: AgentState | None = None
    for agent in agents:
        if agent.presence != Presence.AVAILABLE or agent.agent_id in item.passed_over:
            continue
        if not has_room(agent, channel=item.channel, max_chats=max_chats):
            continue
        if not qualified(agent, item):
            continue
        if best is None or (agent.idle_since, agent.agent_id) < (best.idle_since, best.agent_id):
            best = agent
    return best


def first_qualified(
    item: WorkItem, agents_by_idle: Iterable[AgentState], *, max_chats: int
) -> AgentState | None:
    """``choose_agent`` for agents already in longest-idle order (``idle_since``, then id):
    the first one who may take ``item``. Lets the database do the ordering and the scan
    stop early."""
    for agent in agents_by_idle:
        if agent.presence != Presence.AVAILABLE or agent.agent_id in item.passed_over:
            continue
        if has_room(agent, channel=item.channel, max_chats=max_chats) and qualified(agent, item):
            return agent
    return None


def queue_order(items: Sequence[WorkItem]) -> list[WorkItem]:
    """Urgent before high before normal before low; within one priority, first come."""
    return sorted(items, key=lambda i: (-i.priority_rank, i.enqueued_at, i.consultation_id))


def check_presence(value: str) -> Presence:
    try:
        return Presence(value)
    except ValueError:
        allowed = ", ".join(p.value for p in Presence)
        raise ValidationFailed(f"状态取值无效：{value}；可选 {allowed}", field="status") from None


@dataclass(frozen=True)
class ChannelLoad:
    """One line of the supervisor's wall: a channel's waiting and offered work, and how
    long the longest-waiting consultation has waited (STD-6's 10-minute rule reads it)."""

    channel: str
    waiting: int
    offered: int
    longest_wait_s: int

    def as_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "waiting": self.waiting,
            "offered": self.offered,
            "longest_wait_s": self.longest_wait_s,
        }


def channel_loads(
    items: Iterable[tuple[str, str, datetime]], *, now: datetime
) -> list[ChannelLoad]:
    """``(channel, queue state, enqueued at)`` → per-channel load, busiest first."""
    waiting: dict[str, int] = {}
    offered: dict[str, int] = {}
    longest: dict[str, int] = {}
    for channel, state, enqueued_at in items:
        waiting.setdefault(channel, 0)
        offered.setdefault(channel, 0)
        if state == QueueState.OFFERED.value:
            offered[channel] += 1
        else:
            waiting[channel] += 1
        waited = max(0, int((now - enqueued_at).total_seconds()))
        longest[channel] = max(longest.get(channel, 0), waited)
    loads = [ChannelLoad(c, waiting[c], offered[c], longest[c]) for c in waiting]
    loads.sort(key=lambda x: (-x.longest_wait_s, x.channel))
    return loads
