"""The AML queue page (RSK-5): reviewers dismiss with a reason or report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from consultdesk.aml import service
from consultdesk.shared.errors import DomainError
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(include_in_schema=False)
Reviewer = Annotated[StaffMember, Depends(require(Permission.AML_REVIEW))]


def _page(
    request: Request, container: ContainerDep, principal: ConsoleDep, error: str | None
) -> Response:
    with container.uow() as session:
        alerts = service.open_alerts(session=session)
    response = render(
        request,
        "aml.html",
        member=principal.member,
        csrf=principal.csrf,
        alerts=alerts,
        error=error,
    )
    if error:
        response.status_code = 422
    return response


@router.get("/console/aml")
def aml_page(
    request: Request, container: ContainerDep, principal: ConsoleDep, _: Reviewer
) -> Response:
    return _page(request, container, principal, None)


@router.post("/console/aml/{alert_id}")
def aml_decide(
    alert_id: str,
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    reviewer: Reviewer,
    decision: Annotated[str, Form(pattern="^(dismiss|report)$")],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        with container.uow() as session:
            if decision == "dismiss":
                service.dismiss_alert(
                    session=session,
                    now=container.clock.now(),
                    alert_id=alert_id,
                    reviewer_id=reviewer.id,
                    reason=reason,
                )
            else:
                service.report_alert(
                    session=session,
                    now=container.clock.now(),
                    alert_id=alert_id,
                    reviewer_id=reviewer.id,
                    note=reason,
                )
    except DomainError as exc:
        return _page(request, container, principal, exc.message)
    return RedirectResponse("/console/aml", status_code=303)
