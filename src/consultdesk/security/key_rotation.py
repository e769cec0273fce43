"""Key rotation of encrypted columns while the desk runs (CLS-4).

Features register the columns they seal with `register_encrypted_columns`. A sealed
column must be written with `encrypt_field(..., record_id=str(<id column>), field=F)`
where F is the column name, or the name given for that column in `aad_fields`
(e.g. column `phone_sealed` sealed with field "phone").

`rotate_encrypted_columns` walks each table in id order, `batch_size` rows per
transaction, re-sealing tokens that are not on the active key. It is:
- idempotent: tokens already on the active key are skipped;
- resumable: each batch commits on its own, so a stopped run loses at most one batch
  and the next run only finds what is left;
- safe beside live writers: each update is conditional on the old token
  (`WHERE id = ? AND col = <old token>`), so a value the desk changed meanwhile is kept;
- loud on tampering: a token that does not open stops the run with the table, column
  and record id in the error (earlier batches stay committed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import and_, column, not_, or_, select, table, update
from sqlalchemy.engine import Engine

from consultdesk.security.crypto import FieldCryptoError, KeyRing, rotate_token, token_key_id
from consultdesk.shared.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class EncryptedColumns:
    """A table, its id column, the columns holding sealed tokens, and, where it differs
    from the column name, the field name each column was sealed with."""

    table: str
    id_column: str
    columns: tuple[str, ...]
    aad_fields: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def aad_field(self, column: str) -> str:
        """The `field` this column's tokens are bound to."""
        return self.aad_fields.get(column, column)


@dataclass(frozen=True, slots=True)
class RotationReport:
    """How much one rotation run did."""

    tables: int
    batches: int
    tokens_rotated: int
    rows_skipped_concurrently_changed: int


_REGISTRY: dict[str, EncryptedColumns] = {}


def register_encrypted_columns(spec: EncryptedColumns) -> None:
    """Declare a table's encrypted columns so `keys rotate` re-seals them."""
    if not spec.columns:
        raise ValidationFailed("至少需要一个加密列", field="columns")
    unknown = set(spec.aad_fields) - set(spec.columns)
    if unknown:
        raise ValidationFailed(f"aad_fields 含未登记的列：{sorted(unknown)}", field="aad_fields")
    _REGISTRY[spec.table] = spec


def registered_encrypted_columns() -> tuple[EncryptedColumns, ...]:
    """Every registered table, in registration order."""
    return tuple(_REGISTRY.values())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def rotate_encrypted_columns(
    *,
    engine: Engine,
    keyring: KeyRing,
    specs: Iterable[EncryptedColumns] | None = None,
    batch_size: int = 500,
) -> RotationReport:
    """Re-seal every token of `specs` (default: all registered) onto the active key."""
    if batch_size < 1:
        raise ValidationFailed("批大小必须为正整数", field="batch")
    chosen = tuple(registered_encrypted_columns() if specs is None else specs)
    active_prefix = _escape_like(f"v1:{keyring.active}:") + "%"
    batches = rotated = skipped = 0
    for spec in chosen:
        tbl = table(spec.table, column(spec.id_column), *(column(c) for c in spec.columns))
        id_col = tbl.c[spec.id_column]
        stale = or_(
            *(
                and_(tbl.c[c].is_not(None), not_(tbl.c[c].like(active_prefix, escape="\\")))
                for c in spec.columns
            )
        )
        last_id: object = None
        while True:
            query = select(tbl).where(stale).order_by(id_col).limit(batch_size)
            if last_id is not None:
                query = query.where(id_col > last_id)
            with engine.begin() as conn:
                rows = conn.execute(query).mappings().all()
                if not rows:
                    break
                batches += 1
                for row in rows:
                    record_id = str(row[spec.id_column])
                    for name in spec.columns:
                        old = row[name]
                        if old is None or token_key_id(old) == keyring.active:
                            continue
                        try:
                            new = rotate_token(
                                old,
                                record_id=record_id,
                                keyring=keyring,
                                field=spec.aad_field(name),
                            )
                        except FieldCryptoError as exc:
                            # Stop loudly: a token that does not open is a tamper signal.
                            # Earlier batches stay committed; this one rolls back.
                            raise type(exc)(
                                f"{spec.table}.{name}（{spec.id_column}={record_id}）：{exc}"
                            ) from exc
                        done = conn.execute(
                            update(tbl)
                            .where(id_col == row[spec.id_column], tbl.c[name] == old)
                            .values({name: new})
                        )
                        if done.rowcount == 1:
                            rotated += 1
                        else:
                            skipped += 1
                last_id = rows[-1][spec.id_column]
    return RotationReport(
        tables=len(chosen),
        batches=batches,
        tokens_rotated=rotated,
        rows_skipped_concurrently_changed=skipped,
    )
