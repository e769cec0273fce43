"""Use cases of the AML queue (RSK-5): raise alerts from screening, dismiss with a
reason or report, and keep records 10 years above any retention purge.

Lifecycle (data, not scattered checks): open → dismissed | reported.
Keyword-only; given a session and ``now``; flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.aml.model import Alert, AlertRule, Thresholds
from consultdesk.aml.screening import asks_to_evade_reporting
from consultdesk.aml.tables import AmlAlertRow
from consultdesk.policy.model import Policy
from consultdesk.shared.errors import IllegalTransition, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id

RETENTION_CLASS: Final = "aml"
RETENTION_YEARS: Final = 10
TRANSITIONS: Final = {"open": frozenset({"dismissed", "reported"})}


def retain_until(created_at: datetime, *, years: int = RETENTION_YEARS) -> datetime:
    """The earliest moment an AML record may be purged (same day, ``years`` later)."""
    try:
        return created_at.replace(year=created_at.year + years)
    except ValueError:  # 29 February
        return created_at.replace(year=created_at.year + years, day=28)


def raise_alerts(
    *,
    session: Session,
    now: datetime,
    alerts: Iterable[Alert],
    thresholds: Thresholds | None = None,
) -> list[AmlAlertRow]:
    """Queue screening alerts; an alert already queued (same customer, day, rule,
    currency) is not queued twice. Returns the newly queued rows."""
    policy = thresholds or Thresholds()
    created: list[AmlAlertRow] = []
    for alert in alerts:
        existing = session.scalars(
            select(AmlAlertRow).where(
                AmlAlertRow.customer_id == alert.customer_id,
                AmlAlertRow.day == alert.day,
                AmlAlertRow.rule == alert.rule.value,
                AmlAlertRow.currency == alert.currency,
            )
        ).first()
        if existing is not None:
            continue
        row = AmlAlertRow(
            id=new_id("aml"),
            customer_id=alert.customer_id,
            day=alert.day,
            rule=alert.rule.value,
            currency=alert.currency,
            total=alert.total,
            transaction_ids=list(alert.transaction_ids),
            status="open",
            reviewer_id=None,
            reason=None,
            policy_version=policy.policy_version,
            retention_class=RETENTION_CLASS,
            retain_until=retain_until(now),
            created_at=now,
            decided_at=None,
        )
        session.add(row)
        created.append(row)
    session.flush()
    return created


def _move(session: Session, alert_id: str, target: str) -> AmlAlertRow:
    row = session.get(AmlAlertRow, alert_id)
    if row is None:
        raise NotFound("没有该反洗钱预警", field="alert_id")
    if target not in TRANSITIONS.get(row.status, frozenset()):
        raise IllegalTransition(f"预警状态为 {row.status}，不能改为 {target}", field="status")
    return row


def dismiss_alert(
    *, session: Session, now: datetime, alert_id: str, reviewer_id: str, reason: str
) -> AmlAlertRow:
    """Close an open alert as a false positive; the reason is required and kept."""
    if not reason.strip():
        raise ValidationFailed("排除预警必须填写理由", field="reason")
    row = _move(session, alert_id, "dismissed")
    row.status, row.reviewer_id, row.reason, row.decided_at = (
        "dismissed",
        reviewer_id,
        reason.strip(),
        now,
    )
    session.flush()
    return row


def report_alert(
    *, session: Session, now: datetime, alert_id: str, reviewer_id: str, note: str = ""
) -> AmlAlertRow:
    """Report an open alert to the regulator (large-value or suspicious transaction report)."""
    row = _move(session, alert_id, "reported")
    row.status, row.reviewer_id, row.reason, row.decided_at = (
        "reported",
        reviewer_id,
        note.strip() or None,
        now,
    )
    session.flush()
    return row


def open_alerts(*, session: Session) -> list[AmlAlertRow]:
    """The AML queue: open alerts, oldest business day first."""
    query = (
        select(AmlAlertRow)
        .where(AmlAlertRow.status == "open")
        .order_by(AmlAlertRow.day, AmlAlertRow.customer_id, AmlAlertRow.rule)
    )
    return list(session.scalars(query))


def purge_expired_alerts(*, session: Session, now: datetime) -> int:
    """Delete decided alerts whose 10-year retention has passed; open alerts and
    anything younger are never purged, whatever a general retention run asks."""
    rows = session.scalars(
        select(AmlAlertRow).where(AmlAlertRow.status != "open", AmlAlertRow.retain_until <= now)
    ).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def raise_evasion_inquiry(
    *, session: Session, now: datetime, customer_id: str, text: str
) -> AmlAlertRow | None:
    """Queue an alert when a customer's message asks how to avoid reporting or to split
    transfers (RSK-5); None when the message asks nothing of the kind."""
    phrase = asks_to_evade_reporting(text)
    if phrase is None:
        return None
    if not customer_id.strip():
        raise ValidationFailed("缺少客户编号", field="customer_id")
    row = AmlAlertRow(
        id=new_id("aml"),
        customer_id=customer_id,
        day=now.date(),
        rule=AlertRule.EVASION_INQUIRY.value,
        currency="CNY",
        total=Decimal(0),
        transaction_ids=[],
        status="open",
        reviewer_id=None,
        reason=f"客户询问：{phrase}",
        policy_version=Thresholds().policy_version,
        retention_class=RETENTION_CLASS,
        retain_until=retain_until(now),
        created_at=now,
        decided_at=None,
    )
    session.add(row)
    session.flush()
    return row


def thresholds_for(policy: Policy) -> Thresholds:
    """The screening thresholds in force under the versioned policy (ANX-2)."""
    return Thresholds(
        cash_cny=policy.decimal("aml.cash_cny"),
        cash_usd=policy.decimal("aml.cash_usd"),
        domestic_cny=policy.decimal("aml.transfer_domestic_cny"),
        domestic_usd=policy.decimal("aml.transfer_domestic_usd"),
        crossborder_cny=policy.decimal("aml.transfer_crossborder_cny"),
        crossborder_usd=policy.decimal("aml.transfer_crossborder_usd"),
        entity_cny=policy.decimal("aml.entity_transfer_cny"),
        entity_usd=policy.decimal("aml.entity_transfer_usd"),
        structuring_floor_cny=policy.decimal("aml.structuring_floor_cny"),
        structuring_days=policy.int("aml.structuring_days"),
        policy_version=policy.version,
    )
