"""``consultdesk users …``"""

from __future__ import annotations

import getpass
from dataclasses import asdict

import typer

from consultdesk.cli.common import JsonOption, container, print_json, table, user_errors
from consultdesk.staff import service

app = typer.Typer(help="Staff accounts: create, list and disable users.", no_args_is_help=True)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name: 3–40 lower-case letters, digits, . _ -"),
    role: str = typer.Option(
        ..., help="agent | senior_agent | supervisor | qa | compliance_officer | admin"
    ),
    branch: str = typer.Option("HO", help="Branch code; HO is head office"),
    name: str = typer.Option(..., "--name", help="Display name shown to customers and colleagues"),
    password: str | None = typer.Option(
        None, help="Initial password (≥10 chars, letters and digits); prompted for when omitted"
    ),
) -> None:
    """Create a staff account."""
    secret = password or getpass.getpass("初始密码：")
    c = container()
    with user_errors(), c.uow() as session:
        member = service.create_user(
            session=session,
            now=c.clock.now(),
            username=username,
            display_name=name,
            role=role,
            branch=branch,
            password=secret,
        )
    typer.echo(f"已创建用户 {member.username}（{member.role.value}，{member.branch}）")


@app.command("list")
def list_(
    branch: str | None = typer.Option(None, help="Only this branch"),
    as_json: bool = JsonOption,
) -> None:
    """List staff accounts."""
    c = container()
    with user_errors(), c.uow() as session:
        users = [asdict(u) for u in service.list_users(session=session, branch=branch)]
    if as_json:
        print_json(users)
    else:
        table(users, ["username", "display_name", "role", "branch", "active"])


@app.command("disable")
def disable(username: str = typer.Argument(..., help="Login name to disable")) -> None:
    """Disable an account; its sessions and tokens stop working at once."""
    c = container()
    with user_errors(), c.uow() as session:
        member = service.disable_user(session=session, username=username)
    typer.echo(f"已停用用户 {member.username}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="users")
