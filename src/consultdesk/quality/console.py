"""Console pages of the quality loop: improvement plans (QC-1, QC-3), the case library
(QC-4) and QA samples (QC-2). Reads run with the member's scope; a refused change
re-renders the page with the message and a 422."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from consultdesk.quality import cases, plans, sampling
from consultdesk.quality.model import PlanStatus, PlanTrigger, local_date
from consultdesk.shared.errors import DomainError, Forbidden, NotFound
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.console import ConsoleDep, render
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(include_in_schema=False)
Reader = Annotated[StaffMember, Depends(require(Permission.REPORTS))]
Editors = (Permission.SUPERVISE, Permission.QA_REVIEW)
Text = Annotated[str, Form(max_length=4000)]
Short = Annotated[str, Form(max_length=120)]

PLANS = "/console/quality/plans"
CASES = "/console/quality/cases"
SAMPLES = "/console/quality/samples"


def _edits(member: StaffMember) -> bool:
    return any(member.can(p) for p in Editors)


def _refuse(member: StaffMember, *permissions: Permission) -> None:
    if not any(member.can(p) for p in permissions):
        raise Forbidden("当前角色无权执行此操作", code="forbidden")


def _previous_month(container: ContainerDep) -> str:
    today = local_date(container.clock.now())
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def _page(
    request: Request, principal: ConsoleDep, template: str, error: str | None, **ctx: Any
) -> Response:
    response = render(
        request,
        template,
        member=principal.member,
        csrf=principal.csrf,
        error=error,
        can_edit=_edits(principal.member),
        can_score=principal.member.can(Permission.QA_REVIEW),
        **ctx,
    )
    if error:
        response.status_code = 422
    return response


# --- plans ---------------------------------------------------------------------------


def parse_action_lines(text: str) -> list[dict[str, Any]]:
    """One action per line; a line starting with ``[x]`` is done, ``[ ]`` or nothing open."""
    actions: list[dict[str, Any]] = []
    for line in text.splitlines():
        item = line.strip()
        done = item[:3].lower() == "[x]"
        if item.startswith(("[x]", "[X]", "[ ]")):
            item = item[3:].strip()
        if item:
            actions.append({"text": item, "done": done})
    return actions


def figure(value: Decimal | None, trigger: str) -> str:
    """A trigger's figure for display: a share as a percentage, a score as points."""
    if value is None:
        return "—"
    if trigger == PlanTrigger.CATEGORY_SHARE.value:
        return f"{(value * 100).quantize(Decimal('0.1')).normalize():f}%"
    return f"{value.normalize():f}"


def _plans_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    *,
    month: str | None,
    status: str | None,
    error: str | None = None,
) -> Response:
    member = principal.member
    with container.uow() as session:
        try:
            found = plans.list_plans(
                session=session, scope=member.scope, month=month or None, status=status or None
            )
        except DomainError as exc:
            found, error = [], error or exc.message
        # every member: a plan's owner may sit at head office while a branch edits it
        owners = {u.id: u.username for u in staff.list_users(session=session)}
    return _page(
        request,
        principal,
        "quality_plans.html",
        error,
        plans=found,
        owners=owners,
        month=month or "",
        status=status or "",
        statuses=[s.value for s in PlanStatus],
        today=local_date(container.clock.now()),
        default_month=_previous_month(container),
        figure=figure,
    )


@router.get(PLANS)
def plans_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    _: Reader,
    month: str | None = None,
    status: str | None = None,
) -> Response:
    return _plans_page(request, container, principal, month=month, status=status)


@router.post(PLANS)
def plans_create(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    month: Annotated[str, Form(max_length=7)],
    category: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    member = principal.member
    _refuse(member, *Editors)
    try:
        with container.uow() as session:
            plans.open_plan(
                session=session,
                now=container.clock.now(),
                branch=member.branch,
                month=month,
                trigger="manual",
                category=category,
                created_by=member.id,
                calendar=container.calendar,
                scope=member.scope,
            )
    except DomainError as exc:
        return _plans_page(
            request, container, principal, month=None, status=None, error=exc.message
        )
    return RedirectResponse(PLANS, status_code=303)


@router.post(PLANS + "/{plan_id}")
def plans_update(
    plan_id: str,
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    owner: Annotated[str, Form(max_length=40)] = "",
    cause_analysis: Text = "",
    actions: Text = "",
) -> Response:
    member = principal.member
    _refuse(member, *Editors)
    try:
        with container.uow() as session:
            owner_id = None
            if owner.strip():
                try:
                    owner_id = staff.find_user(session=session, username=owner).id
                except NotFound:
                    raise NotFound(f"负责人 {owner} 不存在", field="owner_id") from None
            plans.update_plan(
                session=session,
                now=container.clock.now(),
                plan_id=plan_id,
                scope=member.scope,
                owner_id=owner_id,
                cause_analysis=cause_analysis,
                actions=parse_action_lines(actions),
            )
    except DomainError as exc:
        return _plans_page(
            request, container, principal, month=None, status=None, error=exc.message
        )
    return RedirectResponse(PLANS, status_code=303)


@router.post(PLANS + "/{plan_id}/status")
def plans_move(
    plan_id: str,
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    status: Annotated[str, Form(max_length=12)],
    outcome: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    member = principal.member
    _refuse(member, *Editors)
    try:
        with container.uow() as session:
            plans.move_plan(
                session=session,
                now=container.clock.now(),
                plan_id=plan_id,
                scope=member.scope,
                status=status,
                outcome=outcome or None,
            )
    except DomainError as exc:
        return _plans_page(
            request, container, principal, month=None, status=None, error=exc.message
        )
    return RedirectResponse(PLANS, status_code=303)


# --- cases ---------------------------------------------------------------------------


def _cases_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    *,
    q: str = "",
    kind: str = "",
    mark: str = "",
    error: str | None = None,
    draft: dict[str, str] | None = None,
) -> Response:
    scope = principal.member.scope
    with container.uow() as session:
        try:
            found = cases.search_cases(session=session, scope=scope, text=q, kind=kind or None)
        except DomainError as exc:
            found, error = [], error or exc.message
        drills = cases.drill_cases(session=session, scope=scope, limit=10)
    return _page(
        request,
        principal,
        "quality_cases.html",
        error,
        cases=found,
        drills=drills,
        q=q,
        kind=kind,
        mark=mark,
        draft=draft or {},
    )


@router.get(CASES)
def cases_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    q: str = "",
    kind: str = "",
    mark: str = "",
) -> Response:
    """Search the library; ``?mark=CONSULTATION_ID`` opens the "mark as case" form for it."""
    return _cases_page(request, container, principal, q=q[:100], kind=kind[:8], mark=mark[:40])


@router.post(CASES)
def cases_mark(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    consultation_id: Annotated[str, Form(max_length=40)],
    kind: Annotated[str, Form(max_length=8)],
    title: Short,
    summary: Text,
    preventive_measure: Annotated[str, Form(max_length=2000)] = "",
    tags: Annotated[str, Form(max_length=400)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    member = principal.member
    _refuse(member, *Editors)
    tag_list = [t.strip() for t in tags.replace("，", ",").split(",") if t.strip()]
    try:
        with container.uow() as session:
            cases.mark_case(
                session=session,
                now=container.clock.now(),
                consultation_id=consultation_id.strip(),
                scope=member.scope,
                kind=kind,
                title=title,
                summary=summary,
                preventive_measure=preventive_measure,
                tags=tag_list,
                category=category,
                created_by=member.id,
            )
    except DomainError as exc:
        draft = {
            "kind": kind,
            "title": title,
            "summary": summary,
            "preventive_measure": preventive_measure,
            "tags": tags,
            "category": category,
        }
        return _cases_page(
            request, container, principal, mark=consultation_id, error=exc.message, draft=draft
        )
    return RedirectResponse(CASES, status_code=303)


@router.post(CASES + "/{case_id}/drill-use")
def cases_drill_use(
    case_id: str, request: Request, container: ContainerDep, principal: ConsoleDep
) -> Response:
    _refuse(principal.member, *Editors)
    try:
        with container.uow() as session:
            cases.record_drill_use(session=session, case_id=case_id, scope=principal.member.scope)
    except DomainError as exc:
        return _cases_page(request, container, principal, error=exc.message)
    return RedirectResponse(CASES, status_code=303)


# --- QA samples ----------------------------------------------------------------------


def _samples_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    *,
    month: str,
    error: str | None = None,
) -> Response:
    scope = principal.member.scope
    with container.uow() as session:
        try:
            found = sampling.list_samples(session=session, scope=scope, month=month)
            figures = sampling.sample_figures(session=session, month=month, scope=scope)
        except DomainError as exc:
            found, figures, error = [], None, error or exc.message
    return _page(
        request,
        principal,
        "quality_samples.html",
        error,
        samples=found,
        figures=figures,
        month=month,
    )


@router.get(SAMPLES)
def samples_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    _: Reader,
    month: str = "",
) -> Response:
    return _samples_page(
        request, container, principal, month=month[:7] or _previous_month(container)
    )


@router.post(SAMPLES)
def samples_draw(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    month: Annotated[str, Form(max_length=7)],
) -> Response:
    member = principal.member
    _refuse(member, Permission.QA_REVIEW)
    try:
        with container.uow() as session:
            sampling.draw_monthly_sample(
                session=session,
                now=container.clock.now(),
                month=month,
                scope=member.scope,
                branch=member.scope.branch,
            )
    except DomainError as exc:
        return _samples_page(request, container, principal, month=month, error=exc.message)
    return RedirectResponse(f"{SAMPLES}?month={quote(month)}", status_code=303)


@router.post(SAMPLES + "/{sample_id}/score")
def samples_score(
    sample_id: str,
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    month: Annotated[str, Form(max_length=7)],
    review_score: Annotated[str, Form(max_length=4)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    member = principal.member
    _refuse(member, Permission.QA_REVIEW)
    try:
        score = int(review_score) if review_score.strip().lstrip("-").isdigit() else -1
        with container.uow() as session:
            sampling.score_sample(
                session=session,
                now=container.clock.now(),
                sample_id=sample_id,
                scope=member.scope,
                reviewer_id=member.id,
                review_score=score,
                note=note,
            )
    except DomainError as exc:
        return _samples_page(request, container, principal, month=month, error=exc.message)
    return RedirectResponse(f"{SAMPLES}?month={quote(month)}", status_code=303)
