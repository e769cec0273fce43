from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from consultdesk.knowledge.io import COLUMNS, FileFormat, format_of, read_entries, write_entries
from consultdesk.knowledge.model import BusinessLine, EntryId, EntrySpec, UserId
from consultdesk.shared.errors import ValidationFailed
from tests.knowledge.conftest import make_content

SPECS = [
    EntrySpec(
        entry_id=EntryId("DEP-001"),
        business_line=BusinessLine.DEPOSITS,
        owner=UserId("owner"),
        content=make_content(),
    ),
    EntrySpec(
        entry_id=EntryId("WM-001"),
        business_line=BusinessLine.WEALTH,
        owner=UserId("owner-2"),
        content=make_content(
            standard_question="理财产品保本吗？",
            paraphrases=("理财会亏吗", "买理财能保本不"),
            answer="本产品不保本，投资有风险。",
            steps=(),
            risk_tags=("非保本", "风险提示"),
        ),
    ),
]


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_round_trip_keeps_every_field(tmp_path: Path, fmt: FileFormat) -> None:
    path = tmp_path / f"kb.{fmt.value}"
    write_entries(path, fmt, SPECS)
    assert read_entries(path, fmt) == SPECS


def test_csv_has_the_documented_header(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    write_entries(path, FileFormat.CSV, SPECS)
    with path.open(encoding="utf-8-sig") as f:
        assert tuple(next(csv.reader(f))) == COLUMNS


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def good_row(**changes: str) -> dict[str, str]:
    row = {
        "entry_id": "DEP-009",
        "business_line": "deposits",
        "complexity": "simple",
        "standard_question": "零存整取是什么？",
        "paraphrases": "零存整取啥意思\n零整怎么存",
        "answer": "每月固定存入、到期一次支取本息。",
        "steps": "",
        "risk_tags": "",
        "source": "示例银行个人存款产品手册2026版",
        "effective_from": "2026-01-01",
        "expires_on": "",
        "owner": "owner",
    }
    row.update(changes)
    return row


def test_bad_business_line_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    write_csv(path, [good_row(), good_row(entry_id="X", business_line="stocks")])
    with pytest.raises(ValidationFailed) as raised:
        read_entries(path, FileFormat.CSV)
    assert raised.value.field == "第 3 行: business_line"
    assert "第 3 行" in raised.value.message


def test_bad_date_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    write_csv(path, [good_row(effective_from="2026/01/01")])
    with pytest.raises(ValidationFailed) as raised:
        read_entries(path, FileFormat.CSV)
    assert raised.value.field == "第 2 行: effective_from"


def test_missing_answer_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    record = dict(good_row())
    record["answer"] = ""
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as raised:
        read_entries(path, FileFormat.JSONL)
    assert raised.value.field == "第 1 行: answer"


def test_broken_json_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text('{"entry_id": "A"}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValidationFailed) as raised:
        read_entries(path, FileFormat.JSONL)
    assert "第 1 行" in raised.value.message  # first line already lacks required fields


def test_missing_header_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    path.write_text("entry_id,answer\nA,B\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as raised:
        read_entries(path, FileFormat.CSV)
    assert raised.value.field == "header"


def test_xlsx_bad_complexity_names_spreadsheet_row(tmp_path: Path) -> None:
    path = tmp_path / "kb.xlsx"
    write_entries(path, FileFormat.XLSX, SPECS)
    book = load_workbook(path)
    book.active.cell(row=3, column=COLUMNS.index("complexity") + 1, value="hard")
    book.save(path)
    with pytest.raises(ValidationFailed) as raised:
        read_entries(path, FileFormat.XLSX)
    assert raised.value.field == "第 3 行: complexity"


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        format_of(Path("kb.txt"))
    assert raised.value.field == "format"


def test_format_option_overrides_suffix() -> None:
    assert format_of(Path("kb.txt"), "jsonl") is FileFormat.JSONL


def test_formula_looking_text_stays_text_in_xlsx(tmp_path: Path) -> None:
    spec = EntrySpec(
        entry_id=EntryId("EB-099"),
        business_line=BusinessLine.EBANKING,
        owner=UserId("owner"),
        content=make_content(standard_question="=1+1", paraphrases=("=SUM(A1:A2)",)),
    )
    path = tmp_path / "kb.xlsx"
    write_entries(path, FileFormat.XLSX, [spec])
    assert read_entries(path, FileFormat.XLSX) == [spec]


def test_entry_id_with_spaces_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    write_csv(path, [good_row(entry_id="DEP 009")])
    with pytest.raises(ValidationFailed) as raised:
        read_entries(path, FileFormat.CSV)
    assert raised.value.field == "第 2 行: entry_id"
