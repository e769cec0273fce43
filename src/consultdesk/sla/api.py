"""SLA API: figures for reports, the escalation queues, a consultation's clocks, and the
hooks a client calls after changing a consultation. Mounting this router also runs the
in-process scheduler for single-process SQLite deployments (``background_scheduler``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, model_validator

from consultdesk.consultations import service as consultations
from consultdesk.shared.errors import Forbidden, ValidationFailed
from consultdesk.sla import figures as sla_figures
from consultdesk.sla import service
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, PrincipalDep, require

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])
Reports = Annotated[StaffMember, Depends(require(Permission.REPORTS))]
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
MAX_PERIOD = timedelta(days=400)


class TimerOut(BaseModel):
    id: int
    consultation_id: str
    kind: str
    started_at: datetime
    due_at: datetime
    target_s: int
    policy_version: str
    state: str
    met_at: datetime | None
    fired_at: datetime | None


class EscalationOut(BaseModel):
    id: int
    consultation_id: str
    rule: str
    queue: str
    branch: str
    channel: str
    due_at: datetime
    fired_at: datetime
    policy_version: str
    label: str
    detail: dict[str, Any]
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class MeasureOut(BaseModel):
    target_s: int
    count: int
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None
    within_target: int
    service_level: float | None


class RuleLevelOut(BaseModel):
    met: int
    fired: int
    service_level: float | None


class FiguresOut(BaseModel):
    since: datetime
    until: datetime
    branch: str | None
    policy_version: str
    first_response: MeasureOut
    speed_of_answer: MeasureOut
    phone_handling: MeasureOut
    counter_handling: MeasureOut
    simple_resolution: MeasureOut
    calls: int
    abandoned_calls: int
    breaches_per_rule: dict[str, int]
    rules: dict[str, RuleLevelOut]


class Period(BaseModel):
    since: datetime
    until: datetime

    @model_validator(mode="after")
    def ordered(self) -> Period:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value.tzinfo is None:
                setattr(self, name, value.replace(tzinfo=UTC))
        return self


def _visible(session: Any, member: StaffMember, consultation_id: str) -> None:
    consultations.get_consultation(
        session=session, consultation_id=consultation_id, scope=member.scope
    )


@router.get("/figures", response_model=FiguresOut)
def figures(
    container: ContainerDep,
    member: Reports,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    branch: Annotated[str | None, Query(max_length=12, pattern=r"^[A-Za-z0-9]+$")] = None,
) -> FiguresOut:
    """First response, speed of answer, handling time, breaches per rule and service level
    for [since, until) (default: the last 24 hours); branch staff see their branch only."""
    now = container.clock.now()
    period = Period(since=since or now - timedelta(days=1), until=until or now)
    if period.until <= period.since or period.until - period.since > MAX_PERIOD:
        raise ValidationFailed("统计区间须为正且不超过 400 天", field="until")
    scope = branch or (None if member.at_head_office else member.branch)
    if scope is not None and not member.sees_branch(scope):
        raise Forbidden("只能查看本机构的数据", field="branch")
    with container.uow() as session:
        result = sla_figures.sla_figures(
            session=session, since=period.since, until=period.until, branch=scope
        )
    return FiguresOut.model_validate(asdict(result))


@router.get("/escalations", response_model=list[EscalationOut])
def list_escalations(
    container: ContainerDep,
    principal: PrincipalDep,
    queue: Annotated[Literal["supervisor", "qa", "breach"] | None, Query()] = None,
    include_acknowledged: bool = False,
) -> list[EscalationOut]:
    """The supervisor's queue (all), or QA's (``qa`` only)."""
    member = principal.member
    if not member.can(Permission.SUPERVISE):
        if not member.can(Permission.QA_REVIEW):
            raise Forbidden("当前角色无权查看升级队列")
        queue = "qa"
    with container.uow() as session:
        rows = service.escalations(
            session=session,
            branch=None if member.at_head_office else member.branch,
            queue=queue,
            open_only=not include_acknowledged,
        )
    return [EscalationOut(**asdict(e)) for e in rows]


@router.post("/escalations/{escalation_id}/ack", response_model=EscalationOut)
def acknowledge(
    escalation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    container: ContainerDep,
    principal: PrincipalDep,
) -> EscalationOut:
    member = principal.member
    if not (member.can(Permission.SUPERVISE) or member.can(Permission.QA_REVIEW)):
        raise Forbidden("当前角色无权处理升级")
    with container.uow() as session:
        e = service.acknowledge(
            session=session,
            now=container.clock.now(),
            escalation_id=escalation_id,
            actor=member.id,
            branch_of_actor=None if member.at_head_office else member.branch,
        )
    return EscalationOut(**asdict(e))


@router.get("/consultations/{consultation_id}/timers", response_model=list[TimerOut])
def timers(consultation_id: str, container: ContainerDep, member: Handler) -> list[TimerOut]:
    with container.uow() as session:
        _visible(session, member, consultation_id)
        rows = service.timers_of(session=session, consultation_id=consultation_id)
    return [TimerOut(**asdict(t)) for t in rows]


@router.post("/consultations/{consultation_id}/sync", response_model=list[TimerOut])
def sync(consultation_id: str, container: ContainerDep, member: Handler) -> list[TimerOut]:
    """Start and settle the consultation's clocks after a change (open, classify, reply,
    accept, resolve, close); idempotent."""
    with container.uow() as session:
        _visible(session, member, consultation_id)
        rows = service.sync_clocks(
            session=session, now=container.clock.now(), consultation_id=consultation_id
        )
    return [TimerOut(**asdict(t)) for t in rows]


@router.post(
    "/consultations/{consultation_id}/hand-to-qa", response_model=EscalationOut, status_code=201
)
def hand_to_qa(consultation_id: str, container: ContainerDep, member: Handler) -> EscalationOut:
    """STD-6: hand a complaint to the quality department."""
    with container.uow() as session:
        _visible(session, member, consultation_id)
        e = service.hand_to_qa(
            session=session,
            now=container.clock.now(),
            consultation_id=consultation_id,
            actor=member.id,
        )
    return EscalationOut(**asdict(e))
