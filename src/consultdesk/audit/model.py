"""The tamper-evident audit log: a hash chain over canonical JSON (RSK-2). Pure.

Every entry's hash is sha256(prev_hash + canonical(entry)), where canonical(entry)
covers seq, time, actor, action, subject and details. Changing any field of any entry
changes its hash; deleting, inserting or reordering entries breaks the seq sequence or
the prev_hash link of the next entry. `verify` walks the chain and names the first
entry that does not fit, with a reason in Chinese.

Canonical JSON: keys sorted, no whitespace, UTF-8 (not ASCII-escaped), Decimal and
date/datetime as strings (datetimes in UTC ISO 8601 with microseconds). Floats are
refused: their text form is not stable across databases; pass Decimal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from consultdesk.shared.errors import ValidationFailed

GENESIS_HASH = "0" * 64
MAX_ACTOR = 128
MAX_ACTION = 64
MAX_SUBJECT = 256


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationFailed("审计时间必须带时区", field="details")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    raise ValidationFailed(f"审计详情含不支持的类型：{type(value).__name__}", field="details")


def _refuse_floats(value: object) -> None:
    if isinstance(value, float):
        raise ValidationFailed("审计详情不接受浮点数，请使用 Decimal 或字符串", field="details")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationFailed("审计详情的键必须是字符串", field="details")
            _refuse_floats(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _refuse_floats(item)


def canonical_json(value: object) -> str:
    """The one text form of `value` that hashes are computed over."""
    _refuse_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_encode
    )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One link of the chain. `details` is the canonical JSON text as stored."""

    seq: int
    time: datetime
    actor: str
    action: str
    subject: str
    details: str
    prev_hash: str
    hash: str

    def details_dict(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.details)
        return loaded


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    time: datetime,
    actor: str,
    action: str,
    subject: str,
    details: str,
) -> str:
    """sha256 over prev_hash and the canonical JSON of the entry's fields (hex)."""
    body = canonical_json(
        {
            "seq": seq,
            "time": time,
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details,
        }
    )
    return hashlib.sha256(prev_hash.encode("ascii") + body.encode("utf-8")).hexdigest()


def seal_entry(
    *,
    prev_hash: str,
    seq: int,
    time: datetime,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, object],
) -> AuditEntry:
    """The next entry of the chain after `prev_hash`, its hash computed."""
    if not actor:
        raise ValidationFailed("审计记录缺少操作人", field="actor")
    if not action:
        raise ValidationFailed("审计记录缺少操作类型", field="action")
    for name, value, limit in (
        ("actor", actor, MAX_ACTOR),
        ("action", action, MAX_ACTION),
        ("subject", subject, MAX_SUBJECT),
    ):
        if len(value) > limit:
            raise ValidationFailed(f"审计记录的 {name} 不得超过 {limit} 个字符", field=name)
    text = canonical_json(dict(details))
    return AuditEntry(
        seq=seq,
        time=time,
        actor=actor,
        action=action,
        subject=subject,
        details=text,
        prev_hash=prev_hash,
        hash=entry_hash(
            prev_hash=prev_hash,
            seq=seq,
            time=time,
            actor=actor,
            action=action,
            subject=subject,
            details=text,
        ),
    )


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """ok, how many entries were checked, and the first bad seq with the reason."""

    ok: bool
    count: int
    first_bad_seq: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ChainAnchor:
    """A known (seq, hash) pair the chain must pass through: a checkpoint or the head."""

    seq: int
    hash: str


def verify(
    entries: Iterable[AuditEntry],
    *,
    checkpoints: Iterable[ChainAnchor] = (),
    head: ChainAnchor | None = None,
) -> VerifyResult:
    """Walk `entries` (in stored seq order, starting at seq 1) and check every link.

    Detects an edited entry (hash mismatch), a deleted or inserted entry (seq gap or
    prev_hash mismatch), reordered entries (seq out of order), a rewritten stretch that
    no longer matches a checkpoint, and a truncated tail (the chain head records a later
    seq or another hash than the last entry).
    """
    anchors = {a.seq: a.hash for a in checkpoints}
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                reason = f"序号不连续：应为 {expected_seq}，实为 {entry.seq}（记录被删除或调换）"
            else:
                reason = f"序号倒退：应为 {expected_seq}，实为 {entry.seq}（记录被插入或调换）"
            return VerifyResult(False, count, expected_seq, reason)
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False, count, entry.seq, "前序哈希不符（前一条记录被删除、插入、调换或改写）"
            )
        recomputed = entry_hash(
            prev_hash=entry.prev_hash,
            seq=entry.seq,
            time=entry.time,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            details=entry.details,
        )
        if recomputed != entry.hash:
            return VerifyResult(False, count, entry.seq, "内容哈希不符（记录内容被修改）")
        if entry.seq in anchors and anchors[entry.seq] != entry.hash:
            return VerifyResult(False, count, entry.seq, "与检查点哈希不符（链被整体改写）")
        prev_hash = entry.hash
        expected_seq += 1
        count += 1
    last_seq = expected_seq - 1
    missing = [seq for seq in anchors if seq > last_seq]
    if missing:
        return VerifyResult(
            False, count, last_seq + 1, f"检查点 {min(missing)} 之前的记录缺失（尾部被删除）"
        )
    if head is not None:
        if head.seq > last_seq:
            reason = f"链头记录到第 {head.seq} 条，实际只有 {last_seq} 条（尾部被删除）"
            return VerifyResult(False, count, last_seq + 1, reason)
        if head.seq < last_seq:
            reason = f"链头只记录到第 {head.seq} 条，其后的记录未经登记（尾部被追加）"
            return VerifyResult(False, count, head.seq + 1, reason)
        if last_seq and head.hash != prev_hash:
            return VerifyResult(False, count, last_seq, "最后一条记录与链头哈希不符")
    return VerifyResult(True, count)
