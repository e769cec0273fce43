"""Request dependencies: the container, the signed-in member, and the one place where
permissions are checked (RSK-2)."""

from __future__ import annotations

import asyncio
import hmac
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from consultdesk.bootstrap import Container
from consultdesk.shared.errors import Forbidden, Unauthorized
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission, StaffMember

SESSION_COOKIE = "cd_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
T = TypeVar("T")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


@dataclass(frozen=True)
class Principal:
    member: StaffMember
    via: Literal["session", "token"]
    csrf: str | None = None


def _credentials(request: Request) -> tuple[str | None, str | None]:
    """The bearer token, else the console's session cookie (one of them, or neither)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), None
    return None, request.cookies.get(SESSION_COOKIE)


def _resolve(session: Session, now: datetime, token: str | None, cookie: str | None) -> Principal:
    if token is not None:
        return Principal(
            member=staff.resolve_token(session=session, now=now, token=token), via="token"
        )
    if not cookie:
        raise Unauthorized("请先登录", code="not_signed_in")
    member, csrf = staff.resolve_session(session=session, now=now, token=cookie)
    return Principal(member=member, via="session", csrf=csrf)


async def current_principal(request: Request, container: ContainerDep) -> Principal:
    """Bearer token for API clients; otherwise the console's session cookie, with a CSRF
    token required on every state-changing request."""
    token, cookie = _credentials(request)
    now = container.clock.now()
    with container.uow() as session:
        principal = _resolve(session, now, token, cookie)
    if principal.via == "session" and request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and "form" in request.headers.get("content-type", ""):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not sent or not hmac.compare_digest(sent, principal.csrf or ""):
            raise Forbidden("请求校验失败（CSRF），请刷新页面后重试", code="csrf_failed")
    return principal


async def read_on_one_connection(
    request: Request, container: Container, work: Callable[[Session, Principal], T]
) -> T:
    """For the reads made most often (an agent's open chats, a transcript): the caller's
    token or session is resolved and ``work`` runs on the same connection
    (``UnitOfWork.reading``: autocommit on PostgreSQL). The usual path (``PrincipalDep``
    plus the route's own unit of work, in the shared thread pool) costs a second
    connection checkout and transaction and two thread hand-offs; issue 12's read figure
    measured the difference.

    ``read_threads`` 0 (the default) runs it on the event loop, as ``current_principal``
    does for every request: a read is about a millisecond, and the hand-off to a thread
    and the threads' contention for the interpreter lock cost more than that wait (2
    cores, PostgreSQL local: 1,600 reads/s on the loop, 1,300-1,400 on 2 threads). With
    a database far away, set N threads so the waits overlap.

    Safe methods only: a state-changing request needs the CSRF check of
    ``current_principal``."""
    if request.method not in ("GET", "HEAD"):
        raise RuntimeError("read_on_one_connection serves GET and HEAD only")
    token, cookie = _credentials(request)

    def run() -> T:
        with container.uow.reading() as session:
            principal = _resolve(session, container.clock.now(), token, cookie)
            return work(session, principal)

    if container.settings.read_threads == 0:
        return run()
    return await anyio.to_thread.run_sync(run, limiter=_read_limiter(container))


# One limiter per event loop (a web process has one; the tests start several apps).
_READ_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _read_limiter(container: Container) -> anyio.CapacityLimiter:
    """``read_threads`` worker threads for ``read_on_one_connection`` when it is not 0:
    with the shared pool of 40 threads on 2 cores, the threads fought over the
    interpreter lock and the reads per second fell by half (issue 12)."""
    loop = asyncio.get_running_loop()
    limiter = _READ_LIMITERS.get(loop)
    if limiter is None:
        limiter = anyio.CapacityLimiter(container.settings.read_threads)
        _READ_LIMITERS[loop] = limiter
    return limiter


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
