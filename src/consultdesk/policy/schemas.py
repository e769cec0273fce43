from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PolicyOut(BaseModel):
    version: str
    branch: str
    values: dict[str, int | str | bool]


class PolicySet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str | int | bool = Field(union_mode="left_to_right")
    reason: str = Field(min_length=1, max_length=500)


class PolicyChangeOut(BaseModel):
    scope: str
    number: int
    key: str
    old_value: str | None
    new_value: str | None
    author: str
    reason: str
    created_at: datetime
