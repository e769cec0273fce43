"""Follow-up API (CLS-3, ACC-5). Branch staff touch only their branch's follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from consultdesk.consultations import service as consultations
from consultdesk.customers import service as customers
from consultdesk.followups import service
from consultdesk.followups.model import FollowUp
from consultdesk.shared.errors import NotFound
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(prefix="/api/v1", tags=["followups"])
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]


class FollowUpIn(BaseModel):
    kind: Literal["complaint", "next_day_feedback"]
    owner_id: str = Field(min_length=1, max_length=40)


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=1000)


class ResultIn(BaseModel):
    result: str = Field(min_length=1, max_length=1000)


class FollowUpOut(BaseModel):
    id: str
    consultation_id: str
    customer_id: str | None
    branch: str
    kind: str
    state: str
    owner_id: str
    due_date: date
    deadline: datetime
    overdue: bool
    policy_version: str
    return_call_note: str | None
    called_back_at: datetime | None
    result: str | None
    informed_at: datetime | None
    informed_late: bool
    done_at: datetime | None

    @classmethod
    def of(cls, f: FollowUp, now: datetime) -> FollowUpOut:
        return cls(
            id=f.id,
            consultation_id=f.consultation_id,
            customer_id=f.customer_id,
            branch=f.branch,
            kind=f.kind.value,
            state=f.state.value,
            owner_id=f.owner_id,
            due_date=f.due_date,
            deadline=f.deadline,
            overdue=f.is_overdue(now),
            policy_version=f.policy_version,
            return_call_note=f.return_call_note,
            called_back_at=f.called_back_at,
            result=f.result,
            informed_at=f.informed_at,
            informed_late=f.informed_late,
            done_at=f.done_at,
        )


def _visible(member: StaffMember, branch: str) -> None:
    if not member.sees_branch(branch):
        raise NotFound("跟进事项不存在", field="followup_id")  # RSK-2: do not leak


@router.post(
    "/consultations/{consultation_id}/followups", response_model=FollowUpOut, status_code=201
)
def create(
    consultation_id: str, body: FollowUpIn, container: ContainerDep, member: Handler
) -> FollowUpOut:
    now = container.clock.now()
    with container.uow() as session:
        consultations.get_consultation(
            session=session, consultation_id=consultation_id, scope=member.scope
        )
        followup = service.create_followup(
            session=session,
            now=now,
            consultation_id=consultation_id,
            kind=body.kind,
            owner_id=body.owner_id,
            actor=member.id,
            calendar=service.working_calendar(container),
        )
    return FollowUpOut.of(followup, now)


@router.get("/followups", response_model=list[FollowUpOut])
def list_(
    container: ContainerDep,
    member: Handler,
    overdue: bool = False,
    mine: bool = False,
    branch: Annotated[str | None, Query(max_length=12)] = None,
) -> list[FollowUpOut]:
    now = container.clock.now()
    scope = branch if member.at_head_office else member.branch
    with container.uow() as session:
        found = service.list_followups(
            session=session,
            now=now,
            branch=scope,
            overdue_only=overdue,
            owner_id=member.id if mine else None,
        )
    return [FollowUpOut.of(f, now) for f in found]


@router.get("/followups/{followup_id}", response_model=FollowUpOut)
def show(followup_id: str, container: ContainerDep, member: Handler) -> FollowUpOut:
    with container.uow() as session:
        followup = service.get_followup(session=session, followup_id=followup_id)
    _visible(member, followup.branch)
    return FollowUpOut.of(followup, container.clock.now())


@router.post("/followups/{followup_id}/return-call", response_model=FollowUpOut)
def return_call(
    followup_id: str, body: NoteIn, container: ContainerDep, member: Handler
) -> FollowUpOut:
    now = container.clock.now()
    with container.uow() as session:
        _visible(member, service.get_followup(session=session, followup_id=followup_id).branch)
        followup = service.record_return_call(
            session=session, now=now, followup_id=followup_id, note=body.note, actor=member.id
        )
    return FollowUpOut.of(followup, now)


@router.post("/followups/{followup_id}/customer-informed", response_model=FollowUpOut)
def customer_informed(
    followup_id: str, body: ResultIn, container: ContainerDep, member: Handler
) -> FollowUpOut:
    now = container.clock.now()
    with container.uow() as session:
        _visible(member, service.get_followup(session=session, followup_id=followup_id).branch)
        followup = service.record_customer_informed(
            session=session,
            now=now,
            keyring=container.keyring,
            followup_id=followup_id,
            result=body.result,
            actor=member.id,
            bank=container.settings.bank_name,
        )
    return FollowUpOut.of(followup, now)


@router.post("/followups/{followup_id}/close", response_model=FollowUpOut)
def close(followup_id: str, container: ContainerDep, member: Handler) -> FollowUpOut:
    now = container.clock.now()
    with container.uow() as session:
        _visible(member, service.get_followup(session=session, followup_id=followup_id).branch)
        followup = service.close_followup(
            session=session, now=now, followup_id=followup_id, actor=member.id
        )
    return FollowUpOut.of(followup, now)


@router.get("/customers/{customer_id}/followups", response_model=list[FollowUpOut])
def customer_open(customer_id: str, container: ContainerDep, member: Handler) -> list[FollowUpOut]:
    """ACC-5: a returning customer's open follow-ups."""
    with container.uow() as session:
        customers.get_customer(session=session, customer_id=customer_id, scope=member.scope)
        found = service.open_followups(session=session, customer_id=customer_id)
    now = container.clock.now()
    return [FollowUpOut.of(f, now) for f in found if member.sees_branch(f.branch)]
