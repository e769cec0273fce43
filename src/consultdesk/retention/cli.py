"""`consultdesk purge [--dry-run] [--json]` and `consultdesk retention hold|release|holds` (CLS-4).

`purge` destroys every record past its retention that no legal hold keeps, writes the
proof of destruction to the audit log, and prints what went (with --dry-run: what would
go, nothing is touched). Bad input or an unreadable database: one line on stderr, exit 2.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from consultdesk.cli.common import JsonOption, container, fail, print_json, table, user_errors
from consultdesk.retention import service

retention = typer.Typer(help="Retention: legal holds on records (CLS-4).", no_args_is_help=True)


def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将销毁的记录，不删除")] = False,
    as_json: bool = JsonOption,
) -> None:
    """Destroy expired records not under a legal hold, with proof in the audit log."""
    c = container()
    try:
        with user_errors():
            report = service.run_purge(container=c, dry_run=dry_run)
    except SQLAlchemyError as exc:
        raise fail(f"数据库不可用：{type(exc).__name__}") from None
    finally:
        c.close()
    if as_json:
        print_json(report.as_dict())
        return
    verb = "将销毁" if dry_run else "已销毁"
    typer.echo(f"{'试运行' if dry_run else '销毁完成'}（{report.at:%Y-%m-%d %H:%M} UTC）")
    table(
        [
            {
                "类别": c.record_class,
                "保存天数": c.retention_days,
                verb: c.destroyed,
                "保全中": c.held,
                "SHA-256": c.sha256[:16] + "…",
            }
            for c in report.classes
        ],
        ["类别", "保存天数", verb, "保全中", "SHA-256"],
    )


@retention.command("hold")
def hold(
    subject_kind: Annotated[str, typer.Argument(help="consultation 或 customer")],
    subject_id: Annotated[str, typer.Argument(help="咨询或客户编号")],
    reason: Annotated[str, typer.Option("--reason", help="保全原因（必填）")],
    actor: Annotated[str, typer.Option("--actor", help="操作人")] = "cli",
) -> None:
    """Place a manual legal hold: the records are kept until it is released."""
    c = container()
    try:
        with user_errors(), c.uow() as session:
            found = service.place_hold(
                session=session,
                now=c.clock.now(),
                subject_kind=subject_kind,
                subject_id=subject_id,
                reason=reason,
                actor=actor,
            )
    finally:
        c.close()
    typer.echo(f"已保全 {found.subject_kind} {found.subject_id}（{found.id}）")


@retention.command("release")
def release(
    hold_id: Annotated[str, typer.Argument(help="保全编号")],
    actor: Annotated[str, typer.Option("--actor", help="操作人")] = "cli",
) -> None:
    """Release a manual legal hold."""
    c = container()
    try:
        with user_errors(), c.uow() as session:
            service.release_hold(session=session, now=c.clock.now(), hold_id=hold_id, actor=actor)
    finally:
        c.close()
    typer.echo(f"已解除保全 {hold_id}")


@retention.command("holds")
def holds(as_json: bool = JsonOption) -> None:
    """List the manual holds in force."""
    c = container()
    try:
        with c.uow() as session:
            found = service.active_holds(session=session)
    finally:
        c.close()
    if as_json:
        print_json(found)
        return
    table(
        [
            {"id": h.id, "kind": h.subject_kind, "subject": h.subject_id, "reason": h.reason}
            for h in found
        ],
        ["id", "kind", "subject", "reason"],
    )


def register(root: typer.Typer) -> None:
    root.command("purge")(purge)
    root.add_typer(retention, name="retention")
