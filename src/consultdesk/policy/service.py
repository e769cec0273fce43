"""Use cases on the versioned policy (ANX-1, ANX-2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.policy.model import (
    BY_KEY,
    Policy,
    Value,
    decode,
    effective_policy,
    encode,
    parse_value,
)
from consultdesk.policy.tables import PolicyVersionRow
from consultdesk.shared.errors import ValidationFailed
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode, UserId


@dataclass(frozen=True)
class PolicyChange:
    scope: str
    number: int
    key: str
    old_value: str | None
    new_value: str | None
    author: str
    reason: str
    created_at: datetime


def _latest(session: Session, scope: str) -> PolicyVersionRow | None:
    return session.scalars(
        select(PolicyVersionRow)
        .where(PolicyVersionRow.scope == scope)
        .order_by(PolicyVersionRow.number.desc())
        .limit(1)
    ).first()


def current_policy(*, session: Session, branch: BranchCode = HEAD_OFFICE) -> Policy:
    """The numbers in force for ``branch``: head office's, with the branch's own on top."""
    ho = _latest(session, HEAD_OFFICE)
    br = _latest(session, branch) if branch != HEAD_OFFICE else None
    return effective_policy(
        head_office=decode(ho.values) if ho else {},
        head_office_version=ho.number if ho else 0,
        branch=branch,
        branch_overrides=decode(br.values) if br else None,
        branch_version=br.number if br else 0,
    )


def set_policy_value(
    *,
    session: Session,
    now: datetime,
    author: UserId,
    key: str,
    value: str | int | bool,
    reason: str,
    scope: BranchCode = HEAD_OFFICE,
) -> Policy:
    """Record a new version of ``scope`` with ``key`` set; returns the policy now in force."""
    if not reason.strip():
        raise ValidationFailed("修改策略须填写原因", field="reason")
    parsed = parse_value(key, value)
    latest = _latest(session, scope)
    values: dict[str, Value] = decode(latest.values) if latest else {}
    old = values.get(key)
    values[key] = parsed
    session.add(
        PolicyVersionRow(
            scope=scope,
            number=(latest.number if latest else 0) + 1,
            values=encode(values),
            changed_key=key,
            old_value=None if old is None else str(old),
            new_value=str(parsed),
            author=author,
            reason=reason.strip()[:500],
            created_at=now,
        )
    )
    session.flush()
    return current_policy(session=session, branch=scope)


def clear_branch_value(
    *, session: Session, now: datetime, author: UserId, scope: BranchCode, key: str, reason: str
) -> Policy:
    """Drop a branch's local rule so head office's value applies again."""
    if key not in BY_KEY:
        raise ValidationFailed(f"未知的策略项：{key}", field="key")
    latest = _latest(session, scope)
    values = decode(latest.values) if latest else {}
    old = values.pop(key, None)
    session.add(
        PolicyVersionRow(
            scope=scope,
            number=(latest.number if latest else 0) + 1,
            values=encode(values),
            changed_key=key,
            old_value=None if old is None else str(old),
            new_value=None,
            author=author,
            reason=reason.strip()[:500] or "恢复总行设置",
            created_at=now,
        )
    )
    session.flush()
    return current_policy(session=session, branch=scope)


def policy_history(
    *, session: Session, scope: str | None = None, limit: int = 200
) -> list[PolicyChange]:
    """Changes, newest first; head office sees every branch's (ANX-1)."""
    query = select(PolicyVersionRow).order_by(
        PolicyVersionRow.created_at.desc(), PolicyVersionRow.id.desc()
    )
    if scope:
        query = query.where(PolicyVersionRow.scope == scope)
    rows = session.scalars(query.limit(limit))
    return [
        PolicyChange(
            r.scope,
            r.number,
            r.changed_key,
            r.old_value,
            r.new_value,
            r.author,
            r.reason,
            r.created_at,
        )
        for r in rows
    ]
