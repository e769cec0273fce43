"""A phone call as the CTI reports it, pure: ring → talking ⇄ held → ended, with the
figures the procedure asks for (ACC-2 speed of answer, STD-4 talk time)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from consultdesk.shared.errors import IllegalTransition


class CtiKind(StrEnum):
    RING = "ring"
    ANSWER = "answer"
    HOLD = "hold"
    UNHOLD = "unhold"
    TRANSFER = "transfer"
    HANGUP = "hangup"


class CallState(StrEnum):
    RINGING = "ringing"
    TALKING = "talking"
    HELD = "held"
    ENDED = "ended"


C = CallState
# event -> (allowed from, to)
CALL_TRANSITIONS: dict[CtiKind, tuple[frozenset[CallState], CallState]] = {
    CtiKind.ANSWER: (frozenset({C.RINGING}), C.TALKING),
    CtiKind.HOLD: (frozenset({C.TALKING}), C.HELD),
    CtiKind.UNHOLD: (frozenset({C.HELD}), C.TALKING),
    CtiKind.TRANSFER: (frozenset({C.TALKING, C.HELD}), C.TALKING),
    CtiKind.HANGUP: (frozenset({C.RINGING, C.TALKING, C.HELD}), C.ENDED),
}

CALL_STATE_ZH = {C.RINGING: "振铃", C.TALKING: "通话中", C.HELD: "保持", C.ENDED: "已挂断"}


class IllegalCallEvent(IllegalTransition):
    def __init__(self, kind: CtiKind, state: CallState) -> None:
        super().__init__(
            f"通话处于“{CALL_STATE_ZH[state]}”状态，不能处理“{kind.value}”事件", field="kind"
        )


@dataclass(frozen=True)
class Call:
    call_id: str
    state: CallState
    rung_at: datetime
    agent_id: str | None = None
    answered_at: datetime | None = None
    hold_started_at: datetime | None = None
    held_s: float = 0.0
    ended_at: datetime | None = None
    transfers: int = 0

    @property
    def speed_of_answer_s(self) -> float | None:
        """ACC-2: ring to answer."""
        if self.answered_at is None:
            return None
        return (self.answered_at - self.rung_at).total_seconds()

    @property
    def talk_s(self) -> float | None:
        """STD-4: answer to hang-up, less the time on hold."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.answered_at).total_seconds() - self.held_s)

    @property
    def abandoned(self) -> bool:
        return self.state == C.ENDED and self.answered_at is None

    def apply(self, kind: CtiKind, *, at: datetime, agent_id: str | None = None) -> Call:
        """The call after event ``kind`` at ``at``, or ``IllegalCallEvent``. Events stamped
        before an earlier one are taken at the earlier time, so durations never go
        negative."""
        if kind == CtiKind.RING:
            raise IllegalCallEvent(kind, self.state)
        allowed, target = CALL_TRANSITIONS[kind]
        if self.state not in allowed:
            raise IllegalCallEvent(kind, self.state)
        at = max(at, self.answered_at or self.rung_at, self.hold_started_at or self.rung_at)
        changes: dict[str, object] = {"state": target}
        if kind == CtiKind.ANSWER:
            changes["answered_at"] = at
            changes["agent_id"] = agent_id
        if kind == CtiKind.HOLD:
            changes["hold_started_at"] = at
        if self.state == C.HELD and kind in (CtiKind.UNHOLD, CtiKind.TRANSFER, CtiKind.HANGUP):
            assert self.hold_started_at is not None
            changes["held_s"] = self.held_s + (at - self.hold_started_at).total_seconds()
            changes["hold_started_at"] = None
        if kind == CtiKind.TRANSFER:
            changes["agent_id"] = agent_id
            changes["transfers"] = self.transfers + 1
        if kind == CtiKind.HANGUP:
            changes["ended_at"] = at
        return replace(self, **changes)  # type: ignore[arg-type]
