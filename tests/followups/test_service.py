"""Follow-ups on a real database (SQLite and PostgreSQL) (CLS-3, ACC-5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consultdesk.consultations import service as consultations
from consultdesk.followups import service
from consultdesk.followups.model import FollowUpState
from consultdesk.notifications import service as notifications
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.policy.service import set_policy_value
from consultdesk.shared.errors import IllegalTransition, NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode, UserId
from consultdesk.shared.scope import SYSTEM
from tests.followups.conftest import PHONE, Desk


# REQ: CLS-3
def test_complaint_gets_owner_and_due_date_three_working_days_out(desk: Desk) -> None:
    desk.at_beijing(2026, 9, 30, 15, 0)
    f = desk.create()
    assert (f.owner_id, f.state, f.due_date) == (
        desk.owner_id,
        FollowUpState.OPEN,
        date(2026, 10, 10),
    )
    assert f.policy_version == "HO-0"


# REQ: CLS-3, ANX-2
def test_branch_policy_sets_the_number_of_working_days(desk: Desk) -> None:
    desk.at_beijing(2026, 10, 9, 10, 0)
    with desk.container.uow() as s:
        set_policy_value(
            session=s,
            now=desk.clock.now(),
            author=UserId("usr_x"),
            key="followup.complaint_working_days",
            value=5,
            reason="分行投诉量大，延长处理期限",
            scope=BranchCode("BJ01"),
        )
    f = desk.create()
    assert f.due_date == date(2026, 10, 15)
    assert f.policy_version == "HO-0/BJ01-1"


# REQ: CLS-3
def test_next_day_feedback_uses_its_own_policy_number(desk: Desk) -> None:
    desk.at_beijing(2026, 10, 9, 10, 0)
    assert desk.create("next_day_feedback").due_date == date(2026, 10, 10)


def test_unknown_year_is_a_validation_error_naming_due_date(desk: Desk) -> None:
    desk.at_beijing(2031, 3, 3, 9, 0)
    with pytest.raises(ValidationFailed) as err:
        desk.create()
    assert err.value.field == "due_date"
    assert "2031" in err.value.message


def test_unknown_owner_names_the_field(desk: Desk) -> None:
    with pytest.raises(NotFound) as err, desk.container.uow() as s:
        service.create_followup(
            session=s,
            now=desk.clock.now(),
            consultation_id=desk.consultation_id,
            kind="complaint",
            owner_id="usr_nobody",
            actor="x",
        )
    assert err.value.field == "owner_id"


# REQ: CLS-3
def test_return_call_then_customer_informed_sends_the_result_to_their_phone(desk: Desk) -> None:
    desk.at_beijing(2026, 10, 9, 10, 0)
    f = desk.create()
    with desk.container.uow() as s:
        service.record_return_call(
            session=s, now=desk.clock.now(), followup_id=f.id, note="已致电客户说明进展", actor="a"
        )
    desk.clock.advance(hours=20)
    with desk.container.uow() as s:
        informed = service.record_customer_informed(
            session=s,
            now=desk.clock.now(),
            keyring=desk.container.keyring,
            followup_id=f.id,
            result="转账限额已恢复为每日五万元",
            actor="a",
            bank="示例银行",
        )
    sandbox = SandboxSmsGateway(clock=desk.clock)
    notifications.dispatch_pending(
        uow=desk.container.uow,
        clock=desk.clock,
        keyring=desk.container.keyring,
        sms=sandbox,
        mailer=None,
    )
    (sms,) = sandbox.inbox(to=PHONE)
    assert informed.state == FollowUpState.CUSTOMER_INFORMED
    assert "转账限额已恢复为每日五万元" in sms.text and sms.text.startswith("【示例银行】")
    assert not informed.informed_late


def test_customer_cannot_be_informed_before_the_return_call(desk: Desk) -> None:
    f = desk.create()
    with pytest.raises(IllegalTransition), desk.container.uow() as s:
        service.record_customer_informed(
            session=s,
            now=desk.clock.now(),
            keyring=desk.container.keyring,
            followup_id=f.id,
            result="结果",
            actor="a",
        )


def test_steps_are_recorded_on_the_consultation_timeline(desk: Desk) -> None:
    f = desk.create()
    with desk.container.uow() as s:
        service.record_return_call(
            session=s, now=desk.clock.now(), followup_id=f.id, note="已回访", actor="a"
        )
        kinds = [
            e.kind
            for e in consultations.timeline(
                scope=SYSTEM, session=s, consultation_id=f.consultation_id
            )
        ]
    assert kinds[-2:] == ["followup_created", "followup_return_call"]


# REQ: CLS-3
def test_overdue_once_the_due_day_is_over_and_customer_not_told(desk: Desk) -> None:
    desk.at_beijing(2026, 10, 9, 10, 0)
    f = desk.create()  # due Tue 13 Oct
    desk.at_beijing(2026, 10, 13, 23, 59)
    with desk.container.uow() as s:
        before = service.list_followups(session=s, now=desk.clock.now(), overdue_only=True)
    desk.at_beijing(2026, 10, 14, 0, 0)
    with desk.container.uow() as s:
        after = service.list_followups(session=s, now=desk.clock.now(), overdue_only=True)
    assert before == []
    assert [x.id for x in after] == [f.id]


def test_informed_in_time_is_not_overdue(desk: Desk) -> None:
    desk.at_beijing(2026, 10, 9, 10, 0)
    f = desk.create()
    with desk.container.uow() as s:
        service.record_return_call(
            session=s, now=desk.clock.now(), followup_id=f.id, note="回访", actor="a"
        )
        service.record_customer_informed(
            session=s,
            now=desk.clock.now(),
            keyring=desk.container.keyring,
            followup_id=f.id,
            result="已解决",
            actor="a",
        )
    desk.clock.advance(timedelta(days=30).total_seconds())
    with desk.container.uow() as s:
        assert service.list_followups(session=s, now=desk.clock.now(), overdue_only=True) == []


# REQ: ACC-5
def test_open_followups_of_a_returning_customer(desk: Desk) -> None:
    first = desk.create()
    second = desk.create("next_day_feedback")
    with desk.container.uow() as s:
        service.record_return_call(
            session=s, now=desk.clock.now(), followup_id=first.id, note="回访", actor="a"
        )
        service.record_customer_informed(
            session=s,
            now=desk.clock.now(),
            keyring=desk.container.keyring,
            followup_id=first.id,
            result="已解决",
            actor="a",
        )
        service.close_followup(session=s, now=desk.clock.now(), followup_id=first.id, actor="a")
        still_open = service.open_followups(session=s, customer_id=desk.customer_id)
    assert [f.id for f in still_open] == [second.id]


def test_customer_without_contact_is_recorded_as_told_on_the_call(desk: Desk) -> None:
    from consultdesk.customers import service as customers

    with desk.container.uow() as s:
        quiet = customers.register_customer(
            session=s,
            now=desk.clock.now(),
            keyring=desk.container.keyring,
            index_key=desk.container.index_key,
            name="李明",
            branch="BJ01",
        )
        cid = consultations.open_consultation(
            session=s,
            now=desk.clock.now(),
            channel="counter",
            branch="BJ01",
            actor="customer",
            customer_id=quiet.id,
        ).id
    f = desk.create(consultation_id=cid)
    with desk.container.uow() as s:
        service.record_return_call(
            session=s, now=desk.clock.now(), followup_id=f.id, note="电话告知结果", actor="a"
        )
        informed = service.record_customer_informed(
            session=s,
            now=desk.clock.now(),
            keyring=desk.container.keyring,
            followup_id=f.id,
            result="已处理",
            actor="a",
        )
        last = consultations.timeline(scope=SYSTEM, session=s, consultation_id=cid)[-1]
        queued = notifications.list_outbox(session=s, ref=f.id)
    assert informed.state == FollowUpState.CUSTOMER_INFORMED
    assert (last.kind, last.data["notified"], queued) == ("followup_customer_informed", False, [])
