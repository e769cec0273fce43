"""``consultdesk surveys``: invite closed consultations, the monthly score (CLS-2, QC-1)."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from consultdesk.cli.common import JsonOption, container, print_json, user_errors
from consultdesk.surveys import service


def register(root: typer.Typer) -> None:
    """Add the ``surveys`` sub-app to the root app."""
    app = typer.Typer(help="满意度评价与调查（CLS-2、QC-1）", no_args_is_help=True)

    @app.command("invite-closed")
    def invite_closed(
        base_url: Annotated[str, typer.Option(help="Public address of the survey page")],
        limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    ) -> None:
        """Send survey invitations for closed consultations not yet invited."""
        with closing(container()) as c:
            with user_errors(), c.uow() as session:
                invited = service.invite_closed_consultations(
                    session=session,
                    now=c.clock.now(),
                    keyring=c.keyring,
                    base_url=base_url,
                    bank=c.settings.bank_name,
                    limit=limit,
                )
            typer.echo(f"已发送满意度调查邀请 {len(invited)} 份（经通知发件箱投递）")

    @app.command("monthly")
    def monthly(
        month: Annotated[str, typer.Argument(help="YYYY-MM")],
        branch: Annotated[str | None, typer.Option(help="Branch; whole bank if omitted")] = None,
        as_json: bool = JsonOption,
    ) -> None:
        """The month's satisfaction score and whether a review is required (QC-1)."""
        with closing(container()) as c:
            with user_errors(), c.uow() as session:
                m = service.monthly_satisfaction(session=session, month=month, branch=branch)
            if as_json:
                print_json(
                    {
                        "month": m.month,
                        "branch": m.branch,
                        "ratings": m.ratings,
                        "counts": dict(m.counts),
                        "score": m.score,
                        "threshold": m.threshold,
                        "review_required": m.review_required,
                        "review_missing": m.review_missing,
                    }
                )
                return
            score = "无评价" if m.score is None else str(m.score)
            typer.echo(f"{m.month} 满意度 {score}（下限 {m.threshold}，评价 {m.ratings} 条）")
            if m.review_missing:
                typer.echo("低于下限：须记录原因分析与改进计划")

    root.add_typer(app, name="surveys")
