"""Labelled replies (QC-6): the fields of `compliance check` input plus ``expect`` (a
list of violation codes) and, optionally, ``family``, ``split``, ``style`` and
``product_talk``; read from JSONL with a clear error naming the line and field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from consultdesk.compliance.model import VIOLATION_CODES, ReplyContext
from consultdesk.shared.errors import ValidationFailed

__all__ = ["Labelled", "digest", "parse_labelled_line", "read_labelled"]


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled reply."""

    text: str
    context: ReplyContext
    expect: frozenset[str]
    family: str
    split: str
    style: str
    product_talk: bool | None = None  # talks about an investment product (None: unknown)


def read_labelled(path: Path) -> list[Labelled]:
    """Read a labelled JSONL file; raises ValidationFailed naming the line."""
    rows: list[Labelled] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"无法读取文件：{exc}", field=str(path)) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        rows.append(parse_labelled_line(line, number=number))
    return rows


def parse_labelled_line(line: str, *, number: int) -> Labelled:
    """One JSON line of a labelled file, or ValidationFailed naming the line and field."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"第 {number} 行不是有效的 JSON：{exc.msg}", field=f"line {number}"
        ) from exc
    if not isinstance(raw, dict):
        raise ValidationFailed(f"第 {number} 行应为 JSON 对象", field=f"line {number}")
    text = raw.get("text")
    if not isinstance(text, str):
        raise ValidationFailed(f"第 {number} 行缺少回复文本 text", field=f"line {number}.text")
    expect = raw.get("expect")
    if not isinstance(expect, list) or not all(isinstance(c, str) for c in expect):
        raise ValidationFailed(
            f"第 {number} 行缺少 expect（违规代码列表）", field=f"line {number}.expect"
        )
    unknown = [c for c in expect if c not in VIOLATION_CODES]
    if unknown:
        raise ValidationFailed(
            f"第 {number} 行有未知的违规代码：{', '.join(unknown)}", field=f"line {number}.expect"
        )
    try:
        context = ReplyContext.from_mapping(raw.get("context"))
    except ValidationFailed as exc:
        raise ValidationFailed(
            f"第 {number} 行：{exc.message}", field=f"line {number}.{exc.field}"
        ) from exc
    return Labelled(
        text=text,
        context=context,
        expect=frozenset(expect),
        family=str(raw.get("family", f"line-{number}")),
        split=str(raw.get("split", "test")),
        style=str(raw.get("style", "")),
        product_talk=raw.get("product_talk") if isinstance(raw.get("product_talk"), bool) else None,
    )


def digest(path: Path) -> str:
    """SHA-256 of a corpus file, recorded in the weights it trained."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
