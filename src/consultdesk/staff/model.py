"""Staff, roles and permissions (PREP-5, RSK-2, ANX-1).

Permissions live in one table, ``ROLE_PERMISSIONS``; the web layer checks them in one
place (``consultdesk.web.deps.require``). Lockout is a pure rule over the failure count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from consultdesk.shared.errors import ValidationFailed
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode, UserId
from consultdesk.shared.scope import Scope


class Role(StrEnum):
    AGENT = "agent"
    SENIOR_AGENT = "senior_agent"
    SUPERVISOR = "supervisor"
    QA = "qa"
    COMPLIANCE_OFFICER = "compliance_officer"
    ADMIN = "admin"


ROLE_LABELS_ZH: dict[Role, str] = {
    Role.AGENT: "坐席",
    Role.SENIOR_AGENT: "高级坐席",
    Role.SUPERVISOR: "主管",
    Role.QA: "质检",
    Role.COMPLIANCE_OFFICER: "合规专员",
    Role.ADMIN: "系统管理员",
}


class Permission(StrEnum):
    CONSOLE = "console.view"
    HANDLE_CONSULTATIONS = "consultations.handle"
    HANDLE_COMPLEX = "consultations.complex"
    SUPERVISE = "consultations.supervise"
    VIEW_BRANCH_CONSULTATIONS = "consultations.view_branch"
    QA_REVIEW = "qa.review"
    COMPLIANCE_REVIEW = "compliance.review"
    COMPLIANCE_RULES = "compliance.rules"
    AML_REVIEW = "aml.review"
    KB_EDIT = "kb.edit"
    KB_REVIEW = "kb.review"
    REPORTS = "reports.view"
    AUDIT_SEARCH = "audit.search"
    PII_REVEAL = "pii.reveal"
    POLICY_EDIT = "policy.edit"
    POLICY_VIEW = "policy.view"
    USERS_MANAGE = "users.manage"
    NOTIFICATIONS = "notifications.view"


_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset({_P.CONSOLE, _P.HANDLE_CONSULTATIONS, _P.KB_EDIT, _P.POLICY_VIEW}),
    Role.SENIOR_AGENT: frozenset(
        {_P.CONSOLE, _P.HANDLE_CONSULTATIONS, _P.HANDLE_COMPLEX, _P.KB_EDIT, _P.POLICY_VIEW}
    ),
    Role.SUPERVISOR: frozenset(
        {
            _P.CONSOLE,
            _P.HANDLE_CONSULTATIONS,
            _P.HANDLE_COMPLEX,
            _P.SUPERVISE,
            _P.VIEW_BRANCH_CONSULTATIONS,
            _P.KB_EDIT,
            _P.KB_REVIEW,
            _P.REPORTS,
            _P.PII_REVEAL,
            _P.POLICY_VIEW,
            _P.NOTIFICATIONS,
            _P.POLICY_EDIT,
        }
    ),
    Role.QA: frozenset(
        {
            _P.CONSOLE,
            _P.QA_REVIEW,
            _P.VIEW_BRANCH_CONSULTATIONS,
            _P.REPORTS,
            _P.KB_REVIEW,
            _P.POLICY_VIEW,
        }
    ),
    Role.COMPLIANCE_OFFICER: frozenset(
        {
            _P.CONSOLE,
            _P.COMPLIANCE_REVIEW,
            _P.COMPLIANCE_RULES,
            _P.AML_REVIEW,
            _P.AUDIT_SEARCH,
            _P.VIEW_BRANCH_CONSULTATIONS,
            _P.REPORTS,
            _P.KB_REVIEW,
            _P.POLICY_VIEW,
            _P.PII_REVEAL,
        }
    ),
    # The administrator runs the system, not the business: no customer data.
    Role.ADMIN: frozenset(
        {
            _P.CONSOLE,
            _P.USERS_MANAGE,
            _P.POLICY_VIEW,
            _P.POLICY_EDIT,
            _P.AUDIT_SEARCH,
            _P.NOTIFICATIONS,
        }
    ),
}


def can(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


@dataclass(frozen=True)
class StaffMember:
    id: UserId
    username: str
    display_name: str
    role: Role
    branch: BranchCode
    active: bool

    @property
    def at_head_office(self) -> bool:
        return self.branch == HEAD_OFFICE

    def can(self, permission: Permission) -> bool:
        return self.active and can(self.role, permission)

    def sees_branch(self, branch: str) -> bool:
        """Head office sees every branch; branch staff only their own (RSK-2)."""
        return self.at_head_office or branch == self.branch

    @property
    def scope(self) -> Scope:
        """What this member's services may touch (RSK-2)."""
        return Scope.of_branch(self.branch)


_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,39}$")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256


def parse_username(value: str) -> str:
    name = value.strip().lower()
    if not _USERNAME.match(name):
        raise ValidationFailed(
            "用户名须为 3–40 位小写字母、数字或 . _ -，以字母开头", field="username"
        )
    return name


def check_password_strength(password: str) -> None:
    """At least 10 characters with letters and digits. Long passphrases are welcome:
    argon2id hashes the whole input, so nothing past 72 bytes is silently ignored."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationFailed(f"密码至少 {MIN_PASSWORD_CHARS} 位", field="password")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValidationFailed(f"密码不得超过 {MAX_PASSWORD_CHARS} 位", field="password")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationFailed("密码须同时包含字母和数字", field="password")


def lockout_after_failure(
    *, failures: int, now: datetime, max_failures: int, lockout_seconds: int
) -> datetime | None:
    """When ``failures`` consecutive failures reach the limit, the account locks until the
    returned time; otherwise ``None``."""
    if failures >= max_failures:
        return now + timedelta(seconds=lockout_seconds)
    return None
