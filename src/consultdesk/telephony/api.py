"""CTI endpoint: the phone system posts ring, answer, hold, unhold, transfer and hang-up
events; each is applied once (ACC-2, STD-4, STD-6)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from consultdesk.shared.errors import NotFound
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.telephony import service
from consultdesk.telephony.model import CallState, CtiKind
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(prefix="/api/v1/cti", tags=["telephony"])
# The CTI connector signs in with an API token of a staff account that handles calls.
Connector = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]

_ID = r"^[A-Za-z0-9._:-]+$"


class CtiEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    call_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    kind: CtiKind
    at: datetime | None = None
    agent_id: str | None = Field(default=None, max_length=40)
    branch: str | None = Field(default=None, max_length=12, pattern=r"^[A-Za-z0-9]+$")
    caller: str | None = Field(default=None, max_length=20)


class CallOut(BaseModel):
    call_id: str
    consultation_id: str
    branch: str
    state: CallState
    agent_id: str | None
    rung_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    speed_of_answer_s: float | None
    talk_s: float | None
    held_s: float
    transfers: int
    duplicate: bool


@router.post("/events", response_model=CallOut)
def post_event(body: CtiEventIn, container: ContainerDep, connector: Connector) -> CallOut:
    """Apply one event; resending the same ``event_id`` returns the call with
    ``duplicate: true`` and changes nothing."""
    at = body.at if body.at is None or body.at.tzinfo else body.at.replace(tzinfo=UTC)
    branch = body.branch or connector.branch
    if not connector.sees_branch(branch):
        raise NotFound("网点不存在", field="branch")
    event = service.CtiEvent(
        event_id=body.event_id,
        call_id=body.call_id,
        kind=body.kind,
        at=at,
        agent_id=body.agent_id,
        branch=branch,
        caller=body.caller,
    )
    with container.uow() as session:
        call = service.handle_event(
            session=session,
            now=container.clock.now(),
            event=event,
            index_key=container.index_key,
            default_branch=connector.branch,
        )
        if not connector.sees_branch(call.branch):
            raise NotFound("通话不存在", field="call_id")
    return CallOut(**asdict(call))


@router.get("/calls/{call_id}", response_model=CallOut)
def get_call(call_id: str, container: ContainerDep, connector: Connector) -> CallOut:
    with container.uow() as session:
        call = service.get_call(session=session, call_id=call_id)
    if not connector.sees_branch(call.branch):
        raise NotFound("通话不存在", field="call_id")
    return CallOut(**asdict(call))
