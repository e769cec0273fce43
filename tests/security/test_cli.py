from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from consultdesk.security import key_rotation
from consultdesk.security.cli import register
from consultdesk.security.crypto import KeyRing, new_keyring, seal_fields, token_key_id
from consultdesk.security.key_rotation import EncryptedColumns, register_encrypted_columns

from .conftest import CustomerCardRow

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        """consultdesk"""

    register(root)
    return root


def test_generate_creates_a_0600_key_file(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    result = runner.invoke(app, ["keys", "generate", "--file", str(path), "--key-id", "k1"])
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600
    assert KeyRing.from_file(path).active == "k1"


def test_generate_on_an_existing_file_adds_an_active_key(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    runner.invoke(app, ["keys", "generate", "--file", str(path), "--key-id", "k1"])
    result = runner.invoke(app, ["keys", "generate", "--file", str(path), "--key-id", "k2"])
    assert result.exit_code == 0
    ring = KeyRing.from_file(path)
    assert ring.active == "k2"
    assert set(ring.keys) == {"k1", "k2"}


def test_generate_with_a_taken_key_id_fails_in_one_line(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    runner.invoke(app, ["keys", "generate", "--file", str(path), "--key-id", "k1"])
    result = runner.invoke(app, ["keys", "generate", "--file", str(path), "--key-id", "k1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误（key_id）：密钥编号已存在：k1"


# REQ: CLS-4
def test_rotate_reseals_registered_columns_in_batches(
    app: typer.Typer, tmp_path: Path, sqlite_file_url: str
) -> None:
    path = tmp_path / "keys.json"
    runner.invoke(app, ["keys", "generate", "--file", str(path), "--key-id", "k1"])
    old = KeyRing.from_file(path)
    engine = create_engine(sqlite_file_url)
    with Session(engine) as session:
        for i in range(5):
            rid = f"r{i}"
            session.add(
                CustomerCardRow(
                    id=rid,
                    holder="x",
                    **seal_fields(
                        {"card_number": "6222021234567890", "phone": None},
                        record_id=rid,
                        keyring=old,
                    ),
                )
            )
        session.commit()
    runner.invoke(app, ["keys", "generate", "--file", str(path), "--key-id", "k2"])
    saved = dict(key_rotation._REGISTRY)
    register_encrypted_columns(
        EncryptedColumns(
            table="example_customer_cards", id_column="id", columns=("card_number", "phone")
        )
    )
    try:
        result = runner.invoke(
            app,
            [
                "keys",
                "rotate",
                "--database-url",
                sqlite_file_url,
                "--key-file",
                str(path),
                "--batch",
                "2",
            ],
        )
    finally:
        key_rotation._REGISTRY.clear()
        key_rotation._REGISTRY.update(saved)
    assert result.exit_code == 0, result.output
    assert "重新加密 5 个字段" in result.stdout
    assert "3 批" in result.stdout
    with Session(engine) as session:
        tokens = session.scalars(select(CustomerCardRow.card_number)).all()
    assert {token_key_id(t or "") for t in tokens} == {"k2"}
    engine.dispose()


def test_rotate_uses_the_configured_database_and_keys(
    app: typer.Typer, tmp_path: Path, sqlite_file_url: str
) -> None:
    ring = new_keyring("env1")
    result = runner.invoke(
        app,
        ["keys", "rotate"],
        env={
            "CONSULTDESK_DATABASE_URL": sqlite_file_url,
            "CONSULTDESK_KEYS": ring.to_json(),
            "CONSULTDESK_DATA_DIR": str(tmp_path),
        },
    )
    assert result.exit_code == 0, result.output
    assert "密钥轮换完成" in result.stdout


def test_rotate_in_production_without_keys_fails_in_one_line(
    app: typer.Typer, tmp_path: Path, sqlite_file_url: str
) -> None:
    result = runner.invoke(
        app,
        ["keys", "rotate", "--database-url", sqlite_file_url],
        env={
            "CONSULTDESK_KEYS": None,
            "CONSULTDESK_ENVIRONMENT": "production",
            "CONSULTDESK_SECRET_KEY": "x" * 40,
            "CONSULTDESK_DATABASE_URL": sqlite_file_url,
            "CONSULTDESK_KEY_FILE": str(tmp_path / "missing.json"),
        },
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "缺少密钥" in result.stderr


def test_rotate_refuses_a_zero_batch(
    app: typer.Typer, tmp_path: Path, sqlite_file_url: str
) -> None:
    path = tmp_path / "keys.json"
    runner.invoke(app, ["keys", "generate", "--file", str(path)])
    result = runner.invoke(
        app,
        [
            "keys",
            "rotate",
            "--database-url",
            sqlite_file_url,
            "--key-file",
            str(path),
            "--batch",
            "0",
        ],
    )
    assert result.exit_code == 2
    assert "批大小" in result.stderr
