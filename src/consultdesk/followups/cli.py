"""``consultdesk followups list [--overdue] [--branch B] [--json]`` (CLS-3)."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from consultdesk.cli.common import JsonOption, container, print_json, table, user_errors
from consultdesk.followups import service
from consultdesk.followups.model import STATE_ZH


def register(root: typer.Typer) -> None:
    """Add the ``followups`` sub-app to the root app."""
    app = typer.Typer(help="投诉与回访跟进（CLS-3）", no_args_is_help=True)

    @app.command("list")
    def list_(
        overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones")] = False,
        branch: Annotated[str | None, typer.Option(help="Branch code")] = None,
        as_json: bool = JsonOption,
    ) -> None:
        """Open follow-ups by due date; --overdue: customer not told and the due day over."""
        with closing(container()) as c:
            now = c.clock.now()
            with user_errors(), c.uow() as session:
                found = service.list_followups(
                    session=session, now=now, branch=branch, overdue_only=overdue
                )
            rows = [
                {
                    "id": f.id,
                    "consultation_id": f.consultation_id,
                    "branch": f.branch,
                    "kind": f.kind.value,
                    "state": f.state.value,
                    "state_zh": STATE_ZH[f.state],
                    "owner_id": f.owner_id,
                    "due_date": f.due_date.isoformat(),
                    "overdue": f.is_overdue(now),
                }
                for f in found
            ]
            if as_json:
                print_json(rows)
            else:
                table(rows, ["id", "branch", "kind", "state_zh", "owner_id", "due_date", "overdue"])

    root.add_typer(app, name="followups")
