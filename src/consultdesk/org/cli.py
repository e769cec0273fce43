"""``consultdesk branches add|list``: the bank's organisation (ANX-1).

A fresh production database has no branches; add head office (``HO``) and each branch
before creating their staff. Adding an existing code renames it.
"""

from __future__ import annotations

from dataclasses import asdict

import typer

from consultdesk.cli.common import JsonOption, container, print_json, table, user_errors
from consultdesk.org import service

app = typer.Typer(help="机构：总行与分支机构", no_args_is_help=True)


@app.command("add")
def add(
    code: str = typer.Argument(..., help="机构代码：2–12 位字母或数字；HO 为总行"),
    name: str = typer.Option(..., "--name", help="机构名称，如 北京分行"),
) -> None:
    """添加机构（代码已存在时更新名称）。"""
    if not name.strip():
        typer.echo("错误（name）：机构名称不能为空", err=True)
        raise typer.Exit(2)
    c = container()
    with user_errors(), c.uow() as session:
        branch = service.ensure_branch(session=session, code=code, name=name.strip())
    typer.echo(f"机构 {branch.code} {branch.name} 已就绪")


@app.command("list")
def list_(as_json: bool = JsonOption) -> None:
    """列出机构。"""
    c = container()
    with user_errors(), c.uow() as session:
        rows = [asdict(b) for b in service.list_branches(session=session)]
    if as_json:
        print_json(rows)
    else:
        table(rows, ["code", "name"])


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="branches")
