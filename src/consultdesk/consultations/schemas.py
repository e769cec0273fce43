"""Request and response bodies of the consultations and customers API.

Lengths and patterns are declared here so bad input is a 422 naming the field before any
use case runs; the use cases check the business rules again (they are called from the
CLI and the WebSocket too)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from consultdesk.consultations.messages import MAX_MESSAGE_CHARS, Message
from consultdesk.consultations.model import MAX_SUMMARY, Consultation
from consultdesk.consultations.service import TimelineEntry
from consultdesk.customers.model import Customer

CLIENT_MSG_ID = r"^[A-Za-z0-9_.:\-]{1,64}$"
BRANCH = r"^[A-Za-z0-9]{1,12}$"
ID_PATTERN = r"^[A-Za-z0-9_\-]{1,40}$"  # our ids: "con_4f3a9c1e7b2d40aa"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def no_nul(cls, value: object) -> object:
        """PostgreSQL cannot store NUL in text: refuse it here, naming the field."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("不允许包含 NUL 字符")
        return value


class CustomerCreate(_In):
    name: str = Field(min_length=1, max_length=60)
    phone: str | None = Field(default=None, max_length=20)
    id_number: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=120)
    branch: str | None = Field(default=None, pattern=BRANCH)
    core_customer_id: str | None = Field(default=None, max_length=40)
    birth_date: date | None = None
    risk_tolerance: Literal["C1", "C2", "C3", "C4", "C5"] | None = None


class CustomerOut(BaseModel):
    """Masked identifiers only (RSK-1)."""

    id: str
    name: str
    phone_masked: str | None
    id_number_masked: str | None
    branch: str
    risk_tolerance: str | None

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(
            id=c.id,
            name=c.name,
            phone_masked=c.phone_masked,
            id_number_masked=c.id_number_masked,
            branch=c.branch,
            risk_tolerance=c.risk_tolerance.value if c.risk_tolerance else None,
        )


class ConsultationOut(BaseModel):
    id: str
    channel: str
    type: str
    priority: str
    status: str
    branch: str
    policy_version: str
    opened_at: datetime
    customer_id: str | None
    agent_id: str | None
    complexity: str | None
    business_line: str | None
    subject: str | None
    summary: str | None
    summary_confirmed_at: datetime | None
    outcome: str | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, c: Consultation) -> ConsultationOut:
        return cls(
            id=c.id,
            channel=c.channel.value,
            type=c.type.value,
            priority=c.priority.value,
            status=c.status.value,
            branch=c.branch,
            policy_version=c.policy_version,
            opened_at=c.opened_at,
            customer_id=c.customer_id,
            agent_id=c.agent_id,
            complexity=c.complexity.value if c.complexity else None,
            business_line=c.business_line,
            subject=c.subject,
            summary=c.summary,
            summary_confirmed_at=c.summary_confirmed_at,
            outcome=c.outcome,
            first_response_at=c.first_response_at,
            resolved_at=c.resolved_at,
            closed_at=c.closed_at,
        )


class CustomerHistoryOut(BaseModel):
    """ACC-5: a returning customer at a glance."""

    customer: CustomerOut
    consultations: list[ConsultationOut]
    open_consultations: list[ConsultationOut]


class ConsultationOpen(_In):
    channel: Literal["phone", "chat", "bot", "counter", "app"]
    type: Literal[
        "account_query", "product_info", "business_handling", "complaint", "suggestion", "other"
    ] = "other"
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    customer_id: str | None = Field(default=None, max_length=40)
    subject: str | None = Field(default=None, max_length=200)
    branch: str | None = Field(default=None, pattern=BRANCH)


class MessageIn(_In):
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    client_msg_id: str | None = Field(default=None, pattern=CLIENT_MSG_ID)


class DraftIn(_In):
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class DraftFlagOut(BaseModel):
    code: str
    rule: str
    span: tuple[int, int]
    evidence: str
    message: str
    action: str


class DraftCheckOut(BaseModel):
    """A draft reply checked as the gate will check it (QC-6): nothing is sent or
    recorded. ``fixed_text`` is what would go out when nothing blocks."""

    blocked: bool
    flags: list[DraftFlagOut]
    fixed_text: str
    verified: bool
    topic: str


class MessageOut(BaseModel):
    id: str
    consultation_id: str
    seq: int
    author_kind: str
    author_id: str | None
    text: str
    client_msg_id: str | None
    created_at: datetime
    redacted: list[str]

    @classmethod
    def of(cls, m: Message) -> MessageOut:
        return cls(
            id=m.id,
            consultation_id=m.consultation_id,
            seq=m.seq,
            author_kind=m.author_kind.value,
            author_id=m.author_id,
            text=m.text,
            client_msg_id=m.client_msg_id,
            created_at=m.created_at,
            redacted=list(m.redacted),
        )


class PostedOut(BaseModel):
    message: MessageOut
    duplicate: bool
    warning: str | None


class TimelineOut(BaseModel):
    kind: str
    actor: str
    at: datetime
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, object]

    @classmethod
    def of(cls, e: TimelineEntry) -> TimelineOut:
        return cls(
            kind=e.kind,
            actor=e.actor,
            at=e.at,
            from_status=e.from_status,
            to_status=e.to_status,
            reason=e.reason,
            data=e.data,
        )


class MoveIn(_In):
    move: Literal[
        "accept",
        "wait_for_customer",
        "customer_replied",
        "transfer",
        "escalate",
        "resolve",
        "close",
        "reopen",
    ]
    reason: str | None = Field(default=None, max_length=500)
    agent_id: str | None = Field(default=None, max_length=40)


class HandoffIn(_In):
    """STD-3: hand an agitated customer to a colleague."""

    reason: Literal["agitated", "skills", "workload"] = "agitated"
    note: str | None = Field(default=None, max_length=500)
    agent_id: str | None = Field(default=None, max_length=40)


class SummaryIn(_In):
    summary: str = Field(min_length=1, max_length=MAX_SUMMARY)


class ClassifyIn(_In):
    complexity: Literal["simple", "medium", "complex"] | None = None
    type: (
        Literal[
            "account_query",
            "product_info",
            "business_handling",
            "complaint",
            "suggestion",
            "other",
        ]
        | None
    ) = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    business_line: str | None = Field(default=None, min_length=1, max_length=30)


class OutcomeIn(_In):
    outcome: str = Field(min_length=1, max_length=2000)


class VisitorChatOpen(_In):
    branch: str = Field(default="HO", pattern=BRANCH)
    channel: Literal["chat", "app"] = "chat"
    subject: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    lang: Literal["zh", "en"] = "zh"


class VisitorChatOut(BaseModel):
    """The token is shown once; keep it to continue the chat."""

    consultation_id: str
    token: str
    status: str
    websocket: str


class VisitorConsultationOut(BaseModel):
    """What the customer sees of their own consultation: no internal fields."""

    id: str
    status: str
    summary: str | None
    summary_confirmed_at: datetime | None

    @classmethod
    def of(cls, c: Consultation) -> VisitorConsultationOut:
        return cls(
            id=c.id,
            status=c.status.value,
            summary=c.summary,
            summary_confirmed_at=c.summary_confirmed_at,
        )


# The two reads an agent's console and API clients make most (the open list, a
# transcript) are serialised straight from the domain objects: their fields are
# MessageOut's and ConsultationOut's, in the same order, and a test holds the two
# outputs equal. Building a model per row and validating it again as the response model
# cost more than the query (issue 12's read figure).
_MESSAGES = TypeAdapter(list[Message])
_CONSULTATIONS = TypeAdapter(list[Consultation])


def messages_json(found: list[Message]) -> Response:
    """``list[MessageOut]`` as JSON, without building the models."""
    return Response(_MESSAGES.dump_json(found), media_type="application/json")


def consultations_json(found: list[Consultation]) -> Response:
    """``list[ConsultationOut]`` as JSON, without building the models."""
    return Response(_CONSULTATIONS.dump_json(found), media_type="application/json")
