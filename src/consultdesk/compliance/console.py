"""Console pages: the reply checker for compliance officers (QC-6) and QA's case list (RSK-6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from consultdesk.compliance import service
from consultdesk.compliance.model import TOPICS, ReplyContext
from consultdesk.compliance.rulepack import check_reply
from consultdesk.shared.errors import DomainError
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(include_in_schema=False)
Officer = Annotated[StaffMember, Depends(require(Permission.COMPLIANCE_REVIEW))]
QaReviewer = Annotated[StaffMember, Depends(require(Permission.QA_REVIEW))]


@router.get("/console/compliance")
def compliance_page(request: Request, principal: ConsoleDep, _: Officer) -> Response:
    return render(
        request,
        "compliance.html",
        member=principal.member,
        csrf=principal.csrf,
        topics=sorted(TOPICS),
        result=None,
        text="",
        topic="general",
        verified=False,
    )


@router.post("/console/compliance")
def compliance_check(
    request: Request,
    principal: ConsoleDep,
    _: Officer,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
    topic: Annotated[str, Form(max_length=20)] = "general",
    verified: Annotated[bool, Form()] = False,
) -> Response:
    try:
        context = ReplyContext.from_mapping({"topic": topic, "verified": verified})
        result = check_reply(text=text, context=context)
        error = None
    except DomainError as exc:
        result, error = None, exc.message
    response = render(
        request,
        "compliance.html",
        member=principal.member,
        csrf=principal.csrf,
        topics=sorted(TOPICS),
        result=result,
        text=text,
        topic=topic,
        verified=verified,
        error=error,
    )
    if error:
        response.status_code = 422
    return response


@router.get("/console/qa")
def qa_page(
    request: Request, container: ContainerDep, principal: ConsoleDep, _: QaReviewer
) -> Response:
    with container.uow() as session:
        cases = service.open_qa_cases(session=session)
    return render(request, "qa.html", member=principal.member, csrf=principal.csrf, cases=cases)


@router.post("/console/qa/{case_id}/close")
def qa_close(
    case_id: str, container: ContainerDep, principal: ConsoleDep, _: QaReviewer
) -> Response:
    with container.uow() as session:
        service.close_qa_case(session=session, case_id=case_id)
    return RedirectResponse("/console/qa", status_code=303)
