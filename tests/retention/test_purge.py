"""Retention and destruction with proof (CLS-4): expired records go, held records stay,
the proof is in the audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from consultdesk.audit import service as audit
from consultdesk.bootstrap import Container
from consultdesk.consultations import service as consultations
from consultdesk.consultations.tables import ConsultationRow, MessageRow
from consultdesk.customers import service as customers
from consultdesk.customers.tables import CustomerRow
from consultdesk.followups import service as followups
from consultdesk.retention import service as retention
from consultdesk.security.service import send_verification_code
from consultdesk.security.tables import OtpChallengeRow
from consultdesk.shared.clock import FakeClock

FIVE_YEARS_AND_A_DAY = 1826


@dataclass
class Case:
    customer_id: str
    consultation_id: str


def _case(
    container: Container, name: str, phone: str, *, type: str = "account_query", close: bool = True
) -> Case:
    now = container.clock.now()
    with container.uow() as session:
        customer = customers.register_customer(
            session=session,
            now=now,
            keyring=container.keyring,
            index_key=container.index_key,
            name=name,
            branch="BJ01",
            phone=phone,
        )
        c = consultations.open_consultation(
            session=session,
            now=now,
            channel="chat",
            type=type,
            branch="BJ01",
            actor="test",
            customer_id=customer.id,
        )
        consultations.post_message(
            session=session,
            now=now,
            consultation_id=c.id,
            author_kind="customer",
            text=f"{name}的卡被冻结了",
        )
        if close:
            consultations.move(
                session=session, now=now, consultation_id=c.id, move="close", actor="t"
            )
    return Case(customer.id, c.id)


def _exists(container: Container, consultation_id: str) -> bool:
    with container.uow() as session:
        return session.get(ConsultationRow, consultation_id) is not None


def _messages(container: Container, consultation_id: str) -> int:
    with container.uow() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(MessageRow.consultation_id == consultation_id)
            )
            or 0
        )


def test_expired_consultation_goes_with_its_messages_and_proof_is_logged(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4
    gone = _case(container, "王一", "13800000001")
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    report = retention.run_purge(container=container)
    assert not _exists(container, gone.consultation_id)
    assert _messages(container, gone.consultation_id) == 0
    with container.uow() as session:
        (proof,) = audit.search(
            session=session, action="retention.destroyed", subject="consultation"
        )
        assert audit.verify_chain(session=session).ok
    details = proof.details_dict()
    assert details["count"] == 1 and details["record_class"] == "consultation"
    expected = hashlib.sha256(
        (
            json.dumps([gone.consultation_id, ["王一的卡被冻结了"]], ensure_ascii=False) + "\n"
        ).encode()
    ).hexdigest()
    assert details["sha256"] == expected
    assert report.classes[0].ids == (gone.consultation_id,)


def test_a_consultation_younger_than_the_retention_is_kept(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4
    kept = _case(container, "王二", "13800000002")
    clock.advance(days=1824)
    retention.run_purge(container=container)
    assert _exists(container, kept.consultation_id)


def test_an_open_complaint_holds_the_customers_old_consultations(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4
    old = _case(container, "李一", "13800000003")
    with container.uow() as session:
        consultations.open_consultation(
            session=session,
            now=clock.now(),
            channel="phone",
            type="complaint",
            branch="BJ01",
            actor="t",
            customer_id=old.customer_id,
        )
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    report = retention.run_purge(container=container)
    assert _exists(container, old.consultation_id)
    assert report.classes[0].held_reasons[old.consultation_id] == "open_complaint"


def test_an_open_follow_up_holds_the_consultation(
    container: Container, clock: FakeClock, make_user: Any
) -> None:
    # REQ: CLS-4
    owner = make_user("agent", branch="BJ01")
    old = _case(container, "李二", "13800000004")
    with container.uow() as session:
        followups.create_followup(
            session=session,
            now=clock.now(),
            consultation_id=old.consultation_id,
            kind="next_day_feedback",
            owner_id=owner.id,
            actor="t",
            calendar=container.calendar,
        )
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    retention.run_purge(container=container)
    assert _exists(container, old.consultation_id)


def test_a_manual_hold_keeps_records_until_released(container: Container, clock: FakeClock) -> None:
    # REQ: CLS-4
    old = _case(container, "张一", "13800000005")
    with container.uow() as session:
        hold = retention.place_hold(
            session=session,
            now=clock.now(),
            subject_kind="consultation",
            subject_id=old.consultation_id,
            reason="司法机关调取",
            actor="compliance-1",
        )
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    retention.run_purge(container=container)
    assert _exists(container, old.consultation_id)
    with container.uow() as session:
        retention.release_hold(session=session, now=clock.now(), hold_id=hold.id, actor="c-1")
    retention.run_purge(container=container)
    assert not _exists(container, old.consultation_id)


def test_a_dry_run_destroys_nothing_and_logs_no_proof(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4
    old = _case(container, "张二", "13800000006")
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    report = retention.run_purge(container=container, dry_run=True)
    assert report.classes[0].ids == (old.consultation_id,)
    assert _exists(container, old.consultation_id)
    with container.uow() as session:
        assert audit.search(session=session, action="retention.destroyed") == []


def test_sealed_identifiers_go_once_the_customer_has_nothing_left(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4  REQ: RSK-1
    old = _case(container, "赵一", "13800000007")
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    retention.run_purge(container=container)
    with container.uow() as session:
        row = session.get(CustomerRow, old.customer_id)
        assert row is not None and row.phone_sealed is None and row.phone_index is None
        assert (
            customers.find_by_phone(
                session=session, index_key=container.index_key, phone="13800000007"
            )
            is None
        )


def test_old_one_time_code_challenges_are_destroyed(container: Container, clock: FakeClock) -> None:
    # REQ: CLS-4  REQ: ACC-6
    class Phone:
        def send_to_registered_phone(
            self, *, customer_id: str, text: str, idempotency_key: str
        ) -> str:
            return "138****0001"

    with container.uow() as session:
        send_verification_code(
            session=session,
            now=clock.now(),
            customer_id="cus_x",
            delivery=Phone(),
            pepper=b"p" * 32,
        )
    clock.advance(days=2)
    retention.run_purge(container=container)
    with container.uow() as session:
        assert session.scalar(select(func.count()).select_from(OtpChallengeRow)) == 0


@pytest.mark.parametrize(
    "kind,reason,field", [("file", "原因充分", "subject_kind"), ("customer", "", "reason")]
)
def test_a_hold_without_a_kind_or_reason_is_refused(
    container: Container, kind: str, reason: str, field: str
) -> None:
    from consultdesk.shared.errors import ValidationFailed

    with container.uow() as session, pytest.raises(ValidationFailed) as caught:
        retention.place_hold(
            session=session,
            now=container.clock.now(),
            subject_kind=kind,
            subject_id="cus_1",
            reason=reason,
            actor="t",
        )
    assert caught.value.field == field


def test_the_scheduled_purge_runs_once_per_beijing_day(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4
    day, first = retention.purge_if_due(container=container, last_day=None)
    again, second = retention.purge_if_due(container=container, last_day=day)
    clock.advance(days=1)
    _, third = retention.purge_if_due(container=container, last_day=again)
    assert first is not None and second is None and third is not None


def test_every_feature_row_keyed_by_the_consultation_goes_with_it(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4
    from consultdesk.consultations.tables import ConsultationEventRow
    from consultdesk.identity.tables import IdentityCheckRow

    old = _case(container, "钱一", "13800000008")
    with container.uow() as session:
        session.add(
            IdentityCheckRow(
                consultation_id=old.consultation_id,
                customer_id=old.customer_id,
                method="id_last_four",
                outcome="passed",
                actor="t",
                at=clock.now(),
                policy_version="HO-v1",
            )
        )
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    retention.run_purge(container=container)
    with container.uow() as session:
        for table in (IdentityCheckRow, ConsultationEventRow):
            left = session.scalar(
                select(func.count())
                .select_from(table)
                .where(table.consultation_id == old.consultation_id)
            )
            assert left == 0, table.__tablename__


def _with_aml_table(container: Container) -> None:
    # The AML feature's table, for databases where its migration has not landed yet.
    from consultdesk.aml.tables import AmlAlertRow

    AmlAlertRow.__table__.create(container.engine, checkfirst=True)


def test_aml_records_stay_ten_years_and_an_open_alert_holds_the_customer(
    container: Container, clock: FakeClock
) -> None:
    # REQ: CLS-4  REQ: RSK-5
    from consultdesk.aml import service as aml

    _with_aml_table(container)
    old = _case(container, "孙一", "13800000009")
    with container.uow() as session:
        decided = aml.raise_evasion_inquiry(
            session=session, now=clock.now(), customer_id="cus_other", text="能不能拆成几笔转账"
        )
        assert decided is not None
        aml.dismiss_alert(
            session=session, now=clock.now(), alert_id=decided.id, reviewer_id="c", reason="误报"
        )
        aml.raise_evasion_inquiry(
            session=session,
            now=clock.now(),
            customer_id=old.customer_id,
            text="怎么分几笔存钱不被查",
        )
    clock.advance(days=FIVE_YEARS_AND_A_DAY)
    report = retention.run_purge(container=container)
    assert _exists(container, old.consultation_id)  # open AML alert: held
    assert report.classes[0].held_reasons[old.consultation_id] == "open_aml_alert"
    assert report.classes[3].destroyed == 0  # five years: AML records stay
    clock.advance(days=5 * 366)
    dry = retention.run_purge(container=container, dry_run=True)
    assert dry.classes[3].destroyed == 1  # the decided alert, past ten years
    went = retention.run_purge(container=container)
    assert went.classes[3].destroyed == 1
    with container.uow() as session:
        assert [a.customer_id for a in aml.open_alerts(session=session)] == [old.customer_id]
