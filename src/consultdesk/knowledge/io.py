"""Import and export of knowledge entries as CSV, JSONL or XLSX, one layout for all.

Layout (one record per entry, header row in CSV/XLSX, one JSON object per JSONL line):

==================  =========================================================
entry_id            stable id, e.g. ``DEP-001`` (required)
business_line       deposits | loans | credit_cards | ebanking | precious_metals |
                    wealth | insurance | forex | accounts
complexity          simple | medium | complex
standard_question   the canonical question
paraphrases         list; in CSV/XLSX one per line inside the cell
answer              the answer script
steps               list; in CSV/XLSX one per line inside the cell (may be empty)
risk_tags           list; in CSV/XLSX one per line inside the cell (may be empty)
source              where the answer comes from, e.g. 示例银行个人存款产品手册2026版
effective_from      YYYY-MM-DD
expires_on          YYYY-MM-DD or empty (last day the answer may be given)
owner               user id of the business owner
==================  =========================================================

Reading is all or nothing: the first bad record raises `ValidationFailed` naming the
row (the spreadsheet row for CSV/XLSX, the line for JSONL) and the field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook, load_workbook

from consultdesk.knowledge.model import (
    BusinessLine,
    Complexity,
    EntryContent,
    EntryId,
    EntrySpec,
    UserId,
)
from consultdesk.shared.errors import ValidationFailed

COLUMNS = (
    "entry_id",
    "business_line",
    "complexity",
    "standard_question",
    "paraphrases",
    "answer",
    "steps",
    "risk_tags",
    "source",
    "effective_from",
    "expires_on",
    "owner",
)
LIST_COLUMNS = frozenset({"paraphrases", "steps", "risk_tags"})
REQUIRED = ("entry_id", "business_line", "complexity", "standard_question", "answer", "source",
            "effective_from", "owner")  # fmt: skip


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    XLSX = "xlsx"


def format_of(path: Path, given: str | None = None) -> FileFormat:
    """The format named by `given`, else by the file suffix."""
    name = (given or path.suffix.lstrip(".")).lower()
    try:
        return FileFormat(name)
    except ValueError:
        raise ValidationFailed(
            f"不支持的文件格式“{name}”，请使用 csv、jsonl 或 xlsx", field="format"
        ) from None


def read_entries(path: Path, file_format: FileFormat) -> list[EntrySpec]:
    """Every record of the file, validated; raises on the first bad one, naming it."""
    if not path.is_file():
        raise ValidationFailed(f"文件不存在：{path}", field="file")
    records = {
        FileFormat.CSV: _csv_records,
        FileFormat.JSONL: _jsonl_records,
        FileFormat.XLSX: _xlsx_records,
    }[file_format](path)
    return [spec_from_record(record, where=where) for where, record in records]


def write_entries(path: Path, file_format: FileFormat, specs: Sequence[EntrySpec]) -> None:
    """Write `specs` in the documented layout (overwrites `path`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format is FileFormat.JSONL:
        with path.open("w", encoding="utf-8") as out:
            for spec in specs:
                out.write(json.dumps(record_from_spec(spec), ensure_ascii=False) + "\n")
        return
    rows = [[_cell(record_from_spec(spec)[c]) for c in COLUMNS] for spec in specs]
    if file_format is FileFormat.CSV:
        # utf-8-sig so that Excel on Windows opens Chinese text correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        return
    book = Workbook()
    sheet = book.active
    sheet.title = "knowledge"
    sheet.append(list(COLUMNS))
    for row_number, row in enumerate(rows, start=2):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            # Text only: a value starting with "=" must not become a formula.
            cell.data_type = "s"
    book.save(path)


def record_from_spec(spec: EntrySpec) -> dict[str, object]:
    """One entry as a JSON-ready record of the layout."""
    c = spec.content
    return {
        "entry_id": spec.entry_id,
        "business_line": spec.business_line.value,
        "complexity": c.complexity.value,
        "standard_question": c.standard_question,
        "paraphrases": list(c.paraphrases),
        "answer": c.answer,
        "steps": list(c.steps),
        "risk_tags": list(c.risk_tags),
        "source": c.source,
        "effective_from": c.effective_from.isoformat(),
        "expires_on": c.expires_on.isoformat() if c.expires_on else None,
        "owner": spec.owner,
    }


def spec_from_record(record: Mapping[str, object], *, where: str) -> EntrySpec:
    """Validate one record of the layout; `where` (e.g. "第 3 行") prefixes any error."""

    def fail(column: str, problem: str) -> ValidationFailed:
        return ValidationFailed(f"{where}，字段 {column}：{problem}", field=f"{where}: {column}")

    for column in REQUIRED:
        value = record.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise fail(column, "不能为空")
    try:
        line = BusinessLine(_text(record["business_line"]))
    except ValueError:
        raise fail("business_line", "不是有效的业务条线") from None
    try:
        complexity = Complexity(_text(record["complexity"]))
    except ValueError:
        raise fail("complexity", "须为 simple、medium 或 complex") from None
    lists = {}
    for column in LIST_COLUMNS:
        try:
            lists[column] = _list(record.get(column))
        except ValueError:
            raise fail(column, "须为文本列表") from None
    dates = {}
    for column in ("effective_from", "expires_on"):
        try:
            dates[column] = _date(record.get(column))
        except ValueError:
            raise fail(column, "日期格式须为 YYYY-MM-DD") from None
    effective_from = dates["effective_from"]
    if effective_from is None:  # pragma: no cover - REQUIRED guarantees it
        raise fail("effective_from", "不能为空")
    try:
        content = EntryContent(
            standard_question=_text(record["standard_question"]),
            paraphrases=lists["paraphrases"],
            answer=_text(record["answer"]),
            steps=lists["steps"],
            complexity=complexity,
            risk_tags=lists["risk_tags"],
            source=_text(record["source"]),
            effective_from=effective_from,
            expires_on=dates["expires_on"],
        )
        return EntrySpec(
            entry_id=EntryId(_text(record["entry_id"])),
            business_line=line,
            owner=UserId(_text(record["owner"])),
            content=content,
        )
    except ValidationFailed as error:
        raise fail(error.field or "entry", error.message) from None


def _text(value: object) -> str:
    return str(value).strip()


def _list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.splitlines() if part.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value)
    raise ValueError(value)


def _date(value: object) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def _csv_records(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    with path.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.DictReader(source)
        _check_header(reader.fieldnames or [])
        for number, row in enumerate(reader, start=2):
            yield f"第 {number} 行", dict(row)


def _jsonl_records(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise ValidationFailed(
                    f"第 {number} 行不是有效的 JSON", field=f"第 {number} 行"
                ) from None
            if not isinstance(record, dict):
                raise ValidationFailed(f"第 {number} 行须为 JSON 对象", field=f"第 {number} 行")
            yield f"第 {number} 行", record


def _xlsx_records(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed(f"无法读取 Excel 文件：{path}", field="file") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        _check_header(header)
        for number, values in enumerate(rows, start=2):
            if all(v is None for v in values):
                continue
            yield f"第 {number} 行", dict(zip(header, values, strict=False))
    finally:
        book.close()


def _check_header(header: Sequence[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(f"表头缺少列：{'、'.join(missing)}", field="header")
