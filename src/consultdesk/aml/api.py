"""AML API (RSK-5): screen a batch of transactions into the queue; reviewers decide."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from consultdesk.aml import service
from consultdesk.aml.model import Transaction
from consultdesk.aml.screening import screen_transactions
from consultdesk.aml.tables import AmlAlertRow
from consultdesk.policy.service import current_policy
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(prefix="/api/v1/aml", tags=["aml"])
Reviewer = Annotated[StaffMember, Depends(require(Permission.AML_REVIEW))]


class TransactionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=60)
    customer_id: str = Field(min_length=1, max_length=60)
    party: Literal["individual", "entity"]
    kind: Literal["cash_in", "cash_out", "transfer_domestic", "transfer_crossborder"]
    amount: str = Field(min_length=1, max_length=24, pattern=r"^\d+(\.\d{1,2})?$")
    currency: Literal["CNY", "USD"]
    date: date


class ScreenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transactions: list[TransactionIn] = Field(min_length=1, max_length=10000)


class AlertOut(BaseModel):
    id: str
    customer_id: str
    date: date
    rule: str
    currency: str
    total: Decimal
    transaction_ids: list[str]
    status: str
    reason: str | None
    reviewer_id: str | None
    policy_version: str
    created_at: datetime
    retain_until: datetime

    @classmethod
    def of(cls, row: AmlAlertRow) -> AlertOut:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            date=row.day,
            rule=row.rule,
            currency=row.currency,
            total=row.total,
            transaction_ids=list(row.transaction_ids),
            status=row.status,
            reason=row.reason,
            reviewer_id=row.reviewer_id,
            policy_version=row.policy_version,
            created_at=row.created_at,
            retain_until=row.retain_until,
        )


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=1000)


@router.post("/screen", response_model=list[AlertOut], status_code=201)
def screen(body: ScreenIn, container: ContainerDep, member: Reviewer) -> list[AlertOut]:
    """Screen the batch under the policy in force; new alerts join the queue."""
    raw: list[dict[str, Any]] = [t.model_dump(mode="json") for t in body.transactions]
    transactions = [Transaction.from_mapping(r) for r in raw]
    with container.uow() as session:
        thresholds = service.thresholds_for(current_policy(session=session, branch=member.branch))
        alerts = screen_transactions(transactions, thresholds=thresholds)
        rows = service.raise_alerts(
            session=session, now=container.clock.now(), alerts=alerts, thresholds=thresholds
        )
        return [AlertOut.of(r) for r in rows]


@router.get("/alerts", response_model=list[AlertOut])
def alerts(container: ContainerDep, _: Reviewer) -> list[AlertOut]:
    """The open queue, oldest business day first."""
    with container.uow() as session:
        return [AlertOut.of(r) for r in service.open_alerts(session=session)]


@router.post("/alerts/{alert_id}/dismiss", response_model=AlertOut)
def dismiss(alert_id: str, body: DismissIn, container: ContainerDep, member: Reviewer) -> AlertOut:
    with container.uow() as session:
        row = service.dismiss_alert(
            session=session,
            now=container.clock.now(),
            alert_id=alert_id,
            reviewer_id=member.id,
            reason=body.reason,
        )
        return AlertOut.of(row)


@router.post("/alerts/{alert_id}/report", response_model=AlertOut)
def report(alert_id: str, body: ReportIn, container: ContainerDep, member: Reviewer) -> AlertOut:
    with container.uow() as session:
        row = service.report_alert(
            session=session,
            now=container.clock.now(),
            alert_id=alert_id,
            reviewer_id=member.id,
            note=body.note,
        )
        return AlertOut.of(row)
