"""The pure core: channel allocation, the deterministic draw order, the plan lifecycle."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from consultdesk.quality.model import (
    PLAN_MOVES,
    Action,
    Plan,
    PlanId,
    PlanStatus,
    PlanTrigger,
    allocate_by_channel,
    draw_order,
    like_pattern,
    parse_month,
    pick_sample,
)
from consultdesk.shared.errors import IllegalTransition, ValidationFailed


def test_allocation_is_proportional_by_largest_remainder() -> None:
    """REQ: QC-2 — 5 samples over 6 chat / 3 phone / 1 app: 3 / 1.5 / 0.5 -> 3, 1, 1."""
    assert allocate_by_channel({"chat": 6, "phone": 3, "app": 1}, 5) == {
        "chat": 3,
        "phone": 1,
        "app": 1,
    }


def test_allocation_gives_every_channel_one_when_the_sample_allows() -> None:
    """REQ: QC-2 — a channel with 1 of 100 still gets one of 3 samples."""
    got = allocate_by_channel({"chat": 90, "phone": 9, "counter": 1}, 3)
    assert got == {"chat": 1, "phone": 1, "counter": 1}


def test_allocation_never_exceeds_what_there_is() -> None:
    """REQ: QC-2"""
    assert allocate_by_channel({"chat": 2, "phone": 1}, 5) == {"chat": 2, "phone": 1}
    assert allocate_by_channel({"chat": 0}, 5) == {}
    two = allocate_by_channel({"a": 1, "b": 1, "c": 1}, 2)
    assert sum(two.values()) == 2 and all(v == 1 for v in two.values())


def test_draw_order_is_deterministic_for_a_seed_and_differs_between_seeds() -> None:
    """REQ: QC-2"""
    ids = [f"con_{i:03d}" for i in range(50)]
    assert draw_order(ids, seed="2026-11/a") == draw_order(list(reversed(ids)), seed="2026-11/a")
    assert draw_order(ids, seed="2026-11/a") != draw_order(ids, seed="2026-11/b")
    picked = pick_sample({"chat": ids[:40], "phone": ids[40:]}, 5, seed="s")
    assert [c for c, _ in picked].count("chat") == 4 and len(set(picked)) == 5


def _plan(status: PlanStatus, cause: str = "", actions: tuple[Action, ...] = ()) -> Plan:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return Plan(
        PlanId("qip_1"), "BJ01", "2026-11", PlanTrigger.MANUAL, "", None, None, None, cause,
        actions, date(2026, 12, 15), status, None, "HO-1", "u", now, now, None,
    )  # fmt: skip


def test_done_needs_a_cause_analysis_then_an_action() -> None:
    """REQ: QC-1 — a plan is done only with its cause analysis and at least one action."""
    with pytest.raises(ValidationFailed) as no_cause:
        _plan(PlanStatus.IN_PROGRESS).check_move(PlanStatus.DONE)
    assert no_cause.value.field == "cause_analysis"
    with pytest.raises(ValidationFailed) as no_action:
        _plan(PlanStatus.IN_PROGRESS, cause="登录页改版").check_move(PlanStatus.DONE)
    assert no_action.value.field == "actions"
    _plan(PlanStatus.IN_PROGRESS, "登录页改版", (Action("回滚"),)).check_move(PlanStatus.DONE)


def test_closed_plans_move_nowhere() -> None:
    """REQ: QC-1"""
    assert PLAN_MOVES[PlanStatus.DONE] == PLAN_MOVES[PlanStatus.CANCELLED] == frozenset()
    with pytest.raises(IllegalTransition) as refused:
        _plan(PlanStatus.OPEN).check_move(PlanStatus.DONE)
    assert refused.value.field == "status"


def test_like_pattern_escapes_wildcards_and_months_parse_strictly() -> None:
    assert like_pattern("50%_!") == "%50!%!_!!%"
    assert parse_month("2026-11").starts == datetime(2026, 10, 31, 16, tzinfo=UTC)
    for bad in ("2026-13", "26-11", "2026/11"):
        with pytest.raises(ValidationFailed) as refused:
            parse_month(bad)
        assert refused.value.field == "month"
    assert Decimal("0") == 0
