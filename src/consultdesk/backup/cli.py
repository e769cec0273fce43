"""`consultdesk backup --out F`, `consultdesk backup verify F`, `consultdesk restore F`.

The database and the key ring are the configured ones (settings / environment). Exit
codes: 0 done (and verified); 1 the archive or the restored copy fails a check; 2 bad
input, a missing tool (pg_dump / pg_restore) or a refused restore, one line on stderr.
Stop `serve` and `worker` before a restore: it replaces the database under them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from consultdesk.backup.model import CheckReport, Manifest
from consultdesk.backup.service import create_backup, restore_backup, verify_backup
from consultdesk.cli.common import container, print_json, user_errors

ArchiveArg = Annotated[Path, typer.Argument(help="备份文件", dir_okay=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def _summary(manifest: Manifest) -> str:
    where = f"，模式 {manifest.schema}" if manifest.schema else ""
    return (
        f"{manifest.dialect}{where}，版本 {manifest.revision or '（未迁移）'}，"
        f"{len(manifest.tables)} 张表 {manifest.total_rows} 行，"
        f"加密字段 {manifest.sealed_values} 个（密钥 {', '.join(manifest.key_ids) or '无'}）"
    )


def _report_json(report: CheckReport | None) -> object:
    if report is None:
        return None
    return {
        "ok": report.ok,
        "tables": report.tables_checked,
        "rows": report.rows,
        "audit_entries": report.audit_entries,
        "audit_ok": report.audit_ok,
        "sealed_opened": report.sealed_opened,
        "sealed_failed": report.sealed_failed,
        "missing_key_ids": report.missing_key_ids,
        "problems": report.problems(),
    }


def _echo_report(report: CheckReport) -> None:
    if report.ok:
        typer.echo(
            f"校验通过：{report.tables_checked} 张表 {report.rows} 行与清单一致；"
            f"审计日志完整 {report.audit_entries} 条；加密字段 {report.sealed_opened} 个均可解密"
        )
    else:
        for problem in report.problems():
            typer.echo(f"校验失败：{problem}", err=True)


def register(root: typer.Typer) -> None:
    """Mount `backup` (with `backup verify`) and `restore` on the root app."""
    app = typer.Typer(help="备份：整库备份与校验（SQLite 在线备份 / PostgreSQL pg_dump）")

    @app.callback(invoke_without_command=True)
    def backup_command(
        ctx: typer.Context,
        out: Annotated[
            Path | None, typer.Option("--out", help="备份文件路径", dir_okay=False)
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件")] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """备份当前配置的数据库到一个文件（不含密钥：密钥另行保管）。"""
        if ctx.invoked_subcommand is not None:
            return
        if out is None:
            typer.echo("错误（out）：请用 --out 指定备份文件", err=True)
            raise typer.Exit(2)
        c = container()
        with user_errors():
            manifest = create_backup(engine=c.engine, out=out, now=c.clock.now(), force=force)
        if as_json:
            print_json({"archive": str(out), "manifest": manifest})
            return
        typer.echo(f"已备份到 {out}：{_summary(manifest)}")
        typer.echo(f"SHA-256 {manifest.payload_sha256}；恢复时需要上述密钥")

    @app.command("verify")
    def verify_command(archive: ArchiveArg, as_json: JsonOpt = False) -> None:
        """校验备份文件：校验和、行数、审计日志、加密字段能否用当前密钥解密。"""
        c = container()
        with user_errors():
            manifest, report = verify_backup(archive=archive, keyring=c.keyring)
        if as_json:
            print_json({"manifest": manifest, "check": _report_json(report)})
        else:
            typer.echo(f"备份 {archive}：{_summary(manifest)}，校验和一致")
            if report is None:
                typer.echo("PostgreSQL 备份：目录可读；行数、审计日志与加密字段在恢复时核对")
            else:
                _echo_report(report)
        if report is not None and not report.ok:
            raise typer.Exit(1)

    root.add_typer(app, name="backup")

    @root.command("restore")
    def restore_command(
        archive: ArchiveArg,
        force: Annotated[
            bool, typer.Option("--force", help="目标数据库已有数据时仍用备份覆盖")
        ] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """从备份文件恢复当前配置的数据库，并核对行数、审计日志和加密字段。
        恢复前请停止 serve 与 worker。"""
        c = container()
        with user_errors():
            result = restore_backup(
                archive=archive, engine=c.engine, keyring=c.keyring, force=force
            )
        if as_json:
            print_json(
                {
                    "target": result.target,
                    "manifest": result.manifest,
                    "check": _report_json(result.report),
                }
            )
        else:
            typer.echo(f"已恢复到 {result.target}：{_summary(result.manifest)}")
            _echo_report(result.report)
        if not result.report.ok:
            raise typer.Exit(1)
