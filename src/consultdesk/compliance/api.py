"""Compliance API (QC-6, RSK-6): check a reply before it is sent; review records and QA cases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from consultdesk.compliance import review, service
from consultdesk.compliance.drills import shipped_drill_scripts
from consultdesk.compliance.model import ReplyContext
from consultdesk.compliance.rulepack import check_reply
from consultdesk.consultations import service as consultations
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(prefix="/api/v1/compliance", tags=["compliance"])
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
Reviewer = Annotated[StaffMember, Depends(require(Permission.COMPLIANCE_REVIEW))]
QaReviewer = Annotated[StaffMember, Depends(require(Permission.QA_REVIEW))]

Out = TypeVar("Out", bound=BaseModel)
Topic = Literal[
    "wealth",
    "deposit",
    "loan",
    "credit_card",
    "ebanking",
    "account",
    "forex",
    "insurance",
    "general",
]


class ContextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: Topic = "general"
    product_risk: Literal["R1", "R2", "R3", "R4", "R5"] | None = None
    customer_risk: Literal["C1", "C2", "C3", "C4", "C5"] | None = None
    guaranteed: bool | None = None
    verified: bool = False


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000)
    context: ContextIn = Field(default_factory=ContextIn)


class ViolationOut(BaseModel):
    code: str
    rule: str
    span: tuple[int, int]
    message: str
    action: str


class CheckOut(BaseModel):
    blocked: bool
    violations: list[ViolationOut]
    fixed_text: str
    pack_version: str


class RecordOut(BaseModel):
    id: str
    agent_id: str
    consultation_id: str | None
    code: str
    rule_id: str
    outcome: str
    message: str
    excerpt: str
    override_reason: str | None
    pack_version: str
    created_at: datetime


class QaCaseOut(BaseModel):
    id: str
    agent_id: str
    violation_id: str
    reason: str
    status: str
    created_at: datetime


def _out(row: Any, model: type[Out]) -> Out:
    return model.model_validate({k: getattr(row, k) for k in model.model_fields})


@router.post("/check", response_model=CheckOut)
def check(body: CheckIn, _: Handler) -> CheckOut:
    """Check a reply before it is sent: block, warn, or the fixed text to send."""
    context = ReplyContext.from_mapping(body.context.model_dump())
    result = check_reply(text=body.text, context=context)
    return CheckOut(
        blocked=result.blocked,
        violations=[
            ViolationOut(
                code=v.code, rule=v.rule, span=v.span, message=v.message, action=v.action.value
            )
            for v in result.violations
        ],
        fixed_text=result.fixed_text,
        pack_version=result.pack_version,
    )


@router.get("/agents/{agent_id}/violations", response_model=list[RecordOut])
def agent_violations(agent_id: str, container: ContainerDep, _: Reviewer) -> list[RecordOut]:
    """RSK-6: blocked and overridden violations recorded against the agent."""
    with container.uow() as session:
        rows = service.violations_of_agent(session=session, agent_id=agent_id)
        return [_out(r, RecordOut) for r in rows]


@router.get("/qa-cases", response_model=list[QaCaseOut])
def qa_cases(container: ContainerDep, _: QaReviewer) -> list[QaCaseOut]:
    """Misleading-sales cases waiting for QA."""
    with container.uow() as session:
        return [_out(r, QaCaseOut) for r in service.open_qa_cases(session=session)]


@router.post("/qa-cases/{case_id}/close", response_model=QaCaseOut)
def close_case(case_id: str, container: ContainerDep, _: QaReviewer) -> QaCaseOut:
    with container.uow() as session:
        return _out(service.close_qa_case(session=session, case_id=case_id), QaCaseOut)


class DrillOut(BaseModel):
    id: str
    title: str
    customer_lines: list[str]
    pass_mark: int


class DrillRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[Annotated[str, Field(max_length=2000)]] = Field(min_length=1, max_length=50)


class StepOut(BaseModel):
    customer: str
    answer: str
    checks: list[tuple[str, bool]]


class DrillResultOut(BaseModel):
    script_id: str
    score: int
    passed: bool
    steps: list[StepOut]


class QaItemOut(BaseModel):
    item: str
    passed: bool
    evidence: str


class QaScoreOut(BaseModel):
    consultation_id: str
    score: int
    items: list[QaItemOut]


@router.get("/drills", response_model=list[DrillOut])
def drills(_: Handler) -> list[DrillOut]:
    """RSK-8: the scripted simulated customers an agent can practise on."""
    return [
        DrillOut(
            id=s.id,
            title=s.title,
            customer_lines=[step.customer for step in s.steps],
            pass_mark=s.pass_mark,
        )
        for s in shipped_drill_scripts().values()
    ]


@router.post("/drills/{script_id}/runs", response_model=DrillResultOut, status_code=201)
def run_drill(
    script_id: str, body: DrillRunIn, container: ContainerDep, member: Handler
) -> DrillResultOut:
    """Answer every customer line in order; the run is scored and kept against the agent."""
    with container.uow() as session:
        result = review.run_drill(
            session=session,
            now=container.clock.now(),
            agent_id=member.id,
            script_id=script_id,
            answers=body.answers,
        )
    return DrillResultOut(
        script_id=result.script_id,
        score=result.score,
        passed=result.passed,
        steps=[
            StepOut(customer=s.customer, answer=s.answer, checks=list(s.checks))
            for s in result.steps
        ],
    )


@router.post("/qa-score/{consultation_id}", response_model=QaScoreOut)
def qa_score(consultation_id: str, container: ContainerDep, member: QaReviewer) -> QaScoreOut:
    """QC-2: score a consultation's transcript against the checklist, with evidence."""
    with container.uow() as session:
        consultations.get_consultation(
            session=session, consultation_id=consultation_id, scope=member.scope
        )
        scored = review.score_consultation(session=session, consultation_id=consultation_id)
    return QaScoreOut(
        consultation_id=consultation_id,
        score=scored.score,
        items=[QaItemOut(item=i.item, passed=i.passed, evidence=i.evidence) for i in scored.items],
    )
