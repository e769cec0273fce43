from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from consultdesk.staff.model import Role, StaffMember


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(default="api", max_length=60)
    days: int = Field(default=30, ge=1, le=365)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=40)
    display_name: str = Field(min_length=1, max_length=60)
    role: Role
    branch: str = Field(min_length=2, max_length=12)
    password: str = Field(min_length=10, max_length=256)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: Role
    branch: str
    active: bool

    @classmethod
    def of(cls, m: StaffMember) -> UserOut:
        return cls(
            id=m.id,
            username=m.username,
            display_name=m.display_name,
            role=m.role,
            branch=m.branch,
            active=m.active,
        )


class MeOut(UserOut):
    permissions: list[str]
