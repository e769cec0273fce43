"""The lifecycle is a table; illegal moves are refused (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consultdesk.consultations.model import (
    TRANSITIONS,
    Channel,
    Consultation,
    ConsultationId,
    ConsultationType,
    IllegalMove,
    Move,
    Priority,
    Status,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def consultation(status: Status) -> Consultation:
    return Consultation(
        id=ConsultationId("con_1"),
        channel=Channel.CHAT,
        type=ConsultationType.OTHER,
        priority=Priority.NORMAL,
        status=status,
        branch="BJ01",
        policy_version="HO-1",
        opened_at=NOW,
    )


@pytest.mark.parametrize("move", list(Move))
@pytest.mark.parametrize("status", list(Status))
def test_every_move_from_every_state_is_allowed_exactly_per_the_table(
    move: Move, status: Status
) -> None:
    allowed, target = TRANSITIONS[move]
    if status in allowed:
        after, event = consultation(status).apply(move, actor="usr_1", now=NOW)
        assert after.status == target
        assert (event.from_status, event.to_status, event.actor, event.at) == (
            status,
            target,
            "usr_1",
            NOW,
        )
    else:
        with pytest.raises(IllegalMove) as err:
            consultation(status).apply(move, actor="usr_1", now=NOW)
        assert err.value.status == 409


def test_resolving_stamps_the_time_and_reopening_clears_it() -> None:
    resolved, _ = consultation(Status.IN_PROGRESS).apply(Move.RESOLVE, actor="a", now=NOW)
    assert resolved.resolved_at == NOW
    reopened, _ = resolved.apply(Move.REOPEN, actor="a", now=NOW)
    assert reopened.resolved_at is None
    assert reopened.status == Status.IN_PROGRESS


def test_a_closed_consultation_cannot_be_resolved_again() -> None:
    with pytest.raises(IllegalMove, match="已关闭"):
        consultation(Status.CLOSED).apply(Move.RESOLVE, actor="a", now=NOW)
