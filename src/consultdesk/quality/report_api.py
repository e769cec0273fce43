"""The monthly report over HTTP and as a console page (QC-3, CLS-5), and the agent's
closing choice of problem category. Reading needs ``reports.view``; a branch's staff
read their branch (RSK-2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from consultdesk.consultations import service as consultations
from consultdesk.quality import categories as cats
from consultdesk.quality.render import FORMATS, render, report_body, report_css
from consultdesk.quality.report import monthly_report
from consultdesk.shared.errors import ValidationFailed
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.surveys.model import BEIJING
from consultdesk.web.console import ConsoleDep, lang_of
from consultdesk.web.console import render as render_page
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(tags=["quality"])
Reader = Annotated[StaffMember, Depends(require(Permission.REPORTS))]
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}


def _month_or_last(month: str | None, container: ContainerDep) -> str:
    if month:
        return month
    today = container.clock.now().astimezone(BEIJING).date()
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


@router.get("/api/v1/quality/reports/monthly")
def monthly(
    container: ContainerDep,
    member: Reader,
    request: Request,
    month: Annotated[str | None, Query(max_length=7)] = None,
    branch: Annotated[str | None, Query(max_length=12)] = None,
    format: Annotated[str, Query(max_length=4)] = "json",
    lang: Annotated[str, Query(max_length=2)] = "zh",
) -> Response:
    """The month's report (default: last month) as json, csv, html or pdf."""
    if format not in FORMATS:
        raise ValidationFailed(f"格式应为 {' | '.join(FORMATS)}", field="format")
    with container.uow() as session:
        report = monthly_report(
            session=session,
            now=container.clock.now(),
            month=_month_or_last(month, container),
            scope=member.scope,
            branch=branch,
        )
    body = render(report, format, "en" if lang == "en" else "zh")
    name = f"report-{report.month}-{report.branch or 'HO'}.{format}"
    disposition = "attachment" if format in ("pdf", "csv") else "inline"
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(min_length=1, max_length=40)


@router.get("/api/v1/quality/categories")
def categories(container: ContainerDep, member: Handler) -> list[dict[str, object]]:
    """The problem categories in force for the caller's branch (the closing choice)."""
    with container.uow() as session:
        found = cats.list_categories(
            session=session, now=container.clock.now(), branch=member.branch
        )
    return [c.as_dict() for c in found]


@router.put("/api/v1/consultations/{consultation_id}/category")
def set_category(
    consultation_id: str, body: CategoryIn, container: ContainerDep, member: Handler
) -> dict[str, str]:
    """The agent's closing choice of problem category (it outranks the classifier)."""
    with container.uow() as session:
        c = consultations.get_consultation(
            session=session, consultation_id=consultation_id, scope=member.scope
        )
        code = cats.set_category(
            session=session,
            now=container.clock.now(),
            consultation_id=c.id,
            code=body.category.strip(),
            branch=c.branch,
        )
    return {"consultation_id": consultation_id, "category": code, "source": "agent"}


@router.get("/console/reports", include_in_schema=False)
def reports_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    member: Reader,
    month: Annotated[str | None, Query(max_length=7)] = None,
    branch: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    the_month = _month_or_last(month, container)
    lang = lang_of(request)
    error = None
    body = None
    try:
        with container.uow() as session:
            report = monthly_report(
                session=session,
                now=container.clock.now(),
                month=the_month,
                scope=member.scope,
                branch=branch,
            )
        body = report_body(report, lang)
    except ValidationFailed as exc:
        error = exc.message
    page = render_page(
        request,
        "reports.html",
        member=principal.member,
        csrf=principal.csrf,
        month=the_month,
        branch=(branch or "").upper(),
        body=body,
        css=report_css(),
        error=error,
        formats=FORMATS,
    )
    if error:
        page.status_code = 422
    return page
