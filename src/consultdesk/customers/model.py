"""The desk's view of a customer (ACC-4, SOL-3).

Identifiers (phone, ID number) are C2 personal financial information: they are sealed at
rest and only their masked forms are shown (RSK-1). Lookups use a keyed hash (blind index)
so a returning customer is found without decrypting anything (ACC-5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NewType

CustomerId = NewType("CustomerId", str)


class RiskTolerance(StrEnum):
    """Customer risk tolerance from the suitability assessment, C1 (lowest) to C5."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"


@dataclass(frozen=True)
class Customer:
    id: CustomerId
    name: str
    phone_masked: str | None
    id_number_masked: str | None
    email: str | None
    branch: str
    core_customer_id: str | None = None
    birth_date: date | None = None
    risk_tolerance: RiskTolerance | None = None
    risk_assessed_on: date | None = None
    products: tuple[str, ...] = field(default_factory=tuple)

    def age_on(self, today: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))
