"""Improvement plans on both databases (QC-1, QC-3)."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest

from consultdesk.quality import plans
from consultdesk.quality.model import Plan
from consultdesk.quality.plans import Flag
from consultdesk.shared.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from consultdesk.shared.scope import SYSTEM, Scope
from consultdesk.workdays.domain import HolidayTable, LayeredCalendar
from tests.quality.conftest import Desk

BJ01, SH01 = Scope.of_branch("BJ01"), Scope.of_branch("SH01")


def _open(desk: Desk, **kw: object) -> Plan:
    args: dict[str, object] = {
        "branch": "BJ01",
        "month": "2026-11",
        "trigger": "category_share",
        "category": "ebanking_login",
        "trigger_value": Decimal("0.27"),
        "threshold": Decimal("0.20"),
        "created_by": "system",
    } | kw
    with desk.container.uow() as s:
        return plans.open_plan(
            session=s,
            now=desk.clock.now(),
            calendar=desk.container.calendar,
            **args,  # type: ignore[arg-type]
        )


def test_a_plan_is_due_ten_working_days_after_it_opens(desk: Desk) -> None:
    """REQ: QC-3 — due `quality.plan_due_working_days` (10) working days from today."""
    plan = _open(desk)
    assert plan.status.value == "open" and plan.policy_version.startswith("HO")
    assert plan.due_date == date(2026, 12, 15)  # Tue 1 Dec + 10 working days
    assert plan.trigger_value == Decimal("0.2700") and plan.category == "ebanking_login"


def test_opening_the_same_flag_again_returns_the_same_plan(desk: Desk) -> None:
    """REQ: QC-3 — idempotent on (branch, month, trigger, category)."""
    first = _open(desk)
    again = _open(desk, trigger_value="0.31")
    other = _open(desk, category="card_limit")
    assert again.id == first.id and other.id != first.id
    with desk.container.uow() as s:
        assert len(plans.list_plans(session=s, scope=SYSTEM, month="2026-11")) == 2


def test_flags_from_the_report_open_one_plan_each(desk: Desk) -> None:
    """REQ: QC-1, QC-3 — the report engineer's entry point."""
    flags: list[Flag] = [
        ("category_share", "ebanking_login", Decimal("0.27"), Decimal("0.20")),
        ("satisfaction", "", Decimal("86.5"), 90),
    ]
    with desk.container.uow() as s:
        opened = plans.open_plans_for_flags(
            session=s, now=desk.clock.now(), branch="BJ01", month="2026-11", flags=flags
        )
        again = plans.open_plans_for_flags(
            session=s, now=desk.clock.now(), branch="BJ01", month="2026-11", flags=flags
        )
    assert [p.trigger.value for p in opened] == ["category_share", "satisfaction"]
    assert [p.id for p in again] == [p.id for p in opened]
    assert opened[1].threshold == Decimal("90.0000")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trigger": "whim"}, "trigger"),
        ({"month": "2026-13"}, "month"),
        ({"category": ""}, "category"),
        ({"trigger_value": None}, "trigger_value"),
        ({"trigger_value": "lots"}, "trigger_value"),
        ({"branch": "XX99"}, "branch"),
        ({"trigger": "satisfaction"}, "category"),
    ],
)
def test_bad_input_names_the_field(desk: Desk, change: dict[str, object], field: str) -> None:
    """REQ: QC-3"""
    with pytest.raises((ValidationFailed, NotFound)) as refused:
        _open(desk, **change)
    assert refused.value.field == field


def test_a_year_without_holiday_data_is_refused_clearly(desk: Desk) -> None:
    """REQ: QC-3 — never a guessed due date."""
    with desk.container.uow() as s, pytest.raises(ValidationFailed) as refused:
        plans.open_plan(
            session=s,
            now=desk.clock.now(),
            branch="BJ01",
            month="2026-11",
            trigger="manual",
            created_by="u",
            calendar=LayeredCalendar(HolidayTable()),
        )
    assert refused.value.field == "due_date" and refused.value.code == "calendar_unknown"


def test_done_requires_the_cause_analysis_and_an_action(desk: Desk) -> None:
    """REQ: QC-1 — under the floor requires a recorded cause analysis and plan."""
    owner = desk.make_user("supervisor", branch="BJ01")
    plan = _open(desk)
    with desk.container.uow() as s:
        plans.move_plan(
            session=s, now=desk.clock.now(), plan_id=plan.id, scope=BJ01, status="in_progress"
        )
    for missing in ("cause_analysis", "actions"):
        with desk.container.uow() as s:
            with pytest.raises(ValidationFailed) as refused:
                plans.move_plan(
                    session=s, now=desk.clock.now(), plan_id=plan.id, scope=BJ01, status="done"
                )
            assert refused.value.field == missing
            plans.update_plan(
                session=s,
                now=desk.clock.now(),
                plan_id=plan.id,
                scope=BJ01,
                owner_id=owner.id,
                cause_analysis="短信验证码通道拥堵",
            )
        if missing == "cause_analysis":
            continue
    with desk.container.uow() as s:
        plans.update_plan(
            session=s,
            now=desk.clock.now(),
            plan_id=plan.id,
            scope=BJ01,
            actions=[{"text": "扩容验证码通道", "done": True}, {"text": "更新话术"}],
        )
        done = plans.move_plan(
            session=s,
            now=desk.clock.now(),
            plan_id=plan.id,
            scope=BJ01,
            status="done",
            outcome="登录投诉下降",
        )
    assert done.status.value == "done" and done.done_at == desk.clock.now()
    assert [a.done for a in done.actions] == [True, False] and done.owner_id == owner.id
    with desk.container.uow() as s, pytest.raises(IllegalTransition):
        plans.update_plan(
            session=s, now=desk.clock.now(), plan_id=plan.id, scope=BJ01, cause_analysis="x"
        )


def test_cancelling_needs_a_reason_and_bad_actions_are_refused(desk: Desk) -> None:
    """REQ: QC-1"""
    plan = _open(desk)
    with desk.container.uow() as s:
        with pytest.raises(ValidationFailed) as no_reason:
            plans.move_plan(
                session=s, now=desk.clock.now(), plan_id=plan.id, scope=BJ01, status="cancelled"
            )
        with pytest.raises(ValidationFailed) as bad_action:
            plans.update_plan(
                session=s, now=desk.clock.now(), plan_id=plan.id, scope=BJ01, actions=[{"x": 1}]
            )
    assert no_reason.value.field == "outcome" and bad_action.value.field == "actions"


def test_another_branch_sees_the_plan_as_unknown(desk: Desk) -> None:
    """REQ: RSK-2, QC-3"""
    plan = _open(desk)
    stranger = desk.make_user("supervisor", branch="SH01")
    with desk.container.uow() as s:
        with pytest.raises(NotFound) as hidden:
            plans.get_plan(session=s, plan_id=plan.id, scope=SH01)
        assert plans.list_plans(session=s, scope=SH01) == []
        with pytest.raises(Forbidden):
            plans.list_plans(session=s, scope=SH01, branch="BJ01")
        with pytest.raises(ValidationFailed) as foreign_owner:
            plans.update_plan(
                session=s, now=desk.clock.now(), plan_id=plan.id, scope=BJ01, owner_id=stranger.id
            )
    assert hidden.value.field == "plan_id" and foreign_owner.value.field == "owner_id"


def test_two_transactions_opening_the_same_plan_agree_on_one(desk: Desk) -> None:
    """REQ: QC-3 — the second writer waits for the first and returns its plan (on
    PostgreSQL through the unique key and a savepoint, on SQLite through the write lock)."""
    flushed = threading.Event()
    ids: dict[str, str] = {}

    def first() -> None:
        with desk.container.uow() as s:
            ids["first"] = plans.open_plan(
                session=s, now=desk.clock.now(), branch="BJ01", month="2026-11",
                trigger="manual", created_by="a", calendar=desk.container.calendar,
            ).id  # fmt: skip
            flushed.set()
            time.sleep(0.5)

    thread = threading.Thread(target=first)
    thread.start()
    assert flushed.wait(10)
    with desk.container.uow() as s:
        ids["second"] = plans.open_plan(
            session=s, now=desk.clock.now(), branch="BJ01", month="2026-11",
            trigger="manual", created_by="b", calendar=desk.container.calendar,
        ).id  # fmt: skip
    thread.join(10)
    assert ids["first"] == ids["second"]
    with desk.container.uow() as s:
        [plan] = plans.list_plans(session=s, scope=SYSTEM)
    assert plan.created_by == "a"
