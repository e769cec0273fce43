"""Tables of the quality loop. Consultations carry their problem category
(``consultations.problem_category``, set at close) so the monthly report is a GROUP BY."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime

BANK_WIDE = "*"


class CategoryRow(Base):
    """One problem category of the managed list; ``branch`` is ``*`` for the bank-wide
    list or a branch code for a branch's own addition or override."""

    __tablename__ = "quality_categories"
    __table_args__ = (UniqueConstraint("code", "branch"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    branch: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(60))
    label_en: Mapped[str] = mapped_column(String(80))
    business_line: Mapped[str | None] = mapped_column(String(30), nullable=True)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_by: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CategoryChangeRow(Base):
    """Every change to the list, kept (like policy versions): who, when, why, before/after."""

    __tablename__ = "quality_category_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    branch: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImprovementPlanRow(Base):
    """An improvement plan (QC-1, QC-3): opened for a category over the alert share or a
    satisfaction score under the floor, tracked to done."""

    __tablename__ = "quality_improvement_plans"
    __table_args__ = (UniqueConstraint("branch", "month", "trigger", "category"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    branch: Mapped[str] = mapped_column(String(12), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # the month that triggered it
    trigger: Mapped[str] = mapped_column(String(20))  # category_share | satisfaction | manual
    category: Mapped[str] = mapped_column(String(40), default="")  # "" when not a category
    trigger_value: Mapped[Decimal | None] = mapped_column(Numeric(8, 4), nullable=True)
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(8, 4), nullable=True)
    owner_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cause_analysis: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # open | in_progress | done | cancelled
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaseRow(Base):
    """The case library (QC-4): a consultation kept as a success or failure case; a
    failure carries its preventive measure."""

    __tablename__ = "quality_cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(String(40), index=True)
    branch: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # success | failure
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    preventive_measure: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    drill_uses: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QaSampleRow(Base):
    """One consultation drawn for QA scoring (QC-2): the automatic scorecard, then the
    reviewer's score."""

    __tablename__ = "quality_qa_samples"
    __table_args__ = (
        UniqueConstraint("month", "consultation_id"),
        Index("ix_quality_qa_samples_month_agent", "month", "agent_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    branch: Mapped[str] = mapped_column(String(12), index=True)
    agent_id: Mapped[str] = mapped_column(String(40))
    consultation_id: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(12))
    auto_score: Mapped[int] = mapped_column(Integer)
    scorecard: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(8))  # drawn | scored
    reviewer_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    review_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
