"""Use cases of compliance accountability (RSK-6), suitability records (SOL-5) and
drill results (RSK-8). Keyword-only, handed a session and ``now``; they flush, the
caller's unit of work commits."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.compliance.drills import DrillResult
from consultdesk.compliance.model import Action, CheckResult, Violation
from consultdesk.compliance.suitability import SuitabilityDecision
from consultdesk.compliance.tables import (
    DrillResultRow,
    QaCaseRow,
    SuitabilityDecisionRow,
    ViolationRecordRow,
)
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id

# RSK-6: codes that make a reply a misleading sale; overriding one opens a QA case.
MISLEADING_SALES: Final = frozenset(
    {"forbidden_claim", "suitability_mismatch", "missing_non_guaranteed", "missing_risk_disclosure"}
)


def _excerpt(text: str, violation: Violation) -> str:
    start, end = violation.span
    return text[max(0, start - 10) : end + 10]


def _require_agent(agent_id: str) -> None:
    if not agent_id.strip():
        raise ValidationFailed("缺少坐席编号", field="agent_id")


def record_blocked_reply(
    *,
    session: Session,
    now: datetime,
    agent_id: str,
    consultation_id: str | None,
    text: str,
    result: CheckResult,
) -> list[ViolationRecordRow]:
    """Record against the agent every blocking violation that stopped this reply."""
    _require_agent(agent_id)
    rows = [
        ViolationRecordRow(
            id=new_id("vio"),
            agent_id=agent_id,
            consultation_id=consultation_id,
            code=v.code,
            rule_id=v.rule,
            outcome="blocked",
            message=v.message,
            excerpt=_excerpt(text, v),
            override_reason=None,
            pack_version=result.pack_version,
            created_at=now,
        )
        for v in result.violations
        if v.action is Action.BLOCK
    ]
    session.add_all(rows)
    session.flush()
    return rows


def override_violation(
    *,
    session: Session,
    now: datetime,
    agent_id: str,
    consultation_id: str | None,
    text: str,
    violation: Violation,
    pack_version: str,
    reason: str,
) -> ViolationRecordRow:
    """The agent sends despite a violation: recorded with the reason; a misleading-sales
    code also opens a QA case (RSK-6). A reason is required."""
    _require_agent(agent_id)
    if not reason.strip():
        raise ValidationFailed("放行违规回复必须填写理由", field="reason")
    row = ViolationRecordRow(
        id=new_id("vio"),
        agent_id=agent_id,
        consultation_id=consultation_id,
        code=violation.code,
        rule_id=violation.rule,
        outcome="overridden",
        message=violation.message,
        excerpt=_excerpt(text, violation),
        override_reason=reason.strip(),
        pack_version=pack_version,
        created_at=now,
    )
    session.add(row)
    if violation.code in MISLEADING_SALES:
        session.add(
            QaCaseRow(
                id=new_id("qac"),
                agent_id=agent_id,
                violation_id=row.id,
                reason=f"疑似误导销售：{violation.message}",
                status="open",
                created_at=now,
            )
        )
    session.flush()
    return row


def violations_of_agent(*, session: Session, agent_id: str) -> list[ViolationRecordRow]:
    """The agent's recorded violations, oldest first."""
    query = (
        select(ViolationRecordRow)
        .where(ViolationRecordRow.agent_id == agent_id)
        .order_by(ViolationRecordRow.created_at, ViolationRecordRow.id)
    )
    return list(session.scalars(query))


def open_qa_cases(*, session: Session) -> list[QaCaseRow]:
    """QA cases not yet closed, oldest first."""
    query = select(QaCaseRow).where(QaCaseRow.status == "open").order_by(QaCaseRow.created_at)
    return list(session.scalars(query))


def close_qa_case(*, session: Session, case_id: str) -> QaCaseRow:
    """Close a reviewed QA case; closing twice is a conflict."""
    row = session.get(QaCaseRow, case_id)
    if row is None:
        raise NotFound("没有该质检案例", field="case_id")
    if row.status != "open":
        raise Conflict("该质检案例已关闭", field="case_id")
    row.status = "closed"
    session.flush()
    return row


def record_suitability_decision(
    *,
    session: Session,
    now: datetime,
    agent_id: str,
    customer_id: str,
    product_code: str,
    decision: SuitabilityDecision,
) -> SuitabilityDecisionRow:
    """Keep the decision and its basis (SOL-5)."""
    _require_agent(agent_id)
    if not customer_id.strip():
        raise ValidationFailed("缺少客户编号", field="customer_id")
    row = SuitabilityDecisionRow(
        id=new_id("sui"),
        agent_id=agent_id,
        customer_id=customer_id,
        product_code=product_code,
        outcome=decision.outcome.value,
        product_risk=decision.product_risk,
        customer_risk=decision.customer_risk,
        basis=list(decision.basis),
        extra_care=[e.value for e in decision.extra_care],
        policy_version=decision.policy_version,
        decided_at=now,
    )
    session.add(row)
    session.flush()
    return row


def record_drill_result(
    *, session: Session, now: datetime, agent_id: str, result: DrillResult
) -> DrillResultRow:
    """Keep a finished drill run with its answers and checks (RSK-8)."""
    _require_agent(agent_id)
    row = DrillResultRow(
        id=new_id("drl"),
        agent_id=agent_id,
        script_id=result.script_id,
        score=result.score,
        passed=result.passed,
        answers=[
            {"customer": s.customer, "answer": s.answer, "checks": [list(c) for c in s.checks]}
            for s in result.steps
        ],
        finished_at=now,
    )
    session.add(row)
    session.flush()
    return row
