"""Policy API: read the numbers in force; head office or a branch changes them (ANX-1/2)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from consultdesk.policy import service
from consultdesk.policy.model import encode
from consultdesk.policy.schemas import PolicyChangeOut, PolicyOut, PolicySet
from consultdesk.shared.errors import Forbidden
from consultdesk.shared.ids import BranchCode
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])
Viewer = Annotated[StaffMember, Depends(require(Permission.POLICY_VIEW))]
Editor = Annotated[StaffMember, Depends(require(Permission.POLICY_EDIT))]


@router.get("", response_model=PolicyOut)
def show(
    container: ContainerDep,
    member: Viewer,
    branch: Annotated[str | None, Query(max_length=12, pattern=r"^[A-Za-z0-9]+$")] = None,
) -> PolicyOut:
    scope = BranchCode((branch or member.branch).upper())
    if not member.sees_branch(scope):
        raise Forbidden("只能查看本机构的服务策略", field="branch")
    with container.uow() as session:
        policy = service.current_policy(session=session, branch=scope)
    return PolicyOut(version=policy.version, branch=policy.branch, values=encode(policy.values))


@router.put("/{key}", response_model=PolicyOut)
def set_value(key: str, body: PolicySet, container: ContainerDep, editor: Editor) -> PolicyOut:
    """Set ``key`` for the editor's own scope: head office for head-office staff, the
    branch's local rule for branch staff."""
    with container.uow() as session:
        policy = service.set_policy_value(
            session=session,
            now=container.clock.now(),
            author=editor.id,
            key=key,
            value=body.value,
            reason=body.reason,
            scope=BranchCode(editor.branch),
        )
    return PolicyOut(version=policy.version, branch=policy.branch, values=encode(policy.values))


@router.get("/history", response_model=list[PolicyChangeOut])
def history(container: ContainerDep, member: Viewer) -> list[PolicyChangeOut]:
    scope = None if member.at_head_office else member.branch
    with container.uow() as session:
        changes = service.policy_history(session=session, scope=scope)
    return [PolicyChangeOut(**asdict(c)) for c in changes]
