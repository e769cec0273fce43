"""`consultdesk backup`, `backup verify` and `restore` as an operator types them (CLS-4,
RSK-2, issue 12 item 6): restore-and-verify on SQLite and PostgreSQL — every table's row
count, `audit verify` intact on the restored copy, sealed fields opening with the key ring
— and the refusals: a non-empty target without --force, a damaged archive, a key ring
without the backup's keys, PostgreSQL tools missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from consultdesk.audit import service as audit
from consultdesk.bootstrap import Container, bootstrap
from consultdesk.consultations import service as consultations
from consultdesk.customers.demo import seed_demo_customers
from consultdesk.customers.tables import CustomerRow
from consultdesk.db.migrate import upgrade
from consultdesk.demo import seed_session_only
from consultdesk.notifications import service as notifications
from consultdesk.security.crypto import decrypt_field, new_keyring, write_key_file
from consultdesk.settings import Settings
from tests.pg import PG_URL, schema_name

EXE = str(Path(sys.executable).parent / "consultdesk")
SECRET = "backup-test-secret-key-long-enough-0123456789"


@dataclass
class Desk:
    env: dict[str, str]
    container: Container
    folder: Path


def _env(folder: Path, url: str, schema: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
    env |= {
        "CONSULTDESK_DATABASE_URL": url,
        "CONSULTDESK_DATA_DIR": str(folder),
        "CONSULTDESK_SECRET_KEY": SECRET,
        "CONSULTDESK_ENVIRONMENT": "test",
    }
    if schema:
        env["CONSULTDESK_DATABASE_SCHEMA"] = schema
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def fill(c: Container) -> None:
    """Branches, the sandbox customers (phone and id number sealed), a consultation with
    messages, queued texts (recipient sealed) and a run of audit entries."""
    upgrade(c.engine)
    with c.uow() as s:
        now = c.clock.now()
        seed_session_only(s)
        seed_demo_customers(session=s, now=now, container=c)
        cid = consultations.open_consultation(
            session=s, now=now, channel="chat", branch="BJ01", actor="customer"
        ).id
        for i in range(5):
            consultations.post_message(
                session=s, now=now, consultation_id=cid, author_kind="customer", text=f"问题{i}"
            )
        for i in range(3):
            notifications.enqueue_sms(
                session=s,
                now=now,
                keyring=c.keyring,
                to=f"1380013800{i}",
                text="您的预约已确认",
                purpose="appointment",
            )
    for i in range(7):
        with c.uow() as s:
            audit.record(
                session=s, now=c.clock.now(), actor="admin", action="test.event", subject=str(i)
            )


def counts(url: str, schema: str | None = None) -> dict[str, int]:
    args = {"options": f"-csearch_path={schema}"} if schema else {}
    engine = create_engine(url, connect_args=args)
    try:
        with engine.connect() as conn:
            names = [
                n
                for n in conn.dialect.get_table_names(conn, schema=schema)
                if not n.startswith("sqlite_")
            ]
            return {
                n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
                for n in names
            }
    finally:
        engine.dispose()


def phones(c: Container) -> dict[str, str]:
    with c.uow() as s:
        rows = s.execute(select(CustomerRow.id, CustomerRow.phone_sealed)).all()
    return {
        rid: decrypt_field(token, record_id=rid, keyring=c.keyring, field="phone")
        for rid, token in rows
        if token
    }


@pytest.fixture
def sqlite_desk(tmp_path: Path) -> Iterator[Desk]:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    c = bootstrap(
        Settings(database_url=url, data_dir=tmp_path, secret_key=SECRET, environment="test")
    )
    fill(c)
    yield Desk(_env(tmp_path, url), c, tmp_path)
    c.close()


def test_sqlite_backup_verify_and_restore_to_a_new_file(sqlite_desk: Desk) -> None:
    # REQ: CLS-4 — a complete copy: same rows, the audit chain intact, sealed fields open.
    d = sqlite_desk
    archive = d.folder / "backup.tar"
    made = run(d.env, "backup", "--out", str(archive), "--json")
    assert made.returncode == 0, made.stderr
    manifest = json.loads(made.stdout)["manifest"]
    source_url = d.env["CONSULTDESK_DATABASE_URL"]
    assert manifest["tables"] == counts(source_url)
    assert manifest["tables"]["audit_entries"] == 7
    assert manifest["sealed_values"] >= 2 * 4 + 3  # customers' phone and id, the texts
    assert manifest["key_ids"] == [d.container.keyring.active]

    checked = run(d.env, "backup", "verify", str(archive))
    assert checked.returncode == 0, checked.stderr
    assert "校验通过" in checked.stdout and "审计日志完整 7 条" in checked.stdout

    restored_url = f"sqlite:///{d.folder / 'restored.sqlite3'}"
    env = d.env | {"CONSULTDESK_DATABASE_URL": restored_url}
    done = run(env, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert counts(restored_url) == counts(source_url)
    chain = run(env, "audit", "verify")
    assert chain.returncode == 0 and "审计日志完整 7 条" in chain.stdout, chain.stdout
    restored = bootstrap(
        Settings(
            database_url=restored_url, data_dir=d.folder, secret_key=SECRET, environment="test"
        )
    )
    try:
        assert phones(restored) == phones(d.container) and phones(restored)
    finally:
        restored.close()
    current = run(env, "db", "current", "--json")
    assert json.loads(current.stdout)["up_to_date"] is True


def test_restore_over_data_needs_force_and_then_replaces_it(sqlite_desk: Desk) -> None:
    # REQ: CLS-4 — a restore never mixes: refused onto data, or the backup exactly.
    d = sqlite_desk
    archive = d.folder / "backup.tar"
    assert run(d.env, "backup", "--out", str(archive)).returncode == 0
    before = counts(d.env["CONSULTDESK_DATABASE_URL"])
    with d.container.uow() as s:
        audit.record(session=s, now=d.container.clock.now(), actor="a", action="x", subject="8")
    d.container.engine.dispose()

    refused = run(d.env, "restore", str(archive))
    assert refused.returncode == 2
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert counts(d.env["CONSULTDESK_DATABASE_URL"])["audit_entries"] == 8

    forced = run(d.env, "restore", str(archive), "--force")
    assert forced.returncode == 0, forced.stderr
    assert counts(d.env["CONSULTDESK_DATABASE_URL"]) == before
    assert run(d.env, "audit", "verify").returncode == 0

    again = run(d.env, "backup", "--out", str(archive))
    assert again.returncode == 2 and "--force" in again.stderr


def test_a_damaged_archive_is_refused_and_the_target_is_untouched(sqlite_desk: Desk) -> None:
    d = sqlite_desk
    archive = d.folder / "backup.tar"
    assert run(d.env, "backup", "--out", str(archive)).returncode == 0
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the database copy
    archive.write_bytes(bytes(data))

    checked = run(d.env, "backup", "verify", str(archive))
    assert checked.returncode == 2 and "SHA-256" in checked.stderr, checked.stderr
    target = f"sqlite:///{d.folder / 'other.sqlite3'}"
    refused = run(d.env | {"CONSULTDESK_DATABASE_URL": target}, "restore", str(archive))
    assert refused.returncode == 2 and "SHA-256" in refused.stderr
    assert counts(target) == {}

    not_an_archive = d.folder / "notes.txt"
    not_an_archive.write_text("hello", encoding="utf-8")
    bad = run(d.env, "backup", "verify", str(not_an_archive))
    assert bad.returncode == 2 and "不是有效的备份文件" in bad.stderr


def test_a_key_ring_without_the_backups_key_fails_verification(sqlite_desk: Desk) -> None:
    # REQ: CLS-4 — keys live apart from backups; verification names the missing key.
    d = sqlite_desk
    archive = d.folder / "backup.tar"
    assert run(d.env, "backup", "--out", str(archive)).returncode == 0
    other_keys = d.folder / "other-keys.json"
    write_key_file(other_keys, new_keyring())
    env = d.env | {"CONSULTDESK_KEY_FILE": str(other_keys)}
    checked = run(env, "backup", "verify", str(archive))
    assert checked.returncode == 1
    assert d.container.keyring.active in checked.stderr and "无法解密" in checked.stderr
    target = f"sqlite:///{d.folder / 'other.sqlite3'}"
    refused = run(env | {"CONSULTDESK_DATABASE_URL": target}, "restore", str(archive))
    assert refused.returncode == 2 and "未恢复" in refused.stderr
    assert counts(target) == {}


@pytest.mark.postgres
def test_postgres_backup_restore_in_place_and_to_a_fresh_database(tmp_path: Path) -> None:
    # REQ: CLS-4 — pg_dump on an exported snapshot; restore renames the old schema aside.
    with schema_name("bkup") as schema:
        c = bootstrap(
            Settings(
                database_url=PG_URL,
                database_schema=schema,
                data_dir=tmp_path,
                secret_key=SECRET,
                environment="test",
            )
        )
        try:
            fill(c)
            env = _env(tmp_path, PG_URL, schema)
            archive = tmp_path / "pg.tar"
            made = run(env, "backup", "--out", str(archive), "--json")
            assert made.returncode == 0, made.stderr
            manifest = json.loads(made.stdout)["manifest"]
            expected = counts(PG_URL, schema)
            assert manifest["tables"] == expected and manifest["schema"] == schema
            assert run(env, "backup", "verify", str(archive)).returncode == 0

            with c.uow() as s:
                audit.record(session=s, now=c.clock.now(), actor="a", action="x", subject="8")
            c.engine.dispose()
            assert run(env, "restore", str(archive)).returncode == 2
            forced = run(env, "restore", str(archive), "--force")
            assert forced.returncode == 0, forced.stderr
            assert "审计日志完整 7 条" in forced.stdout
            assert counts(PG_URL, schema) == expected
            assert phones(c)

            fresh = f"restore_{schema}"
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{fresh}"'))
            try:
                fresh_url = PG_URL.rsplit("/", 1)[0] + f"/{fresh}"
                fenv = env | {"CONSULTDESK_DATABASE_URL": fresh_url}
                restored = run(fenv, "restore", str(archive))
                assert restored.returncode == 0, restored.stderr
                assert counts(fresh_url, schema) == expected
                assert run(fenv, "audit", "verify").returncode == 0
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
                admin.dispose()
        finally:
            c.close()


@pytest.mark.postgres
def test_postgres_backup_without_pg_dump_is_one_clear_error(tmp_path: Path) -> None:
    with schema_name("bknotool") as schema:
        env = _env(tmp_path, PG_URL, schema) | {"PATH": str(Path(EXE).parent)}
        made = run(env, "backup", "--out", str(tmp_path / "pg.tar"))
        assert made.returncode == 2
        assert "未找到 pg_dump" in made.stderr and "Traceback" not in made.stderr
        assert not (tmp_path / "pg.tar").exists()
