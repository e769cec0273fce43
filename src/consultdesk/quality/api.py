"""Quality loop API under /api/v1/quality: improvement plans (QC-1, QC-3), the case
library (QC-4) and QA samples (QC-2). Every read and change runs with the member's scope:
another branch's id answers 404 (RSK-2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from consultdesk.quality import cases, plans, sampling
from consultdesk.quality.model import Case, Plan, QaSample, local_date
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require, require_any

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])

PlanEditor = Annotated[
    StaffMember, Depends(require_any(Permission.SUPERVISE, Permission.QA_REVIEW))
]
Reader = Annotated[StaffMember, Depends(require(Permission.REPORTS))]
CaseEditor = PlanEditor
CaseReader = Annotated[StaffMember, Depends(require(Permission.CONSOLE))]
QaReviewer = Annotated[StaffMember, Depends(require(Permission.QA_REVIEW))]
Month = Annotated[str, Query(min_length=1, max_length=7, description="YYYY-MM")]
BranchQ = Annotated[str | None, Query(max_length=12)]


# --- plans ---------------------------------------------------------------------------


class ActionIO(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    done: bool = False


class PlanIn(BaseModel):
    """A manual plan; ``branch`` defaults to the member's own."""

    month: str = Field(min_length=1, max_length=7)
    branch: str | None = Field(default=None, max_length=12)
    category: str | None = Field(default=None, max_length=40)
    owner_id: str | None = Field(default=None, max_length=40)
    cause_analysis: str | None = Field(default=None, max_length=4000)
    actions: list[ActionIO] | None = Field(default=None, max_length=30)


class PlanPatch(BaseModel):
    owner_id: str | None = Field(default=None, max_length=40)
    cause_analysis: str | None = Field(default=None, max_length=4000)
    actions: list[ActionIO] | None = Field(default=None, max_length=30)


class StatusIn(BaseModel):
    status: Literal["open", "in_progress", "done", "cancelled"]
    outcome: str | None = Field(default=None, max_length=2000)


class PlanOut(BaseModel):
    id: str
    branch: str
    month: str
    trigger: str
    category: str
    trigger_value: Decimal | None
    threshold: Decimal | None
    owner_id: str | None
    cause_analysis: str
    actions: list[ActionIO]
    due_date: date
    overdue: bool
    status: str
    outcome: str | None
    policy_version: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None

    @classmethod
    def of(cls, p: Plan, now: datetime) -> PlanOut:
        return cls(
            id=p.id,
            branch=p.branch,
            month=p.month,
            trigger=p.trigger.value,
            category=p.category,
            trigger_value=p.trigger_value,
            threshold=p.threshold,
            owner_id=p.owner_id,
            cause_analysis=p.cause_analysis,
            actions=[ActionIO(text=a.text, done=a.done) for a in p.actions],
            due_date=p.due_date,
            overdue=p.is_overdue(local_date(now)),
            status=p.status.value,
            outcome=p.outcome,
            policy_version=p.policy_version,
            created_by=p.created_by,
            created_at=p.created_at,
            updated_at=p.updated_at,
            done_at=p.done_at,
        )


def _changes(body: BaseModel) -> dict[str, Any]:
    """Only the fields the client sent: a field left out stays as it is."""
    sent = body.model_dump(
        include=body.model_fields_set & {"owner_id", "cause_analysis", "actions"}
    )
    return sent


@router.get("/plans", response_model=list[PlanOut])
def list_plans(
    container: ContainerDep,
    member: Reader,
    branch: BranchQ = None,
    month: Annotated[str | None, Query(max_length=7)] = None,
    status: Annotated[str | None, Query(max_length=12)] = None,
) -> list[PlanOut]:
    now = container.clock.now()
    with container.uow() as session:
        found = plans.list_plans(
            session=session, scope=member.scope, branch=branch, month=month, status=status
        )
    return [PlanOut.of(p, now) for p in found]


@router.post("/plans", response_model=PlanOut, status_code=201)
def create_plan(body: PlanIn, container: ContainerDep, member: PlanEditor) -> PlanOut:
    """A manual plan (idempotent on branch, month and category: the existing one comes back)."""
    now = container.clock.now()
    with container.uow() as session:
        plan = plans.open_plan(
            session=session,
            now=now,
            branch=body.branch or member.branch,
            month=body.month,
            trigger="manual",
            category=body.category,
            created_by=member.id,
            calendar=container.calendar,
            scope=member.scope,
        )
        if changes := _changes(body):
            plan = plans.update_plan(
                session=session, now=now, plan_id=plan.id, scope=member.scope, **changes
            )
    return PlanOut.of(plan, now)


@router.get("/plans/{plan_id}", response_model=PlanOut)
def show_plan(plan_id: str, container: ContainerDep, member: Reader) -> PlanOut:
    with container.uow() as session:
        plan = plans.get_plan(session=session, plan_id=plan_id, scope=member.scope)
    return PlanOut.of(plan, container.clock.now())


@router.patch("/plans/{plan_id}", response_model=PlanOut)
def update_plan(
    plan_id: str, body: PlanPatch, container: ContainerDep, member: PlanEditor
) -> PlanOut:
    now = container.clock.now()
    with container.uow() as session:
        plan = plans.update_plan(
            session=session, now=now, plan_id=plan_id, scope=member.scope, **_changes(body)
        )
    return PlanOut.of(plan, now)


@router.post("/plans/{plan_id}/status", response_model=PlanOut)
def move_plan(plan_id: str, body: StatusIn, container: ContainerDep, member: PlanEditor) -> PlanOut:
    now = container.clock.now()
    with container.uow() as session:
        plan = plans.move_plan(
            session=session,
            now=now,
            plan_id=plan_id,
            scope=member.scope,
            status=body.status,
            outcome=body.outcome,
        )
    return PlanOut.of(plan, now)


# --- cases ---------------------------------------------------------------------------


class CaseIn(BaseModel):
    consultation_id: str = Field(min_length=1, max_length=40)
    kind: Literal["success", "failure"]
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field(min_length=1, max_length=4000)
    preventive_measure: str | None = Field(default=None, max_length=2000)
    tags: list[Annotated[str, Field(max_length=30)]] = Field(default_factory=list, max_length=10)
    category: str | None = Field(default=None, max_length=40)


class CaseOut(BaseModel):
    id: str
    consultation_id: str
    branch: str
    kind: str
    title: str
    summary: str
    preventive_measure: str | None
    category: str | None
    tags: list[str]
    drill_uses: int
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, c: Case) -> CaseOut:
        return cls(
            id=c.id,
            consultation_id=c.consultation_id,
            branch=c.branch,
            kind=c.kind.value,
            title=c.title,
            summary=c.summary,
            preventive_measure=c.preventive_measure,
            category=c.category,
            tags=list(c.tags),
            drill_uses=c.drill_uses,
            created_by=c.created_by,
            created_at=c.created_at,
        )


@router.post("/cases", response_model=CaseOut, status_code=201)
def mark_case(body: CaseIn, container: ContainerDep, member: CaseEditor) -> CaseOut:
    with container.uow() as session:
        case = cases.mark_case(
            session=session,
            now=container.clock.now(),
            scope=member.scope,
            created_by=member.id,
            **body.model_dump(),
        )
    return CaseOut.of(case)


@router.get("/cases", response_model=list[CaseOut])
def search_cases(
    container: ContainerDep,
    member: CaseReader,
    q: Annotated[str | None, Query(max_length=100)] = None,
    kind: Annotated[str | None, Query(max_length=8)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    branch: BranchQ = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CaseOut]:
    with container.uow() as session:
        found = cases.search_cases(
            session=session,
            scope=member.scope,
            text=q,
            kind=kind,
            category=category,
            branch=branch,
            limit=limit,
        )
    return [CaseOut.of(c) for c in found]


@router.get("/cases/drills", response_model=list[CaseOut])
def drill_cases(
    container: ContainerDep,
    member: CaseReader,
    category: Annotated[str | None, Query(max_length=40)] = None,
) -> list[CaseOut]:
    """Failure cases for drills (RSK-8), the least used first."""
    with container.uow() as session:
        found = cases.drill_cases(session=session, scope=member.scope, category=category)
    return [CaseOut.of(c) for c in found]


@router.get("/cases/{case_id}", response_model=CaseOut)
def show_case(case_id: str, container: ContainerDep, member: CaseReader) -> CaseOut:
    with container.uow() as session:
        return CaseOut.of(cases.get_case(session=session, case_id=case_id, scope=member.scope))


@router.post("/cases/{case_id}/drill-uses", response_model=CaseOut)
def record_drill_use(case_id: str, container: ContainerDep, member: CaseEditor) -> CaseOut:
    with container.uow() as session:
        case = cases.record_drill_use(session=session, case_id=case_id, scope=member.scope)
    return CaseOut.of(case)


# --- QA samples ----------------------------------------------------------------------


class DrawIn(BaseModel):
    month: str = Field(min_length=1, max_length=7)
    branch: str | None = Field(default=None, max_length=12)
    seed: str = Field(default="", max_length=64)


class ScoreItemOut(BaseModel):
    item: str
    passed: bool
    evidence: str


class SampleOut(BaseModel):
    id: str
    month: str
    branch: str
    agent_id: str
    consultation_id: str
    channel: str
    auto_score: int
    scorecard: list[ScoreItemOut]
    status: str
    reviewer_id: str | None
    review_score: int | None
    review_note: str | None
    drawn_at: datetime
    scored_at: datetime | None

    @classmethod
    def of(cls, s: QaSample) -> SampleOut:
        return cls(
            id=s.id,
            month=s.month,
            branch=s.branch,
            agent_id=s.agent_id,
            consultation_id=s.consultation_id,
            channel=s.channel,
            auto_score=s.auto_score,
            scorecard=[
                ScoreItemOut(item=i.item, passed=i.passed, evidence=i.evidence) for i in s.scorecard
            ],
            status=s.status.value,
            reviewer_id=s.reviewer_id,
            review_score=s.review_score,
            review_note=s.review_note,
            drawn_at=s.drawn_at,
            scored_at=s.scored_at,
        )


class DrawOut(BaseModel):
    month: str
    drawn: list[SampleOut]
    agents_already_drawn: list[str]


class ScoreIn(BaseModel):
    review_score: int = Field(ge=0, le=100)
    note: str | None = Field(default=None, max_length=2000)


class AgentFiguresOut(BaseModel):
    agent_id: str
    drawn: int
    scored: int
    mean_auto: float | None
    mean_review: float | None


class FiguresOut(BaseModel):
    month: str
    branch: str | None
    drawn: int
    scored: int
    mean_auto: float | None
    mean_review: float | None
    by_agent: list[AgentFiguresOut]


@router.post("/samples", response_model=DrawOut, status_code=201)
def draw(body: DrawIn, container: ContainerDep, member: QaReviewer) -> DrawOut:
    """QC-2: draw the month's samples (branch staff: their branch; head office: the branch
    named, or every branch)."""
    with container.uow() as session:
        result = sampling.draw_monthly_sample(
            session=session,
            now=container.clock.now(),
            month=body.month,
            scope=member.scope,
            branch=body.branch or member.scope.branch,
            seed=body.seed,
        )
    return DrawOut(
        month=result.month,
        drawn=[SampleOut.of(s) for s in result.drawn],
        agents_already_drawn=result.agents_already_drawn,
    )


@router.get("/samples", response_model=list[SampleOut])
def list_samples(
    month: Month,
    container: ContainerDep,
    member: Reader,
    branch: BranchQ = None,
    agent_id: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=8)] = None,
) -> list[SampleOut]:
    with container.uow() as session:
        found = sampling.list_samples(
            session=session,
            scope=member.scope,
            month=month,
            branch=branch,
            agent_id=agent_id,
            status=status,
        )
    return [SampleOut.of(s) for s in found]


@router.get("/samples/figures", response_model=FiguresOut)
def figures(month: Month, container: ContainerDep, member: Reader, branch: BranchQ = None) -> Any:
    with container.uow() as session:
        return sampling.sample_figures(
            session=session, month=month, branch=branch, scope=member.scope
        )


@router.get("/samples/{sample_id}", response_model=SampleOut)
def show_sample(sample_id: str, container: ContainerDep, member: Reader) -> SampleOut:
    with container.uow() as session:
        return SampleOut.of(
            sampling.get_sample(session=session, sample_id=sample_id, scope=member.scope)
        )


@router.post("/samples/{sample_id}/score", response_model=SampleOut)
def score(sample_id: str, body: ScoreIn, container: ContainerDep, member: QaReviewer) -> SampleOut:
    with container.uow() as session:
        sample = sampling.score_sample(
            session=session,
            now=container.clock.now(),
            sample_id=sample_id,
            scope=member.scope,
            reviewer_id=member.id,
            review_score=body.review_score,
            note=body.note,
        )
    return SampleOut.of(sample)
