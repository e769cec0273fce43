"""Request and response bodies of the assistant API. Limits are declared here so bad
input is a 422 naming the field."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from consultdesk.assistant.bot import Asked
from consultdesk.assistant.review import PairLabel, ReviewItem
from consultdesk.assistant.service import Suggestion

# A customer may paste anything: up to 20,000 characters reach the bot, which hands
# long text over to a person instead of failing.
MAX_ASK_CHARS = 20_000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskIn(_In):
    consultation_id: str = Field(min_length=1, max_length=40)
    text: str = Field(max_length=MAX_ASK_CHARS)


class CandidateOut(BaseModel):
    entry_id: str
    question: str
    score: float


class AskOut(BaseModel):
    decision: str
    route: str
    reply: str
    handed_over: bool
    gate: str | None
    confidence: float
    entry_id: str | None
    candidates: list[CandidateOut]

    @classmethod
    def of(cls, asked: Asked) -> AskOut:
        turn = asked.turn
        return cls(
            decision=turn.action.value,
            route=turn.route.value,
            reply=asked.reply.text if asked.reply is not None else turn.text,
            handed_over=asked.handed_over,
            gate=asked.gate.verdict.value if asked.gate is not None else None,
            confidence=turn.confidence,
            entry_id=turn.entry_id,
            candidates=[
                CandidateOut(entry_id=g.entry_id, question=g.question, score=g.score)
                for g in turn.guesses
            ],
        )


class SuggestionOut(BaseModel):
    entry_id: str
    question: str
    answer: str
    steps: list[str]
    source: str
    complexity: str
    business_line: str | None
    score: float

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionOut:
        e = s.entry
        return cls(
            entry_id=e.entry_id,
            question=e.question,
            answer=e.answer,
            steps=list(e.steps),
            source=e.source,
            complexity=e.complexity,
            business_line=e.business_line,
            score=s.score,
        )


class ReviewItemOut(BaseModel):
    id: str
    question: str
    consultation_id: str | None
    branch: str | None
    decision: str
    confidence: float
    guesses: list[dict[str, Any]]
    status: str
    entry_id: str | None
    note: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, i: ReviewItem) -> ReviewItemOut:
        return cls(
            id=i.id,
            question=i.question,
            consultation_id=i.consultation_id,
            branch=i.branch,
            decision=i.decision,
            confidence=i.confidence,
            guesses=list(i.guesses),
            status=i.status.value,
            entry_id=i.entry_id,
            note=i.note,
            resolved_by=i.resolved_by,
            resolved_at=i.resolved_at,
            created_at=i.created_at,
        )


class ResolveIn(_In):
    outcome: Literal["paraphrase_added", "entry_drafted", "dismissed"]
    entry_id: str | None = Field(default=None, min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=500)


class PairIn(_In):
    first: str = Field(min_length=1, max_length=600)
    second: str = Field(min_length=1, max_length=600)
    same: bool


class PairOut(BaseModel):
    id: str
    first: str
    second: str
    same: bool
    labelled_by: str
    created_at: datetime

    @classmethod
    def of(cls, p: PairLabel) -> PairOut:
        return cls(
            id=p.id,
            first=p.first,
            second=p.second,
            same=p.same,
            labelled_by=p.labelled_by,
            created_at=p.created_at,
        )
