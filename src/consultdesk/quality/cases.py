"""The case library (QC-4): a consultation kept as a success or failure case (a failure
with its preventive measure), searched by text, kind, category and branch, and failure
cases handed to drills (RSK-8), each use counted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.orm import Session

from consultdesk.consultations import service as consultations
from consultdesk.quality.model import (
    LIKE_ESCAPE,
    Case,
    CaseId,
    CaseKind,
    check_case,
    check_category,
    like_pattern,
    parse_enum,
)
from consultdesk.quality.tables import CaseRow
from consultdesk.shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id
from consultdesk.shared.scope import Scope

MAX_QUERY = 100


def _case(row: CaseRow) -> Case:
    return Case(
        id=CaseId(row.id),
        consultation_id=row.consultation_id,
        branch=row.branch,
        kind=CaseKind(row.kind),
        title=row.title,
        summary=row.summary,
        preventive_measure=row.preventive_measure,
        category=row.category,
        tags=tuple(row.tags or ()),
        drill_uses=row.drill_uses,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def mark_case(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    scope: Scope,
    kind: str,
    title: str,
    summary: str,
    preventive_measure: str | None = None,
    tags: Sequence[str] = (),
    category: str | None = None,
    created_by: str,
) -> Case:
    """Keep the consultation (which ``scope`` must admit, else NotFound) as a case; a
    failure without a preventive measure is a ValidationFailed(field='preventive_measure').
    A consultation is kept once (Conflict on a second case)."""
    consultation = consultations.get_consultation(
        session=session, consultation_id=consultation_id, scope=scope
    )
    draft = check_case(
        kind=kind,
        title=title,
        summary=summary,
        preventive_measure=preventive_measure,
        category=category,
        tags=tags,
    )
    taken = session.scalars(
        select(CaseRow.id).where(CaseRow.consultation_id == consultation.id)
    ).first()
    if taken is not None:
        raise Conflict(f"该咨询已收入案例库（{taken}）", field="consultation_id")
    row = CaseRow(
        id=new_id("qcs"),
        consultation_id=consultation.id,
        branch=consultation.branch,
        kind=draft.kind.value,
        title=draft.title,
        summary=draft.summary,
        preventive_measure=draft.preventive_measure,
        category=draft.category,
        tags=list(draft.tags),
        drill_uses=0,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    consultations.record_fact(
        session=session,
        consultation_id=consultation.id,
        kind="quality_case_marked",
        actor=created_by,
        now=now,
        data={"case_id": row.id, "kind": row.kind},
    )
    session.flush()
    return _case(row)


def _row(session: Session, case_id: str, scope: Scope) -> CaseRow:
    row = session.get(CaseRow, case_id)
    if row is None or not scope.admits(row.branch):
        raise NotFound("案例不存在", field="case_id")  # RSK-2
    return row


def get_case(*, session: Session, case_id: str, scope: Scope) -> Case:
    return _case(_row(session, case_id, scope))


def search_cases(
    *,
    session: Session,
    scope: Scope,
    text: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    branch: str | None = None,
    limit: int = 100,
) -> list[Case]:
    """Cases within ``scope``, newest first: ``text`` is a substring of the title, summary,
    preventive measure or a tag (case-insensitive for Latin letters; % and _ match
    themselves)."""
    query = select(CaseRow)
    if scope.branch is not None:
        query = query.where(CaseRow.branch == scope.branch)
    if branch:
        code = branch.strip().upper()
        if not scope.admits(code):
            raise Forbidden("只能查看本机构的案例", field="branch")
        query = query.where(CaseRow.branch == code)
    if kind:
        query = query.where(CaseRow.kind == parse_enum(CaseKind, kind, field="kind").value)
    if category:
        query = query.where(CaseRow.category == check_category(category))
    needle = (text or "").strip()
    if len(needle) > MAX_QUERY:
        raise ValidationFailed(f"检索词不得超过 {MAX_QUERY} 个字符", field="q")
    if needle:
        pattern = like_pattern(needle.lower())
        # Tags are stored as JSON text with non-ASCII characters escaped (\uXXXX), so the
        # needle is matched in the same spelling.
        tag_pattern = like_pattern(json.dumps(needle.lower())[1:-1])
        query = query.where(
            or_(
                func.lower(CaseRow.title).like(pattern, escape=LIKE_ESCAPE),
                func.lower(CaseRow.summary).like(pattern, escape=LIKE_ESCAPE),
                func.lower(func.coalesce(CaseRow.preventive_measure, "")).like(
                    pattern, escape=LIKE_ESCAPE
                ),
                func.lower(cast(CaseRow.tags, String)).like(tag_pattern, escape=LIKE_ESCAPE),
            )
        )
    query = query.order_by(CaseRow.created_at.desc(), CaseRow.id).limit(limit)
    return [_case(r) for r in session.scalars(query)]


def drill_cases(
    *, session: Session, scope: Scope, category: str | None = None, limit: int = 50
) -> list[Case]:
    """Failure cases for drills (RSK-8), the least used first."""
    query = select(CaseRow).where(CaseRow.kind == CaseKind.FAILURE.value)
    if scope.branch is not None:
        query = query.where(CaseRow.branch == scope.branch)
    if category:
        query = query.where(CaseRow.category == check_category(category))
    query = query.order_by(CaseRow.drill_uses, CaseRow.created_at.desc(), CaseRow.id).limit(limit)
    return [_case(r) for r in session.scalars(query)]


def record_drill_use(*, session: Session, case_id: str, scope: Scope) -> Case:
    """The case was used in a drill: ``drill_uses`` goes up by one, atomically."""
    _row(session, case_id, scope)
    session.execute(
        update(CaseRow).where(CaseRow.id == case_id).values(drill_uses=CaseRow.drill_uses + 1)
    )
    session.flush()
    row = _row(session, case_id, scope)
    session.refresh(row)
    return _case(row)
