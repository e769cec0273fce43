"""Take, check and restore a backup archive.

An archive is an uncompressed tar holding ``manifest.json`` and one payload:
- SQLite: a page-by-page copy taken with SQLite's online backup API, so the desk keeps
  serving while it runs and the copy is one consistent moment;
- PostgreSQL: ``pg_dump --format=custom`` of the configured schema, run on a snapshot
  exported from the transaction that also counts the rows, so the manifest's counts are
  the dump's counts even while the desk writes.

Restoring checks before it replaces: the payload's SHA-256, a revision this code knows,
the dialect, and an empty target unless ``force``. On SQLite the extracted copy is
verified (row counts, audit chain, every sealed field opening with the key ring) before
the target is touched. On PostgreSQL the existing schema is renamed aside, the dump is
restored in one transaction, verified, and only then is the old schema dropped; any
failure puts the old schema back. A restore therefore leaves either the old data or the
whole backup, never a mix.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, select, table, text
from sqlalchemy import column as sql_column
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from consultdesk.audit.service import verify_chain
from consultdesk.backup.model import MANIFEST_NAME, PAYLOAD_NAMES, CheckReport, Manifest
from consultdesk.db.registry import load_all_tables
from consultdesk.security.crypto import FieldCryptoError, KeyRing, decrypt_field, token_key_id
from consultdesk.security.key_rotation import registered_encrypted_columns
from consultdesk.shared.errors import Conflict, DomainError, ValidationFailed

CHUNK = 1 << 20
ALEMBIC_TABLE = "alembic_version"


class ToolMissing(DomainError):
    """pg_dump / pg_restore is not installed where the command runs."""

    status = 503
    code = "tool_missing"


@dataclass(frozen=True, slots=True)
class RestoreResult:
    manifest: Manifest
    report: CheckReport
    target: str


# ---------------------------------------------------------------- reading a database


def _user_tables(conn: Connection) -> list[str]:
    names = inspect(conn).get_table_names()
    return sorted(n for n in names if not n.startswith("sqlite_"))


def _count_rows(conn: Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in _user_tables(conn):
        quoted = conn.dialect.identifier_preparer.quote(name)
        query = text(f"SELECT count(*) FROM {quoted}")  # noqa: S608 (a quoted table name)
        counts[name] = int(conn.execute(query).scalar_one())
    return counts


def _sealed_tokens(conn: Connection) -> Iterator[tuple[str, str, str, str]]:
    """(table, record id, aad field, token) of every sealed value in the database."""
    load_all_tables()
    present = set(_user_tables(conn))
    for spec in registered_encrypted_columns():
        if spec.table not in present:
            continue
        for col in spec.columns:
            t = table(spec.table, sql_column(spec.id_column), sql_column(col))
            rows = conn.execute(
                select(t.c[spec.id_column], t.c[col])
                .where(t.c[col].is_not(None))
                .execution_options(yield_per=5000)
            )
            for record_id, token in rows:
                yield spec.table, str(record_id), spec.aad_field(col), str(token)


def _key_ids(conn: Connection) -> tuple[list[str], int]:
    ids: set[str] = set()
    n = 0
    for _table, _rid, _field, token in _sealed_tokens(conn):
        n += 1
        try:
            ids.add(str(token_key_id(token)))
        except FieldCryptoError:
            ids.add("?")
    return sorted(ids), n


def _revision(conn: Connection) -> str | None:
    if ALEMBIC_TABLE not in _user_tables(conn):
        return None
    query = text(f"SELECT version_num FROM {ALEMBIC_TABLE}")  # noqa: S608 (a constant)
    revs = [r for (r,) in conn.execute(query)]
    return "+".join(sorted(revs)) or None


def check_database(conn: Connection, manifest: Manifest, keyring: KeyRing) -> CheckReport:
    """Compare a database copy with its manifest: every table's row count, the audit
    chain, and every sealed field opening with ``keyring``."""
    found = _count_rows(conn)
    mismatches = {
        t: (expected, found.get(t, -1))
        for t, expected in manifest.tables.items()
        if found.get(t, -1) != expected
    }
    for t in found.keys() - manifest.tables.keys():
        mismatches[t] = (-1, found[t])
    audit_ok, audit_entries, audit_problem = True, 0, None
    if "audit_entries" in found:
        with Session(bind=conn) as session:
            result = verify_chain(session=session)
        audit_ok, audit_entries = result.ok, result.count
        if not result.ok:
            audit_problem = f"第 {result.first_bad_seq} 条：{result.reason}"
    opened = failed = 0
    first_failure: str | None = None
    for tname, rid, field, token in _sealed_tokens(conn):
        try:
            decrypt_field(token, record_id=rid, keyring=keyring, field=field)
            opened += 1
        except FieldCryptoError as exc:
            failed += 1
            first_failure = first_failure or f"{tname}.{field} id={rid}（{type(exc).__name__}）"
    known = set(keyring.keys)
    missing = [k for k in manifest.key_ids if k not in known]
    ok = not mismatches and audit_ok and not failed and not missing
    return CheckReport(
        ok=ok,
        tables_checked=len(found),
        rows=sum(found.values()),
        count_mismatches=mismatches,
        audit_ok=audit_ok,
        audit_entries=audit_entries,
        audit_problem=audit_problem,
        sealed_opened=opened,
        sealed_failed=failed,
        first_sealed_failure=first_failure,
        missing_key_ids=missing,
    )


# ---------------------------------------------------------------- the archive


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return metadata.version("consultdesk")
    except metadata.PackageNotFoundError:
        return ""


def _write_archive(out: Path, manifest: Manifest, payload: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    manifest_file = payload.with_name(MANIFEST_NAME)
    manifest_file.write_text(manifest.to_json(), encoding="utf-8")
    with tarfile.open(partial, "w") as tar:
        tar.add(manifest_file, arcname=MANIFEST_NAME)
        tar.add(payload, arcname=manifest.payload)
    with partial.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(partial, out)


def read_archive(path: Path, workdir: Path) -> tuple[Manifest, Path]:
    """Extract ``path`` into ``workdir`` and check it: the manifest, the expected member
    names only, and the payload's SHA-256."""
    if not path.is_file():
        raise ValidationFailed(f"备份文件不存在：{path}", field="archive")
    try:
        with tarfile.open(path, "r:") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST_NAME not in members:
                raise ValidationFailed("备份文件缺少 manifest.json", field="archive")
            extracted = tar.extractfile(members[MANIFEST_NAME])
            assert extracted is not None
            manifest = Manifest.from_json(extracted.read().decode("utf-8"))
            if manifest.payload not in PAYLOAD_NAMES.values() or manifest.payload not in members:
                raise ValidationFailed("备份文件缺少数据部分", field="archive")
            member = members[manifest.payload]
            if not member.isfile():
                raise ValidationFailed("备份文件的数据部分不是普通文件", field="archive")
            target = workdir / manifest.payload
            source = tar.extractfile(member)
            assert source is not None
            with target.open("wb") as f:
                shutil.copyfileobj(source, f, CHUNK)
    except (tarfile.TarError, EOFError, UnicodeDecodeError):
        raise ValidationFailed(f"不是有效的备份文件：{path}", field="archive") from None
    if _sha256(target) != manifest.payload_sha256:
        raise ValidationFailed("备份文件已损坏：数据部分的 SHA-256 与清单不符", field="archive")
    return manifest, target


# ---------------------------------------------------------------- SQLite


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValidationFailed("内存数据库无法备份或恢复", field="database_url")
    return Path(database)


@contextmanager
def _sqlite_engine(path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API, 1,024 pages a step: writers on ``source`` wait at
    most one step, and a write during the copy restarts it, so the copy is consistent."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        with dst:
            src.backup(dst, pages=1024)
    finally:
        dst.close()
        src.close()


def _sqlite_integrity(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        (result,) = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValidationFailed(f"备份中的 SQLite 文件不可读：{exc}", field="archive") from None
    finally:
        conn.close()
    if result != "ok":
        raise ValidationFailed(f"备份中的 SQLite 文件损坏：{result}", field="archive")


# ---------------------------------------------------------------- PostgreSQL


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(
            f"未找到 {name}：PostgreSQL 的备份与恢复需要 PostgreSQL 客户端工具"
            "（Debian: apt-get install postgresql-client，版本不低于服务器）",
            field=name,
        )
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL for the pg tools, and the environment carrying the password (never
    on the command line, where ``ps`` would show it)."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    # argv[0] is the pg tool found on PATH; the rest are our own options and paths.
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        detail = lines[-1] if lines else f"exit {proc.returncode}"
        raise ValidationFailed(f"{what}失败：{detail}", field=Path(argv[0]).name)


def _current_schema(conn: Connection) -> str:
    """The schema the connection writes to: ``current_schema()``, or, where the
    configured schema does not exist yet, the first name on the search path."""
    current = conn.execute(text("SELECT current_schema()")).scalar()
    if current:
        return str(current)
    path = str(conn.execute(text("SELECT current_setting('search_path')")).scalar_one())
    names = [
        n.strip().strip('"') for n in path.split(",") if n.strip() not in ("", '"$user"', "$user")
    ]
    return names[0] if names else "public"


def _schema_exists(conn: Connection, schema: str) -> bool:
    found = conn.execute(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
    ).first()
    return found is not None


def _schema_tables(conn: Connection, schema: str) -> list[str]:
    return list(inspect(conn).get_table_names(schema=schema))


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


# ---------------------------------------------------------------- commands


def create_backup(*, engine: Engine, out: Path, now: datetime, force: bool = False) -> Manifest:
    """Write a backup archive of ``engine``'s database to ``out``."""
    if out.exists() and not force:
        raise Conflict(f"文件已存在：{out}（覆盖请加 --force）", field="out")
    if out.is_dir():
        raise ValidationFailed(f"{out} 是目录，请给出文件名", field="out")
    out.parent.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        work = Path(tmp)
        if dialect == "sqlite":
            payload = work / PAYLOAD_NAMES["sqlite"]
            _sqlite_copy(_sqlite_path(engine), payload)
            with _sqlite_engine(payload) as copy, copy.connect() as conn:
                tables = _count_rows(conn)
                key_ids, sealed = _key_ids(conn)
                revision = _revision(conn)
            schema = None
        elif dialect == "postgresql":
            pg_dump = _tool("pg_dump")
            payload = work / PAYLOAD_NAMES["postgresql"]
            url, env = _libpq(engine)
            with engine.connect() as plain:
                conn = plain.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
                    schema = _current_schema(conn)
                    tables = _count_rows(conn)
                    key_ids, sealed = _key_ids(conn)
                    revision = _revision(conn)
                    argv = [pg_dump, "--format=custom", "--no-owner", "--no-privileges"]
                    argv += [f"--snapshot={snapshot}", f"--schema={schema}"]
                    _run([*argv, f"--file={payload}", url], env, "pg_dump ")
        else:
            raise ValidationFailed(f"不支持的数据库：{dialect}", field="database_url")
        manifest = Manifest(
            dialect=dialect,
            created_at=now.isoformat(),
            revision=revision,
            tables=tables,
            key_ids=key_ids,
            sealed_values=sealed,
            payload=payload.name,
            payload_sha256=_sha256(payload),
            payload_bytes=payload.stat().st_size,
            schema=schema,
            app_version=_app_version(),
        )
        _write_archive(out, manifest, payload)
    return manifest


def verify_backup(*, archive: Path, keyring: KeyRing) -> tuple[Manifest, CheckReport | None]:
    """Check an archive without restoring it. SQLite: the copy itself is opened and
    checked (integrity, counts, audit chain, sealed fields). PostgreSQL: the checksum and
    ``pg_restore --list``; counts, chain and sealed fields are checked by ``restore``."""
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".verify-") as tmp:
        manifest, payload = read_archive(archive, Path(tmp))
        if manifest.dialect == "sqlite":
            _sqlite_integrity(payload)
            with _sqlite_engine(payload) as copy, copy.connect() as conn:
                return manifest, check_database(conn, manifest, keyring)
        pg_restore = _tool("pg_restore")
        _run([pg_restore, "--list", str(payload)], dict(os.environ), "pg_restore --list ")
        return manifest, None


def _check_revision(manifest: Manifest) -> None:
    from consultdesk.db.migrate import script_directory

    scripts = script_directory()
    for rev in (manifest.revision or "").split("+"):
        if not rev:
            continue
        try:
            known = scripts.get_revision(rev)
        except Exception:  # alembic raises several kinds for an unknown id
            known = None
        if known is None:
            raise ValidationFailed(
                f"备份的数据库版本 {rev} 不在本程序的迁移历史中（备份来自更新的 consultdesk？）",
                field="revision",
            )


def restore_backup(
    *, archive: Path, engine: Engine, keyring: KeyRing, force: bool = False
) -> RestoreResult:
    """Replace ``engine``'s database with the archive's, verified (see module doc)."""
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".restore-") as tmp:
        manifest, payload = read_archive(archive, Path(tmp))
        target_dialect = engine.dialect.name
        if manifest.dialect != target_dialect:
            raise ValidationFailed(
                f"{manifest.dialect} 的备份不能恢复到 {target_dialect} 数据库", field="archive"
            )
        _check_revision(manifest)
        if target_dialect == "sqlite":
            return _restore_sqlite(manifest, payload, engine, keyring, force)
        return _restore_postgres(manifest, payload, engine, keyring, force)


def _refuse_non_empty(tables: list[str], force: bool, where: str) -> None:
    if tables and not force:
        raise Conflict(
            f"目标数据库已有 {len(tables)} 张表（{where}）；确认用备份覆盖请加 --force",
            field="force",
        )


def _restore_sqlite(
    manifest: Manifest, payload: Path, engine: Engine, keyring: KeyRing, force: bool
) -> RestoreResult:
    target = _sqlite_path(engine)
    _sqlite_integrity(payload)
    with _sqlite_engine(payload) as copy, copy.connect() as conn:
        report = check_database(conn, manifest, keyring)
    if not report.ok:
        raise ValidationFailed(
            "备份校验失败，未恢复：" + "；".join(report.problems()), field="archive"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    engine.dispose()
    if target.exists():
        with _sqlite_engine(target) as current, current.connect() as conn:
            _refuse_non_empty(_user_tables(conn), force, str(target))
    _sqlite_copy(payload, target)
    with _sqlite_engine(target) as restored, restored.connect() as conn:
        after = check_database(conn, manifest, keyring)
    return RestoreResult(manifest=manifest, report=after, target=str(target))


def _restore_postgres(
    manifest: Manifest, payload: Path, engine: Engine, keyring: KeyRing, force: bool
) -> RestoreResult:
    pg_restore = _tool("pg_restore")
    url, env = _libpq(engine)
    with engine.connect() as conn:
        schema = _current_schema(conn)
    if manifest.schema and manifest.schema != schema:
        raise ValidationFailed(
            f"备份来自模式 {manifest.schema}，目标为 {schema}；请设置 "
            f"CONSULTDESK_DATABASE_SCHEMA={manifest.schema}",
            field="database_schema",
        )
    aside = f"{schema}_before_restore"
    try:
        with engine.begin() as conn:
            exists = _schema_exists(conn, schema)
            current = _schema_tables(conn, schema) if exists else []
            _refuse_non_empty(current, force, f"模式 {schema}")
            if _schema_exists(conn, aside):
                raise Conflict(
                    f"模式 {aside} 已存在（上次恢复未完成？）；请先检查并删除它", field="schema"
                )
            if exists:
                conn.execute(
                    text(f"ALTER SCHEMA {_quote(conn, schema)} RENAME TO {_quote(conn, aside)}")
                )
        engine.dispose()
        try:
            argv = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner"]
            _run([*argv, "--no-privileges", f"--dbname={url}", str(payload)], env, "pg_restore ")
            with engine.connect() as conn:
                report = check_database(conn, manifest, keyring)
            if not report.ok:
                raise ValidationFailed(
                    "恢复后校验失败，已还原原数据：" + "；".join(report.problems()),
                    field="archive",
                )
        except BaseException:
            engine.dispose()
            with engine.begin() as conn:
                if _schema_exists(conn, aside):
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {_quote(conn, schema)} CASCADE"))
                    conn.execute(
                        text(f"ALTER SCHEMA {_quote(conn, aside)} RENAME TO {_quote(conn, schema)}")
                    )
            raise
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {_quote(conn, aside)} CASCADE"))
    except SQLAlchemyError as exc:
        raise ValidationFailed(
            f"恢复失败（{type(exc).__name__}）：{exc}", field="database_url"
        ) from None
    return RestoreResult(manifest=manifest, report=report, target=f"{url} 模式 {schema}")
