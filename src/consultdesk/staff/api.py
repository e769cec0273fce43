"""Staff API: tokens for API clients, the signed-in member, user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from consultdesk.security.ratelimit import sign_in_guard
from consultdesk.staff import service
from consultdesk.staff.model import ROLE_PERMISSIONS, Permission, StaffMember
from consultdesk.staff.schemas import MeOut, TokenOut, TokenRequest, UserCreate, UserOut
from consultdesk.web.deps import ContainerDep, PrincipalDep, require

router = APIRouter(prefix="/api/v1", tags=["staff"])
Admin = Annotated[StaffMember, Depends(require(Permission.USERS_MANAGE))]


@router.post(
    "/auth/token",
    response_model=TokenOut,
    status_code=201,
    dependencies=[Depends(sign_in_guard)],
)
def issue_token(body: TokenRequest, container: ContainerDep) -> TokenOut:
    """Exchange a username and password for a bearer token (lockout applies)."""
    now = container.clock.now()
    member = service.authenticate(
        uow=container.uow, now=now, username=body.username, password=body.password
    )
    with container.uow() as session:
        token = service.issue_token(
            session=session, now=now, user=member, name=body.name, days=body.days
        )
    return TokenOut(token=token)


@router.get("/me", response_model=MeOut)
def me(principal: PrincipalDep) -> MeOut:
    m = principal.member
    return MeOut(
        **UserOut.of(m).model_dump(), permissions=sorted(p.value for p in ROLE_PERMISSIONS[m.role])
    )


@router.get("/users", response_model=list[UserOut])
def list_users(container: ContainerDep, _: Admin) -> list[UserOut]:
    with container.uow() as session:
        return [UserOut.of(u) for u in service.list_users(session=session)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, container: ContainerDep, _: Admin) -> UserOut:
    with container.uow() as session:
        member = service.create_user(
            session=session,
            now=container.clock.now(),
            username=body.username,
            display_name=body.display_name,
            role=body.role.value,
            branch=body.branch,
            password=body.password,
        )
    return UserOut.of(member)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: str, container: ContainerDep, _: Admin) -> UserOut:
    with container.uow() as session:
        return UserOut.of(service.get_user(session=session, user_id=user_id))


@router.post("/users/{user_id}/disable", response_model=UserOut)
def disable_user(user_id: str, container: ContainerDep, _: Admin) -> UserOut:
    with container.uow() as session:
        user = service.get_user(session=session, user_id=user_id)
        return UserOut.of(service.disable_user(session=session, username=user.username))
