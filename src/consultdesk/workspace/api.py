"""The agent's workspace over HTTP: the desk (presence, work in hand, the shift's figures,
bulletins), the script library, acknowledging a bulletin. The console's home page
(工作台) reads these for anyone who handles consultations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require
from consultdesk.workspace import service
from consultdesk.workspace.model import search_scripts
from consultdesk.workspace.scripts import shipped_scripts

router = APIRouter(tags=["workspace"])
Agent = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]


class AckOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bulletin_id: str
    acknowledged: bool


@router.get("/api/v1/workspace/me")
def my_desk(container: ContainerDep, member: Agent) -> dict[str, Any]:
    """The signed-in agent's desk: presence, consultations in hand, the shift's figures
    (since local midnight), bulletins still to acknowledge (PREP-2)."""
    with container.uow() as session:
        return service.desk(session=session, now=container.clock.now(), member=member).as_dict()


@router.get("/api/v1/workspace/scripts")
def scripts(
    _: Agent,
    q: Annotated[str, Query(max_length=100, description="words that must all appear")] = "",
    business_line: Annotated[str | None, Query(max_length=30)] = None,
) -> list[dict[str, Any]]:
    """SOL-1: the script library, searchable by words and business line."""
    found = search_scripts(shipped_scripts(), query=q, business_line=business_line or None)
    return [s.as_dict() for s in found]


@router.post("/api/v1/workspace/bulletins/{bulletin_id}/ack", response_model=AckOut)
def acknowledge(bulletin_id: str, container: ContainerDep, member: Agent) -> AckOut:
    """PREP-2: the agent has read the bulletin (a repeat keeps the first time)."""
    with container.uow() as session:
        service.acknowledge(
            session=session, now=container.clock.now(), member=member, bulletin_id=bulletin_id
        )
    return AckOut(bulletin_id=bulletin_id, acknowledged=True)
