"""Notification outbox API and the SMS sandbox inbox page (CLS-1, CLS-2, CLS-3).

Supervisors and administrators (Permission.NOTIFICATIONS) see the outbox with masked
recipients, run a dispatch pass, send a dead notification again, and read the sandbox
gateway's inbox at ``/console/sms-inbox`` when no real gateway is configured.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from consultdesk.notifications import service
from consultdesk.notifications.outbox import OutboxEntry
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.security.masking import mask_phone
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import ContainerDep, require

log = logging.getLogger("consultdesk.notifications")


router = APIRouter(tags=["notifications"])
Operator = Annotated[StaffMember, Depends(require(Permission.NOTIFICATIONS))]


class OutboxOut(BaseModel):
    id: str
    channel: str
    purpose: str
    ref: str | None
    recipient: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    receipt: str | None
    last_error: str | None

    @classmethod
    def of(cls, e: OutboxEntry) -> OutboxOut:
        return cls(
            id=e.id,
            channel=e.channel.value,
            purpose=e.purpose,
            ref=e.ref,
            recipient=e.recipient_masked,
            status=e.status.value,
            attempts=e.attempts,
            created_at=e.created_at,
            next_attempt_at=e.next_attempt_at,
            sent_at=e.sent_at,
            receipt=e.receipt,
            last_error=e.last_error,
        )


class DispatchOut(BaseModel):
    claimed: int
    sent: int
    retried: int
    dead: int


@router.get("/api/v1/notifications/outbox", response_model=list[OutboxOut])
def outbox(
    container: ContainerDep,
    _: Operator,
    status: Annotated[str | None, Query(max_length=10)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OutboxOut]:
    with container.uow() as session:
        entries = service.list_outbox(session=session, status=status, limit=limit)
    return [OutboxOut.of(e) for e in entries]


@router.post("/api/v1/notifications/dispatch", response_model=DispatchOut)
def dispatch(container: ContainerDep, _: Operator) -> DispatchOut:
    """One dispatch pass in this process (the demo's sandbox lives here)."""
    report = service.dispatch_once(container)
    return DispatchOut(
        claimed=report.claimed, sent=report.sent, retried=report.retried, dead=report.dead
    )


@router.post("/api/v1/notifications/outbox/{outbox_id}/requeue", response_model=OutboxOut)
def requeue(outbox_id: str, container: ContainerDep, _: Operator) -> OutboxOut:
    with container.uow() as session:
        entry = service.requeue(session=session, now=container.clock.now(), outbox_id=outbox_id)
    return OutboxOut.of(entry)


@router.get("/console/sms-inbox", include_in_schema=False)
def sms_inbox_page(
    request: Request, container: ContainerDep, principal: ConsoleDep, _: Operator
) -> Response:
    gateway = service.sms_gateway(container)
    inbox = gateway.inbox() if isinstance(gateway, SandboxSmsGateway) else None
    messages = [
        {"to": mask_phone(m.to), "text": m.text, "at": m.accepted_at, "id": m.message_id}
        for m in reversed(inbox or [])
    ]
    with container.uow() as session:
        counts = service.outbox_counts(session=session)
        dead = service.list_outbox(session=session, status="dead", limit=50)
    return render(
        request,
        "sms_inbox.html",
        member=principal.member,
        csrf=principal.csrf,
        sandbox=inbox is not None,
        messages=messages,
        counts=counts,
        dead=dead,
    )


@router.post("/console/sms-inbox/dispatch", include_in_schema=False)
def sms_inbox_dispatch(container: ContainerDep, principal: ConsoleDep, _: Operator) -> Response:
    service.dispatch_once(container)
    return RedirectResponse("/console/sms-inbox", status_code=303)
