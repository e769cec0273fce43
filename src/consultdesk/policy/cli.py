"""``consultdesk policy …``"""

from __future__ import annotations

from dataclasses import asdict

import typer

from consultdesk.cli.common import JsonOption, container, print_json, table, user_errors
from consultdesk.policy import service
from consultdesk.policy.model import BY_KEY, encode
from consultdesk.shared.ids import BranchCode, UserId

app = typer.Typer(
    help="The versioned service policy: every number the procedure names (ANX-1, ANX-2).",
    no_args_is_help=True,
)


@app.command("show")
def show(
    branch: str = typer.Option(
        "HO", help="Branch code; shows head office's numbers with the branch's on top"
    ),
    as_json: bool = JsonOption,
) -> None:
    """Show the numbers in force and the version label decisions record."""
    c = container()
    with user_errors(), c.uow() as session:
        policy = service.current_policy(session=session, branch=BranchCode(branch.upper()))
    if as_json:
        print_json(
            {"version": policy.version, "branch": policy.branch, "values": encode(policy.values)}
        )
        return
    typer.echo(f"版本 {policy.version}（{policy.branch}）")
    table(
        [
            {"key": k, "value": v, "unit": BY_KEY[k].unit, "req": BY_KEY[k].requirement}
            for k, v in encode(policy.values).items()
        ],
        ["key", "value", "unit", "req"],
    )


@app.command("set")
def set_(
    key: str = typer.Argument(..., help="Setting, e.g. sla.online_first_response_s"),
    value: str = typer.Argument(..., help="New value"),
    reason: str = typer.Option(..., help="Why (recorded with the change)"),
    branch: str = typer.Option("HO", help="HO for head office, or a branch code for a local rule"),
    author: str = typer.Option("cli", help="Who makes the change (recorded)"),
) -> None:
    """Change one number; makes a new policy version."""
    c = container()
    with user_errors(), c.uow() as session:
        policy = service.set_policy_value(
            session=session,
            now=c.clock.now(),
            author=UserId(author),
            key=key,
            value=value,
            reason=reason,
            scope=BranchCode(branch.upper()),
        )
    typer.echo(f"已生效：{key} = {policy.values[key]}，策略版本 {policy.version}")


@app.command("history")
def history(
    branch: str | None = typer.Option(None, help="Only this scope"),
    as_json: bool = JsonOption,
) -> None:
    """Every change, newest first, with author, time and reason."""
    c = container()
    with user_errors(), c.uow() as session:
        rows = [asdict(h) for h in service.policy_history(session=session, scope=branch)]
    if as_json:
        print_json(rows)
    else:
        table(
            rows,
            ["created_at", "scope", "number", "key", "old_value", "new_value", "author", "reason"],
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="policy")
