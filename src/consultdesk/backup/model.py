"""The manifest of a backup archive: what was copied, and how to check it came back."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from consultdesk.shared.errors import ValidationFailed

FORMAT = "consultdesk-backup/1"
MANIFEST_NAME = "manifest.json"
PAYLOAD_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@dataclass(frozen=True, slots=True)
class Manifest:
    """One backup: where from, at which schema revision, how many rows per table, which
    keys its sealed fields are on, and the SHA-256 of the payload file."""

    dialect: str  # "sqlite" | "postgresql"
    created_at: str  # ISO 8601, UTC
    revision: str | None
    tables: dict[str, int]
    key_ids: list[str]
    sealed_values: int
    payload: str
    payload_sha256: str
    payload_bytes: int
    schema: str | None = None  # PostgreSQL schema that was dumped
    app_version: str = ""
    format: str = FORMAT
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            data: dict[str, Any] = json.loads(text)
        except ValueError:
            raise ValidationFailed("备份清单不是有效的 JSON", field="manifest") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValidationFailed(f"不是 consultdesk 备份（格式应为 {FORMAT}）", field="manifest")
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as exc:
            raise ValidationFailed(f"备份清单缺少字段：{exc}", field="manifest") from None

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What a verification found on a database copy: counts, audit chain, sealed fields."""

    ok: bool
    tables_checked: int
    rows: int
    count_mismatches: dict[str, tuple[int, int]]  # table -> (expected, found)
    audit_ok: bool
    audit_entries: int
    audit_problem: str | None
    sealed_opened: int
    sealed_failed: int
    first_sealed_failure: str | None
    missing_key_ids: list[str]

    def problems(self) -> list[str]:
        out = [f"表 {t} 行数应为 {e}，实为 {f}" for t, (e, f) in self.count_mismatches.items()]
        if not self.audit_ok:
            out.append(f"审计日志校验失败：{self.audit_problem}")
        if self.missing_key_ids:
            out.append(f"密钥环缺少密钥：{', '.join(self.missing_key_ids)}")
        if self.sealed_failed:
            out.append(
                f"{self.sealed_failed} 个加密字段无法解密（首个：{self.first_sealed_failure}）"
            )
        return out
