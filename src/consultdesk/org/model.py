"""The bank's organisation: head office and branches (ANX-1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consultdesk.shared.errors import ValidationFailed
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode

_CODE = re.compile(r"^[A-Z0-9]{2,12}$")


@dataclass(frozen=True)
class Branch:
    code: BranchCode
    name: str

    @property
    def is_head_office(self) -> bool:
        return self.code == HEAD_OFFICE


def parse_branch_code(value: str) -> BranchCode:
    """Upper-case letters and digits, 2 to 12 characters; ``HO`` is head office."""
    code = value.strip().upper()
    if not _CODE.match(code):
        raise ValidationFailed("机构代码须为 2–12 位大写字母或数字", field="branch")
    return BranchCode(code)
