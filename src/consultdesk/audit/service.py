"""Use cases of the audit log (RSK-2): append, verify, search.

Appends are serialised through the single chain-head row: the first statement of
`record` is `UPDATE audit_chain_head SET last_seq = last_seq + 1 ... RETURNING`, which
takes a row lock on PostgreSQL (a concurrent appender waits until this transaction ends,
then reads the new head) and the database write lock on SQLite. So two transactions
never take the same seq or prev_hash, and a rolled-back transaction gives its seq back.
On PostgreSQL run appends at READ COMMITTED (the default): under REPEATABLE READ or
SERIALIZABLE the second appender gets a serialisation error and must retry.

Details never hold C3 data and show C2 data masked: `record` scrubs them first.
`record` flushes into the caller's session; the caller's unit of work commits, so the
audit entry commits or rolls back together with the action it describes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.audit.model import (
    GENESIS_HASH,
    AuditEntry,
    ChainAnchor,
    VerifyResult,
    seal_entry,
    verify,
)
from consultdesk.audit.tables import AuditChainHeadRow, AuditCheckpointRow, AuditEntryRow
from consultdesk.security.masking import mask_text
from consultdesk.security.redaction import REDACTED, redact_c3
from consultdesk.shared.errors import ValidationFailed

HEAD_ID = 1
DEFAULT_CHECKPOINT_EVERY = 1000
_HEAD = cast(Table, AuditChainHeadRow.__table__)
_ENTRIES = cast(Table, AuditEntryRow.__table__)

# Detail keys whose values are C3 secrets whatever they look like.
_SECRET_KEYS = frozenset(
    {"password", "passwd", "pwd", "pin", "cvv", "cvv2", "cvc", "cvn", "track", "track_data"}
    | {"otp", "code", "one_time_code", "verification_code", "secret", "密码", "验证码"}
)


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in _SECRET_KEYS or lowered.endswith(("_password", "_pin", "_cvv", "_otp"))


def scrub_details(value: object) -> Any:
    """`value` with C3 secrets removed and C2 numbers masked, recursively.

    Values under secret-named keys (password, pin, cvv, otp, ...) become `[已屏蔽]`;
    strings anywhere lose C3 secrets (`redact_c3`) and have card/ID/phone numbers masked.
    """
    if isinstance(value, str):
        return mask_text(redact_c3(value).text)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if _is_secret_key(str(key)) else scrub_details(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub_details(item) for item in value]
    return value


def _advance_head(session: Session) -> tuple[int, str]:
    """Take the next seq and the current last hash, holding the chain lock."""
    bump = (
        update(_HEAD)
        .where(_HEAD.c.id == HEAD_ID)
        .values(last_seq=_HEAD.c.last_seq + 1)
        .returning(_HEAD.c.last_seq, _HEAD.c.last_hash)
    )
    row = session.execute(bump).one_or_none()
    if row is None:
        ensure_chain_head(session=session)
        row = session.execute(bump).one()
    return int(row[0]), str(row[1])


def ensure_chain_head(*, session: Session) -> None:
    """Create the chain-head row if it is missing; safe when two sessions race to do it."""
    values = {"id": HEAD_ID, "last_seq": 0, "last_hash": GENESIS_HASH}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(_HEAD).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(_HEAD).values(values).on_conflict_do_nothing())
    else:  # pragma: no cover - other databases are not supported targets
        try:
            with session.begin_nested():
                session.execute(_HEAD.insert().values(values))
        except IntegrityError:
            pass


def record(
    *,
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, object] | None = None,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
) -> AuditEntry:
    """Append one entry to the chain (details scrubbed) and return it.

    Holds the chain lock until the caller's transaction ends, so call it as the last
    write of the unit of work and commit promptly.

    Writes a checkpoint when the new seq is a multiple of `checkpoint_every`.
    Raises ValidationFailed for a missing actor/action or details that cannot be
    made canonical (floats, unknown types).
    """
    if checkpoint_every < 1:
        raise ValidationFailed("检查点间隔必须为正整数", field="checkpoint_every")
    if now.tzinfo is None:
        raise ValidationFailed("审计时间必须带时区", field="now")
    clean = scrub_details(dict(details or {}))
    # Refuse bad input before taking a seq (a dry run of the sealing).
    seal_entry(
        prev_hash=GENESIS_HASH,
        seq=0,
        time=now,
        actor=actor,
        action=action,
        subject=subject,
        details=clean,
    )
    seq, prev_hash = _advance_head(session)
    entry = seal_entry(
        prev_hash=prev_hash,
        seq=seq,
        time=now,
        actor=actor,
        action=action,
        subject=subject,
        details=clean,
    )
    session.execute(
        _ENTRIES.insert().values(
            seq=entry.seq,
            time=entry.time,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            details=entry.details,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
    )
    session.execute(update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_hash=entry.hash))
    if seq % checkpoint_every == 0:
        session.add(AuditCheckpointRow(seq=seq, hash=entry.hash, time=now))
    session.flush()
    return entry


def _to_entry(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        time=row.time,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        details=row.details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _stream(session: Session, batch_size: int) -> Iterator[AuditEntry]:
    rows = session.scalars(
        select(AuditEntryRow).order_by(AuditEntryRow.seq).execution_options(yield_per=batch_size)
    )
    for row in rows:
        yield _to_entry(row)
        session.expunge(row)


def verify_chain(*, session: Session, batch_size: int = 2000) -> VerifyResult:
    """Check the whole stored chain against itself, its checkpoints and its head."""
    checkpoints = [
        ChainAnchor(seq=c.seq, hash=c.hash) for c in session.scalars(select(AuditCheckpointRow))
    ]
    head_row = session.get(AuditChainHeadRow, HEAD_ID)
    head = None if head_row is None else ChainAnchor(seq=head_row.last_seq, hash=head_row.last_hash)
    return verify(_stream(session, batch_size), checkpoints=checkpoints, head=head)


def search(
    *,
    session: Session,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Entries matching every given filter, newest first; `since` inclusive, `until` exclusive."""
    if not 1 <= limit <= 10_000:
        raise ValidationFailed("条数上限应在 1 至 10000 之间", field="limit")
    query = select(AuditEntryRow).order_by(AuditEntryRow.seq.desc()).limit(limit)
    if actor is not None:
        query = query.where(AuditEntryRow.actor == actor)
    if action is not None:
        query = query.where(AuditEntryRow.action == action)
    if subject is not None:
        query = query.where(AuditEntryRow.subject == subject)
    if since is not None:
        query = query.where(AuditEntryRow.time >= since)
    if until is not None:
        query = query.where(AuditEntryRow.time < until)
    return [_to_entry(row) for row in session.scalars(query)]
