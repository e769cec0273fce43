"""The AML queue: raising, dismissing with a reason, reporting, 10-year retention."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from consultdesk.aml import service
from consultdesk.aml.model import Alert, AlertRule, CustomerId, TransactionId
from consultdesk.shared.errors import IllegalTransition, NotFound, ValidationFailed

ALERT = Alert(
    CustomerId("c1"),
    date(2026, 3, 1),
    AlertRule.LARGE_CASH,
    "CNY",
    Decimal("50000.00"),
    (TransactionId("t1"),),
)


def queued(session: Session, now: datetime) -> str:
    return service.raise_alerts(session=session, now=now, alerts=[ALERT])[0].id


# REQ: RSK-5
def test_screening_alert_reaches_the_open_queue(db_session: Session, now: datetime) -> None:
    queued(db_session, now)
    (row,) = service.open_alerts(session=db_session)
    assert (row.rule, row.total, row.status) == ("large_cash", Decimal("50000.00"), "open")


# REQ: RSK-5
def test_same_alert_is_not_queued_twice(db_session: Session, now: datetime) -> None:
    queued(db_session, now)
    assert service.raise_alerts(session=db_session, now=now, alerts=[ALERT]) == []


# REQ: RSK-5
def test_dismissal_requires_a_reason(db_session: Session, now: datetime) -> None:
    alert_id = queued(db_session, now)
    with pytest.raises(ValidationFailed) as caught:
        service.dismiss_alert(
            session=db_session, now=now, alert_id=alert_id, reviewer_id="r1", reason="  "
        )
    assert caught.value.field == "reason"


# REQ: RSK-5
def test_dismissed_alert_keeps_reason_and_leaves_the_queue(
    db_session: Session, now: datetime
) -> None:
    alert_id = queued(db_session, now)
    row = service.dismiss_alert(
        session=db_session, now=now, alert_id=alert_id, reviewer_id="r1", reason="工资代发，已核实"
    )
    assert (row.status, row.reason, row.reviewer_id) == ("dismissed", "工资代发，已核实", "r1")
    assert service.open_alerts(session=db_session) == []


# REQ: RSK-5
def test_reported_alert_cannot_then_be_dismissed(db_session: Session, now: datetime) -> None:
    alert_id = queued(db_session, now)
    service.report_alert(session=db_session, now=now, alert_id=alert_id, reviewer_id="r1")
    with pytest.raises(IllegalTransition):
        service.dismiss_alert(
            session=db_session, now=now, alert_id=alert_id, reviewer_id="r1", reason="x"
        )


def test_unknown_alert_is_not_found(db_session: Session, now: datetime) -> None:
    with pytest.raises(NotFound):
        service.report_alert(session=db_session, now=now, alert_id="nope", reviewer_id="r1")


# REQ: RSK-5
def test_alert_is_kept_ten_years(db_session: Session, now: datetime) -> None:
    alert_id = queued(db_session, now)
    service.report_alert(session=db_session, now=now, alert_id=alert_id, reviewer_id="r1")
    nine_years = now + timedelta(days=365 * 9 + 300)
    assert service.purge_expired_alerts(session=db_session, now=nine_years) == 0
    assert service.purge_expired_alerts(session=db_session, now=service.retain_until(now)) == 1


# REQ: RSK-5
def test_open_alert_is_never_purged(db_session: Session, now: datetime) -> None:
    queued(db_session, now)
    later = now + timedelta(days=365 * 11)
    assert service.purge_expired_alerts(session=db_session, now=later) == 0


def test_retention_from_leap_day_lands_on_28_february() -> None:
    start = datetime(2028, 2, 29, 12, 0)
    assert service.retain_until(start) == datetime(2038, 2, 28, 12, 0)


# REQ: RSK-5
def test_customer_asking_to_avoid_reporting_raises_an_alert(
    db_session: Session, now: datetime
) -> None:
    row = service.raise_evasion_inquiry(
        session=db_session, now=now, customer_id="c9", text="怎么转账才能不被上报？"
    )
    assert row is not None and row.rule == "evasion_inquiry" and row.status == "open"


# REQ: RSK-5
def test_ordinary_question_raises_no_alert(db_session: Session, now: datetime) -> None:
    assert (
        service.raise_evasion_inquiry(
            session=db_session, now=now, customer_id="c9", text="大额存单利率是多少？"
        )
        is None
    )
