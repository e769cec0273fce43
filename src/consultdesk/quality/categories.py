"""Problem categories (QC-3, CLS-5): a managed list and how a consultation gets one.

The list: the shipped bank-wide categories (``data/categories.yaml``, version 1 the
first time it is read) plus each branch's additions and overrides; every change keeps
who, when, why, before and after (``quality_category_changes``), as policy changes do.

A consultation's category, in order of authority:
1. the agent's closing choice (``set_category``; source ``agent``);
2. the knowledge-base entry the bot answered with (its standard question, classified;
   source ``kb``);
3. the keyword classifier over the first customer message (source ``classifier``);
4. ``other``.
The ``quality.categorize`` job categorizes closed consultations that have none, so the
monthly report is one GROUP BY.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consultdesk.consultations.tables import ConsultationEventRow, ConsultationRow, MessageRow
from consultdesk.knowledge.tables import EntryVersionRow
from consultdesk.quality.tables import BANK_WIDE, CategoryChangeRow, CategoryRow
from consultdesk.shared.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container
    from consultdesk.jobs.model import Job

OTHER = "other"
SOURCES = ("agent", "kb", "classifier")
CLOSED_STATES = ("resolved", "closed")


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    label: str
    label_en: str
    business_line: str | None
    keywords: tuple[str, ...]
    branch: str = BANK_WIDE
    active: bool = True
    version: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "label_en": self.label_en,
            "business_line": self.business_line,
            "keywords": list(self.keywords),
            "branch": self.branch,
            "active": self.active,
            "version": self.version,
        }


@lru_cache(maxsize=1)
def shipped_categories() -> tuple[Category, ...]:
    text = (
        resources.files("consultdesk.quality")
        .joinpath("data/categories.yaml")
        .read_text(encoding="utf-8")
    )
    return tuple(
        Category(
            code=item["code"],
            label=item["label"],
            label_en=item["label_en"],
            business_line=item.get("business_line"),
            keywords=tuple(item.get("keywords") or ()),
        )
        for item in yaml.safe_load(text)
    )


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def classify(text: str, categories: tuple[Category, ...] | list[Category]) -> str:
    """The category whose keywords cover most characters of ``text``; ``other`` when
    none matches. Pure and explainable: the keywords are the bank's own list."""
    body = _norm(text)
    best, best_score = OTHER, 0
    for category in categories:
        if not category.active:
            continue
        score = sum(len(k) for k in category.keywords if k and _norm(k) in body)
        if score > best_score:
            best, best_score = category.code, score
    return best


def _to_category(row: CategoryRow) -> Category:
    return Category(
        code=row.code,
        label=row.label,
        label_en=row.label_en,
        business_line=row.business_line,
        keywords=tuple(row.keywords or ()),
        branch=row.branch,
        active=row.active,
        version=row.version,
    )


def _ensure_shipped(session: Session, now: datetime) -> None:
    if session.scalars(select(CategoryRow.id).where(CategoryRow.branch == BANK_WIDE)).first():
        return
    for c in shipped_categories():
        session.add(
            CategoryRow(
                id=f"cat_{uuid.uuid4().hex[:16]}",
                code=c.code,
                branch=BANK_WIDE,
                label=c.label,
                label_en=c.label_en,
                business_line=c.business_line,
                keywords=list(c.keywords),
                active=True,
                version=1,
                changed_by="system",
                changed_at=now,
            )
        )
    session.flush()


def list_categories(
    *, session: Session, now: datetime, branch: str | None = None, include_inactive: bool = False
) -> list[Category]:
    """The list in force for ``branch`` (bank-wide entries, overridden by the branch's)."""
    _ensure_shipped(session, now)
    rows = session.scalars(
        select(CategoryRow).where(CategoryRow.branch.in_([BANK_WIDE, branch or BANK_WIDE]))
    ).all()
    merged: dict[str, Category] = {}
    for row in sorted(rows, key=lambda r: (r.branch != BANK_WIDE, r.code)):
        merged[row.code] = _to_category(row)
    order = {c.code: i for i, c in enumerate(shipped_categories())}
    out = sorted(merged.values(), key=lambda c: (c.code == OTHER, order.get(c.code, 99), c.code))
    return out if include_inactive else [c for c in out if c.active]


def set_category_definition(
    *,
    session: Session,
    now: datetime,
    code: str,
    label: str,
    label_en: str,
    keywords: list[str],
    actor: str,
    reason: str,
    branch: str = BANK_WIDE,
    business_line: str | None = None,
    active: bool = True,
) -> Category:
    """Add or change one category of the bank-wide list (``branch='*'``) or a branch's."""
    code = code.strip().lower()
    if not code or not code.replace("_", "").isalnum() or len(code) > 40:
        raise ValidationFailed("类别代码须为 1–40 位小写字母、数字或下划线", field="code")
    if not label.strip() or len(label) > 60:
        raise ValidationFailed("类别名称不能为空，且不超过 60 字", field="label")
    if not reason.strip():
        raise ValidationFailed("请说明修改原因", field="reason")
    if code == OTHER and not active:
        raise ValidationFailed("“其他”类别不能停用", field="active")
    clean = [k.strip() for k in keywords if k.strip()]
    if any(len(k) > 30 for k in clean):
        raise ValidationFailed("关键词不超过 30 字", field="keywords")
    _ensure_shipped(session, now)
    row = session.scalars(
        select(CategoryRow).where(CategoryRow.code == code, CategoryRow.branch == branch)
    ).first()
    before = _to_category(row).as_dict() if row else None
    if row is None:
        row = CategoryRow(id=f"cat_{uuid.uuid4().hex[:16]}", code=code, branch=branch, version=0)
        session.add(row)
    row.label, row.label_en = label.strip(), (label_en.strip() or label.strip())
    row.keywords, row.business_line, row.active = clean, business_line, active
    row.version = (row.version or 0) + 1
    row.changed_by, row.changed_at = actor, now
    session.flush()
    after = _to_category(row)
    session.add(
        CategoryChangeRow(
            code=code,
            branch=branch,
            version=after.version,
            before=before,
            after=after.as_dict(),
            actor=actor,
            reason=reason.strip(),
            at=now,
        )
    )
    session.flush()
    return after


def category_history(*, session: Session, code: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CategoryChangeRow)
        .where(CategoryChangeRow.code == code)
        .order_by(CategoryChangeRow.id)
    )
    return [
        {
            "version": r.version,
            "branch": r.branch,
            "actor": r.actor,
            "reason": r.reason,
            "at": r.at.isoformat(),
            "before": r.before,
            "after": r.after,
        }
        for r in rows
    ]


def set_category(
    *, session: Session, now: datetime, consultation_id: str, code: str, branch: str
) -> str:
    """The agent's closing choice: must be an active category of the branch's list."""
    known = {c.code for c in list_categories(session=session, now=now, branch=branch)}
    if code not in known:
        raise ValidationFailed(f"未知的问题类别：{code}", field="category")
    done = session.execute(
        update(ConsultationRow)
        .where(ConsultationRow.id == consultation_id)
        .values(problem_category=code, category_source="agent")
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("咨询不存在", field="consultation_id")
    return code


def infer_category(session: Session, row: ConsultationRow, cats: list[Category]) -> tuple[str, str]:
    """(category, source) from the bot's answering entry or the first customer message."""
    answer = session.scalars(
        select(ConsultationEventRow)
        .where(
            ConsultationEventRow.consultation_id == row.id,
            ConsultationEventRow.kind == "bot_answer",
        )
        .order_by(ConsultationEventRow.id)
    ).first()
    if answer is not None and answer.data.get("entry_id"):
        question = session.scalars(
            select(EntryVersionRow.standard_question)
            .where(EntryVersionRow.entry_id == answer.data["entry_id"])
            .order_by(EntryVersionRow.number.desc())
        ).first()
        if question:
            found = classify(question, cats)
            if found != OTHER:
                return found, "kb"
    first = session.scalars(
        select(MessageRow.text)
        .where(MessageRow.consultation_id == row.id, MessageRow.author_kind == "customer")
        .order_by(MessageRow.seq)
    ).first()
    text = " ".join(t for t in (row.subject, first) if t)
    return classify(text, cats), "classifier"


def categorize_pending(*, session: Session, now: datetime, batch: int = 500) -> int:
    """Give closed consultations without a category one; returns how many."""
    rows = session.scalars(
        select(ConsultationRow)
        .where(
            ConsultationRow.problem_category.is_(None),
            ConsultationRow.status.in_(CLOSED_STATES),
        )
        .limit(batch)
    ).all()
    lists: dict[str, list[Category]] = {}
    for row in rows:
        cats = lists.setdefault(
            row.branch, list_categories(session=session, now=now, branch=row.branch)
        )
        row.problem_category, row.category_source = infer_category(session, row, cats)
    session.flush()
    return len(rows)


def jobs(*, worker: str, batch: int = 200) -> list[Job]:
    """``quality.categorize``: closed consultations get their problem category within
    a minute, so the monthly report never classifies at read time."""
    from consultdesk.jobs.model import Job

    def run(container: Container) -> int:
        with container.uow() as session:
            return categorize_pending(session=session, now=container.clock.now(), batch=batch)

    return [Job("quality.categorize", every_s=60.0, run=run, again=lambda n: n == batch)]
