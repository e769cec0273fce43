"""Beijing calendar months: the unit of the monthly score, report, plans and samples.
Mainland China has one time zone and no daylight saving. Pure."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from consultdesk.shared.errors import ValidationFailed

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def starts(self) -> datetime:
        """First instant of the month in Beijing, as UTC."""
        return datetime(self.year, self.month, 1, tzinfo=BEIJING).astimezone(UTC)

    @property
    def ends(self) -> datetime:
        """First instant of the next month in Beijing, as UTC."""
        days = calendar.monthrange(self.year, self.month)[1]
        last = datetime(self.year, self.month, days, tzinfo=BEIJING)
        return (last + timedelta(days=1)).astimezone(UTC)


def parse_month(value: str) -> Month:
    """'2026-11' -> Month(2026, 11); ValidationFailed(field='month') otherwise."""
    found = _MONTH.match(value.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise ValidationFailed("月份格式应为 YYYY-MM，如 2026-11", field="month")
    return Month(int(found.group(1)), int(found.group(2)))


def local_date(moment: datetime) -> date:
    """The Beijing calendar date of ``moment``."""
    return moment.astimezone(BEIJING).date()
