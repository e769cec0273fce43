"""``consultdesk consultations …``: read consultations from the command line (ACC-4, ACC-5)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from consultdesk.cli.common import (
    AsOption,
    JsonOption,
    acting_member,
    container,
    print_json,
    table,
    user_errors,
)
from consultdesk.consultations import service
from consultdesk.customers import service as customers
from consultdesk.staff.model import Permission

READERS = (Permission.HANDLE_CONSULTATIONS, Permission.VIEW_BRANCH_CONSULTATIONS)

app = typer.Typer(
    help="Consultations: list, show one with its transcript and timeline.", no_args_is_help=True
)


@app.command("list")
def list_(
    branch: str | None = typer.Option(None, help="Only this branch"),
    status: str | None = typer.Option(None, help="queued | in_progress | … | closed"),
    open_only: bool = typer.Option(False, "--open", help="Only consultations still open"),
    limit: int = typer.Option(50, min=1, max=1000),
    username: str = AsOption,
    as_json: bool = JsonOption,
) -> None:
    """Consultations the member named by --as may see, newest first."""
    c = container()
    with user_errors(), c.uow() as session:
        member = acting_member(session, username, *READERS)
        rows = [
            asdict(x)
            for x in service.list_consultations(
                session=session,
                scope=member.scope,
                branch=branch,
                status=status,
                open_only=open_only,
                limit=limit,
            )
        ]
    if as_json:
        print_json(rows)
    else:
        table(rows, ["id", "channel", "type", "status", "branch", "opened_at", "policy_version"])


@app.command("show")
def show(
    consultation_id: str = typer.Argument(..., help="The consultation's id"),
    username: str = AsOption,
    as_json: bool = JsonOption,
) -> None:
    """One consultation with its transcript and timeline (identifiers stay masked); another
    branch's consultation reads as unknown (RSK-2)."""
    c = container()
    with user_errors(), c.uow() as session:
        scope = acting_member(session, username, *READERS).scope
        found = service.get_consultation(
            session=session, consultation_id=consultation_id, scope=scope
        )
        messages = service.transcript(session=session, consultation_id=consultation_id, scope=scope)
        events = service.timeline(session=session, consultation_id=consultation_id, scope=scope)
    if as_json:
        print_json(
            {
                "consultation": asdict(found),
                "messages": [asdict(m) for m in messages],
                "timeline": [asdict(e) for e in events],
            }
        )
        return
    head = f"{found.id}  {found.channel.value}  {found.status.value}  {found.branch}"
    typer.echo(f"{head}  策略 {found.policy_version}")
    for m in messages:
        typer.echo(f"  #{m.seq} [{m.author_kind.value}] {m.text}")
    for e in events:
        typer.echo(f"  {e.at:%Y-%m-%d %H:%M:%S} {e.kind} ({e.actor})")


@app.command("customer")
def customer(
    phone: str = typer.Option(..., help="The customer's mobile number"),
    username: str = AsOption,
    as_json: bool = JsonOption,
) -> None:
    """A returning customer by phone, with earlier consultations (ACC-5); masked. Only
    customers of the --as member's branch (head office: any)."""
    c = container()
    with user_errors(), c.uow() as session:
        scope = acting_member(session, username, *READERS).scope
        found = customers.find_by_phone(session=session, index_key=c.index_key, phone=phone)
        if found is None or not scope.admits(found.branch):
            typer.echo("错误（phone）：没有该手机号的客户", err=True)
            raise typer.Exit(1)
        history = service.customer_history(session=session, customer_id=found.id, scope=scope)
    if as_json:
        print_json({"customer": asdict(found), "history": [asdict(h) for h in history]})
        return
    typer.echo(f"{found.id}  {found.name}  {found.phone_masked}  {found.branch}")
    table([asdict(h) for h in history], ["id", "channel", "type", "status", "opened_at"])


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="consultations")
