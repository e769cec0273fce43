"""Accountability records (RSK-6), suitability and drill records."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from consultdesk.compliance import service
from consultdesk.compliance.drills import start_drill
from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.rulepack import check_reply
from consultdesk.compliance.suitability import RiskAssessment, decide_suitability
from consultdesk.shared.errors import Conflict, ValidationFailed

WEALTH = ReplyContext(topic="wealth", guaranteed=False, verified=True)
CLAIM = "这款理财稳赚不赔，本产品不保本，产品有风险。"


# REQ: RSK-6
def test_blocked_reply_is_recorded_against_the_agent(db_session: Session, now: datetime) -> None:
    result = check_reply(text=CLAIM, context=WEALTH)
    service.record_blocked_reply(
        session=db_session, now=now, agent_id="a1", consultation_id="c1", text=CLAIM, result=result
    )
    (row,) = service.violations_of_agent(session=db_session, agent_id="a1")
    assert (row.code, row.outcome, row.pack_version) == (
        "forbidden_claim",
        "blocked",
        result.pack_version,
    )
    assert "稳赚" in row.excerpt


# REQ: RSK-6
def test_overriding_a_misleading_claim_opens_a_qa_case(db_session: Session, now: datetime) -> None:
    result = check_reply(text=CLAIM, context=WEALTH)
    violation = next(v for v in result.violations if v.code == "forbidden_claim")
    row = service.override_violation(
        session=db_session,
        now=now,
        agent_id="a1",
        consultation_id=None,
        text=CLAIM,
        violation=violation,
        pack_version=result.pack_version,
        reason="客户原话引用",
    )
    assert row.outcome == "overridden"
    (case,) = service.open_qa_cases(session=db_session)
    assert case.violation_id == row.id and case.agent_id == "a1"


# REQ: RSK-6
def test_override_without_reason_is_refused(db_session: Session, now: datetime) -> None:
    result = check_reply(text=CLAIM, context=WEALTH)
    with pytest.raises(ValidationFailed) as caught:
        service.override_violation(
            session=db_session,
            now=now,
            agent_id="a1",
            consultation_id=None,
            text=CLAIM,
            violation=result.violations[0],
            pack_version=result.pack_version,
            reason=" ",
        )
    assert caught.value.field == "reason"


# REQ: RSK-6
def test_overriding_jargon_opens_no_qa_case(db_session: Session, now: datetime) -> None:
    context = ReplyContext(topic="loan")
    text = "可选等额本息。"
    result = check_reply(text=text, context=context)
    service.override_violation(
        session=db_session,
        now=now,
        agent_id="a1",
        consultation_id=None,
        text=text,
        violation=result.violations[0],
        pack_version=result.pack_version,
        reason="客户是同业人员",
    )
    assert service.open_qa_cases(session=db_session) == []


def test_closing_a_qa_case_twice_is_a_conflict(db_session: Session, now: datetime) -> None:
    result = check_reply(text=CLAIM, context=WEALTH)
    service.override_violation(
        session=db_session,
        now=now,
        agent_id="a1",
        consultation_id=None,
        text=CLAIM,
        violation=result.violations[0],
        pack_version=result.pack_version,
        reason="r",
    )
    (case,) = service.open_qa_cases(session=db_session)
    service.close_qa_case(session=db_session, case_id=case.id)
    with pytest.raises(Conflict):
        service.close_qa_case(session=db_session, case_id=case.id)


# REQ: SOL-5
def test_suitability_decision_is_recorded_with_its_basis(
    db_session: Session, now: datetime
) -> None:
    decision = decide_suitability(
        product_risk=4,
        assessment=RiskAssessment(level=2, assessed_on=date(2026, 1, 1)),
        age=70,
        today=now.date(),
    )
    row = service.record_suitability_decision(
        session=db_session,
        now=now,
        agent_id="a1",
        customer_id="cu1",
        product_code="WM-001",
        decision=decision,
    )
    db_session.expire_all()
    assert row.outcome == "refused"
    assert row.basis == list(decision.basis)
    assert row.extra_care == ["recorded_sale", "second_confirmation"]


# REQ: RSK-8
def test_finished_drill_is_recorded(db_session: Session, now: datetime) -> None:
    run = start_drill(script_id="fraudster-code")
    while run.customer_line is not None:
        run.answer("抱歉，我们不能获取验证码，请持卡人本人核实身份后办理。")
    row = service.record_drill_result(
        session=db_session, now=now, agent_id="a1", result=run.outcome()
    )
    assert row.passed and row.score == 100 and len(row.answers) == 3
