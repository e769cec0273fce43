"""The review queue (QC-5) and agents' same/different labels on question pairs.

Questions the bot could not answer, or answered only with low confidence, are queued
here. A knowledge editor resolves each one: added as a paraphrase to an entry (a new
draft of that entry carrying the question, which then goes through the usual review and
publication), a new entry drafted, or dismissed. Pairs labelled by agents train the
matcher (`same` pairs add paraphrases, see `labelled_paraphrases`) and calibrate the pair
score (`consultdesk assistant train`).

Keyword-only use cases; they flush, the caller's unit of work commits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.assistant.tables import PairLabelRow, ReviewItemRow
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id

MAX_QUESTION_CHARS = 600


class ReviewStatus(StrEnum):
    OPEN = "open"
    PARAPHRASE_ADDED = "paraphrase_added"
    ENTRY_DRAFTED = "entry_drafted"
    DISMISSED = "dismissed"


STATUS_ZH = {
    ReviewStatus.OPEN: "待处理",
    ReviewStatus.PARAPHRASE_ADDED: "已作为相似问法加入条目",
    ReviewStatus.ENTRY_DRAFTED: "已起草新条目",
    ReviewStatus.DISMISSED: "已忽略",
}


@dataclass(frozen=True)
class ReviewItem:
    id: str
    question: str
    consultation_id: str | None
    branch: str | None
    decision: str
    confidence: float
    guesses: tuple[dict[str, Any], ...]
    status: ReviewStatus
    entry_id: str | None
    note: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class PairLabel:
    id: str
    first: str
    second: str
    same: bool
    labelled_by: str
    created_at: datetime


def _item(row: ReviewItemRow) -> ReviewItem:
    return ReviewItem(
        id=row.id,
        question=row.question,
        consultation_id=row.consultation_id,
        branch=row.branch,
        decision=row.decision,
        confidence=row.confidence,
        guesses=tuple(row.guesses or ()),
        status=ReviewStatus(row.status),
        entry_id=row.entry_id,
        note=row.note,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        created_at=row.created_at,
    )


def _question(text: str, field: str) -> str:
    question = text.strip()
    if not question:
        raise ValidationFailed("问题不能为空", field=field)
    return question[:MAX_QUESTION_CHARS]


def queue_for_review(
    *,
    session: Session,
    now: datetime,
    question: str,
    decision: str,
    confidence: float,
    guesses: Sequence[dict[str, Any]] = (),
    consultation_id: str | None = None,
    branch: str | None = None,
) -> ReviewItem:
    """Queue a question the bot could not answer well (QC-5). The same open question
    is queued once: a repeat returns the open item."""
    text = _question(question, "question")
    existing = session.scalars(
        select(ReviewItemRow).where(
            ReviewItemRow.status == ReviewStatus.OPEN.value, ReviewItemRow.question == text
        )
    ).first()
    if existing is not None:
        return _item(existing)
    row = ReviewItemRow(
        id=new_id("rvq"),
        question=text,
        consultation_id=consultation_id,
        branch=branch,
        decision=decision,
        confidence=float(confidence),
        guesses=[dict(g) for g in guesses],
        status=ReviewStatus.OPEN.value,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _item(row)


def list_review_items(
    *, session: Session, status: str | None = "open", limit: int = 100
) -> list[ReviewItem]:
    """Review items, newest first; `status` None lists every status."""
    if not 1 <= limit <= 500:
        raise ValidationFailed("条数须在 1 至 500 之间", field="limit")
    query = select(ReviewItemRow).order_by(ReviewItemRow.created_at.desc(), ReviewItemRow.id)
    if status is not None:
        query = query.where(ReviewItemRow.status == _status(status).value)
    return [_item(r) for r in session.scalars(query.limit(limit))]


def get_review_item(*, session: Session, item_id: str) -> ReviewItem:
    row = session.get(ReviewItemRow, item_id)
    if row is None:
        raise NotFound("待审核问题不存在", field="item_id")
    return _item(row)


def _status(value: str) -> ReviewStatus:
    try:
        return ReviewStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ReviewStatus)
        raise ValidationFailed(f"status 取值无效；可选 {allowed}", field="status") from None


def _add_paraphrase(
    *, session: Session, now: datetime, entry_id: str, question: str, actor: str
) -> None:
    """A new draft of the entry with `question` as one more paraphrase (or the open
    draft edited); it goes live only after review and publication (PREP-1)."""
    from consultdesk.knowledge import service as knowledge
    from consultdesk.knowledge.model import EntryId, UserId, VersionStatus

    entry = knowledge.get_entry(session=session, entry_id=EntryId(entry_id))
    content = entry.latest.content
    if question == content.standard_question or question in content.paraphrases:
        return
    updated = dataclasses.replace(content, paraphrases=(*content.paraphrases, question))
    open_version = entry.open_version
    if open_version is not None and open_version.status is VersionStatus.DRAFT:
        knowledge.edit_draft(
            session=session, now=now, entry_id=entry.id, actor=UserId(actor), content=updated
        )
    elif open_version is not None:
        raise Conflict(f"条目 {entry_id} 正在审核中，请审核完成后再添加问法", field="entry_id")
    else:
        knowledge.revise_entry(
            session=session, now=now, entry_id=entry.id, author=UserId(actor), content=updated
        )


def resolve_review_item(
    *,
    session: Session,
    now: datetime,
    item_id: str,
    outcome: str,
    actor: str,
    entry_id: str | None = None,
    note: str | None = None,
) -> ReviewItem:
    """Close an open item as `paraphrase_added` (needs `entry_id`: the question becomes
    a paraphrase in a new draft of that entry), `entry_drafted` (the new entry's id in
    `entry_id`, optional) or `dismissed`. Conflict when the item is already closed."""
    status = _status(outcome)
    if status is ReviewStatus.OPEN:
        raise ValidationFailed("处理结果不能为 open", field="outcome")
    row = session.get(ReviewItemRow, item_id, with_for_update=True)
    if row is None:
        raise NotFound("待审核问题不存在", field="item_id")
    if row.status != ReviewStatus.OPEN.value:
        raise Conflict("该问题已处理", field="item_id")
    if status is ReviewStatus.PARAPHRASE_ADDED:
        if not entry_id:
            raise ValidationFailed("请指定加入问法的知识条目", field="entry_id")
        _add_paraphrase(
            session=session, now=now, entry_id=entry_id, question=row.question, actor=actor
        )
    if note is not None and len(note) > 500:
        raise ValidationFailed("备注不得超过 500 个字符", field="note")
    row.status = status.value
    row.entry_id = entry_id
    row.note = note
    row.resolved_by = actor
    row.resolved_at = now
    session.flush()
    return _item(row)


def label_pair(
    *, session: Session, now: datetime, first: str, second: str, same: bool, actor: str
) -> PairLabel:
    """Record an agent's judgement that two questions mean the same thing (or not)."""
    a = _question(first, "first")
    b = _question(second, "second")
    if a == b:
        raise ValidationFailed("两个问题相同，无需标注", field="second")
    row = PairLabelRow(
        id=new_id("prl"), first=a, second=b, same=bool(same), labelled_by=actor, created_at=now
    )
    session.add(row)
    session.flush()
    return PairLabel(row.id, row.first, row.second, row.same, row.labelled_by, row.created_at)


def list_pair_labels(*, session: Session) -> list[PairLabel]:
    """Every labelled pair, oldest first."""
    rows = session.scalars(select(PairLabelRow).order_by(PairLabelRow.created_at, PairLabelRow.id))
    return [PairLabel(r.id, r.first, r.second, r.same, r.labelled_by, r.created_at) for r in rows]


def labelled_paraphrases(
    *, questions_by_entry: dict[str, tuple[str, ...]], labels: Sequence[PairLabel]
) -> dict[str, tuple[str, ...]]:
    """Extra paraphrases from `same` pairs: when one side is a question of an entry,
    the other side becomes a paraphrase of that entry (pure)."""
    owner = {q: entry_id for entry_id, qs in questions_by_entry.items() for q in qs}
    extra: dict[str, list[str]] = {}
    for label in labels:
        if not label.same:
            continue
        for known, other in ((label.first, label.second), (label.second, label.first)):
            entry_id = owner.get(known)
            if entry_id is not None and other not in owner:
                extra.setdefault(entry_id, [])
                if other not in extra[entry_id]:
                    extra[entry_id].append(other)
    return {k: tuple(v) for k, v in extra.items()}
