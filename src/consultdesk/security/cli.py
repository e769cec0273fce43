"""`consultdesk keys generate` and `consultdesk keys rotate` (CLS-4).

`generate --file PATH` creates a key file (mode 0600) with one active key, or adds a
new active key to an existing file (old keys stay for reading until rotation is done).
`rotate` re-seals every registered encrypted column onto the active key, in batches,
while the desk keeps running. Database and keys are the configured ones (settings /
environment) unless `--database-url` / `--key-file` name others.
Errors: one line on stderr, exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from consultdesk.cli.common import container, fail, user_errors
from consultdesk.db.engine import make_engine
from consultdesk.security.crypto import (
    ENV_VAR,
    FieldCryptoError,
    KeyRing,
    new_keyring,
    write_key_file,
)
from consultdesk.security.key_rotation import rotate_encrypted_columns


def register(root: typer.Typer) -> None:
    """Mount the `keys` command group on the root `consultdesk` app."""
    app = typer.Typer(help="字段加密密钥：生成、轮换", no_args_is_help=True)

    @app.command("generate")
    def generate_command(
        file: Annotated[Path, typer.Option("--file", help="密钥文件路径（权限 0600）")],
        key_id: Annotated[str | None, typer.Option("--key-id", help="新密钥编号")] = None,
    ) -> None:
        """生成新密钥并设为当前密钥；文件已存在时保留旧密钥以便解密。"""
        with user_errors():
            if file.exists():
                keyring = KeyRing.from_file(file).with_new_key(key_id)
            else:
                keyring = new_keyring(key_id)
            try:
                write_key_file(file, keyring)
            except OSError as exc:
                raise fail(f"无法写入密钥文件：{file}（{exc.strerror}）") from None
        typer.echo(f"已生成密钥 {keyring.active}，当前共 {len(keyring.keys)} 把：{file}")

    @app.command("rotate")
    def rotate_command(
        database_url: Annotated[
            str | None,
            typer.Option("--database-url", help="数据库 URL；不指定时使用配置"),
        ] = None,
        key_file: Annotated[
            Path | None,
            typer.Option("--key-file", help=f"密钥文件；不指定时使用 {ENV_VAR} 或配置的密钥文件"),
        ] = None,
        batch: Annotated[int, typer.Option("--batch", help="每批处理行数")] = 500,
    ) -> None:
        """把已登记的加密列全部改用当前密钥重新加密（分批提交，可重复执行）。"""
        with user_errors():
            if database_url is not None and key_file is not None:
                engine, keyring = make_engine(database_url), KeyRing.from_file(key_file)
            else:
                configured = container()
                engine = make_engine(database_url) if database_url else configured.engine
                keyring = KeyRing.from_file(key_file) if key_file else configured.keyring
            try:
                report = rotate_encrypted_columns(engine=engine, keyring=keyring, batch_size=batch)
            except FieldCryptoError as exc:
                raise fail(f"轮换中止：{exc}") from None
            except SQLAlchemyError as exc:
                raise fail(f"数据库错误，轮换中止（{type(exc).__name__}）") from None
        typer.echo(
            f"密钥轮换完成：{report.tables} 张表，{report.batches} 批，"
            f"重新加密 {report.tokens_rotated} 个字段，"
            f"跳过并发修改 {report.rows_skipped_concurrently_changed} 个"
        )

    root.add_typer(app, name="keys")
