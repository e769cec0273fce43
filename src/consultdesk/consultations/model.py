"""The consultation aggregate and its lifecycle (ACC-1, ACC-4, ACP-1, ACP-4, CLS-*).

The lifecycle is data: ``TRANSITIONS`` says which moves are allowed from which state.
An illegal move raises ``IllegalMove`` naming both states. Every move yields an event
with actor and time, which the service stores.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import NewType

from consultdesk.shared.errors import IllegalTransition, ValidationFailed

ConsultationId = NewType("ConsultationId", str)


class Channel(StrEnum):
    PHONE = "phone"
    CHAT = "chat"
    BOT = "bot"
    COUNTER = "counter"
    APP = "app"


class ConsultationType(StrEnum):
    ACCOUNT_QUERY = "account_query"
    PRODUCT_INFO = "product_info"
    BUSINESS_HANDLING = "business_handling"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Complexity(StrEnum):
    """ACP-4: simple answered at once; complex analysed, transferred or booked."""

    SIMPLE = "simple"
    MEDIUM = "medium"
    COMPLEX = "complex"


class Status(StrEnum):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Move(StrEnum):
    ACCEPT = "accept"
    WAIT_FOR_CUSTOMER = "wait_for_customer"
    CUSTOMER_REPLIED = "customer_replied"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


S = Status
# move -> (allowed from, to)
TRANSITIONS: dict[Move, tuple[frozenset[Status], Status]] = {
    Move.ACCEPT: (frozenset({S.QUEUED, S.TRANSFERRED, S.ESCALATED}), S.IN_PROGRESS),
    Move.WAIT_FOR_CUSTOMER: (frozenset({S.IN_PROGRESS}), S.WAITING_CUSTOMER),
    Move.CUSTOMER_REPLIED: (frozenset({S.WAITING_CUSTOMER}), S.IN_PROGRESS),
    Move.TRANSFER: (frozenset({S.QUEUED, S.IN_PROGRESS, S.WAITING_CUSTOMER}), S.TRANSFERRED),
    Move.ESCALATE: (
        frozenset({S.QUEUED, S.IN_PROGRESS, S.WAITING_CUSTOMER, S.TRANSFERRED}),
        S.ESCALATED,
    ),
    Move.RESOLVE: (frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER, S.ESCALATED}), S.RESOLVED),
    Move.CLOSE: (frozenset({S.RESOLVED, S.QUEUED, S.WAITING_CUSTOMER}), S.CLOSED),
    Move.REOPEN: (frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS),
}

OPEN_STATES = frozenset({S.QUEUED, S.IN_PROGRESS, S.WAITING_CUSTOMER, S.TRANSFERRED, S.ESCALATED})

STATUS_ZH = {
    S.QUEUED: "排队中",
    S.IN_PROGRESS: "处理中",
    S.WAITING_CUSTOMER: "等待客户",
    S.TRANSFERRED: "已转接",
    S.ESCALATED: "已升级",
    S.RESOLVED: "已解决",
    S.CLOSED: "已关闭",
}


class IllegalMove(IllegalTransition):
    def __init__(self, move: Move, current: Status) -> None:
        super().__init__(
            f"当前状态为“{STATUS_ZH[current]}”，不能执行“{move.value}”", field="status"
        )
        self.move = move
        self.current = current


@dataclass(frozen=True)
class LifecycleEvent:
    consultation_id: ConsultationId
    move: Move
    from_status: Status
    to_status: Status
    actor: str
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Consultation:
    id: ConsultationId
    channel: Channel
    type: ConsultationType
    priority: Priority
    status: Status
    branch: str
    policy_version: str
    opened_at: datetime
    customer_id: str | None = None
    agent_id: str | None = None
    complexity: Complexity | None = None
    business_line: str | None = None
    subject: str | None = None
    summary: str | None = None
    summary_confirmed_at: datetime | None = None
    outcome: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def apply(
        self, move: Move, *, actor: str, now: datetime, reason: str | None = None
    ) -> tuple[Consultation, LifecycleEvent]:
        """The consultation after ``move``, and the event to record; or ``IllegalMove``."""
        allowed, target = TRANSITIONS[move]
        if self.status not in allowed:
            raise IllegalMove(move, self.status)
        changes: dict[str, object] = {"status": target}
        if target == S.RESOLVED:
            changes["resolved_at"] = now
        if target == S.CLOSED:
            changes["closed_at"] = now
        if move == Move.REOPEN:
            changes["resolved_at"] = None
            changes["closed_at"] = None
        event = LifecycleEvent(self.id, move, self.status, target, actor, now, reason)
        return replace(self, **changes), event  # type: ignore[arg-type]


MAX_SUMMARY = 2000


def check_summary(text: str) -> str:
    """ACP-1: the agent restates the problem; the customer confirms that restatement."""
    summary = text.strip()
    if not summary:
        raise ValidationFailed("请填写对客户问题的复述", field="summary")
    if len(summary) > MAX_SUMMARY:
        raise ValidationFailed(f"复述不得超过 {MAX_SUMMARY} 个字符", field="summary")
    return summary
