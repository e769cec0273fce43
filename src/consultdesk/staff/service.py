"""Use cases on staff: accounts, sign-in with lockout, console sessions, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from consultdesk.db.engine import UnitOfWork
from consultdesk.org import service as org
from consultdesk.policy.service import current_policy
from consultdesk.shared.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from consultdesk.shared.ids import BranchCode, UserId, new_id
from consultdesk.staff.model import (
    Role,
    StaffMember,
    check_password_strength,
    lockout_after_failure,
    parse_username,
)
from consultdesk.staff.passwords import hash_password, verify_password
from consultdesk.staff.tables import ApiTokenRow, StaffSessionRow, StaffUserRow

BAD_LOGIN = "用户名或密码错误"


class _MemberFields(Protocol):
    id: str
    username: str
    display_name: str
    role: str
    branch: str
    active: bool


_MEMBER_COLUMNS = (
    StaffUserRow.id,
    StaffUserRow.username,
    StaffUserRow.display_name,
    StaffUserRow.role,
    StaffUserRow.branch,
    StaffUserRow.active,
)


# Every request resolves its session or token: the statements are built once (building
# and keying a select per call cost as much as running it; issue 12's read figure).
_SESSION_MEMBER = (
    select(
        StaffSessionRow.revoked.label("revoked_session"),
        StaffSessionRow.expires_at,
        StaffSessionRow.csrf_token,
        *_MEMBER_COLUMNS,
    )
    .join(StaffUserRow, StaffUserRow.id == StaffSessionRow.user_id)
    .where(StaffSessionRow.token_hash == bindparam("token_hash"))
)
_TOKEN_MEMBER = (
    select(ApiTokenRow.revoked.label("revoked_token"), ApiTokenRow.expires_at, *_MEMBER_COLUMNS)
    .join(StaffUserRow, StaffUserRow.id == ApiTokenRow.user_id)
    .where(ApiTokenRow.token_hash == bindparam("token_hash"))
)


def _member(row: _MemberFields) -> StaffMember:
    return StaffMember(
        id=UserId(row.id),
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        branch=BranchCode(row.branch),
        active=row.active,
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    *,
    session: Session,
    now: datetime,
    username: str,
    display_name: str,
    role: str,
    branch: str,
    password: str,
) -> StaffMember:
    """A new active staff account; the branch must exist."""
    name = parse_username(username)
    try:
        parsed_role = Role(role)
    except ValueError:
        raise ValidationFailed(
            f"未知角色 {role}；可选：{', '.join(r.value for r in Role)}", field="role"
        ) from None
    if not display_name.strip() or len(display_name) > 60:
        raise ValidationFailed("姓名须为 1–60 个字符", field="display_name")
    check_password_strength(password)
    the_branch = org.get_branch(session=session, code=branch)
    if session.scalars(select(StaffUserRow).where(StaffUserRow.username == name)).first():
        raise Conflict(f"用户名 {name} 已存在", field="username")
    row = StaffUserRow(
        id=new_id("usr"),
        username=name,
        display_name=display_name.strip(),
        role=parsed_role.value,
        branch=the_branch.code,
        password_hash=hash_password(password),
        active=True,
        failed_logins=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _member(row)


def list_users(*, session: Session, branch: str | None = None) -> list[StaffMember]:
    query = select(StaffUserRow).order_by(StaffUserRow.username)
    if branch:
        query = query.where(StaffUserRow.branch == branch.upper())
    return [_member(r) for r in session.scalars(query)]


def get_user(*, session: Session, user_id: str) -> StaffMember:
    row = session.get(StaffUserRow, user_id)
    if row is None:
        raise NotFound("用户不存在", field="user_id")
    return _member(row)


def find_user(*, session: Session, username: str) -> StaffMember:
    row = session.scalars(
        select(StaffUserRow).where(StaffUserRow.username == username.lower())
    ).first()
    if row is None:
        raise NotFound(f"用户 {username} 不存在", field="username")
    return _member(row)


def disable_user(*, session: Session, username: str) -> StaffMember:
    """Disable the account and revoke its sessions and tokens at once."""
    row = session.scalars(
        select(StaffUserRow).where(StaffUserRow.username == username.lower())
    ).first()
    if row is None:
        raise NotFound(f"用户 {username} 不存在", field="username")
    row.active = False
    for s in session.scalars(select(StaffSessionRow).where(StaffSessionRow.user_id == row.id)):
        s.revoked = True
    for t in session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == row.id)):
        t.revoked = True
    session.flush()
    return _member(row)


def authenticate(*, uow: UnitOfWork, now: datetime, username: str, password: str) -> StaffMember:
    """Check a password in its own unit of work, so that a failure is counted even though
    the caller gets an error. Consecutive failures lock the account for the policy's time
    (RSK-2); the message never says whether the user exists."""
    with uow() as session:
        outcome = _check_password(session=session, now=now, username=username, password=password)
    if isinstance(outcome, Unauthorized):
        raise outcome
    return outcome


def _check_password(
    *, session: Session, now: datetime, username: str, password: str
) -> StaffMember | Unauthorized:
    row = session.scalars(
        select(StaffUserRow).where(StaffUserRow.username == username.strip().lower())
    ).first()
    if row is None:
        verify_password(None, password)
        return Unauthorized(BAD_LOGIN, field="password")
    if row.locked_until is not None and row.locked_until > now:
        return Unauthorized(
            "登录失败次数过多，账户已临时锁定，请稍后再试或联系管理员", code="locked"
        )
    if not verify_password(row.password_hash, password):
        policy = current_policy(session=session, branch=BranchCode(row.branch))
        row.failed_logins += 1
        locked = lockout_after_failure(
            failures=row.failed_logins,
            now=now,
            max_failures=policy.int("security.login_max_failures"),
            lockout_seconds=policy.int("security.login_lockout_s"),
        )
        if locked:
            row.locked_until = locked
            row.failed_logins = 0
        session.flush()
        return Unauthorized(BAD_LOGIN, field="password")
    if not row.active:
        return Unauthorized("账户已停用", code="disabled")
    row.failed_logins = 0
    row.locked_until = None
    row.last_login_at = now
    session.flush()
    return _member(row)


def open_session(
    *, session: Session, now: datetime, user: StaffMember, hours: int
) -> tuple[str, str]:
    """Start a console session; returns (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        StaffSessionRow(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            revoked=False,
        )
    )
    session.flush()
    return token, csrf


def resolve_session(*, session: Session, now: datetime, token: str) -> tuple[StaffMember, str]:
    """The signed-in member and the session's CSRF token, or Unauthorized. One query:
    every console request runs it."""
    row = (
        session.connection().execute(_SESSION_MEMBER, {"token_hash": _digest(token)}).one_or_none()
    )
    if row is None or row.revoked_session or row.expires_at <= now:
        raise Unauthorized("请先登录", code="not_signed_in")
    if not row.active:
        raise Unauthorized("账户已停用", code="disabled")
    return _member(row), row.csrf_token


def close_session(*, session: Session, token: str) -> None:
    row = session.get(StaffSessionRow, _digest(token))
    if row is not None:
        row.revoked = True
        session.flush()


def issue_token(
    *, session: Session, now: datetime, user: StaffMember, name: str, days: int = 30
) -> str:
    """A bearer token for API clients; shown once, stored hashed."""
    if not 1 <= days <= 365:
        raise ValidationFailed("有效期须为 1–365 天", field="days")
    token = "cdt_" + secrets.token_urlsafe(32)
    session.add(
        ApiTokenRow(
            token_hash=_digest(token),
            user_id=user.id,
            name=name.strip()[:60] or "api",
            created_at=now,
            expires_at=now + timedelta(days=days),
            revoked=False,
        )
    )
    session.flush()
    return token


def resolve_token(*, session: Session, now: datetime, token: str) -> StaffMember:
    """The member a bearer token belongs to, or Unauthorized. One query: every API
    request runs it."""
    row = session.connection().execute(_TOKEN_MEMBER, {"token_hash": _digest(token)}).one_or_none()
    if row is None or row.revoked_token or row.expires_at <= now:
        raise Unauthorized("访问令牌无效或已过期", code="bad_token")
    if not row.active:
        raise Unauthorized("账户已停用", code="disabled")
    return _member(row)
