"""Request and response bodies of the identity and core-bank facts API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from consultdesk.identity.model import Verification
from consultdesk.identity.service import SOURCE_SYSTEM_ZH, CheckReport, Sourced


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LastFourIn(_In):
    last_four: str = Field(min_length=4, max_length=4, pattern=r"^\d{3}[\dXx]$")


class CodeIn(_In):
    challenge_id: str = Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9-]{1,36}$")
    code: str = Field(min_length=4, max_length=8, pattern=r"^[0-9０-９]{4,8}$")


class VisitorCodeIn(_In):
    """The code the customer received by SMS, typed in the chat widget (never read out)."""

    code: str = Field(min_length=4, max_length=8, pattern=r"^[0-9０-９]{4,8}$")


class VisitorVerificationOut(BaseModel):
    """What the customer's widget may know: verified or not, and whether a code awaits."""

    verified: bool
    code_sent: bool
    message: str | None = None
    attempts_left: int | None = None


class HighRiskIn(_In):
    operation: Literal["transfer", "close_account", "change_phone"]
    account_id: str | None = Field(default=None, min_length=1, max_length=40)


class RevealIn(_In):
    field: Literal["phone", "id_number"]
    reason: str = Field(min_length=4, max_length=200)


class CheckOut(BaseModel):
    method: str
    outcome: str
    at: datetime
    operation: str | None


class VerificationOut(BaseModel):
    consultation_id: str
    customer_id: str | None
    level: str
    methods: list[str]
    verified_at: datetime | None
    policy_version: str | None
    checks: list[CheckOut]

    @classmethod
    def of(cls, v: Verification) -> VerificationOut:
        return cls(
            consultation_id=v.consultation_id,
            customer_id=v.customer_id,
            level=v.level.value,
            methods=[m.value for m in v.methods],
            verified_at=v.verified_at,
            policy_version=v.policy_version,
            checks=[
                CheckOut(
                    method=c.method.value,
                    outcome=c.outcome.value,
                    at=c.at,
                    operation=c.operation.value if c.operation else None,
                )
                for c in v.checks
            ],
        )


class CheckReportOut(BaseModel):
    outcome: str
    message: str
    attempts_left: int | None
    verification: VerificationOut

    @classmethod
    def of(cls, r: CheckReport) -> CheckReportOut:
        return cls(
            outcome=r.outcome.value,
            message=r.message,
            attempts_left=r.attempts_left,
            verification=VerificationOut.of(r.verification),
        )


class SentOut(BaseModel):
    """What the agent may see about a sent code: never the code, never the full number."""

    challenge_id: str
    masked_phone: str
    expires_at: datetime


class ApprovalOut(BaseModel):
    operation: str
    account_id: str | None
    approved_at: datetime
    backed_by_check_at: datetime
    policy_version: str


class SourceOut(BaseModel):
    """SOL-2: where a fact comes from and when."""

    system: str
    system_name: str
    as_of: datetime
    note: str


class FactOut(BaseModel):
    source: SourceOut
    data: Any

    @classmethod
    def of(cls, fact: Sourced[Any], data: Any) -> FactOut:
        return cls(
            source=SourceOut(
                system=fact.system,
                system_name=SOURCE_SYSTEM_ZH,
                as_of=fact.as_of,
                note=f"数据来源：{SOURCE_SYSTEM_ZH}，截至 {fact.as_of:%Y-%m-%d %H:%M} (UTC)；"
                "涉及办理结果的以审批为准",
            ),
            data=data,
        )


class RevealOut(BaseModel):
    field: str
    value: str


def plain(value: Any) -> Any:
    """Dataclasses/enums/Decimals as JSON-ready values (amounts as strings, exact)."""
    from dataclasses import asdict, is_dataclass
    from enum import Enum

    if is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in asdict(value).items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
