"""The audit log over HTTP and in the console (RSK-2): search by actor, action, subject and
time range, and verify the chain. Only members with `audit.search` (compliance officers,
administrators) get in; the search itself is audited, as access to sensitive data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from consultdesk.audit import service
from consultdesk.audit.model import AuditEntry
from consultdesk.shared.errors import Forbidden, ValidationFailed
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(tags=["audit"])
Auditor = Annotated[StaffMember, Depends(require(Permission.AUDIT_SEARCH))]
BEIJING = timezone(timedelta(hours=8), "CST")
Text = Annotated[str | None, Query(max_length=120)]


class AuditEntryOut(BaseModel):
    seq: int
    time: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    hash: str

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=e.seq,
            time=e.time,
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            details=e.details_dict(),
            hash=e.hash,
        )


class VerifyOut(BaseModel):
    ok: bool
    count: int
    first_bad_seq: int | None
    reason: str | None


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Beijing calendar days, both inclusive, as a UTC [start, end) range."""
    if since and until and until < since:
        raise ValidationFailed("结束日期不能早于开始日期", field="until")
    start = datetime.combine(since, time(), BEIJING).astimezone(UTC) if since else None
    end = (
        datetime.combine(until + timedelta(days=1), time(), BEIJING).astimezone(UTC)
        if until
        else None
    )
    return start, end


def _search(
    container: ContainerDep,
    member: StaffMember,
    *,
    actor: str | None,
    action: str | None,
    subject: str | None,
    since: date | None,
    until: date | None,
    limit: int,
) -> list[AuditEntry]:
    start, end = _range(since, until)
    filters = {"actor": _blank(actor), "action": _blank(action), "subject": _blank(subject)}
    with container.uow() as session:
        found = service.search(session=session, since=start, until=end, limit=limit, **filters)
        service.record(
            session=session,
            now=container.clock.now(),
            actor=member.id,
            action="audit.searched",
            subject="audit",
            details={k: v for k, v in filters.items() if v is not None},
        )
    return found


@router.get("/api/v1/audit", response_model=list[AuditEntryOut])
def search_audit(
    container: ContainerDep,
    member: Auditor,
    actor: Text = None,
    action: Text = None,
    subject: Text = None,
    since: Annotated[date | None, Query(description="起始日期（北京时间，含）")] = None,
    until: Annotated[date | None, Query(description="结束日期（北京时间，含）")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryOut]:
    """Entries matching every filter given, newest first."""
    found = _search(
        container,
        member,
        actor=actor,
        action=action,
        subject=subject,
        since=since,
        until=until,
        limit=limit,
    )
    return [AuditEntryOut.of(e) for e in found]


@router.get("/api/v1/audit/verify", response_model=VerifyOut)
def verify_audit(container: ContainerDep, _: Auditor) -> VerifyOut:
    """Check the whole chain: ok, or the first entry that does not link."""
    with container.uow() as session:
        result = service.verify_chain(session=session)
    return VerifyOut(
        ok=result.ok, count=result.count, first_bad_seq=result.first_bad_seq, reason=result.reason
    )


@router.get("/console/audit", include_in_schema=False)
def audit_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    actor: Text = None,
    action: Text = None,
    subject: Text = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The compliance officer's search page; entries are shown as escaped text."""
    member = principal.member
    if not member.can(Permission.AUDIT_SEARCH):
        raise Forbidden("当前角色无权访问该页面")
    error: str | None = None
    entries: list[AuditEntry] = []
    searched = any(v for v in (actor, action, subject, since, until))
    try:
        day_from = date.fromisoformat(since) if since else None
        day_to = date.fromisoformat(until) if until else None
        if searched:
            entries = _search(
                container,
                member,
                actor=actor,
                action=action,
                subject=subject,
                since=day_from,
                until=day_to,
                limit=200,
            )
    except ValueError:
        error = "日期格式应为 YYYY-MM-DD"
    except ValidationFailed as exc:
        error = exc.message
    response = render(
        request,
        "audit.html",
        member=member,
        csrf=principal.csrf,
        entries=entries,
        searched=searched,
        error=error,
        form={
            "actor": actor or "",
            "action": action or "",
            "subject": subject or "",
            "since": since or "",
            "until": until or "",
        },
        beijing=BEIJING,
    )
    if error:
        response.status_code = 422
    return response
