"""Tables of the compliance feature: violations recorded against agents (RSK-6), QA
cases for misleading sales, suitability decisions (SOL-5) and drill results (RSK-8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime


class ViolationRecordRow(Base):
    """A blocking violation an agent ran into (blocked) or sent anyway (overridden)."""

    __tablename__ = "compliance_violation_records"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), index=True)
    consultation_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    code: Mapped[str] = mapped_column(String(40))
    rule_id: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))  # blocked | overridden
    message: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    pack_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QaCaseRow(Base):
    """A misleading-sales case sent to QA for review."""

    __tablename__ = "compliance_qa_cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), index=True)
    violation_id: Mapped[str] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open | closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SuitabilityDecisionRow(Base):
    """A suitability decision and its basis (SOL-5)."""

    __tablename__ = "compliance_suitability_decisions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    product_code: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    product_risk: Mapped[int] = mapped_column(Integer)
    customer_risk: Mapped[int | None] = mapped_column(Integer, nullable=True)
    basis: Mapped[list[str]] = mapped_column(JSON)
    extra_care: Mapped[list[str]] = mapped_column(JSON)
    policy_version: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DrillResultRow(Base):
    """A scored compliance drill run (RSK-8)."""

    __tablename__ = "compliance_drill_results"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), index=True)
    script_id: Mapped[str] = mapped_column(String(60))
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    answers: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
