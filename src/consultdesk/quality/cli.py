"""``consultdesk plans …`` (improvement plans, QC-1, QC-3) and ``consultdesk qa …`` (QA
samples, QC-2). Every command acts as the member named by ``--as``, with their scope."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated, Any

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
from consultdesk.quality import plans, sampling
from consultdesk.quality.model import (
    PLAN_STATUS_ZH,
    SAMPLE_STATUS_ZH,
    Plan,
    QaSample,
    local_date,
)
from consultdesk.shared.errors import ValidationFailed
from consultdesk.staff import service as staff
from consultdesk.staff.model import Permission

EDITORS = (Permission.SUPERVISE, Permission.QA_REVIEW)
READERS = (Permission.REPORTS,)


def _plan_row(p: Plan) -> dict[str, Any]:
    return {
        "id": p.id,
        "branch": p.branch,
        "month": p.month,
        "trigger": p.trigger.value,
        "category": p.category,
        "trigger_value": p.trigger_value,
        "threshold": p.threshold,
        "owner_id": p.owner_id,
        "cause_analysis": p.cause_analysis,
        "actions": [a.as_dict() for a in p.actions],
        "due_date": p.due_date.isoformat(),
        "status": p.status.value,
        "status_zh": PLAN_STATUS_ZH[p.status],
        "outcome": p.outcome,
        "policy_version": p.policy_version,
        "done_at": p.done_at,
    }


def _show_plan(p: Plan, as_json: bool) -> None:
    if as_json:
        print_json(_plan_row(p))
        return
    typer.echo(f"{p.id}  {p.branch}  {p.month}  {p.trigger.value}  {p.category or '-'}")
    typer.echo(f"  状态 {PLAN_STATUS_ZH[p.status]}  到期 {p.due_date}  负责人 {p.owner_id or '-'}")
    typer.echo(f"  原因分析：{p.cause_analysis or '（未填写）'}")
    for number, action in enumerate(p.actions, start=1):
        typer.echo(f"  {number}. [{'x' if action.done else ' '}] {action.text}")
    if p.outcome:
        typer.echo(f"  结果：{p.outcome}")


def _sample_row(s: QaSample) -> dict[str, Any]:
    return {
        "id": s.id,
        "month": s.month,
        "branch": s.branch,
        "agent_id": s.agent_id,
        "consultation_id": s.consultation_id,
        "channel": s.channel,
        "auto_score": s.auto_score,
        "scorecard": [
            {"item": i.item, "passed": i.passed, "evidence": i.evidence} for i in s.scorecard
        ],
        "status": s.status.value,
        "status_zh": SAMPLE_STATUS_ZH[s.status],
        "reviewer_id": s.reviewer_id,
        "review_score": s.review_score,
        "review_note": s.review_note,
    }


SAMPLE_COLUMNS = ["id", "branch", "agent_id", "channel", "consultation_id", "auto_score"]


def register(root: typer.Typer) -> None:
    """Add ``plans`` and ``qa`` to the root app."""
    plans_app = typer.Typer(help="整改计划（QC-1、QC-3）", no_args_is_help=True)
    qa_app = typer.Typer(help="质检抽样与评分（QC-2）", no_args_is_help=True)

    @plans_app.command("list")
    def plans_list(
        branch: Annotated[str | None, typer.Option(help="Branch code")] = None,
        month: Annotated[str | None, typer.Option(help="YYYY-MM")] = None,
        status: Annotated[str | None, typer.Option(help="open | in_progress | done | …")] = None,
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Improvement plans the --as member may see."""
        with closing(container()) as c, user_errors(), c.uow() as session:
            member = acting_member(session, username, *READERS)
            found = plans.list_plans(
                session=session, scope=member.scope, branch=branch, month=month, status=status
            )
            today = local_date(c.clock.now())
        rows = [_plan_row(p) | {"overdue": p.is_overdue(today)} for p in found]
        if as_json:
            print_json(rows)
        else:
            columns = ["id", "branch", "month", "trigger", "category", "status_zh", "due_date"]
            table(rows, [*columns, "overdue"])

    @plans_app.command("show")
    def plans_show(
        plan_id: Annotated[str, typer.Argument(help="The plan's id")],
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """One plan with its cause analysis and actions."""
        with closing(container()) as c, user_errors(), c.uow() as session:
            member = acting_member(session, username, *READERS)
            plan = plans.get_plan(session=session, plan_id=plan_id, scope=member.scope)
        _show_plan(plan, as_json)

    @plans_app.command("update")
    def plans_update(
        plan_id: Annotated[str, typer.Argument(help="The plan's id")],
        owner: Annotated[str | None, typer.Option(help="The owner's username")] = None,
        cause: Annotated[str | None, typer.Option(help="The cause analysis")] = None,
        action: Annotated[
            list[str] | None, typer.Option(help="An action (repeat; replaces the list)")
        ] = None,
        done_action: Annotated[
            list[int] | None, typer.Option(help="Mark action N (1-based) done; repeat")
        ] = None,
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Set the owner, the cause analysis or the actions."""
        with closing(container()) as c, user_errors(), c.uow() as session:
            member = acting_member(session, username, *EDITORS)
            now = c.clock.now()
            changes: dict[str, Any] = {}
            if owner is not None:
                changes["owner_id"] = staff.find_user(session=session, username=owner).id
            if cause is not None:
                changes["cause_analysis"] = cause
            if action is not None or done_action is not None:
                current = plans.get_plan(session=session, plan_id=plan_id, scope=member.scope)
                items = (
                    [{"text": t, "done": False} for t in action]
                    if action is not None
                    else [a.as_dict() for a in current.actions]
                )
                for number in done_action or []:
                    if not 1 <= number <= len(items):
                        raise ValidationFailed(f"没有第 {number} 项整改措施", field="done_action")
                    items[number - 1]["done"] = True
                changes["actions"] = items
            plan = plans.update_plan(
                session=session, now=now, plan_id=plan_id, scope=member.scope, **changes
            )
        _show_plan(plan, as_json)

    def _move(plan_id: str, status: str, outcome: str | None, username: str, as_json: bool) -> None:
        with closing(container()) as c, user_errors(), c.uow() as session:
            member = acting_member(session, username, *EDITORS)
            plan = plans.move_plan(
                session=session,
                now=c.clock.now(),
                plan_id=plan_id,
                scope=member.scope,
                status=status,
                outcome=outcome,
            )
        _show_plan(plan, as_json)

    @plans_app.command("start")
    def plans_start(
        plan_id: Annotated[str, typer.Argument(help="The plan's id")],
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """open -> in_progress."""
        _move(plan_id, "in_progress", None, username, as_json)

    @plans_app.command("done")
    def plans_done(
        plan_id: Annotated[str, typer.Argument(help="The plan's id")],
        outcome: Annotated[str | None, typer.Option(help="What came of it")] = None,
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """in_progress -> done; needs a cause analysis and at least one action (QC-1)."""
        _move(plan_id, "done", outcome, username, as_json)

    @plans_app.command("cancel")
    def plans_cancel(
        plan_id: Annotated[str, typer.Argument(help="The plan's id")],
        reason: Annotated[str, typer.Option(help="Why it is cancelled")],
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """open | in_progress -> cancelled, with the reason."""
        _move(plan_id, "cancelled", reason, username, as_json)

    @qa_app.command("sample")
    def qa_sample(
        month: Annotated[str, typer.Argument(help="YYYY-MM")],
        branch: Annotated[str | None, typer.Option(help="Branch code (default: yours)")] = None,
        seed: Annotated[str, typer.Option(help="Extra seed for the draw")] = "",
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Draw the month's QA samples (policy quality.qa_samples_per_agent per agent)."""
        with closing(container()) as c, user_errors(), c.uow() as session:
            member = acting_member(session, username, Permission.QA_REVIEW)
            draw = sampling.draw_monthly_sample(
                session=session,
                now=c.clock.now(),
                month=month,
                scope=member.scope,
                branch=branch or member.scope.branch,
                seed=seed,
            )
        rows = [_sample_row(s) for s in draw.drawn]
        if as_json:
            print_json(
                {
                    "month": draw.month,
                    "drawn": rows,
                    "agents_already_drawn": draw.agents_already_drawn,
                }
            )
            return
        table(rows, SAMPLE_COLUMNS)
        if draw.agents_already_drawn:
            typer.echo(f"本月已抽样、未重复抽取：{', '.join(draw.agents_already_drawn)}")

    @qa_app.command("samples")
    def qa_samples(
        month: Annotated[str, typer.Argument(help="YYYY-MM")],
        branch: Annotated[str | None, typer.Option(help="Branch code")] = None,
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """The month's samples with their automatic and reviewer scores."""
        with closing(container()) as c, user_errors(), c.uow() as session:
            member = acting_member(session, username, *READERS)
            found = sampling.list_samples(
                session=session, scope=member.scope, month=month, branch=branch
            )
        rows = [_sample_row(s) for s in found]
        if as_json:
            print_json(rows)
        else:
            table(rows, [*SAMPLE_COLUMNS, "status_zh", "review_score"])

    @qa_app.command("score")
    def qa_score(
        sample_id: Annotated[str, typer.Argument(help="The sample's id")],
        score: Annotated[int, typer.Option(help="0–100")],
        note: Annotated[str | None, typer.Option(help="Reviewer's note")] = None,
        username: str = AsOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Score a drawn sample (once)."""
        with closing(container()) as c, user_errors(), c.uow() as session:
            member = acting_member(session, username, Permission.QA_REVIEW)
            sample = sampling.score_sample(
                session=session,
                now=c.clock.now(),
                sample_id=sample_id,
                scope=member.scope,
                reviewer_id=member.id,
                review_score=score,
                note=note,
            )
        row = _sample_row(sample)
        if as_json:
            print_json(row)
        else:
            table([row], [*SAMPLE_COLUMNS, "status_zh", "review_score"])

    root.add_typer(plans_app, name="plans")
    root.add_typer(qa_app, name="qa")
    from consultdesk.quality import report_cli

    report_cli.register(root)  # `report monthly`, `categories`
