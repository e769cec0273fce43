"""Load the bank's holiday table from YAML.

    complete_years: [2027]        # years the table lists in full (empty: none)
    holidays:                     # dates off
      - date: 2027-01-01
        note: 元旦
    working_days:                 # adjusted working days (调休上班)
      - date: 2027-02-20
        note: 春节调休

Bad content raises ValidationFailed naming the field, never a traceback.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from consultdesk.shared.errors import ValidationFailed
from consultdesk.workdays.domain import HolidayTable


def _dates(entries: Any, *, field: str, notes: dict[date, str]) -> frozenset[date]:
    if entries is None:
        return frozenset()
    if not isinstance(entries, list):
        raise ValidationFailed(f"{field} 应为列表", field=field)
    found: set[date] = set()
    for index, entry in enumerate(entries):
        raw = entry.get("date") if isinstance(entry, dict) else entry
        if isinstance(raw, str):
            try:
                raw = date.fromisoformat(raw)
            except ValueError:
                raw = None
        if not isinstance(raw, date):
            raise ValidationFailed(
                f"{field} 第 {index + 1} 项的日期无效，应为 YYYY-MM-DD", field=field
            )
        found.add(raw)
        if isinstance(entry, dict) and isinstance(entry.get("note"), str):
            notes[raw] = entry["note"]
    return frozenset(found)


class _PlainDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so a bad date is reported by field."""


_PlainDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_holiday_table(text: str) -> HolidayTable:
    """Build a HolidayTable from YAML text; an empty document is an empty table."""
    try:
        data = yaml.load(text, Loader=_PlainDatesLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        raise ValidationFailed("节假日表不是合法的 YAML", field="holiday_table") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed("节假日表应为键值映射", field="holiday_table")
    years = data.get("complete_years") or []
    if not isinstance(years, list) or not all(
        isinstance(y, int) and not isinstance(y, bool) for y in years
    ):
        raise ValidationFailed("complete_years 应为年份列表，如 [2027]", field="complete_years")
    notes: dict[date, str] = {}
    holidays = _dates(data.get("holidays"), field="holidays", notes=notes)
    working = _dates(data.get("working_days"), field="working_days", notes=notes)
    clash = holidays & working
    if clash:
        raise ValidationFailed(
            f"{min(clash).isoformat()} 同时被列为节假日和调休工作日", field="holidays"
        )
    return HolidayTable(
        holidays=holidays,
        working_days=working,
        complete_years=frozenset(years),
        notes=notes,
    )


def load_holiday_table(path: Path) -> HolidayTable:
    """Read and parse a holiday table file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ValidationFailed(f"无法读取节假日表 {path}", field="holiday_table") from None
    return parse_holiday_table(text)


EXAMPLE_2027 = Path(__file__).with_name("holidays_2027.yaml")
