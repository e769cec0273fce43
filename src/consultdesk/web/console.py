"""The console shell: sign-in, navigation per role, language switch, and the pages the
foundation owns (users, policy). Feature pages plug in through ``NAV``."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from consultdesk.policy import service as policy_service
from consultdesk.policy.model import FIELDS
from consultdesk.security.ratelimit import sign_in_guard
from consultdesk.shared.errors import DomainError, Forbidden, NotFound, Unauthorized
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, Role, StaffMember
from consultdesk.web.deps import (
    SESSION_COOKIE,
    ContainerDep,
    PrincipalDep,
    require,
)
from consultdesk.web.i18n import Lang, pick_lang, texts_under, translate

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LOGIN_CSRF_COOKIE = "cd_login_csrf"
LANG_COOKIE = "cd_lang"

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class NavItem:
    key: str
    path: str
    permission: Permission


NAV: list[NavItem] = [
    NavItem("nav.home", "/", Permission.CONSOLE),
    NavItem("nav.queue", "/console/queue", Permission.HANDLE_CONSULTATIONS),
    NavItem("nav.supervisor", "/console/supervisor", Permission.SUPERVISE),
    NavItem("nav.qa", "/console/qa", Permission.QA_REVIEW),
    NavItem("nav.compliance", "/console/compliance", Permission.COMPLIANCE_REVIEW),
    NavItem("nav.aml", "/console/aml", Permission.AML_REVIEW),
    NavItem("nav.knowledge", "/console/knowledge", Permission.KB_EDIT),
    NavItem("nav.reports", "/console/reports", Permission.REPORTS),
    NavItem("nav.quality_plans", "/console/quality/plans", Permission.REPORTS),
    NavItem("nav.quality_cases", "/console/quality/cases", Permission.CONSOLE),
    NavItem("nav.quality_samples", "/console/quality/samples", Permission.REPORTS),
    NavItem("nav.audit", "/console/audit", Permission.AUDIT_SEARCH),
    NavItem("nav.users", "/console/users", Permission.USERS_MANAGE),
    NavItem("nav.policy", "/console/policy", Permission.POLICY_VIEW),
    NavItem("nav.sms_inbox", "/console/sms-inbox", Permission.NOTIFICATIONS),
]


def lang_of(request: Request) -> Lang:
    default: Lang = request.app.state.container.settings.default_language
    return pick_lang(request.cookies.get(LANG_COOKIE), default)


def render(
    request: Request, template: str, *, member: StaffMember | None, csrf: str | None, **ctx: Any
) -> HTMLResponse:
    lang = lang_of(request)
    nav = [n for n in NAV if member and member.can(n.permission)]
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": lambda key, **p: translate(key, lang, **p),
            "texts_under": lambda prefix: texts_under(prefix, lang),
            "lang": lang,
            "member": member,
            "csrf": csrf,
            "nav": nav,
            "current": request.url.path,
            "bank": request.app.state.container.settings.bank_name,
            **ctx,
        },
    )


async def console_principal(principal: PrincipalDep) -> PrincipalDep:
    if not principal.member.can(Permission.CONSOLE):
        raise Forbidden("当前角色无权访问控制台")
    return principal


ConsoleDep = Annotated[PrincipalDep, Depends(console_principal)]


@router.get("/login")
def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", member=None, csrf=token, error=None)
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/login", dependencies=[Depends(sign_in_guard)])
def login(
    request: Request,
    container: ContainerDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        raise Forbidden("请求校验失败（CSRF），请刷新页面后重试", code="csrf_failed")
    now = container.clock.now()
    try:
        member = staff.authenticate(
            uow=container.uow, now=now, username=username, password=password
        )
        with container.uow() as session:
            token, _ = staff.open_session(
                session=session, now=now, user=member, hours=container.settings.session_hours
            )
    except Unauthorized as exc:
        fresh = secrets.token_urlsafe(24)
        page = render(request, "login.html", member=None, csrf=fresh, error=exc.message)
        page.status_code = 401
        _set_cookie(request, page, LOGIN_CSRF_COOKIE, fresh, max_age=3600)
        return page
    redirect = RedirectResponse("/", status_code=303)
    _set_cookie(
        request, redirect, SESSION_COOKIE, token, max_age=container.settings.session_hours * 3600
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE)
    return redirect


@router.post("/logout")
def logout(request: Request, container: ContainerDep, principal: PrincipalDep) -> Response:
    with container.uow() as session:
        staff.close_session(session=session, token=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, request: Request) -> Response:
    back = request.headers.get("referer") or "/"
    response = RedirectResponse(
        back if back.startswith(str(request.base_url)) else "/", status_code=303
    )
    response.set_cookie(
        LANG_COOKIE, "en" if code == "en" else "zh", max_age=365 * 86400, samesite="lax"
    )
    return response


@router.get("/")
def home(request: Request, container: ContainerDep, principal: ConsoleDep) -> Response:
    with container.uow() as session:
        policy = policy_service.current_policy(session=session, branch=principal.member.branch)
    return render(
        request,
        "home.html",
        member=principal.member,
        csrf=principal.csrf,
        policy=policy,
        handles=principal.member.can(Permission.HANDLE_CONSULTATIONS),
    )


PLACEHOLDERS: dict[str, tuple[str, Permission]] = {}


@router.get("/console/users")
def users_page(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    _: Annotated[StaffMember, Depends(require(Permission.USERS_MANAGE))],
) -> Response:
    with container.uow() as session:
        users = staff.list_users(session=session)
    return render(
        request,
        "users.html",
        member=principal.member,
        csrf=principal.csrf,
        users=users,
        roles=list(Role),
        error=None,
        notice=None,
    )


@router.post("/console/users")
def users_create(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    _: Annotated[StaffMember, Depends(require(Permission.USERS_MANAGE))],
    username: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=60)],
    role: Annotated[str, Form(max_length=30)],
    branch: Annotated[str, Form(max_length=12)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    error = notice = None
    try:
        with container.uow() as session:
            staff.create_user(
                session=session,
                now=container.clock.now(),
                username=username,
                display_name=display_name,
                role=role,
                branch=branch,
                password=password,
            )
        notice = translate("users.created", lang_of(request))
    except DomainError as exc:
        error = exc.message
    with container.uow() as session:
        users = staff.list_users(session=session)
    response = render(
        request,
        "users.html",
        member=principal.member,
        csrf=principal.csrf,
        users=users,
        roles=list(Role),
        error=error,
        notice=notice,
    )
    if error:
        response.status_code = 422
    return response


@router.get("/console/policy")
def policy_page(request: Request, container: ContainerDep, principal: ConsoleDep) -> Response:
    if not principal.member.can(Permission.POLICY_VIEW):
        raise Forbidden("当前角色无权查看服务策略")
    with container.uow() as session:
        policy = policy_service.current_policy(session=session, branch=principal.member.branch)
        history = policy_service.policy_history(
            session=session,
            scope=None if principal.member.branch == HEAD_OFFICE else principal.member.branch,
            limit=50,
        )
    return render(
        request,
        "policy.html",
        member=principal.member,
        csrf=principal.csrf,
        policy=policy,
        fields=FIELDS,
        history=history,
        can_edit=principal.member.can(Permission.POLICY_EDIT),
        error=None,
    )


@router.post("/console/policy")
def policy_set(
    request: Request,
    container: ContainerDep,
    principal: ConsoleDep,
    editor: Annotated[StaffMember, Depends(require(Permission.POLICY_EDIT))],
    key: Annotated[str, Form(max_length=80)],
    value: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    error = None
    try:
        with container.uow() as session:
            policy_service.set_policy_value(
                session=session,
                now=container.clock.now(),
                author=editor.id,
                key=key,
                value=value,
                reason=reason,
                scope=BranchCode(editor.branch),
            )
    except DomainError as exc:
        error = exc.message
    if error is None:
        return RedirectResponse("/console/policy", status_code=303)
    with container.uow() as session:
        policy = policy_service.current_policy(session=session, branch=editor.branch)
        history = policy_service.policy_history(session=session, limit=50)
    response = render(
        request,
        "policy.html",
        member=principal.member,
        csrf=principal.csrf,
        policy=policy,
        fields=FIELDS,
        history=history,
        can_edit=True,
        error=error,
    )
    response.status_code = 422
    return response


@router.get("/console/{page}")
def placeholder_page(page: str, request: Request, principal: ConsoleDep) -> Response:
    if page not in PLACEHOLDERS:
        raise NotFound("页面不存在")
    title_key, permission = PLACEHOLDERS[page]
    if not principal.member.can(permission):
        raise Forbidden("当前角色无权访问该页面")
    return render(
        request, "page.html", member=principal.member, csrf=principal.csrf, title_key=title_key
    )


def _set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=bool(request.app.state.container.settings.cookie_secure),
    )
