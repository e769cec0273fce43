"""Counter API: queue numbers per branch per day, call next, serve, finish (ACC-1, STD-4)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from consultdesk.counter import service
from consultdesk.counter.model import TicketState
from consultdesk.shared.errors import NotFound
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(prefix="/api/v1/counter", tags=["counter"])
Teller = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    branch: str | None = Field(default=None, max_length=12, pattern=r"^[A-Za-z0-9]+$")
    prefix: str = Field(default="A", min_length=1, max_length=1)


class CallNextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    counter_no: str = Field(min_length=1, max_length=10)


class ServeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal[
        "account_query", "product_info", "business_handling", "complaint", "suggestion", "other"
    ] = "other"


class TicketOut(BaseModel):
    id: str
    branch: str
    day: date
    code: str
    state: TicketState
    issued_at: datetime
    called_at: datetime | None
    served_at: datetime | None
    done_at: datetime | None
    counter_no: str | None
    agent_id: str | None
    consultation_id: str | None


@router.post("/tickets", response_model=TicketOut, status_code=201)
def issue(body: TicketIn, container: ContainerDep, teller: Teller) -> TicketOut:
    branch = body.branch or teller.branch
    if not teller.sees_branch(branch):
        raise NotFound("网点不存在", field="branch")
    with container.uow() as session:
        t = service.issue_ticket(
            session=session, now=container.clock.now(), branch=branch, prefix=body.prefix
        )
    return TicketOut(**asdict(t))


@router.get("/tickets", response_model=list[TicketOut])
def waiting(container: ContainerDep, teller: Teller) -> list[TicketOut]:
    with container.uow() as session:
        rows = service.waiting(session=session, now=container.clock.now(), branch=teller.branch)
    return [TicketOut(**asdict(t)) for t in rows]


@router.post("/call-next", response_model=TicketOut)
def call_next(body: CallNextIn, container: ContainerDep, teller: Teller) -> TicketOut:
    with container.uow() as session:
        t = service.call_next(
            session=session, now=container.clock.now(), member=teller, counter_no=body.counter_no
        )
    return TicketOut(**asdict(t))


@router.post("/tickets/{ticket_id}/serve", response_model=TicketOut)
def serve(ticket_id: str, body: ServeIn, container: ContainerDep, teller: Teller) -> TicketOut:
    with container.uow() as session:
        t = service.serve(
            session=session,
            now=container.clock.now(),
            member=teller,
            ticket_id=ticket_id,
            type=body.type,
        )
    return TicketOut(**asdict(t))


@router.post("/tickets/{ticket_id}/finish", response_model=TicketOut)
def finish(ticket_id: str, container: ContainerDep, teller: Teller) -> TicketOut:
    with container.uow() as session:
        t = service.finish(
            session=session, now=container.clock.now(), member=teller, ticket_id=ticket_id
        )
    return TicketOut(**asdict(t))


@router.post("/tickets/{ticket_id}/no-show", response_model=TicketOut)
def no_show(ticket_id: str, container: ContainerDep, teller: Teller) -> TicketOut:
    with container.uow() as session:
        t = service.no_show(
            session=session, now=container.clock.now(), member=teller, ticket_id=ticket_id
        )
    return TicketOut(**asdict(t))
