"""Request dependencies: the container, the signed-in member, and the one place where
permissions are checked (RSK-2)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request

from consultdesk.bootstrap import Container
from consultdesk.shared.errors import Forbidden, Unauthorized
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, StaffMember

SESSION_COOKIE = "cd_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


@dataclass(frozen=True)
class Principal:
    member: StaffMember
    via: Literal["session", "token"]
    csrf: str | None = None


async def current_principal(request: Request, container: ContainerDep) -> Principal:
    """Bearer token for API clients; otherwise the console's session cookie, with a CSRF
    token required on every state-changing request."""
    now = container.clock.now()
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        with container.uow() as session:
            member = staff.resolve_token(session=session, now=now, token=auth[7:].strip())
        return Principal(member=member, via="token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("请先登录", code="not_signed_in")
    with container.uow() as session:
        member, csrf = staff.resolve_session(session=session, now=now, token=cookie)
    if request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and "form" in request.headers.get("content-type", ""):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not sent or not hmac.compare_digest(sent, csrf):
            raise Forbidden("请求校验失败（CSRF），请刷新页面后重试", code="csrf_failed")
    return Principal(member=member, via="session", csrf=csrf)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[..., object]:
    """A dependency that lets the request through only with ``permission``."""

    async def check(principal: PrincipalDep) -> StaffMember:
        if not principal.member.can(permission):
            raise Forbidden("当前角色无权执行此操作", code="forbidden")
        return principal.member

    return check


def require_any(*permissions: Permission) -> Callable[..., object]:
    """A dependency that lets the request through with any one of ``permissions``."""

    async def check(principal: PrincipalDep) -> StaffMember:
        if not any(principal.member.can(p) for p in permissions):
            raise Forbidden("当前角色无权执行此操作", code="forbidden")
        return principal.member

    return check
