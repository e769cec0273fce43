"""``consultdesk report monthly 2026-11 --branch BJ01 --format pdf --out F`` and
``consultdesk categories list|set|history`` (QC-3, CLS-5).

``--as USER`` reads with that member's scope (a branch's staff get their branch); without
it the command runs as the server's operator with the whole bank in scope, since whoever
holds the database settings sees every row already. Text formats go to stdout when
``--out`` is not given; a PDF needs ``--out``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from consultdesk.cli.common import acting_member, container, fail, print_json, table, user_errors
from consultdesk.quality import categories as cats
from consultdesk.quality.render import FORMATS, render
from consultdesk.quality.report import monthly_report
from consultdesk.quality.tables import BANK_WIDE
from consultdesk.shared.errors import Forbidden
from consultdesk.shared.scope import HEAD_OFFICE_SCOPE, Scope
from consultdesk.staff.model import Permission

report_app = typer.Typer(
    help="服务质量报表：月度高频问题、时效、满意度（QC-3）", no_args_is_help=True
)
categories_app = typer.Typer(
    help="问题类别：受管清单（分行可增改，保留修改记录）", no_args_is_help=True
)


@report_app.command("monthly")
def monthly_command(
    month: Annotated[str, typer.Argument(help="月份 YYYY-MM，如 2026-11")],
    branch: Annotated[str | None, typer.Option("--branch", help="机构代码；不指定为全行")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html | pdf | json | csv")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="输出文件", dir_okay=False)] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh | en")] = "zh",
    as_user: Annotated[str | None, typer.Option("--as", help="以该员工的权限范围读取")] = None,
) -> None:
    """生成月度服务质量报告。"""
    if fmt not in FORMATS:
        raise fail(f"（format）格式应为 {' | '.join(FORMATS)}")
    if lang not in ("zh", "en"):
        raise fail("（lang）语言应为 zh 或 en")
    if fmt == "pdf" and out is None:
        raise fail("（out）PDF 须用 --out 指定文件")
    c = container()
    with user_errors():
        with c.uow() as session:
            scope: Scope = HEAD_OFFICE_SCOPE
            if as_user:
                scope = acting_member(session, as_user, Permission.REPORTS).scope
            report = monthly_report(
                session=session, now=c.clock.now(), month=month, scope=scope, branch=branch
            )
        data = render(report, fmt, "en" if lang == "en" else "zh")
    if out is None:
        typer.echo(data.decode("utf-8"), nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(data)
    partial.replace(out)
    typer.echo(
        f"已生成 {report.month} {report.branch_name} 报告：{out}（{len(data)} 字节）", err=True
    )


@categories_app.command("list")
def categories_list(
    branch: Annotated[str | None, typer.Option("--branch")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """列出在用的问题类别（全行清单叠加该机构的增改）。"""
    c = container()
    with user_errors(), c.uow() as session:
        found = cats.list_categories(session=session, now=c.clock.now(), branch=branch)
    rows = [x.as_dict() for x in found]
    if as_json:
        print_json(rows)
    else:
        table(
            [r | {"keywords": "、".join(r["keywords"][:6])} for r in rows],
            ["code", "label", "branch", "version", "keywords"],
        )


@categories_app.command("set")
def categories_set(
    code: Annotated[str, typer.Argument(help="类别代码，如 ebank_login")],
    label: Annotated[str, typer.Option("--label", help="中文名称")],
    reason: Annotated[str, typer.Option("--reason", help="修改原因（记录在案）")],
    as_user: Annotated[str, typer.Option("--as", help="操作员工（需服务策略编辑权限）")],
    label_en: Annotated[str, typer.Option("--label-en")] = "",
    keywords: Annotated[str, typer.Option("--keywords", help="关键词，逗号分隔")] = "",
    branch: Annotated[
        str | None, typer.Option("--branch", help="分行自己的类别；不指定为全行")
    ] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="停用该类别")] = False,
) -> None:
    """新增或修改一个问题类别（版本加一，保留修改前后）。"""
    c = container()
    with user_errors(), c.uow() as session:
        member = acting_member(session, as_user, Permission.POLICY_EDIT)
        target = branch.strip().upper() if branch else BANK_WIDE
        if target == BANK_WIDE and member.scope.branch is not None:
            raise Forbidden("分行员工只能修改本分行的类别，请加 --branch", field="branch")
        if target != BANK_WIDE and not member.scope.admits(target):
            raise Forbidden(f"无权修改机构 {target} 的类别", field="branch")
        words = [w for w in keywords.replace("，", ",").split(",")]
        found = cats.set_category_definition(
            session=session,
            now=c.clock.now(),
            code=code,
            label=label,
            label_en=label_en,
            keywords=words,
            actor=member.username,
            reason=reason,
            branch=target,
            active=not inactive,
        )
    typer.echo(f"类别 {found.code} {found.label} 已更新为第 {found.version} 版（{found.branch}）")


@categories_app.command("history")
def categories_history(
    code: Annotated[str, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """一个类别的修改记录。"""
    c = container()
    with user_errors(), c.uow() as session:
        rows = cats.category_history(session=session, code=code)
    if as_json:
        print_json(rows)
    else:
        table(rows, ["version", "branch", "actor", "at", "reason"])


def register(root: typer.Typer) -> None:
    root.add_typer(report_app, name="report")
    root.add_typer(categories_app, name="categories")
